"""The wire rules for single values, shared by the cattrs converter (``_converter.py``) and the
cattrs-free event decoder (``_eventwire.py``): one definition, so both read a value alike.
Each raises :class:`~doover.models._types.WireValueError` with the message reported."""

import datetime as _dt
from typing import Any, Union

from ._types import WireValueError

__all__ = ["kind", "structure_id", "structure_datetime", "structure_bool", "structure_enum",
           "structure_int_or_str"]

_UTC = _dt.timezone.utc


def kind(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), type(value).__name__
    )


def structure_id(value: Any, _t: Any = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise WireValueError("expected a decimal id (string or integer), got {!r}".format(value))
    if isinstance(value, str):
        text = value.strip()
        if not (text.isdigit() or (text[:1] == "-" and text[1:].isdigit())):
            raise WireValueError("expected a decimal id, got {!r}".format(value))
        return int(text)
    return value


def structure_datetime(value: Any, _t: Any = None) -> _dt.datetime:
    if isinstance(value, _dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=_UTC)
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise WireValueError("expected epoch milliseconds, got {!r}".format(value))
    try:
        ms = float(value)
    except ValueError:
        raise WireValueError("expected epoch milliseconds, got {!r}".format(value)) from None
    try:
        ms_int = int(ms)
        return _dt.datetime.fromtimestamp(ms_int // 1000, tz=_UTC).replace(microsecond=(ms_int % 1000) * 1000)
    except (ValueError, OverflowError, OSError):  # NaN, infinities, years outside 1..9999
        raise WireValueError("epoch milliseconds out of range: {!r}".format(value)) from None


def structure_bool(value: Any, _t: Any = None) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise WireValueError("expected a boolean, got {!r}".format(value))


def structure_enum(value: Any, enum_cls: Any) -> Any:
    try:
        return enum_cls(value)
    except (ValueError, TypeError):
        names = ", ".join(str(getattr(m, "wire", m.value)) for m in enum_cls)
        raise WireValueError("expected one of {}, got {!r}".format(names, value)) from None


def structure_int_or_str(value: Any, _t: Any = None) -> Union[int, str]:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise WireValueError("expected a string or an integer, got {!r}".format(value))
    return value
