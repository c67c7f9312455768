"""A small decoder for the event models, so decoding an event never imports cattrs.

A processor decodes its event before ``pre_hook_filter`` runs; when the filter rejects it,
the invocation ends there, and paying for cattrs (and building the converter) would be most
of its cost. This decoder walks the attrs fields of the event classes and of the models they
contain (ChannelID, Message, Attachment, Aggregate, Alarm) and applies the same wire rules as the
converter in ``_converter.py``:

* ``Id``: a decimal string or a JSON integer (not a bool), as an int;
* ``str``: any value through ``str()``; ``int`` / ``float``: any value through ``int()`` / ``float()``;
* ``bool``: true/false, 0/1 or "true"/"false" only; enums: each enum's own lookup;
* ``datetime``: epoch milliseconds as an aware UTC datetime;
* ``Union[int, str]``: a string or an integer (not a bool), unchanged;
* ``List[Model]``: a JSON array only; ``Optional[X]``: ``None`` or ``X``;
* a class's ``_wire_in(data)`` pre-shapes its input; unknown keys are ignored;
* every problem is collected with its path, in field order, and raised as one
  :class:`~doover.exceptions.DecodeError` worded as ``structure`` words it.

``tests/processor/test_event_decoding.py`` checks it against the converter on the same inputs.
"""

import datetime as _dt
import enum
from typing import Any, Callable, Dict, List, Optional, Tuple, Type, TypeVar, Union

import attrs

from ..exceptions import DecodeError
from ._types import Id, WireValueError
from ._wirevalues import kind as _kind
from ._wirevalues import structure_bool as _structure_bool
from ._wirevalues import structure_datetime as _structure_datetime
from ._wirevalues import structure_enum as _structure_enum
from ._wirevalues import structure_id as _structure_id
from ._wirevalues import structure_int_or_str as _structure_int_or_str

__all__ = ["decode"]

T = TypeVar("T")

_MISSING = object()


def _cast(target: Any, name: str) -> Callable[[Any], Any]:
    """``target(value)`` (``int`` or ``float``), failing as the converter words it."""

    def cast(value: Any) -> Any:
        try:
            return target(value)
        except (TypeError, ValueError):
            raise WireValueError("invalid value for type, expected {}".format(name)) from None
        except OverflowError as exc:  # int(float("inf")): JSON's Infinity reaches here
            raise WireValueError("unknown error ({})".format(exc)) from None

    return cast


def _enum_leaf(enum_cls: Any) -> "_Decoder":
    return _leaf(lambda value: _structure_enum(value, enum_cls))


def _identity(value: Any) -> Any:
    return value


#: A value decoder: ``(value, path, problems) -> decoded`` (appends to ``problems`` on failure).
_Decoder = Callable[[Any, str, List[Tuple[str, str]]], Any]


def _leaf(fn: Callable[[Any], Any]) -> _Decoder:
    def decode_leaf(value: Any, path: str, problems: List[Tuple[str, str]]) -> Any:
        try:
            return fn(value)
        except WireValueError as exc:
            problems.append((str(exc), path))
            return None

    return decode_leaf


_LEAVES: Dict[Any, _Decoder] = {
    Id: _leaf(_structure_id),
    str: _leaf(str),
    int: _leaf(_cast(int, "int")),
    float: _leaf(_cast(float, "float")),
    bool: _leaf(_structure_bool),
    _dt.datetime: _leaf(_structure_datetime),
    Union[int, str]: _leaf(_structure_int_or_str),
    Any: _leaf(_identity),
}
_DECODERS: Dict[Any, _Decoder] = {}


def _decoder(tp: Any) -> _Decoder:
    found = _DECODERS.get(tp)
    if found is None:
        found = _DECODERS[tp] = _build(tp)
    return found


def _build(tp: Any) -> _Decoder:
    leaf = _LEAVES.get(tp)
    if leaf is not None:
        return leaf
    origin = getattr(tp, "__origin__", None)
    args = getattr(tp, "__args__", None) or ()
    if origin is Union and type(None) in args:
        rest = [arg for arg in args if arg is not type(None)]
        if rest in ([int], [float]):
            # the converter names the whole Optional when int()/float() fails ("expected Optional")
            inner = _leaf(_cast(rest[0], getattr(tp, "__name__", None) or repr(tp)))
        else:
            inner = _decoder(rest[0] if len(rest) == 1 else Union[tuple(rest)])

        def decode_optional(value: Any, path: str, problems: List[Tuple[str, str]]) -> Any:
            return None if value is None else inner(value, path, problems)

        return decode_optional
    if origin is list:
        item = _decoder(args[0] if args else Any)

        def decode_list(value: Any, path: str, problems: List[Tuple[str, str]]) -> Any:
            if not isinstance(value, (list, tuple)):
                problems.append(("expected an array, got {}".format(_kind(value)), path))
                return None
            return [item(element, "{}[{}]".format(path, index), problems) for index, element in enumerate(value)]

        return decode_list
    if origin is dict or tp is dict:
        return _LEAVES[Any]
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return _enum_leaf(tp)
    if attrs.has(tp):
        return _model_decoder(tp)
    raise TypeError("no event wire decoder for {!r}".format(tp))


def _model_decoder(cls: Any) -> _Decoder:
    plan = []
    for field in attrs.fields(cls):
        if field.metadata.get("omit"):
            continue
        key = field.metadata.get("wire", field.name)
        required = field.default is attrs.NOTHING
        plan.append((field.name, key, required, field.type))
    wire_in = getattr(cls, "_wire_in", None)
    name = cls.__name__
    decoders: List[Optional[_Decoder]] = [None] * len(plan)

    def decode_model(value: Any, path: str, problems: List[Tuple[str, str]]) -> Any:
        if wire_in is not None:
            value = wire_in(value)
        if not isinstance(value, dict):
            problems.append(("expected an object for {}, got {}".format(name, _kind(value)), path))
            return None
        before = len(problems)
        kwargs = {}
        for index, (attr, key, required, tp) in enumerate(plan):
            raw = value.get(key, _MISSING)
            sub = "{}.{}".format(path, key)
            if raw is _MISSING:
                if required:
                    problems.append(("required field missing", sub))
                continue
            decode_field = decoders[index]
            if decode_field is None:
                decode_field = decoders[index] = _decoder(tp)
            kwargs[attr] = decode_field(raw, sub, problems)
        if len(problems) > before:
            return None
        return cls(**kwargs)

    return decode_model


def decode(data: Any, cls: Type[T]) -> T:
    """Decode ``data`` into the attrs model ``cls``; every problem in one DecodeError."""
    problems: List[Tuple[str, str]] = []
    result = _decoder(cls)(data, "$", problems)
    if not problems:
        return result
    lines = ["{} @ {}".format(text, path) for text, path in problems]
    text, path = problems[0]
    summary = "could not decode {}: {}".format(cls.__name__, text)
    if len(problems) > 1:
        summary += " (and {} more problem{})".format(len(problems) - 1, "s" if len(problems) > 2 else "")
    raise DecodeError(summary, path=path, problems=lines)
