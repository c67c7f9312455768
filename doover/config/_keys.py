"""Key naming, reserved attribute names, the ``NotSet`` sentinel and ``Variable`` defaults."""

import re
from typing import FrozenSet

from ..exceptions import ConfigSchemaError

__all__ = ["NotSet", "Variable", "key_from_display_name", "check_key", "RESERVED_NAMES"]

_NOT_KEY_CHARS = re.compile(r"[^0-9A-Za-z_]")
_EXPLICIT_KEY = re.compile(r"^[ a-zA-Z0-9_-]*$")


class NotSet:
    """Sentinel *class* meaning "no value / no default was given".

    It is used as ``default=NotSet`` (the class itself, never an instance), as the platform's
    SDK does, so ``default is NotSet`` tests work unchanged.
    """

    def __init__(self) -> None:  # pragma: no cover - guards against misuse
        raise TypeError("NotSet is a sentinel class; use it as is, do not instantiate it")


def key_from_display_name(display_name: str) -> str:
    """Derive a JSON key from a display name.

    Spaces become ``_``, every character outside ``[0-9A-Za-z_]`` is dropped, and the result
    is lowercased: ``"Offline Threshold (minutes)"`` gives ``offline_threshold_minutes``.
    """
    return _NOT_KEY_CHARS.sub("", display_name.replace(" ", "_")).lower()


def check_key(key: str) -> str:
    """Check an explicit ``name=`` key: letters, digits, ``_``, ``-`` and spaces only."""
    if not isinstance(key, str) or not _EXPLICIT_KEY.match(key):
        raise ConfigSchemaError(
            "invalid config key {!r}: a key may only contain letters, digits, "
            "'_', '-' and spaces".format(key)
        )
    return key


#: Python attribute names that cannot hold a declared element (they are element options).
RESERVED_NAMES: FrozenSet[str] = frozenset(
    {
        "default",
        "description",
        "hidden",
        "deprecated",
        "format",
        "required",
        "value",
        "choices",
        "element",
        "elements",
        "minimum",
        "exclusive_minimum",
        "maximum",
        "exclusive_maximum",
        "multiple_of",
        "length",
        "pattern",
        "min_items",
        "max_items",
        "unique_items",
        "additional_elements",
        "collapsible",
        "default_collapsed",
        "show_if",
    }
)


class Variable:
    """A placeholder default that the platform fills in, e.g. ``Variable("device", "diCount")``.

    Both parts go through the key rule, so ``str()`` gives ``"$device.dicount"``; that string
    is the exported ``default``. doover never resolves it: if the key is missing at load
    time the element's ``.value`` is this object (as in the platform's SDK).
    """

    __slots__ = ("_scope", "_name")

    def __init__(self, scope: str, name: str) -> None:
        self._scope = key_from_display_name(scope)
        self._name = key_from_display_name(name)

    def __str__(self) -> str:
        return "${}.{}".format(self._scope, self._name)

    def __repr__(self) -> str:
        return "Variable({!r}, {!r})".format(self._scope, self._name)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Variable):
            return (self._scope, self._name) == (other._scope, other._name)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((Variable, self._scope, self._name))

    def __deepcopy__(self, memo):  # immutable
        return self
