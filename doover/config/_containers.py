"""Container element kinds: ``Array`` (a list of one element kind) and ``Object`` (a group).

``Object`` subclasses declare children as class attributes, like a Schema; every instance
works on its own deep copy of them.
"""

import copy
import enum as _enum
import logging
from typing import Any, Dict, List, Mapping, Optional

from ..exceptions import ConfigSchemaError
from ._conditions import build_properties, condition_holds
from ._element import ConfigElement, join_path, resolve
from ._jsonvalue import describe, json_equal
from ._keys import RESERVED_NAMES, NotSet

__all__ = ["Array", "Object", "check_children"]

log = logging.getLogger("doover.config")

#: public option names an ``a__b__<option>=`` override may use -> where the option is stored
_OVERRIDE_ALIASES = {
    "advanced": "_advanced",
    "position": "_position",
    "display_name": "_display_name",
}


def check_children(declared: Mapping[str, ConfigElement], raw: Mapping[str, Any], path: str,
                   errors: List[str]) -> Dict[str, Any]:
    """Check the declared children of a container against its raw dict (unknown keys aside)."""
    out: Dict[str, Any] = {}
    for key, child in declared.items():
        active = True
        if child.show_if is not None:
            active = condition_holds(child.show_if, declared, raw)
        value = resolve(child, key in raw, raw.get(key), join_path(path, key), errors, active)
        if value is not NotSet:
            out[key] = value
    return out


class Array(ConfigElement):
    """A list of values of one kind (JSON ``array``).

    ``element`` is the item template (any element; omitted: items of any JSON type),
    ``min_items``/``max_items``/``unique_items`` constrain the list, ``default`` may be a list.
    ``.value`` (and ``.elements``) is a list of loaded item *elements*, as in the platform's
    SDK (read ``item.value``); ``.values`` is the same list as plain JSON data.
    """

    _type = "array"

    def __init__(self, display_name: str, *, element: Optional[ConfigElement] = None,
                 min_items: Optional[int] = None, max_items: Optional[int] = None,
                 unique_items: Optional[bool] = None, **kwargs: Any) -> None:
        if element is not None and not isinstance(element, ConfigElement):
            raise ConfigSchemaError(
                "config element {!r}: an Array's element must be a config element, got {!r}".format(
                    display_name, element
                )
            )
        super().__init__(display_name, **kwargs)
        self.element = element if element is not None else ConfigElement("unknown")
        self.min_items = min_items
        self.max_items = max_items
        self.unique_items = unique_items
        self._items: List[ConfigElement] = []

    def _check_default_type(self, default: Any) -> None:
        if not isinstance(default, list):
            raise self._bad_default("a list")

    @property
    def elements(self) -> List[ConfigElement]:
        """The loaded items, one element per item (an empty list before a load)."""
        return self._items

    @property
    def value(self) -> Any:
        """The loaded items as element objects (``None`` if the array was set to its ``None`` default)."""
        if self._value is None:
            return None
        return self._items

    @property
    def values(self) -> Any:
        """The loaded items as plain JSON data (a new list), or ``None``/``[]`` as ``.value``."""
        if self._value is None:
            return None
        return [copy.deepcopy(item._plain()) for item in self._items]

    def _plain(self) -> Any:
        if self._value is NotSet or self._value is None:
            return self._value
        return [item._plain() for item in self._items]

    def _check(self, raw: Any, path: str, errors: List[str]) -> Any:
        if not isinstance(raw, (list, tuple)):
            return self._type_error(raw, path, errors)
        items = []
        for index, item in enumerate(raw):
            value = resolve(self.element, True, item, "{}[{}]".format(path, index), errors)
            items.append(value)
        count = len(items)
        if self.min_items is not None and count < self.min_items:
            errors.append("{}: expected at least {} items, got {}".format(path, self.min_items, count))
        if self.max_items is not None and count > self.max_items:
            errors.append("{}: expected at most {} items, got {}".format(path, self.max_items, count))
        if self.unique_items:
            self._check_unique(items, path, errors)
        return items

    @staticmethod
    def _check_unique(items: List[Any], path: str, errors: List[str]) -> None:
        for first in range(len(items)):
            for second in range(first + 1, len(items)):
                if items[first] is not NotSet and json_equal(items[first], items[second]):
                    errors.append(
                        "{}: items must be unique, but [{}] and [{}] are both {}".format(
                            path, first, second, describe(items[first])
                        )
                    )
                    return

    def _apply(self, value: Any) -> None:
        self._value = value
        items: List[ConfigElement] = []
        if isinstance(value, list):
            for item_value in value:
                item = copy.deepcopy(self.element)
                item._apply(item_value)
                items.append(item)
        self._items = items

    def _export(self) -> Dict[str, Any]:
        out = super()._export()
        out["items"] = self.element._export()
        if self.min_items is not None:
            out["minItems"] = self.min_items
        if self.max_items is not None:
            out["maxItems"] = self.max_items
        if self.unique_items is not None:
            out["uniqueItems"] = self.unique_items
        return out


