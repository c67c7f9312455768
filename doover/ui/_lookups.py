"""Value lookups embedded in UI schemas: ``$tag``, ``$cmds`` and ``$config`` strings.

* A tag binding renders as ``$tag.app().<name>[:<type>][:<json default>]`` (types
  normalised: integer/float -> number, bool -> boolean, list -> array, dict -> object; a
  default without a type gets ``:string``). The portal reads the value from
  ``tag_values.<app_key>.<name>`` at render time.
* An interaction's value lives at ``$cmds.app().<name>[::<str(default)>]``
  (``ui_cmds.<app_key>.<name>``); the default part is Python ``str()``, as the reference
  SDK writes it.
* ``$config.app().<KEY>[:type[:default]]`` strings are resolved against the app's config
  before the schema is published at runtime, and kept as they are in exported schemas.
"""

import copy
import datetime as _dt
import json
import re
from typing import Any, Callable, Optional

from ..exceptions import UIError
from ..tags import BoundTag, NotSet, Tag

__all__ = ["TagBinding", "tag_ref", "bind_tag", "to_json", "is_live", "is_binding", "cmds_lookup", "resolve_config_refs"]

_TYPE_MAP = {
    "number": "number", "integer": "number", "float": "number", "string": "string",
    "boolean": "boolean", "bool": "boolean", "array": "array", "list": "array",
    "object": "object", "dict": "object",
}


class _Missing:
    def __repr__(self) -> str:
        return "<no default>"

    def __copy__(self) -> "_Missing":
        return self

    def __deepcopy__(self, memo: Any) -> "_Missing":
        return self


_MISSING = _Missing()


class TagBinding:
    """A reference from a UI field to a tag, rendered as a ``$tag.app()...`` string.

    Build one with :func:`tag_ref`, or pass a declared ``Tag`` / bound tag directly as
    an element's value. ``live`` mirrors the tag's ``live=True`` flag: an element bound
    to a live tag is emitted with ``"live": true``.
    """

    def __init__(self, tag_name: str, tag_type: Optional[str] = None, default: Any = _MISSING, live: bool = False) -> None:
        if not isinstance(tag_name, str) or not tag_name:
            raise UIError("tag_ref: tag name must be a non-empty string, got {!r}".format(tag_name))
        self.tag_name = tag_name
        self.tag_type = _TYPE_MAP.get(tag_type, tag_type) if tag_type else None
        self.default = default
        self.live = bool(live)

    @property
    def has_default(self) -> bool:
        """True if the binding carries a default value."""
        return self.default is not _MISSING

    def to_lookup(self) -> str:
        """The ``$tag.app().name[:type][:default]`` string."""
        text = "$tag.app()." + self.tag_name
        if self.tag_type is not None:
            text += ":" + self.tag_type
        if self.has_default:
            if self.tag_type is None:
                text += ":string"
            text += ":" + json.dumps(self.default, separators=(",", ":"))
        return text

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, TagBinding) and self.to_lookup() == other.to_lookup() and self.live == other.live

    def __hash__(self) -> int:
        return hash(self.to_lookup())

    def __repr__(self) -> str:
        return "TagBinding({!r})".format(self.to_lookup())


def _from_tag(tag: Tag) -> TagBinding:
    name = tag.runtime_name
    if not name:
        raise UIError("a UI field refers to a Tag without a name: declare it on a Tags class or pass name=")
    default = _MISSING if tag.default is NotSet else copy.deepcopy(tag.default)
    return TagBinding(name, tag.tag_type, default, tag.live)


def _from_bound(tag: BoundTag) -> TagBinding:
    default = _MISSING if tag.default is NotSet else copy.deepcopy(tag.default)
    return TagBinding(tag.name, tag.tag_type, default, tag.live)


