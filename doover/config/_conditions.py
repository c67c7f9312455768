"""Conditional fields: ``config.equal(controller, value)`` (and the other comparisons, and
``config.all_of``) and how they are exported and checked."""

import enum as _enum
import operator
from typing import Any, Callable, Dict, List, Mapping, Tuple, Union

from ..exceptions import ConfigSchemaError
from ._jsonvalue import is_number, json_equal
from ._keys import NotSet, Variable

__all__ = [
    "Comparator",
    "Condition",
    "AllOf",
    "equal",
    "not_equal",
    "one_of",
    "greater_than",
    "greater_than_or_equal",
    "less_than",
    "less_than_or_equal",
    "all_of",
]


class Comparator(_enum.Enum):
    """How a condition compares the controller's value with the condition's value."""

    EQUAL = "equal"
    NOT_EQUAL = "not_equal"
    ONE_OF = "one_of"
    GREATER_THAN = "greater_than"
    GREATER_THAN_OR_EQUAL = "greater_than_or_equal"
    LESS_THAN = "less_than"
    LESS_THAN_OR_EQUAL = "less_than_or_equal"


def _numeric(op: Callable[[Any, Any], bool], keyword: str) -> Tuple[Callable[[Any, Any], bool], Callable[[Any], Any]]:
    # JSON Schema's numeric keywords let non-numbers pass, so the exported check pins the type
    def check(actual: Any, value: Any) -> bool:
        return is_number(actual) and op(actual, value)

    return check, lambda value: {"type": "number", keyword: value}


#: comparator -> (check of a loaded value, the JSON Schema the controller must match)
_COMPARATORS: Dict[Comparator, Tuple[Callable[[Any, Any], bool], Callable[[Any], Any]]] = {
    Comparator.EQUAL: (json_equal, lambda value: {"const": value}),
    Comparator.NOT_EQUAL: (lambda actual, value: not json_equal(actual, value), lambda value: {"not": {"const": value}}),
    Comparator.ONE_OF: (lambda actual, values: any(json_equal(actual, v) for v in values),
                        lambda values: {"enum": list(values)}),
    Comparator.GREATER_THAN: _numeric(operator.gt, "exclusiveMinimum"),
    Comparator.GREATER_THAN_OR_EQUAL: _numeric(operator.ge, "minimum"),
    Comparator.LESS_THAN: _numeric(operator.lt, "exclusiveMaximum"),
    Comparator.LESS_THAN_OR_EQUAL: _numeric(operator.le, "maximum"),
}


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


class AllOf:
    """Show an element only when every one of several conditions holds (build it with
    :func:`all_of`). Immutable; equal when the conditions are equal, in order."""

    __slots__ = ("conditions",)

    def __init__(self, conditions: Tuple[Condition, ...]) -> None:
        object.__setattr__(self, "conditions", tuple(conditions))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("AllOf is immutable")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AllOf):
            return NotImplemented
        return len(self.conditions) == len(other.conditions) and all(
            a == b for a, b in zip(self.conditions, other.conditions))

    def __hash__(self) -> int:
        return hash(tuple(hash(c) for c in self.conditions))

    def __repr__(self) -> str:
        return "AllOf({})".format(", ".join(repr(c) for c in self.conditions))

    def __deepcopy__(self, memo):
        import copy

        return AllOf(tuple(copy.deepcopy(c, memo) for c in self.conditions))

    def __reduce__(self):
        return (AllOf, (self.conditions,))


def equal(element: Any, value: Any) -> Condition:
    """Condition: the controller ``element`` (a sibling element or its JSON key) equals ``value``.

    A Python ``Enum`` member as ``value`` is compared as ``str(member.value)``.
    """
    return Condition(element, Comparator.EQUAL, value)


def not_equal(element: Any, value: Any) -> Condition:
    """Condition: the controller's value is not ``value`` (exported as ``not: {const}``)."""
    return Condition(element, Comparator.NOT_EQUAL, value)


def one_of(element: Any, values: Any) -> Condition:
    """Condition: the controller's value is one of ``values`` (exported as ``enum``)."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise ConfigSchemaError("one_of: values must be a list of values, got {!r}".format(values))
    return Condition(element, Comparator.ONE_OF, tuple(values))


def _numeric_condition(comparator: Comparator, element: Any, value: Any) -> Condition:
    if not is_number(value):
        raise ConfigSchemaError("{}: value must be a number, got {!r}".format(comparator.value, value))
    return Condition(element, comparator, value)


def greater_than(element: Any, value: float) -> Condition:
    """Condition: the controller's value is a number above ``value`` (``exclusiveMinimum``)."""
    return _numeric_condition(Comparator.GREATER_THAN, element, value)


def greater_than_or_equal(element: Any, value: float) -> Condition:
    """Condition: the controller's value is a number of at least ``value`` (``minimum``)."""
    return _numeric_condition(Comparator.GREATER_THAN_OR_EQUAL, element, value)


