"""Element names: derived from display names, validated against ``[0-9a-zA-Z_]+``."""

import re

from ..exceptions import UIError

__all__ = ["derive_name", "check_name", "NAME_RE"]

NAME_RE = re.compile(r"^[0-9a-zA-Z_]+$")
_DROP = re.compile(r"[^0-9a-zA-Z_]")


def derive_name(display_name: str, owner: str = "element") -> str:
    """``"Low Voltage (V)"`` -> ``low_voltage_v``: spaces to ``_``, others dropped, lower-cased."""
    if not isinstance(display_name, str):
        raise UIError("{}: display name must be a string to derive a name from, got {!r}".format(owner, display_name))
    return _DROP.sub("", display_name.replace(" ", "_")).lower()


def check_name(name: str, owner: str = "element") -> str:
    """Return ``name`` if it is a valid element name, else raise :class:`UIError`."""
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise UIError(
            "{}: invalid name {!r}: names use letters, digits and underscores only "
            "(pass name=... or a display name that contains some)".format(owner, name)
        )
    return name
