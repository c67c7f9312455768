"""``Tags``: the declarative collection of an app's tags."""

import copy
import logging
import types
from collections import OrderedDict
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple

from ..exceptions import NotSupportedError, TagError
from ._bound import BoundTag
from ._core import _plain
from ._declarations import NotSet, RemoteTag, Tag, check_value, coerce_read
from ._done import DONE, Done, maybe_awaitable
from ._triggers import evaluate_triggers

__all__ = ["Tags"]

log = logging.getLogger("doover.tags")


class _Unresolved(Exception):
    """An optional RemoteTag whose TagRef is blank."""


class _DeclaredTag:
    """Class-level descriptor standing in for a declared ``Tag`` attribute."""

    def __init__(self, attr: str, template: Tag) -> None:
        self.attr = attr
        self.template = template

    def __get__(self, instance: Any, owner: Any) -> Any:
        if instance is None:
            return self.template
        if self.attr not in instance._declarations:
            raise AttributeError("tag {!r} was removed from this Tags instance".format(self.attr))
        return BoundTag(instance, self.attr)

    def __set__(self, instance: Any, value: Any) -> None:
        if isinstance(value, BoundTag) and value._tags is instance and value._attr == self.attr:
            return  # ``tags.x += 1`` style re-assignment of the proxy itself
        instance._set_value(self.attr, value)


class _hybridmethod:
    """A method that works on the class (declarations) and on instances (their copies)."""

    def __init__(self, func: Any) -> None:
        self.func = func
        self.__doc__ = func.__doc__

    def __get__(self, instance: Any, owner: Any) -> Any:
        return types.MethodType(self.func, owner if instance is None else instance)


