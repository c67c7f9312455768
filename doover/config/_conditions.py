"""Conditional fields: ``config.equal(controller, value)`` and how it is exported and checked."""

import enum as _enum
from typing import Any, Dict, List, Mapping, Tuple

from ..exceptions import ConfigSchemaError
from ._jsonvalue import json_equal
from ._keys import NotSet, Variable

__all__ = ["Comparator", "Condition", "equal"]


class Comparator(_enum.Enum):
    """How a condition compares the controller's value. Only ``EQUAL`` exists."""

    EQUAL = "equal"


class Condition:
    """Show an element only when a sibling (the *controller*) has a given value.

    Build one with :func:`equal`. ``element`` is the controller: a sibling element object or a
    sibling's JSON key. Conditions are immutable and compare equal when controller (by
    identity, or by key string), comparator and value are equal; equal conditions share
    one ``allOf`` branch in the exported schema.
    """

    __slots__ = ("element", "comparator", "value")

    def __init__(self, element: Any, comparator: Comparator, value: Any) -> None:
        object.__setattr__(self, "element", element)
        object.__setattr__(self, "comparator", comparator)
        object.__setattr__(self, "value", value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Condition is immutable")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Condition):
            return NotImplemented
        same_controller = (
            self.element == other.element
            if isinstance(self.element, str) or isinstance(other.element, str)
            else self.element is other.element
        )
        return (
            same_controller
            and self.comparator is other.comparator
            and type(self.value) is type(other.value)
            and self.value == other.value
        )

    def __hash__(self) -> int:
        controller = self.element if isinstance(self.element, str) else id(self.element)
        return hash((controller, self.comparator))

    def __repr__(self) -> str:
        controller = (
            self.element if isinstance(self.element, str) else getattr(self.element, "_name", "?")
        )
        return "Condition({!r}, {}, {!r})".format(controller, self.comparator.name, self.value)

    def __deepcopy__(self, memo):
        import copy

        return Condition(copy.deepcopy(self.element, memo), self.comparator, self.value)

    def __reduce__(self):
        return (Condition, (self.element, self.comparator, self.value))


def equal(element: Any, value: Any) -> Condition:
    """Condition: the controller ``element`` (a sibling element or its JSON key) equals ``value``.

    A Python ``Enum`` member as ``value`` is compared as ``str(member.value)``.
    """
    return Condition(element, Comparator.EQUAL, value)


def condition_value(value: Any) -> Any:
    """The JSON value a condition compares with (Enum members become ``str(value)``)."""
    if isinstance(value, _enum.Enum):
        return str(value.value)
    if isinstance(value, Variable):
        return str(value)
    return value


def controller_key(condition: Condition, siblings: Mapping[str, Any]) -> str:
    """The JSON key of the condition's controller among ``siblings`` (key -> element)."""
    controller = condition.element
    if isinstance(controller, str):
        key = controller
    else:
        key = None
        for sibling_key, sibling in siblings.items():
            if sibling is controller:
                key = sibling_key
                break
        if key is None:
            key = getattr(controller, "_name", None)
            if key is None:
                raise TypeError(
                    "a condition's controller must be a config element or a JSON key, "
                    "got {!r}".format(controller)
                )
    if key not in siblings:
        raise ConfigSchemaError(
            "a conditional field references unknown element {!r}".format(key)
        )
    return key


def condition_holds(condition: Condition, siblings: Mapping[str, Any], data: Mapping) -> bool:
    """Whether ``condition`` holds for the raw ``data`` of the siblings' container.

    The controller's raw value is used; if it is absent or ``null``, its default; no
    default means the condition does not hold.
    """
    key = controller_key(condition, siblings)
    actual = data.get(key) if isinstance(data, Mapping) else None
    if actual is None:
        actual = siblings[key].default
        if actual is NotSet:
            return False
    return json_equal(condition_value(actual), condition_value(condition.value))


def check_condition(key: str, element: Any, siblings: Mapping[str, Any]) -> str:
    """Check an element's condition at export time; return the controller's key."""
    controller = controller_key(element.show_if, siblings)
    if controller == key:
        raise ConfigSchemaError("config element {!r} cannot depend on itself".format(key))
    if siblings[controller].show_if is not None:
        raise ConfigSchemaError(
            "config element {!r} cannot depend on {!r}, which is itself conditional".format(
                key, controller
            )
        )
    return controller


def build_properties(elements: Mapping[str, Any]) -> Tuple[Dict[str, Any], List[str], List[Any]]:
    """Export a container's children: ``(properties, required, allOf branches)``.

    A conditional child leaves ``properties``/``required`` and goes into the ``then`` of
    the branch of its condition; equal conditions share a branch, in order of first use.
    """
    properties: Dict[str, Any] = {}
    required: List[str] = []
    groups: List[Tuple[Condition, str, List[Tuple[str, Any]]]] = []
    for key, element in elements.items():
        if element.show_if is None:
            properties[key] = element._export()
            if element.required:
                required.append(key)
            continue
        controller = check_condition(key, element, elements)
        for group in groups:
            if group[0] == element.show_if:
                group[2].append((key, element))
                break
        else:
            groups.append((element.show_if, controller, [(key, element)]))

    branches = []
    for condition, controller, members in groups:
        value = condition_value(condition.value)
        if_part: Dict[str, Any] = {"properties": {controller: {"const": value}}}
        if not condition_holds(condition, elements, {}):
            if_part["required"] = [controller]
        then_part: Dict[str, Any] = {"properties": {k: e._export() for k, e in members}}
        then_required = [k for k, e in members if e.required]
        if then_required:
            then_part["required"] = then_required
        branches.append({"if": if_part, "then": then_part})
    return properties, required, branches
