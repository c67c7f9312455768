"""``ConfigElement``: the options every element shares, its export, and the load protocol.

Loading is split in two passes so that a failed load changes nothing:

* ``_check(raw, path, errors)`` is pure: it validates a present, non-null raw value,
  appends every problem to ``errors`` (each prefixed with its path) and returns the
  normalised JSON value (defaults backfilled inside objects and arrays);
* ``_apply(normalised)`` stores a checked value on this element (``NotSet`` resets it).

Containers decide what a missing key or an explicit ``null`` means with :func:`resolve`.
Option storage that is not one of the reserved names lives in ``_``-prefixed attributes, so
an ``Object`` child declared under any other attribute name never collides with it.
"""

import copy
from typing import Any, Dict, List, Optional

from ..exceptions import ConfigError, ConfigSchemaError
from ._conditions import AllOf, Condition, as_condition
from ._jsonvalue import describe
from ._keys import NotSet, Variable, check_key, key_from_display_name

__all__ = ["ConfigElement", "resolve", "join_path"]

#: instance attributes shared (not copied) when an element is deep-copied: never mutated.
_SHARED_ATTRS = frozenset({"default", "choices", "_enum_lookup", "_pattern_re", "_display_name"})


def join_path(path: str, key: str) -> str:
    """``"a"`` + ``"b"`` -> ``"a.b"``; the root path is ``""``."""
    return key if not path else "{}.{}".format(path, key)