def tag_ref(tag: Any, tag_type: Optional[str] = None, default_value: Any = _MISSING, live: Optional[bool] = None) -> TagBinding:
    """Bind a UI field to a tag: a tag name, a declared ``Tag`` or a bound tag.

    ``tag_type`` and ``default_value`` override the tag's own. ``tag_ref("level",
    "number", 0)`` renders as ``$tag.app().level:number:0``.
    """
    if isinstance(tag, TagBinding):
        binding = copy.deepcopy(tag)
    elif isinstance(tag, BoundTag):
        binding = _from_bound(tag)
    elif isinstance(tag, Tag):
        binding = _from_tag(tag)
    else:
        binding = TagBinding(tag, tag_type, default_value, bool(live))
        return binding
    if tag_type is not None:
        binding.tag_type = _TYPE_MAP.get(tag_type, tag_type)
    if default_value is not _MISSING:
        binding.default = default_value
    if live is not None:
        binding.live = bool(live)
    return binding


#: The reference SDK's other name for :func:`tag_ref`.
bind_tag = tag_ref


def is_binding(value: Any) -> bool:
    """True for tag bindings, declared tags and bound tags."""
    return isinstance(value, (TagBinding, BoundTag, Tag))


def is_live(value: Any) -> bool:
    """True if ``value`` binds a tag declared ``live=True``."""
    if isinstance(value, TagBinding):
        return value.live
    if isinstance(value, (BoundTag, Tag)):
        return bool(value.live)
    return False


def to_json(value: Any, field: Optional[str] = None) -> Any:
    """Render a field value for the schema: bindings become lookup strings, tuples lists."""
    if isinstance(value, TagBinding):
        if field == "name":
            raise UIError("UI field 'name' cannot refer to a tag")
        return value.to_lookup()
    if isinstance(value, BoundTag):
        return to_json(_from_bound(value), field)
    if isinstance(value, Tag):
        return to_json(_from_tag(value), field)
    if isinstance(value, dict):
        return {key: to_json(item, key) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return [to_json(item) for item in sorted(value, key=repr)]
    if hasattr(value, "to_dict") and not isinstance(value, type):
        return to_json(value.to_dict(), field)
    if isinstance(value, _dt.datetime):
        return int(value.timestamp() * 1000)
    return value


def cmds_lookup(name: str, default: Any = NotSet) -> str:
    """``$cmds.app().<name>`` plus ``::<str(default)>`` when there is a default."""
    text = "$cmds.app()." + name
    if default is not NotSet:
        text += "::" + str(default)
    return text


_CONFIG_REF = re.compile(r"\$config\.app\(\)\.(\w+)(?::(\w+))?(?::(.+))?")


def _convert(raw: Any, type_hint: Optional[str]) -> Any:
    if raw is None:
        return None
    if type_hint == "boolean":
        if isinstance(raw, bool):
            return raw
        return str(raw).lower() in ("true", "1", "yes")
    if type_hint == "number":
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return raw
        try:
            return float(raw) if "." in str(raw) else int(raw)
        except (TypeError, ValueError):
            return raw
    if type_hint == "string":
        return str(raw)
    return raw


def resolve_config_refs(value: Any, lookup: Callable[[str], Any]) -> Any:
    """Replace every ``$config.app().KEY[:type[:default]]`` string in ``value``.

    ``lookup(key)`` returns the loaded config value or raises ``KeyError``; then the
    default written in the string is used (``None`` if there is none). The value is
    converted per the type hint (``boolean``, ``number``, ``string``).
    """
    if isinstance(value, dict):
        return {key: resolve_config_refs(item, lookup) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve_config_refs(item, lookup) for item in value]
    if not isinstance(value, str) or "$config.app()." not in value:
        return value
    match = _CONFIG_REF.fullmatch(value)
    if match is None:
        return value
    key, type_hint, default = match.groups()
    try:
        raw = lookup(key)
    except KeyError:
        raw = None
    if raw is None:
        raw = default
    return _convert(raw, type_hint)
