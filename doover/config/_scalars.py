"""Scalar element kinds: Integer, Number, Boolean, String, DateTime, Enum."""

import enum as _enum
import math
import re
from typing import Any, Dict, List, Optional

from ..exceptions import ConfigSchemaError
from ._element import ConfigElement
from ._jsonvalue import describe, is_number, json_equal
from ._keys import NotSet

__all__ = ["Integer", "Number", "Boolean", "String", "DateTime", "Enum"]


def _multiple_ok(value: Any, step: Any) -> bool:
    if isinstance(value, int) and isinstance(step, int):
        return value % step == 0
    try:
        quotient = value / step
    except (OverflowError, ZeroDivisionError):
        return False
    if not math.isfinite(quotient):
        return False
    return abs(quotient - round(quotient)) <= 1e-9 * max(1.0, abs(quotient))


class Integer(ConfigElement):
    """A whole number (JSON ``integer``); ``.value`` is an ``int``.

    Options: ``minimum``, ``exclusive_minimum``, ``maximum``, ``exclusive_maximum``,
    ``multiple_of``. On load a float with an integral value (``3.0``) is accepted and becomes
    ``3``; ``true``/``false`` are not integers.
    """

    _type = "integer"

    def __init__(
        self,
        display_name: str,
        *,
        minimum: Any = None,
        exclusive_minimum: Any = None,
        maximum: Any = None,
        exclusive_maximum: Any = None,
        multiple_of: Any = None,
        **kwargs: Any
    ) -> None:
        super().__init__(display_name, **kwargs)
        self.minimum = minimum
        self.exclusive_minimum = exclusive_minimum
        self.maximum = maximum
        self.exclusive_maximum = exclusive_maximum
        self.multiple_of = multiple_of
        for option in ("minimum", "exclusive_minimum", "maximum", "exclusive_maximum", "multiple_of"):
            bound = getattr(self, option)
            if bound is not None and not is_number(bound):
                raise ConfigSchemaError(
                    "config element {!r}: {} must be a number, got {!r}".format(self._name, option, bound)
                )
        if multiple_of is not None and multiple_of <= 0:
            raise ConfigSchemaError(
                "config element {!r}: multiple_of must be greater than 0".format(self._name)
            )

    def _check_default_type(self, default: Any) -> None:
        if isinstance(default, bool) or not isinstance(default, int):
            raise self._bad_default("an int")

    def _coerce(self, raw: Any, path: str, errors: List[str]) -> Any:
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        if isinstance(raw, float) and math.isfinite(raw) and raw.is_integer():
            return int(raw)
        return self._type_error(raw, path, errors)

    def _check(self, raw: Any, path: str, errors: List[str]) -> Any:
        value = self._coerce(raw, path, errors)
        if value is NotSet:
            return NotSet
        checks = (
            (self.minimum, lambda b: value >= b, ">="),
            (self.exclusive_minimum, lambda b: value > b, ">"),
            (self.maximum, lambda b: value <= b, "<="),
            (self.exclusive_maximum, lambda b: value < b, "<"),
        )
        for bound, ok, symbol in checks:
            if bound is not None and not ok(bound):
                errors.append("{}: must be {} {}, got {}".format(path, symbol, describe(bound), describe(raw)))
        if self.multiple_of is not None and not _multiple_ok(value, self.multiple_of):
            errors.append(
                "{}: must be a multiple of {}, got {}".format(path, describe(self.multiple_of), describe(raw))
            )
        return value

    def _export(self) -> Dict[str, Any]:
        out = super()._export()
        for option, keyword in (
            ("minimum", "minimum"),
            ("exclusive_minimum", "exclusiveMinimum"),
            ("maximum", "maximum"),
            ("exclusive_maximum", "exclusiveMaximum"),
            ("multiple_of", "multipleOf"),
        ):
            bound = getattr(self, option)
            if bound is not None:
                out[keyword] = bound
        return out


class Number(Integer):
    """Any number (JSON ``number``); ``.value`` is always a ``float`` (``3`` and ``3.0`` give ``3.0``).

    Takes the same range options as :class:`Integer` (and is a subclass of it, as in the
    platform's SDK). ``NaN`` and infinities are rejected.
    """

    _type = "number"

    def _check_default_type(self, default: Any) -> None:
        if not is_number(default):
            raise self._bad_default("a number")

    def _coerce(self, raw: Any, path: str, errors: List[str]) -> Any:
        if not is_number(raw):
            return self._type_error(raw, path, errors)
        try:
            value = float(raw)
        except OverflowError:
            errors.append("{}: number out of range, got {}".format(path, describe(raw)))
            return NotSet
        if not math.isfinite(value):
            errors.append("{}: expected a finite number, got {}".format(path, describe(raw)))
            return NotSet
        return value


class Boolean(ConfigElement):
    """``true`` or ``false`` (JSON ``boolean``); ``.value`` is a ``bool``."""

    _type = "boolean"

    def _check_default_type(self, default: Any) -> None:
        if not isinstance(default, bool):
            raise self._bad_default("a bool")

    def _check(self, raw: Any, path: str, errors: List[str]) -> Any:
        if isinstance(raw, bool):
            return raw
        return self._type_error(raw, path, errors)