class ConfigElement:
    """One field of a config schema. The concrete kinds (``Integer``, ``String``, ...) subclass it.

    Every kind takes ``display_name`` (the only positional argument) and these keywords:
    ``default`` (``NotSet`` = required), ``description``, ``hidden``, ``deprecated``, ``format``,
    ``position`` (UI order, ``x-position``), ``name`` (explicit JSON key; otherwise it comes
    from the display name), ``advanced``, ``required`` (``None``: required iff no default;
    ``True``: required even with a default; ``False``: optional, needs a default) and
    ``show_if`` (a condition such as :func:`~doover.config.equal`, an :func:`~doover.config.all_of`,
    or a Boolean element, meaning ``equal(element, True)``).

    Used directly, it is an untyped element: any JSON value is accepted.
    """

    #: JSON Schema type name of the kind (``None``: untyped, no ``"type"`` emitted).
    _type: Optional[str] = None

    def __init__(
        self,
        display_name: str,
        *,
        default: Any = NotSet,
        description: Optional[str] = None,
        deprecated: Optional[bool] = None,
        hidden: bool = False,
        format: Optional[str] = None,
        position: Optional[int] = None,
        name: Optional[str] = None,
        advanced: Optional[bool] = None,
        required: Optional[bool] = None,
        show_if: Any = None,
    ) -> None:
        if not isinstance(display_name, str):
            raise ConfigSchemaError(
                "a config element's display name must be a string, got {!r}".format(display_name)
            )
        self._name = check_key(name) if name is not None else key_from_display_name(display_name)
        if required is False and default is NotSet:
            raise ConfigSchemaError(
                "config element {!r}: required=False needs a default to fall back to".format(
                    self._name
                )
            )
        show_if = as_condition(show_if)
        if show_if is not None and not isinstance(show_if, (Condition, AllOf)):
            raise TypeError(
                "config element {!r}: show_if must be a condition such as "
                "config.equal(element, value), got {!r}".format(self._name, show_if)
            )
        self._display_name = display_name
        self._position = position
        self._advanced = advanced
        self._required = required
        self.default = default
        self.description = description
        self.deprecated = deprecated
        self.hidden = hidden
        self.format = format
        self.show_if = show_if
        self._value: Any = NotSet
        if default is not NotSet and default is not None and not isinstance(default, Variable):
            self._check_default_type(default)

    # ------------------------------------------------------------------ declaration

    def _check_default_type(self, default: Any) -> None:
        """Reject a default of the wrong Python type (kinds override)."""

    def _bad_default(self, expected: str) -> ConfigSchemaError:
        return ConfigSchemaError(
            "config element {!r}: default must be {}, got {}".format(
                self._name, expected, describe(self.default)
            )
        )

    @property
    def required(self) -> bool:
        """Effective required flag: the explicit ``required=`` if given, else "no default"."""
        if self._required is not None:
            return self._required
        return self.default is NotSet

    @required.setter
    def required(self, value: Optional[bool]) -> None:
        self._required = value

    def __repr__(self) -> str:
        return "<{} {!r}>".format(type(self).__name__, self._name)

    def __deepcopy__(self, memo: Dict[int, Any]) -> "ConfigElement":
        new = object.__new__(type(self))
        memo[id(self)] = new
        target = new.__dict__
        for attr, value in self.__dict__.items():
            target[attr] = value if attr in _SHARED_ATTRS else copy.deepcopy(value, memo)
        return new

    @classmethod
    def _raw(cls, key: str, value: Any) -> "ConfigElement":
        """An untyped element holding ``value`` under any ``key`` (free-form and platform keys)."""
        element = object.__new__(ConfigElement)
        element.__dict__.update(
            _name=key, _display_name=key, _position=None, _advanced=None, _required=None,
            default=value, description=None, deprecated=None, hidden=False, format=None,
            show_if=None, _value=value,
        )
        return element

    # ------------------------------------------------------------------ values

    @property
    def value(self) -> Any:
        """The loaded value (see the docs for the type per kind).

        Reading it before a load (or for a required field the config left out) raises
        :class:`~doover.exceptions.ConfigError`, unless the default is ``None``.
        """
        if self._value is NotSet:
            if self.default is None:
                return None
            raise ConfigError(
                ["{}: no value: no config has been loaded into this instance yet".format(self._name)]
            )
        return self._value

    @value.setter
    def value(self, value: Any) -> None:
        self._value = value

    def load_data(self, data: Any) -> None:
        """Validate ``data`` as this element's value and store it (``ConfigError`` if invalid).

        ``None`` means "use the default" for an optional element, as in a config load.
        """
        errors: List[str] = []
        value = resolve(self, True, data, self._name, errors)
        if errors:
            raise ConfigError(errors)
        self._apply(value)

    def _plain(self) -> Any:
        """The loaded value as JSON data (``NotSet`` if unset)."""
        value = self._value
        if isinstance(value, Variable):
            return str(value)
        return value

    def _expected(self) -> str:
        return self._type or "a value"

    def _accepts_null(self) -> bool:
        """Whether ``null`` is a value of this element (not "use the default")."""
        return type(self) is ConfigElement

    def _check(self, raw: Any, path: str, errors: List[str]) -> Any:
        return copy.deepcopy(raw)

    def _apply(self, value: Any) -> None:
        self._value = value

    def _type_error(self, raw: Any, path: str, errors: List[str]) -> Any:
        errors.append("{}: expected {}, got {}".format(path, self._expected(), describe(raw)))
        return NotSet

    def _default_value(self, path: str, errors: List[str]) -> Any:
        default = self.default
        if default is None or isinstance(default, Variable):
            return default
        found: List[str] = []
        value = self._check(copy.deepcopy(default), path, found)
        errors.extend("{} (in the declared default)".format(e) for e in found)
        return value

    # ------------------------------------------------------------------ export

    def _schema_type(self) -> Any:
        return self._type

    def _export(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {
            "title": self._display_name,
            "x-name": self._name,
            "x-hidden": self.hidden,
        }
        if self.format is not None:
            out["format"] = self.format
        kind = self._schema_type()
        required = self.required
        if kind is not None:
            if isinstance(kind, list):
                out["type"] = list(kind) if required else list(kind) + ["null"]
            else:
                out["type"] = kind if required else [kind, "null"]
        out["x-required"] = required
        if self.description is not None:
            out["description"] = self.description
        if self.default is not NotSet:
            out["default"] = (
                str(self.default) if isinstance(self.default, Variable) else copy.deepcopy(self.default)
            )
        if self._position is not None:
            out["x-position"] = self._position
        if self.deprecated is not None:
            out["deprecated"] = self.deprecated
        if self._advanced is not None:
            out["x-advanced"] = self._advanced
        return out

    def to_dict(self) -> Dict[str, Any]:
        """This element's JSON Schema fragment (as it appears under ``properties``)."""
        return self._export()


def resolve(element: ConfigElement, present: bool, raw: Any, path: str, errors: List[str],
            active: bool = True) -> Any:
    """Normalised value of one child of a container, or ``NotSet`` to leave it unset.

    A present non-null value is checked (so is ``null`` where it is a value: an untyped
    element, an Enum listing ``None``). An explicit ``null`` or a missing key means "use
    the default" for an optional element; for a required one it is an error (a missing key
    only while the element's condition holds).
    """
    if present and (raw is not None or element._accepts_null()):
        return element._check(raw, path, errors)
    if element.required:
        if not active:
            return NotSet
        if present:
            errors.append("{}: expected {}, got null".format(path, element._expected()))
        else:
            errors.append("{}: missing required field".format(path))
        return NotSet
    return element._default_value(path, errors)
