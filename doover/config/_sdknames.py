"""The platform SDK's spellings of the key rules: ``KEY_VALIDATOR`` and ``sanitize_display_name``."""

from typing import Pattern

from ._keys import _EXPLICIT_KEY, key_from_display_name

__all__ = ["KEY_VALIDATOR", "sanitize_display_name"]

#: The compiled rule for an explicit ``name=`` key, ``^[ a-zA-Z0-9_-]*$``: letters, digits,
#: ``_``, ``-`` and spaces. ``KEY_VALIDATOR.match(key)`` is None for a key
#: :func:`~doover.config.check_key` refuses.
KEY_VALIDATOR: Pattern[str] = _EXPLICIT_KEY


def sanitize_display_name(name: str) -> str:
    """The JSON key the platform derives from a display name (the platform SDK's name).

    The same rule as :func:`~doover.config.key_from_display_name`: spaces become ``_``,
    characters outside ``[0-9A-Za-z_]`` are dropped, the rest is lowercased, so
    ``"Flow Rate (L/min)"`` gives ``"flow_rate_lmin"``.
    """
    return key_from_display_name(name)