class String(ConfigElement):
    """Text (JSON ``string``); ``.value`` is a ``str``.

    ``length`` is the maximum number of characters (exported as the non-standard keyword
    ``length``, as the platform expects); ``pattern`` is a regular expression the text must
    contain a match of (JSON Schema semantics: unanchored unless the pattern says ``^...$``).
    """

    _type = "string"

    def __init__(self, display_name: str, *, length: Optional[int] = None,
                 pattern: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(display_name, **kwargs)
        if length is not None and (isinstance(length, bool) or not isinstance(length, int) or length < 0):
            raise ConfigSchemaError(
                "config element {!r}: length must be a non-negative int, got {!r}".format(self._name, length)
            )
        self.length = length
        self.pattern = pattern
        self._pattern_re = None
        if pattern is not None:
            try:
                self._pattern_re = re.compile(pattern)
            except (re.error, TypeError) as exc:
                raise ConfigSchemaError(
                    "config element {!r}: invalid pattern {!r}: {}".format(self._name, pattern, exc)
                ) from exc

    def _check_default_type(self, default: Any) -> None:
        if not isinstance(default, str):
            raise self._bad_default("a str")

    def _check(self, raw: Any, path: str, errors: List[str]) -> Any:
        if not isinstance(raw, str):
            return self._type_error(raw, path, errors)
        if self.length is not None and len(raw) > self.length:
            errors.append(
                "{}: must be at most {} characters long, got {}".format(path, self.length, len(raw))
            )
        if self._pattern_re is not None and self._pattern_re.search(raw) is None:
            errors.append(
                "{}: must match pattern {}, got {}".format(path, describe(self.pattern), describe(raw))
            )
        return raw

    def _export(self) -> Dict[str, Any]:
        out = super()._export()
        if self.length is not None:
            out["length"] = self.length
        if self.pattern is not None:
            out["pattern"] = self.pattern
        return out


class DateTime(ConfigElement):
    """A date-time string (JSON ``string`` with ``format: date-time``).

    ``.value`` is the string as stored; it is not parsed.
    """

    _type = "string"

    def _check_default_type(self, default: Any) -> None:
        if not isinstance(default, str):
            raise self._bad_default("a str")

    def _check(self, raw: Any, path: str, errors: List[str]) -> Any:
        if isinstance(raw, str):
            return raw
        return self._type_error(raw, path, errors)

    def _export(self) -> Dict[str, Any]:
        out = super()._export()
        out["format"] = "date-time"
        return out


def _choice_type(choices: List[Any]) -> Any:
    """The JSON type(s) of a list of choices: a name, a list of names, or None if empty."""
    names: List[str] = []
    for choice in choices:
        if isinstance(choice, bool):
            name = "boolean"
        elif isinstance(choice, int):
            name = "integer"
        elif isinstance(choice, float):
            name = "number"
        elif isinstance(choice, str):
            name = "string"
        elif choice is None:
            continue
        else:
            raise TypeError("enum choices must be JSON scalars, got {!r}".format(choice))
        if name not in names:
            names.append(name)
    if "number" in names and "integer" in names:
        names.remove("integer")
    if not names:
        return "string"
    return names[0] if len(names) == 1 else names


class Enum(ConfigElement):
    """One value out of a fixed list (a drop-down in the UI).

    ``choices`` is a list of JSON scalars or a Python ``enum.Enum`` class. With an Enum class
    the choices are ``str(member.value)`` and ``.value`` is the **member**; with a list,
    ``.value`` is the chosen item. ``default`` is a required keyword (pass ``NotSet`` for a
    required enum); a member as default is stored as ``str(member.value)``.
    """

    def __init__(self, display_name: str, *, choices: Any = None, default: Any, **kwargs: Any) -> None:
        if isinstance(default, _enum.Enum):
            default = str(default.value)
        if isinstance(choices, type) and issubclass(choices, _enum.Enum):
            lookup = {str(member.value): member for member in choices}
            choice_list: List[Any] = list(lookup)
        elif choices is None:
            raise ConfigSchemaError("config element {!r}: Enum needs choices=".format(display_name))
        else:
            lookup = None
            choice_list = list(choices)
        self._enum_lookup = lookup
        self.choices = choice_list
        try:
            self._choice_type = _choice_type(choice_list)
        except TypeError as exc:
            raise ConfigSchemaError("config element {!r}: {}".format(display_name, exc)) from exc
        super().__init__(display_name, default=default, **kwargs)

    def _check_default_type(self, default: Any) -> None:
        if not any(json_equal(default, choice) for choice in self.choices):
            raise self._bad_default("one of the choices")

    def _expected(self) -> str:
        shown = self.choices[:8]
        text = ", ".join(describe(choice) for choice in shown)
        if len(self.choices) > len(shown):
            text += ", ... ({} choices)".format(len(self.choices))
        return "one of [{}]".format(text)

    def _accepts_null(self) -> bool:
        return any(choice is None for choice in self.choices)

    def _check(self, raw: Any, path: str, errors: List[str]) -> Any:
        for choice in self.choices:
            if json_equal(raw, choice):
                return choice
        return self._type_error(raw, path, errors)

    @property
    def value(self) -> Any:
        """The chosen value; for an Enum-class Enum, the member (``None`` if unset and optional)."""
        value = ConfigElement.value.fget(self)  # type: ignore[attr-defined]
        if self._enum_lookup is not None and isinstance(value, str):
            return self._enum_lookup.get(value, value)
        return value

    @value.setter
    def value(self, value: Any) -> None:
        if isinstance(value, _enum.Enum):
            value = str(value.value)
        self._value = value

    def _schema_type(self) -> Any:
        kind = self._choice_type
        if self.required and any(choice is None for choice in self.choices):
            kind = (list(kind) if isinstance(kind, list) else [kind]) + ["null"]
        return kind

    def _export(self) -> Dict[str, Any]:
        choices = list(self.choices)
        if not self.required and not any(choice is None for choice in choices):
            choices.append(None)
        out: Dict[str, Any] = {"enum": choices}
        out.update(super()._export())
        return out