class Object(ConfigElement):
    """A group of named children (JSON ``object``), nested as a dict in the config.

    Children are declared as class attributes of a subclass (reachable as attributes of each
    instance, which owns a deep copy of them) or added with :meth:`add_elements`.
    ``additional_elements`` (default ``True``) allows keys that are not declared; ``False``
    makes the object strict (unknown keys are load errors); a dict is exported verbatim and
    allows them. ``collapsible``/``default_collapsed`` are UI hints. Keywords with ``__``
    override options of children: ``inner__count__default=5``.

    ``.value`` is the loaded object as a plain dict (``None`` for a blank optional object).
    """

    _type = "object"
    _cls_elements: Dict[str, ConfigElement] = {}
    _attr_to_name: Dict[str, str] = {}
    #: ``True``: unknown keys of a strict object are dropped with a warning, not errors.
    _ignore_unknown = False

    def __init__(self, display_name: str, *, additional_elements: Any = True, collapsible: bool = True,
                 default_collapsed: bool = False, **kwargs: Any) -> None:
        if default_collapsed and not collapsible:
            raise ConfigSchemaError(
                "config element {!r}: default_collapsed=True needs collapsible=True".format(display_name)
            )
        overrides = [(k, kwargs.pop(k)) for k in list(kwargs) if "__" in k]
        super().__init__(display_name, **kwargs)
        self.additional_elements = additional_elements
        self.collapsible = collapsible
        self.default_collapsed = default_collapsed
        cls = type(self)
        self._elements: Dict[str, ConfigElement] = copy.deepcopy(cls._cls_elements)
        self._free_keys: List[str] = []
        for attr, key in cls._attr_to_name.items():
            self.__dict__[attr] = self._elements[key]
        for path, value in overrides:
            self._override(path, value)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        elements: Dict[str, ConfigElement] = {}
        attrs: Dict[str, str] = {}
        for base in cls.__mro__[1:]:
            if base is Object or not (isinstance(base, type) and issubclass(base, Object)):
                continue
            for key, element in base.__dict__.get("_cls_elements", {}).items():
                elements.setdefault(key, element)
            for attr, key in base.__dict__.get("_attr_to_name", {}).items():
                attrs.setdefault(attr, key)
        own = [(attr, value) for attr, value in cls.__dict__.items() if isinstance(value, ConfigElement)]
        memo = {id(element): element for element in elements.values()}
        copies = copy.deepcopy([value for _, value in own], memo)
        for (attr, _), element in zip(own, copies):
            if attr in RESERVED_NAMES:
                raise ConfigSchemaError(
                    "{}: config element attribute name {!r} is reserved; choose another".format(
                        cls.__name__, attr
                    )
                )
            if element._name in elements:
                raise ConfigSchemaError(
                    "{}: duplicate element key {!r}".format(cls.__name__, element._name)
                )
            elements[element._name] = element
            if element._position is None:
                element._position = len(elements)
            attrs[attr] = element._name
            setattr(cls, attr, element)
        cls._cls_elements = elements
        cls._attr_to_name = attrs

    def _override(self, path: str, value: Any) -> None:
        *chain, option = path.split("__")
        if not chain or not option or any(not segment for segment in chain):
            raise TypeError(
                "invalid override {!r}: expected '<child>__<option>' with no empty parts".format(path)
            )
        target: ConfigElement = self
        walked = []
        for segment in chain:
            children = target.__dict__.get("_elements") if isinstance(target, Object) else None
            if not children or segment not in children:
                raise TypeError(
                    "cannot apply override {!r}: {} has no child {!r}".format(
                        path, ".".join(walked) or self._name, segment
                    )
                )
            target = children[segment]
            walked.append(segment)
        attr = _OVERRIDE_ALIASES.get(option, option)
        if option.startswith("_") or not hasattr(target, attr) or isinstance(
            getattr(target, attr), ConfigElement
        ):
            raise TypeError(
                "cannot apply override {!r}: {} has no option {!r}".format(
                    path, type(target).__name__, option
                )
            )
        if option == "default" and isinstance(value, _enum.Enum):
            value = str(value.value)
        setattr(target, attr, value)

    def add_elements(self, *elements: ConfigElement) -> None:
        """Add children to this object; they are numbered after the existing ones."""
        for element in elements:
            if not isinstance(element, ConfigElement):
                raise ConfigSchemaError(
                    "{}: add_elements takes config elements, got {!r}".format(self._name, element)
                )
            if element._name in self._free_keys:
                self._free_keys.remove(element._name)
                del self._elements[element._name]
            if element._name in self._elements:
                raise ConfigSchemaError(
                    "{}: duplicate element key {!r}".format(self._name, element._name)
                )
            self._elements[element._name] = element
            if element._position is None:
                element._position = len(self._elements)

    def _declared(self) -> Dict[str, ConfigElement]:
        free = self._free_keys
        if not free:
            return self._elements
        return {k: e for k, e in self._elements.items() if k not in free}

    @property
    def elements(self) -> Dict[str, ConfigElement]:
        """The children (declared, added and free-form), key -> element, in order."""
        return dict(self._elements)

    def _check_default_type(self, default: Any) -> None:
        if not isinstance(default, dict):
            raise self._bad_default("a dict")

    @property
    def value(self) -> Any:
        """The loaded object as a plain dict of its children's JSON values."""
        plain = self._plain()
        if plain is NotSet:
            return ConfigElement.value.fget(self)  # type: ignore[attr-defined]
        return copy.deepcopy(plain)

    @value.setter
    def value(self, value: Any) -> None:
        self.load_data(value)

    def _plain(self) -> Any:
        if self._value is NotSet or self._value is None:
            return self._value
        out = {}
        for key, child in self._elements.items():
            plain = child._plain()
            if plain is not NotSet:
                out[key] = plain
        return out

    def _check(self, raw: Any, path: str, errors: List[str]) -> Any:
        if not isinstance(raw, dict):
            return self._type_error(raw, path, errors)
        if not raw and not self.required and self.default is None:
            return None
        declared = self._declared()
        out = check_children(declared, raw, path, errors)
        strict = self.additional_elements is False
        for key, value in raw.items():
            if key in declared:
                continue
            if not strict:
                out[key] = copy.deepcopy(value)
            elif self._ignore_unknown:
                log.warning("%s: ignoring unknown config key %r", path or self._name, key)
            else:
                errors.append(
                    "{}: unknown field (expected one of: {})".format(
                        join_path(path, key), ", ".join(declared) or "no fields"
                    )
                )
        return out

    def _apply(self, value: Any) -> None:
        for key in self._free_keys:
            del self._elements[key]
        self._free_keys = []
        self._value = value
        data = value if isinstance(value, dict) else {}
        for key, child in self._elements.items():
            child._apply(data.get(key, NotSet))
        for key, item in data.items():
            if key not in self._elements:
                self._elements[key] = ConfigElement._raw(key, item)
                self._free_keys.append(key)

    def _export(self) -> Dict[str, Any]:
        out = super()._export()
        properties, required, branches = build_properties(self._declared())
        out["properties"] = properties
        out["additionalElements"] = self.additional_elements
        out["required"] = required
        if branches:
            out["allOf"] = branches
        out["x-collapsible"] = self.collapsible
        out["x-defaultCollapsed"] = self.default_collapsed
        return out
