"""The one private cattrs converter of doover, configured in one place.

Wire rules (``configure_converter`` applies them all):

* ``Id`` (snowflake ids): structured from a decimal string or a JSON integer (not a bool),
  unstructured to a decimal string.
* ``datetime``: epoch **milliseconds** on the wire (int), an aware UTC datetime in Python.
* Enums: structured with each enum's own lookup (canonical string, name in any case, aliases;
  notification enums also take their integer); unstructured to ``member.wire`` (the string
  value, or the NAME for notification enums).
* ``bool``: true/false, 0/1 or "true"/"false" only (never ``bool("false")``).
* ``List[X]``: a JSON array only (an object is an error, not a list of its keys).
* attrs models: unknown keys are ignored; field metadata ``wire`` renames a key (``ts``),
  ``omit`` leaves a field out of both directions; fields listed in the class's ``_omit_none_``
  are left out of the wire form when None; a class may pre-shape its input with a
  ``_wire_in(data)`` classmethod.
* ``MessageLogEntry``: ``timestamp`` and ``type`` plus every other key kept in ``fields``.
* Errors: any structuring failure becomes :class:`doover.exceptions.DecodeError` whose
  message and ``.path`` name the place (``$.results[2].message_id``).

The converter is built on first use, so importing :mod:`doover.models` does not import cattrs.
"""

import datetime as _dt
import enum
import threading
from typing import Any, Optional, Type, TypeVar, Union

from ..exceptions import DecodeError
from ._types import Id, WireValueError
from ._wirevalues import kind as _kind
from ._wirevalues import structure_bool as _structure_bool
from ._wirevalues import structure_datetime as _structure_datetime
from ._wirevalues import structure_enum as _structure_enum
from ._wirevalues import structure_id as _structure_id
from ._wirevalues import structure_int_or_str as _structure_int_or_str

__all__ = ["structure", "unstructure", "get_converter", "configure_converter"]

T = TypeVar("T")

_lock = threading.Lock()
_converter: Optional[Any] = None
_UTC = _dt.timezone.utc


def get_converter() -> Any:
    """The configured converter (built once, thread-safely)."""
    global _converter
    if _converter is None:
        with _lock:
            if _converter is None:
                import cattrs

                conv = cattrs.Converter()
                configure_converter(conv)
                _converter = conv
    return _converter


def _unstructure_datetime(value: _dt.datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=_UTC)
    delta = value - _dt.datetime(1970, 1, 1, tzinfo=_UTC)
    return (delta.days * 86400 + delta.seconds) * 1000 + delta.microseconds // 1000


def _unstructure_enum(value: Any) -> Any:
    return getattr(value, "wire", value.value)


def _attrs_structure_factory(conv: Any) -> Any:
    import attrs
    from cattrs.gen import make_dict_structure_fn, override

    def factory(cls: Any) -> Any:
        overrides = {}
        for field in attrs.fields(cls):
            if field.metadata.get("omit"):
                overrides[field.name] = override(omit=True)
            elif "wire" in field.metadata:
                overrides[field.name] = override(rename=field.metadata["wire"])
        base = make_dict_structure_fn(cls, conv, **overrides)
        wire_in = getattr(cls, "_wire_in", None)
        name = cls.__name__

        def structure_model(data: Any, target: Any) -> Any:
            if wire_in is not None:
                data = wire_in(data)
            if not isinstance(data, dict):
                raise WireValueError("expected an object for {}, got {}".format(name, _kind(data)))
            return base(data, target)

        return structure_model

    return factory


def _attrs_unstructure_factory(conv: Any) -> Any:
    import attrs
    from cattrs.gen import make_dict_unstructure_fn, override

    def factory(cls: Any) -> Any:
        overrides = {}
        for field in attrs.fields(cls):
            if field.metadata.get("omit"):
                overrides[field.name] = override(omit=True)
            elif "wire" in field.metadata:
                overrides[field.name] = override(rename=field.metadata["wire"])
        base = make_dict_unstructure_fn(cls, conv, **overrides)
        omit_none = tuple(
            field.metadata.get("wire", field.name)
            for field in attrs.fields(cls)
            if field.name in getattr(cls, "_omit_none_", ())
        )
        if not omit_none:
            return base

        def unstructure_model(obj: Any) -> Any:
            out = base(obj)
            for key in omit_none:
                if out.get(key, 0) is None:
                    del out[key]
            return out

        return unstructure_model

    return factory


