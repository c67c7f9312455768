"""``UI``: an app's panel, declared as a class of elements."""

import copy
import types
from collections import OrderedDict
from typing import Any, Callable, Dict, List, Optional

from .._done import maybe_awaitable
from ..exceptions import UIError
from ..tags import Tag
from ._element import FIRST_POSITION, Element
from ._interactions import Interaction
from ._lookups import TagBinding, resolve_config_refs, to_json

__all__ = ["UI", "ROOT_DEFAULTS"]

#: The root fields and their defaults (``$config`` lookups resolved at runtime).
ROOT_DEFAULTS = OrderedDict((
    ("display_name", "$config.app().APP_DISPLAY_NAME"),
    ("hidden", "$config.app().interpreter_hidden"),
    ("full_width", "$config.app().interpreter_full_width"),
    ("position", "$config.app().dv_app_position:number:100"),
    ("default_open", "$config.app().dv_app_default_open:boolean"),
    ("icon", None),
    ("colour", None),
))
_UNSET = object()


class _DeclaredElement:
    """Class-level stand-in for an element attribute: the template on the class, the
    instance's own copy on an instance."""

    def __init__(self, attr: str, template: Element) -> None:
        self.attr = attr
        self.template = template

    def __get__(self, instance: Any, owner: Any) -> Any:
        if instance is None:
            return self.template
        try:
            return instance._elements[self.attr]
        except KeyError:
            raise AttributeError("element {!r} was removed from this UI".format(self.attr)) from None

    def __set__(self, instance: Any, value: Any) -> None:
        if not isinstance(value, Element):
            raise UIError("UI attribute {!r}: expected a UI element, got {!r}".format(self.attr, value))
        instance._elements[self.attr] = value
        instance._number_positions()


class _hybridmethod:
    def __init__(self, func: Callable[..., Any]) -> None:
        self.func = func
        self.__doc__ = func.__doc__

    def __get__(self, instance: Any, owner: Any) -> Any:
        return types.MethodType(self.func, owner if instance is None else instance)


def _root_field(key: str, value: Any) -> Any:
    if key in ("hidden", "full_width") and isinstance(value, str):
        if not value.startswith("$"):
            raise UIError("UI {}: a string must be a $config lookup (start with '$'), got {!r}".format(key, value))
        return value + ":boolean:false"
    if key == "position" and isinstance(value, str) and not value.startswith("$"):
        raise UIError("UI position: a string must be a $config lookup (start with '$'), got {!r}".format(value))
    return value


