"""Tag declarations: ``Tag`` and its typed forms, ``RemoteTag``, ``NotSet``.

A declaration is a template. A ``Tags`` instance deep-copies its templates, and the
values themselves live in the tag manager, never on the declaration.
"""

import copy
from typing import Any, Dict, List, Optional

from ..exceptions import TagError
from ._triggers import LogTrigger, normalise_triggers

__all__ = [
    "NotSet",
    "TAG_TYPES",
    "Tag",
    "Number",
    "Integer",
    "Float",
    "String",
    "Boolean",
    "Object",
    "Array",
    "RemoteTag",
    "check_value",
    "coerce_read",
]


class _NotSetType:
    """The "no value and no default" marker. There is exactly one: :data:`NotSet`."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NotSet"

    def __bool__(self) -> bool:
        return False

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        return (_NotSetType, ())


#: A tag with no value and no declared default reads as ``NotSet`` (falsy).
NotSet = _NotSetType()

#: The tag types the platform knows.
TAG_TYPES = ("number", "integer", "float", "string", "boolean", "array", "object")
_NUMERIC = ("number", "integer", "float")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_value(tag_type: str, value: Any, where: str) -> Any:
    """Validate a value written to a tag of ``tag_type``; return the value to store.

    ``None`` (delete) is always accepted. Integral floats written to an ``integer`` tag
    are stored as ints, tuples as lists, and ``0``/``1`` written to a ``boolean`` tag as
    ``False``/``True``.
    """
    if value is None:
        return None
    if tag_type in ("number", "float"):
        if _is_number(value):
            return value
        expected = "a number"
    elif tag_type == "integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        expected = "an integer"
    elif tag_type == "string":
        if isinstance(value, str):
            return value
        expected = "a string"
    elif tag_type == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        expected = "a boolean"
    elif tag_type == "array":
        if isinstance(value, (list, tuple)):
            return list(value)
        expected = "an array (list)"
    elif tag_type == "object":
        if isinstance(value, dict):
            return value
        expected = "an object (dict)"
    else:  # pragma: no cover - declarations reject unknown types
        return value
    raise TagError("{}: expected {} for a {!r} tag, got {!r}".format(where, expected, tag_type, value))


def coerce_read(tag_type: str, value: Any) -> Any:
    """Coerce a stored value on read: integral floats for ``integer``, ``bool()`` for ``boolean``."""
    if value is None or value is NotSet:
        return value
    if tag_type == "integer" and isinstance(value, float) and value.is_integer():
        return int(value)
    if tag_type == "boolean" and not isinstance(value, bool):
        return bool(value)
    return value


class Tag:
    """A declared tag: its type, default, runtime name, log triggers and live flag.

    Declare tags as class attributes of a :class:`~doover.tags.Tags` subclass::

        class MyTags(Tags):
            level = Tag("number", default=0.0, log_on=Cross(80, deadband=2), live=True)

    ``name`` overrides the runtime name (default: the attribute name). ``log_on`` takes
    one trigger or a list (:class:`Cross`, :class:`Rise`, :class:`Fall`, :class:`Delta`
    for numbers; :class:`AnyChange`, :class:`Enter`, :class:`Exit` for booleans and
    strings). ``live=True`` lets a watching portal user see every change at once (edge).
    """

    def __init__(
        self,
        tag_type: str,
        default: Any = NotSet,
        name: Optional[str] = None,
        log_on: Any = None,
        live: bool = False,
    ) -> None:
        owner = type(self).__name__
        if tag_type not in TAG_TYPES:
            raise TagError("{}: tag_type must be one of {}, got {!r}".format(owner, ", ".join(TAG_TYPES), tag_type))
        if name is not None and (not isinstance(name, str) or not name):
            raise TagError("{}: name must be a non-empty string, got {!r}".format(owner, name))
        self.tag_type = tag_type
        self.name = name
        if default is not NotSet:
            default = check_value(tag_type, default, "{}(default=...)".format(owner))
        self.default = default
        self.live = bool(live)
        self.log_on: List[LogTrigger] = normalise_triggers(log_on, tag_type, owner)
        #: set by ``Tags`` when the declaration is collected from a class body
        self._declared_attr_name: Optional[str] = None

    def to_schema(self) -> Dict[str, Any]:
        """``{"type": ..., "default"?: ..., "live"?: true}`` as exported in ``doover_config.json``."""
        data: Dict[str, Any] = {"type": self.tag_type}
        if self.default is not NotSet:
            data["default"] = copy.deepcopy(self.default)
        if self.live:
            data["live"] = True
        return data

    to_dict = to_schema

    @property
    def runtime_name(self) -> Optional[str]:
        """The name used in ``tag_values``: ``name`` if given, else the attribute name."""
        return self.name or self._declared_attr_name

    def __repr__(self) -> str:
        return "{}(name={!r}, tag_type={!r}, default={!r})".format(
            type(self).__name__, self.runtime_name, self.tag_type, self.default
        )

    def _unbound(self, *args: Any, **kwargs: Any) -> Any:
        raise TagError(
            "tag {!r}: a declaration has no value; use it through a Tags instance "
            "(app.tags.{})".format(self.runtime_name, self.runtime_name or "<name>")
        )

    get = set = delete = clear = increment = decrement = is_set = _unbound

    @property
    def value(self) -> Any:
        """Declarations have no value; this raises :class:`TagError`."""
        return self._unbound()


class _TypedTag(Tag):
    _tag_type = "number"

    def __init__(
        self,
        *,
        default: Any = NotSet,
        name: Optional[str] = None,
        log_on: Any = None,
        live: bool = False,
    ) -> None:
        super().__init__(self._tag_type, default=default, name=name, log_on=log_on, live=live)


class Number(_TypedTag):
    """A ``number`` tag (int or float). Triggers: Cross, Rise, Fall, Delta."""

    _tag_type = "number"


class Integer(_TypedTag):
    """An ``integer`` tag; integral floats are stored and read back as ints."""

    _tag_type = "integer"


class Float(_TypedTag):
    """A ``float`` tag: a number whose schema type says ``float``."""

    _tag_type = "float"


class String(_TypedTag):
    """A ``string`` tag. Triggers: AnyChange, Enter, Exit."""

    _tag_type = "string"


class Boolean(_TypedTag):
    """A ``boolean`` tag. Triggers: AnyChange, Enter, Exit."""

    _tag_type = "boolean"


class Object(_TypedTag):
    """An ``object`` tag (a JSON object, a dict)."""

    _tag_type = "object"


class Array(_TypedTag):
    """An ``array`` tag (a JSON array, a list)."""

    _tag_type = "array"


class RemoteTag(Tag):
    """A tag published by another app on the same agent, found through a config ``TagRef``.

    ``reference_name`` matches the ``reference_name`` of a ``TagRef`` in the app's
    config, which names the other app (``app_name``) and its tag (``tag_name``). Reads
    and writes go to that app's namespace once :meth:`Tags.resolve_remote_tags` ran.
    With ``republish_locally`` the value is mirrored into this app's namespace under
    ``reference_name``. An ``optional`` remote tag whose ``TagRef`` is blank reads its
    default (``None`` unless given) and ignores writes.
    """

    def __init__(
        self,
        tag_type: str,
        *,
        reference_name: str,
        republish_locally: bool = True,
        default: Any = NotSet,
        name: Optional[str] = None,
        optional: bool = False,
        live: bool = False,
    ) -> None:
        if not isinstance(reference_name, str) or not reference_name:
            raise TagError("RemoteTag: reference_name must be a non-empty string, got {!r}".format(reference_name))
        if optional and default is NotSet:
            default = None
        super().__init__(tag_type, default=default, name=name, live=live)
        self.reference_name = reference_name
        self.republish_locally = bool(republish_locally)
        self.optional = bool(optional)

    def __repr__(self) -> str:
        return "RemoteTag(name={!r}, reference_name={!r}, tag_type={!r}, optional={!r})".format(
            self.runtime_name, self.reference_name, self.tag_type, self.optional
        )