class Tags:
    """Declare an app's tags as class attributes; use them through an instance.

    ::

        class MyTags(Tags):
            level = Number(default=0.0, log_on=Cross(80))
            mode = String(default="idle")

        tags = MyTags(app_key, tag_manager, config)
        tags.level.value            # current value or default
        tags.level.set(42.5)        # or: await tags.level.set(42.5)
        tags["mode"].get()

    Each instance deep-copies the declarations (in declaration order, base classes
    first), so :meth:`setup` may :meth:`add_tag`/:meth:`remove_tag` without touching the
    class or other instances; trigger state is per instance too.
    """

    __tag_declarations__: "OrderedDict[str, Tag]" = OrderedDict()

    #: the platform interface, attached by the edge runtime before ``setup()`` (else None)
    platform_iface: Any = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        declarations: "OrderedDict[str, Tag]" = OrderedDict()
        for base in reversed(cls.__mro__[1:]):
            declarations.update(getattr(base, "__tag_declarations__", {}))
        for attr, value in list(cls.__dict__.items()):
            if isinstance(value, Tag):
                value._declared_attr_name = attr
                declarations[attr] = value
                setattr(cls, attr, _DeclaredTag(attr, value))
        seen: Dict[str, str] = {}
        for attr, template in declarations.items():
            runtime = template.name or attr
            if runtime in seen and seen[runtime] != attr:
                raise TagError(
                    "{}: tags {!r} and {!r} both use the name {!r}".format(cls.__name__, seen[runtime], attr, runtime)
                )
            seen[runtime] = attr
        cls.__tag_declarations__ = declarations

    def __init__(self, app_key: Optional[str] = None, tag_manager: Any = None, config: Any = None) -> None:
        object.__setattr__(self, "_declarations", OrderedDict(
            (attr, copy.deepcopy(template)) for attr, template in type(self).__tag_declarations__.items()
        ))
        self.app_key = app_key
        self.config = config
        self._manager = tag_manager
        self._trigger_states: Dict[str, Dict[Any, Any]] = {}
        self._remote_targets: Dict[str, Dict[str, Any]] = {}
        self._mirrors: List[Tuple[Any, Any, Any]] = []
        #: ``True``/``False`` forces value-returning calls (``increment``) to return an
        #: awaitable or a plain value; ``None`` decides by whether an event loop runs.
        self.async_mode: Optional[bool] = None

    def setup(self) -> Any:
        """Override to add or remove tags per instance (``def`` or ``async def``)."""
        return maybe_awaitable(None)

    @property
    def tag_manager(self) -> Any:
        """The tag manager reads and writes go through (None: reads give defaults)."""
        return self._manager

    @tag_manager.setter
    def tag_manager(self, manager: Any) -> None:
        self._manager = manager

    # ------------------------------------------------------------------ declarations

    def _find(self, name: str) -> Optional[str]:
        if name in self._declarations:
            return name
        for attr, template in self._declarations.items():
            if template.name == name:
                return attr
        return None

    def _declaration(self, attr: str) -> Tag:
        try:
            return self._declarations[attr]
        except KeyError:
            raise TagError("unknown tag {!r}".format(attr)) from None

    def _runtime_name(self, attr: str) -> str:
        return self._declaration(attr).name or attr

    def add_tag(self, name: str, tag: Tag) -> Tag:
        """Add a tag to this instance (usually in :meth:`setup`); returns its declaration."""
        if not isinstance(tag, Tag):
            raise TagError("add_tag({!r}): expected a Tag, got {!r}".format(name, tag))
        if not isinstance(name, str) or not name:
            raise TagError("add_tag: name must be a non-empty string, got {!r}".format(name))
        runtime = tag.name or name
        if self._find(name) is not None or self._find(runtime) is not None:
            raise TagError("add_tag: a tag named {!r} already exists".format(runtime))
        tag = copy.deepcopy(tag)
        tag._declared_attr_name = name
        self._declarations[name] = tag
        return tag

    def register(self, tag: Tag) -> Tag:
        """Add a tag under its own ``name`` (``self.tags.register(Number(name="temp"))``)."""
        if not isinstance(tag, Tag) or not tag.name:
            raise TagError("register: expected a Tag with name=..., got {!r}".format(tag))
        return self.add_tag(tag.name, tag)

    def remove_tag(self, name: str) -> None:
        """Remove a tag from this instance (by attribute or runtime name)."""
        attr = self._find(name)
        if attr is None:
            raise TagError("remove_tag: unknown tag {!r}".format(name))
        del self._declarations[attr]
        self._trigger_states.pop(attr, None)

    def get_definition(self, name: str) -> Optional[Tag]:
        """The declaration of tag ``name`` on this instance, or None."""
        attr = self._find(name)
        return None if attr is None else self._declarations[attr]

    @property
    def definitions(self) -> List[Tag]:
        """This instance's declarations, in order."""
        return list(self._declarations.values())

    @_hybridmethod
    def to_schema(self_or_cls: Any) -> Dict[str, Any]:
        """``{tag_name: {"type", "default"?, "live"?}}``; works on the class and on instances."""
        if isinstance(self_or_cls, Tags):
            declarations = self_or_cls._declarations
        else:
            declarations = self_or_cls.__tag_declarations__
        return {template.name or attr: template.to_schema() for attr, template in declarations.items()}

    # ------------------------------------------------------------------ access

    def find_tag(self, name: str) -> Optional[BoundTag]:
        """The bound tag ``name`` (attribute or runtime name), or None."""
        attr = self._find(name)
        return None if attr is None else BoundTag(self, attr)

    def get(self, name: str) -> Optional[BoundTag]:
        """The bound tag ``name``, or None if no such tag is declared."""
        return self.find_tag(name)

    def get_tag(self, name: str) -> BoundTag:
        """The bound tag ``name``; raises ``KeyError`` if it is not declared."""
        tag = self.find_tag(name)
        if tag is None:
            raise KeyError(name)
        return tag

    def set(self, name: str, value: Any, log: bool = False) -> Done:
        """Write tag ``name`` (``tags.set("temperature", 21.5)``); awaitable or not."""
        attr = self._find(name)
        if attr is None:
            raise TagError("set: unknown tag {!r} (declare it or use tag_manager.set_tag)".format(name))
        self._set_value(attr, value, log=log)
        return DONE

    def update(self, values: Mapping[str, Any], log: bool = False) -> Done:
        """Write several declared tags; unknown names raise :class:`TagError`."""
        for name, value in values.items():
            self.set(name, value, log=log)
        return DONE

    @property
    def values(self) -> Dict[str, Any]:
        """``{runtime name: value}`` for every tag that has a value or default."""
        result: Dict[str, Any] = OrderedDict()
        for attr in self._declarations:
            value = self._get_value(attr)
            if value is not NotSet:
                result[self._runtime_name(attr)] = value
        return result

    def to_dict(self) -> Dict[str, Any]:
        """Same as :attr:`values`."""
        return self.values

    def get_live_tag_keys(self) -> List[Tuple[Optional[str], str]]:
        """``(app_key, tag_name)`` of every ``live=True`` tag, for the edge tag manager."""
        keys = []
        for attr, template in self._declarations.items():
            if not template.live:
                continue
            try:
                keys.append(self._target(attr))
            except (_Unresolved, TagError):
                continue
        return keys

    def __getitem__(self, name: str) -> BoundTag:
        return self.get_tag(name)

    def __getattr__(self, name: str) -> BoundTag:
        if name.startswith("_"):
            raise AttributeError(name)
        declarations = self.__dict__.get("_declarations")
        if declarations is not None:
            attr = self._find(name)
            if attr is not None:
                return BoundTag(self, attr)
        raise AttributeError("{} has no tag {!r}".format(type(self).__name__, name))

    def __setattr__(self, name: str, value: Any) -> None:
        declarations = self.__dict__.get("_declarations")
        if (
            declarations is not None
            and not name.startswith("_")
            and name in declarations
            and not isinstance(getattr(type(self), name, None), _DeclaredTag)
        ):
            if not (isinstance(value, BoundTag) and value._tags is self and value._attr == name):
                self._set_value(name, value)
            return
        object.__setattr__(self, name, value)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._find(name) is not None

    def __iter__(self) -> Iterator[BoundTag]:
        return iter([BoundTag(self, attr) for attr in self._declarations])

    def __len__(self) -> int:
        return len(self._declarations)

    def __repr__(self) -> str:
        return "{}({})".format(type(self).__name__, list(self._declarations))

    # ------------------------------------------------------------------ values

    def _target(self, attr: str) -> Tuple[Optional[str], str]:
        template = self._declaration(attr)
        if isinstance(template, RemoteTag):
            target = self._remote_targets.get(attr)
            if target is None:
                if template.optional:
                    raise _Unresolved(attr)
                raise TagError(
                    "remote tag {!r} is not resolved: call tags.resolve_remote_tags() after setup "
                    "(needs a config TagRef with reference_name {!r})".format(attr, template.reference_name)
                )
            if target.get("agent_id"):
                raise NotSupportedError(
                    "remote tag {!r}: tags of another agent ({}) are not supported".format(attr, target["agent_id"])
                )
            return target["app_key"], target["tag_name"]
        return self.app_key, template.name or attr

    def _get_value(self, attr: str) -> Any:
        template = self._declaration(attr)
        if self._manager is None:
            return template.default
        try:
            app_key, key = self._target(attr)
        except _Unresolved:
            return template.default
        value = self._manager.get_tag(key, default=template.default, app_key=app_key)
        return coerce_read(template.tag_type, value)

    def _set_value(self, attr: str, value: Any, log: bool = False) -> None:
        template = self._declaration(attr)
        name = template.name or attr
        try:
            app_key, key = self._target(attr)
        except _Unresolved:
            return
        if self._manager is None:
            raise TagError("tag {!r}: cannot write, this Tags instance has no tag manager".format(name))
        value = check_value(template.tag_type, _plain(value, "tag {!r}".format(name)), "tag {!r}".format(name))
        if template.log_on:
            previous = self._get_value(attr)
            if evaluate_triggers(template.log_on, previous, value, self._trigger_states.setdefault(attr, {})):
                log = True
        self._manager.set_tag(key, value, app_key=app_key, log=log)

    # ------------------------------------------------------------------ remote tags

    def resolve_remote_tags(self, refs: Optional[Mapping[str, Any]] = None) -> None:
        """Point every :class:`RemoteTag` at the tag its config ``TagRef`` names.

        ``refs`` maps ``reference_name`` to ``{"app_name" (or "app_key"), "tag_name",
        "agent_id"?}``; without it the ``TagRef`` elements of ``self.config`` are used.
        With ``republish_locally`` the upstream value is copied into this app's namespace
        under ``reference_name`` now and on every later change (edge).
        """
        if refs is None:
            refs = _tagrefs_from_config(self.config)
        for manager, key, callback in self._mirrors:
            manager.unsubscribe_from_tag(key[1], callback=callback, app_key=key[0])
        self._mirrors = []
        self._remote_targets = {}
        for attr, template in self._declarations.items():
            if not isinstance(template, RemoteTag):
                continue
            ref = refs.get(template.reference_name)
            if ref is None:
                if template.optional:
                    continue
                raise TagError(
                    "remote tag {!r}: no TagRef with reference_name {!r} in the config".format(attr, template.reference_name)
                )
            target = _ref_fields(ref, template.reference_name)
            self._remote_targets[attr] = target
            if template.republish_locally and not target["agent_id"] and self._manager is not None:
                self._install_mirror(template, target)

    def _install_mirror(self, template: RemoteTag, target: Dict[str, Any]) -> None:
        manager = self._manager
        local = template.reference_name
        app_key = self.app_key

        def mirror(_key: Any, value: Any) -> None:
            manager.set_tag(local, value, app_key=app_key)

        subscribe = getattr(manager, "subscribe_to_tag", None)
        if subscribe is not None:
            subscribe(target["tag_name"], mirror, app_key=target["app_key"])
            self._mirrors.append((manager, (target["app_key"], target["tag_name"]), mirror))
        current = manager.get_tag(target["tag_name"], default=None, app_key=target["app_key"])
        if current is not None:
            manager.set_tag(local, current, app_key=app_key)