def less_than(element: Any, value: float) -> Condition:
    """Condition: the controller's value is a number below ``value`` (``exclusiveMaximum``)."""
    return _numeric_condition(Comparator.LESS_THAN, element, value)


def less_than_or_equal(element: Any, value: float) -> Condition:
    """Condition: the controller's value is a number of at most ``value`` (``maximum``)."""
    return _numeric_condition(Comparator.LESS_THAN_OR_EQUAL, element, value)


def as_condition(show_if: Any) -> Any:
    """``show_if`` as a Condition or AllOf: a bare (Boolean) element means ``equal(element, True)``."""
    if show_if is None or isinstance(show_if, (Condition, AllOf)):
        return show_if
    from ._element import ConfigElement

    if isinstance(show_if, ConfigElement):
        return equal(show_if, True)
    return show_if


def all_of(*conditions: Any) -> AllOf:
    """Show an element only when every condition holds; each on a different controller.

    A bare (Boolean) element stands for ``equal(element, True)``.
    """
    made = tuple(as_condition(c) for c in conditions)
    if not made or not all(isinstance(c, Condition) for c in made):
        raise ConfigSchemaError("all_of: expected one or more conditions such as config.equal(...), got {!r}".format(
            conditions))
    return AllOf(made)


def conditions_of(show_if: Union[Condition, AllOf]) -> Tuple[Condition, ...]:
    """The single conditions of a ``show_if``."""
    return show_if.conditions if isinstance(show_if, AllOf) else (show_if,)


def condition_value(value: Any) -> Any:
    """The JSON value a condition compares with (Enum members become ``str(value)``)."""
    if isinstance(value, _enum.Enum):
        return str(value.value)
    if isinstance(value, Variable):
        return str(value)
    if isinstance(value, tuple):
        return [condition_value(v) for v in value]
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


def condition_holds(show_if: Union[Condition, AllOf], siblings: Mapping[str, Any], data: Mapping) -> bool:
    """Whether ``show_if`` (every condition of it) holds for the raw ``data`` of the siblings' container.

    The controller's raw value is used; if it is absent or ``null``, its default; no
    default means the condition does not hold.
    """
    return all(_single_holds(c, siblings, data) for c in conditions_of(show_if))


def _single_holds(condition: Condition, siblings: Mapping[str, Any], data: Mapping) -> bool:
    key = controller_key(condition, siblings)
    actual = data.get(key) if isinstance(data, Mapping) else None
    if actual is None:
        actual = siblings[key].default
        if actual is NotSet:
            return False
    check = _COMPARATORS[condition.comparator][0]
    return bool(check(condition_value(actual), condition_value(condition.value)))


def check_condition(key: str, element: Any, siblings: Mapping[str, Any]) -> List[str]:
    """Check an element's ``show_if`` at export time; return its controllers' keys."""
    controllers = []
    for condition in conditions_of(element.show_if):
        controller = controller_key(condition, siblings)
        if controller == key:
            raise ConfigSchemaError("config element {!r} cannot depend on itself".format(key))
        if siblings[controller].show_if is not None:
            raise ConfigSchemaError(
                "config element {!r} cannot depend on {!r}, which is itself conditional".format(
                    key, controller
                )
            )
        if controller in controllers:
            raise ConfigSchemaError(
                "config element {!r}: all_of has two conditions on {!r}; use one condition per element".format(
                    key, controller))
        controllers.append(controller)
    return controllers


def build_properties(elements: Mapping[str, Any]) -> Tuple[Dict[str, Any], List[str], List[Any]]:
    """Export a container's children: ``(properties, required, allOf branches)``.

    A conditional child leaves ``properties``/``required`` and goes into the ``then`` of
    the branch of its condition; equal conditions share a branch, in order of first use.
    """
    properties: Dict[str, Any] = {}
    required: List[str] = []
    groups: List[Tuple[Any, List[str], List[Tuple[str, Any]]]] = []
    for key, element in elements.items():
        if element.show_if is None:
            properties[key] = element._export()
            if element.required:
                required.append(key)
            continue
        controllers = check_condition(key, element, elements)
        for group in groups:
            if group[0] == element.show_if:
                group[2].append((key, element))
                break
        else:
            groups.append((element.show_if, controllers, [(key, element)]))

    branches = []
    for show_if, controllers, members in groups:
        if_part: Dict[str, Any] = {"properties": {}}
        for condition, controller in zip(conditions_of(show_if), controllers):
            if_part["properties"][controller] = _COMPARATORS[condition.comparator][1](condition_value(condition.value))
            # "properties" also matches when the controller is absent: right only when its
            # default satisfies the condition; otherwise the controller must be present
            if not _single_holds(condition, elements, {}):
                if_part.setdefault("required", []).append(controller)
        then_part: Dict[str, Any] = {"properties": {k: e._export() for k, e in members}}
        then_required = [k for k, e in members if e.required]
        if then_required:
            then_part["required"] = then_required
        branches.append({"if": if_part, "then": then_part})
    return properties, required, branches