def _list_factory(conv: Any) -> Any:
    from cattrs.errors import IterableValidationError, IterableValidationNote

    def factory(cls: Any) -> Any:
        args = getattr(cls, "__args__", None) or (Any,)
        elem = args[0]

        def structure_list(data: Any, target: Any) -> Any:
            if not isinstance(data, (list, tuple)):
                raise WireValueError("expected an array, got {}".format(_kind(data)))
            out, errors = [], []
            for index, item in enumerate(data):
                try:
                    out.append(conv.structure(item, elem))
                except Exception as exc:
                    note = IterableValidationNote("Structuring {} @ index {}".format(cls, index), index, elem)
                    if hasattr(exc, "add_note"):
                        exc.add_note(note)
                    else:
                        exc.__notes__ = list(getattr(exc, "__notes__", [])) + [note]
                    errors.append(exc)
            if errors:
                raise IterableValidationError("While structuring {!r}".format(cls), errors, cls)
            return out

        return structure_list

    return factory


def configure_converter(conv: Any) -> None:
    """Apply every doover wire rule (listed in the module docstring) to ``conv``."""
    import attrs

    from ._data import MessageLogEntry

    from . import _enums

    def is_optional(t: Any) -> bool:
        args = getattr(t, "__args__", None)
        return getattr(t, "__origin__", None) is Union and args is not None and type(None) in args

    conv.register_unstructure_hook_func(is_optional, lambda v: None if v is None else conv.unstructure(v))
    conv.register_structure_hook(Id, _structure_id)
    conv.register_unstructure_hook(Id, str)
    conv.register_structure_hook_func(lambda t: t == Optional[Id], lambda v, t: None if v is None else _structure_id(v))
    conv.register_unstructure_hook_func(lambda t: t == Optional[Id], lambda v: None if v is None else str(v))
    conv.register_structure_hook(_dt.datetime, _structure_datetime)
    conv.register_unstructure_hook(_dt.datetime, _unstructure_datetime)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook_func(lambda t: t == Union[int, str], _structure_int_or_str)
    is_enum = lambda t: isinstance(t, type) and issubclass(t, enum.Enum)  # noqa: E731
    conv.register_structure_hook_func(is_enum, _structure_enum)
    conv.register_unstructure_hook_func(is_enum, _unstructure_enum)
    for name in _enums.__all__:  # str/int subclasses: register directly so these hooks win
        enum_cls = getattr(_enums, name)
        conv.register_structure_hook(enum_cls, _structure_enum)
        conv.register_unstructure_hook(enum_cls, _unstructure_enum)

    def structure_log(data: Any, _t: Any) -> MessageLogEntry:
        if not isinstance(data, dict):
            raise WireValueError("expected an object for MessageLogEntry, got {}".format(_kind(data)))
        fields = dict(data)
        try:
            timestamp = fields.pop("timestamp")
            kind = fields.pop("type")
        except KeyError as exc:
            raise WireValueError("required field {} missing".format(exc)) from None
        if isinstance(timestamp, bool) or not isinstance(timestamp, (int, float, str)):
            raise WireValueError("timestamp: expected epoch milliseconds, got {!r}".format(timestamp))
        return MessageLogEntry(int(float(timestamp)), str(kind), fields)

    conv.register_structure_hook(MessageLogEntry, structure_log)
    conv.register_unstructure_hook(
        MessageLogEntry, lambda e: dict(e.fields, timestamp=e.timestamp, type=e.type)
    )
    conv.register_structure_hook_factory(
        lambda t: getattr(t, "__origin__", None) is list, _list_factory(conv)
    )
    conv.register_structure_hook_factory(attrs.has, _attrs_structure_factory(conv))
    conv.register_unstructure_hook_factory(attrs.has, _attrs_unstructure_factory(conv))


def _format_exception(exc: BaseException, type_: Any) -> str:
    from cattrs.v import format_exception

    if isinstance(exc, WireValueError):
        return str(exc)
    if isinstance(exc, KeyError):
        return "required field missing"
    return format_exception(exc, type_)


def _type_name(cls: Any) -> str:
    import re

    return getattr(cls, "__name__", None) or re.sub(r"\b[\w]+\.", "", str(cls))


def structure(data: Any, cls: Type[T]) -> T:
    """Turn decoded JSON into ``cls`` (a model, or ``List[Model]``, ...).

    Raises :class:`~doover.exceptions.DecodeError` naming the path of every problem.
    """
    conv = get_converter()
    try:
        return conv.structure(data, cls)
    except Exception as exc:
        from cattrs import transform_error
        from cattrs.errors import BaseValidationError

        if isinstance(exc, BaseValidationError):
            problems = transform_error(exc, path="$", format_exception=_format_exception)
        else:
            problems = ["{} @ $".format(_format_exception(exc, cls))]
        first = problems[0] if problems else "invalid value @ $"
        text, _, path = first.rpartition(" @ ")
        summary = "could not decode {}: {}".format(_type_name(cls), text or first)
        if len(problems) > 1:
            summary += " (and {} more problem{})".format(len(problems) - 1, "s" if len(problems) > 2 else "")
        raise DecodeError(summary, path=path or "$", problems=problems) from exc


def unstructure(obj: Any) -> Any:
    """The JSON-ready wire form of a model (or a list/dict of models)."""
    return get_converter().unstructure(obj)