def _field(obj: Any, name: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name)
    value = getattr(obj, name, None)
    inner = getattr(value, "value", value)
    try:
        return inner() if callable(inner) else inner
    except Exception:
        return None


def _ref_fields(ref: Any, reference_name: str) -> Dict[str, Any]:
    app_key = _field(ref, "app_name") or _field(ref, "app_key")
    tag_name = _field(ref, "tag_name")
    if not app_key or not tag_name:
        raise TagError("TagRef {!r}: expected app_name and tag_name, got {!r}".format(reference_name, ref))
    return {"app_key": app_key, "tag_name": tag_name, "agent_id": _field(ref, "agent_id") or None}


def _tagrefs_from_config(config: Any) -> Dict[str, Any]:
    """Find TagRef-like elements (with reference_name, app_name, tag_name) in a config."""
    if config is None:
        return {}
    candidates: List[Any] = []
    for source in (getattr(config, "_element_map", None), getattr(config, "elements", None)):
        if isinstance(source, Mapping):
            candidates.extend(source.values())
        elif isinstance(source, (list, tuple)):
            candidates.extend(source)
    candidates.extend(vars(config).values() if hasattr(config, "__dict__") else [])
    found: Dict[str, Any] = {}
    seen = set()
    for element in candidates:
        if id(element) in seen or not all(hasattr(element, n) for n in ("reference_name", "app_name", "tag_name")):
            continue
        seen.add(id(element))
        name = _field(element, "reference_name")
        if not name:
            continue
        if name in found:
            raise TagError("config: two TagRefs use reference_name {!r}".format(name))
        found[name] = element
    return found