class UI:
    """An app's UI: subclass it and declare elements as class attributes.

    ::

        class PumpUI(ui.UI, display_name="Pump"):
            level = ui.NumericVariable("Level", value=PumpTags.level, precision=1)
            start = ui.Button("Start", requires_confirm=True)

    Root fields (``display_name``, ``hidden``, ``full_width``, ``position``,
    ``default_open``, ``icon``, ``colour``) are class keywords or plain class attributes;
    their defaults are ``$config`` lookups resolved at runtime.

    ``UI(config, tags, app_key)`` (all may be None) deep-copies the declared elements, in
    declaration order with base classes first; :meth:`setup` (``def`` or ``async def``)
    may add, remove and change elements. A UI whose class does not override ``setup`` is
    *static*: its schema is exported into ``doover_config.json`` and the platform shows
    it. A *dynamic* UI is published by the app at runtime.
    """

    __ui_declarations__: "OrderedDict[str, Element]" = OrderedDict()
    _root_raw: Dict[str, Any] = dict(ROOT_DEFAULTS)

    #: the platform interface, attached by the edge runtime before ``setup()`` (else None)
    platform_iface: Any = None

    def __init_subclass__(cls, display_name: Any = _UNSET, hidden: Any = _UNSET, full_width: Any = _UNSET,
                          position: Any = _UNSET, default_open: Any = _UNSET, icon: Any = _UNSET, colour: Any = _UNSET,
                          **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        declarations: "OrderedDict[str, Element]" = OrderedDict()
        for base in reversed(cls.__mro__[1:]):
            declarations.update(getattr(base, "__ui_declarations__", {}))
        root = dict(getattr(super(cls, cls), "_root_raw", ROOT_DEFAULTS))
        for attr, value in list(cls.__dict__.items()):
            if isinstance(value, Element):
                declarations[attr] = value
                setattr(cls, attr, _DeclaredElement(attr, value))
            elif attr in ROOT_DEFAULTS and not callable(value):
                root[attr] = value
        given = dict(display_name=display_name, hidden=hidden, full_width=full_width, position=position,
                     default_open=default_open, icon=icon, colour=colour)
        for key, value in given.items():
            if value is not _UNSET:
                root[key] = value
        for key, value in root.items():
            _root_field(key, value)  # validate early
        names: Dict[str, str] = {}
        for attr, template in declarations.items():
            if template.name in names and names[template.name] != attr:
                raise UIError("{}: elements {!r} and {!r} share the name {!r}".format(cls.__name__, names[template.name], attr, template.name))
            names[template.name] = attr
        cls.__ui_declarations__ = declarations
        cls._root_raw = root

    def __init__(self, config: Any = None, tags: Any = None, app_key: Optional[str] = None) -> None:
        self.config = config
        self.tags = tags
        self.app_key = app_key
        memo: Dict[int, Any] = {}
        self._elements: "OrderedDict[str, Element]" = OrderedDict(
            (attr, copy.deepcopy(template, memo)) for attr, template in type(self).__ui_declarations__.items()
        )
        self._position_token = object()
        self._next_position = FIRST_POSITION
        self._number_positions()

    def setup(self) -> Any:
        """Override to change the UI per instance (may be ``async def``): makes it dynamic."""
        return maybe_awaitable(None)

    @property
    def is_static(self) -> bool:
        """True if the class does not override :meth:`setup` (published by the platform)."""
        return getattr(type(self).setup, "__func__", type(self).setup) is UI.setup

    # ------------------------------------------------------------------ elements

    def _number_positions(self) -> None:
        fresh = [e for top in self._elements.values() for e in top.iter_tree() if e._position_owner is not self._position_token]
        fresh.sort(key=lambda e: e._sequence)
        for element in fresh:
            if element._auto_position:
                element.position = self._next_position
            self._next_position += 1
            element._position_owner = self._position_token

    @property
    def children(self) -> List[Element]:
        """The top-level elements, in order."""
        return list(self._elements.values())

    def to_elements(self) -> List[Element]:
        """Same as :attr:`children`."""
        return self.children

    def add_element(self, element: Element) -> Element:
        """Add a top-level element (one with the same name is replaced); returns it."""
        if not isinstance(element, Element):
            raise UIError("add_element: expected a UI element, got {!r}".format(element))
        for attr, existing in self._elements.items():
            if existing.name == element.name:
                self._elements[attr] = element
                break
        else:
            self._elements[element.name] = element
        self._number_positions()
        return element

    def remove_element(self, name: str) -> None:
        """Remove a top-level element by attribute or element name (``KeyError`` if absent)."""
        for attr, existing in list(self._elements.items()):
            if attr == name or existing.name == name:
                del self._elements[attr]
                return
        raise KeyError(name)

    def iter_elements(self) -> List[Element]:
        """Every element of the UI, depth first."""
        return [e for top in self._elements.values() for e in top.iter_tree()]

    def get_element(self, name: str) -> Optional[Element]:
        """The element named ``name`` anywhere in the UI, or None."""
        if name in self._elements:
            return self._elements[name]
        for element in self.iter_elements():
            if element.name == name:
                return element
        return None

    def get_interactions(self) -> Dict[str, Interaction]:
        """Every interaction of the UI by name (nested ones included)."""
        return OrderedDict((e.name, e) for e in self.iter_elements() if isinstance(e, Interaction))

    def bind_tags(self, tags: Any) -> "UI":
        """Check that every declared ``Tag`` used by an element exists in ``tags``; keep ``tags``."""
        self.tags = tags
        if tags is None:
            return self
        for element in self.iter_elements():
            for key, value in list(vars(element).items()):
                if isinstance(value, Tag):
                    definition = tags.get_definition(value.runtime_name or "")
                    if definition is None:
                        raise UIError("{}.{}: tag {!r} is not declared in {}".format(element.name, key, value.runtime_name, type(tags).__name__))
                    setattr(element, key, TagBinding(value.runtime_name, definition.tag_type, *_default_of(definition), live=definition.live))
        return self

    def __getattr__(self, name: str) -> Any:
        if not name.startswith("_"):
            elements = self.__dict__.get("_elements")
            if elements is not None:
                element = self.get_element(name)
                if element is not None:
                    return element
        raise AttributeError("{} has no element or attribute {!r}".format(type(self).__name__, name))

    # ------------------------------------------------------------------ schema

    def _config_lookup(self, key: str) -> Any:
        config = self.config
        if config is not None:
            lookup = getattr(config, "lookup", None)
            if lookup is not None:
                try:
                    return lookup(key)
                except KeyError:
                    pass
            else:
                element = getattr(config, key, None)
                if element is not None:
                    return getattr(element, "value", element)
        if key == "APP_KEY" and self.app_key is not None:
            return self.app_key
        raise KeyError(key)

    def to_schema(self, resolve_config: bool = True) -> Dict[str, Any]:
        """The ``uiApplication`` root with every element as a child.

        With ``resolve_config`` (and a config or an app key) the ``$config`` lookups are
        replaced by values; exported schemas keep them (``resolve_config=False``).
        """
        self._number_positions()
        root = type(self)._root_raw
        schema: Dict[str, Any] = OrderedDict()
        schema["displayString"] = _root_field("display_name", root["display_name"])
        schema["hidden"] = _root_field("hidden", root["hidden"])
        schema["fullWidth"] = _root_field("full_width", root["full_width"])
        schema["position"] = _root_field("position", root["position"])
        schema["icon"] = root["icon"]
        schema["colour"] = root["colour"]
        schema["defaultOpen"] = root["default_open"]
        schema["type"] = "uiApplication"
        schema["name"] = "$config.app().APP_KEY"
        schema["children"] = {element.name: element.to_dict() for element in self._elements.values()}
        schema = to_json(dict(schema))
        if resolve_config and (self.config is not None or self.app_key is not None):
            schema = resolve_config_refs(schema, self._config_lookup)
        return schema

    @_hybridmethod
    def export(self_or_cls: Any, fp: Any, app_key: str) -> None:
        """Write the schema (``$config`` lookups kept) into ``doover_config.json`` as
        ``[app_key]["ui_schema"]``, keeping every other key. Works on the class too."""
        from ..config._file import write_app_entry_key

        instance = self_or_cls if isinstance(self_or_cls, UI) else self_or_cls(None, None, None)
        write_app_entry_key(fp, app_key, "ui_schema", instance.to_schema(resolve_config=False))


def _default_of(tag: Tag) -> tuple:
    from ..tags import NotSet

    return () if tag.default is NotSet else (copy.deepcopy(tag.default),)
