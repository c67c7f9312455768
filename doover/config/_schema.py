"""``Schema``: an app's configuration, declared as a class, exported as JSON Schema, loaded per instance."""

import copy
import threading
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple, Type, TypeVar

from ..exceptions import ConfigError, ConfigSchemaError
from ._conditions import build_properties
from ._containers import check_children
from ._element import ConfigElement
from ._file import write_app_entry_key
from ._jsonvalue import describe
from ._keys import RESERVED_NAMES, NotSet

__all__ = ["Schema", "ApplicationConfig", "JSON_SCHEMA_DIALECT"]

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

S = TypeVar("S", bound="Schema")


class Schema:
    """An application's deployment configuration.

    Subclass it and declare fields as class attributes::

        class PumpConfig(config.Schema, name="Pump Config"):
            pin = config.Integer("Output Pin", minimum=0, maximum=7)
            flow = config.Number("Flow Rate", default=10.0)

    The class keywords ``name`` (root ``title``, default ``"$default"``) and ``advanced``
    (root ``x-advanced``) are optional. Fields are collected when the class is created:
    inherited ones first, then the class's own; an own field with the key of an inherited one
    replaces it in place.

    Each *instance* owns deep copies of the fields, so values never leak between instances:
    ``cfg = PumpConfig.from_dict(data)`` (or ``PumpConfig().load(data)``) validates and loads a
    deployment config; ``cfg.pin.value`` reads a value. Keys the schema does not declare (the
    platform's ``APP_KEY``, ``APP_DISPLAY_NAME``, ...) are kept and readable as
    ``cfg.APP_DISPLAY_NAME.value`` or ``cfg.lookup("APP_DISPLAY_NAME")``.

    Parts of doover call these methods through the class (``Schema.lookup(cfg, key)``), so a
    field declared under the attribute name ``load`` or ``lookup`` does not break them.
    """

    _fields: Dict[str, ConfigElement] = {}
    _attr_to_key: Dict[str, str] = {}
    _schema_name = "$default"
    _advanced: Optional[bool] = None

    def __init_subclass__(cls, name: str = "$default", advanced: Optional[bool] = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._schema_name = name
        cls._advanced = advanced
        if not isinstance(cls.__dict__.get("name"), ConfigElement):
            cls.name = name
        fields: Dict[str, ConfigElement] = {}
        attrs: Dict[str, str] = {}
        for base in cls.__mro__[1:]:
            if base is Schema or not (isinstance(base, type) and issubclass(base, Schema)):
                continue
            for key, element in base.__dict__.get("_fields", {}).items():
                fields.setdefault(key, element)
            for attr, key in base.__dict__.get("_attr_to_key", {}).items():
                attrs.setdefault(attr, key)
        own = [(attr, value) for attr, value in cls.__dict__.items() if isinstance(value, ConfigElement)]
        for attr, _ in own:
            if attr in RESERVED_NAMES:
                raise ConfigSchemaError(
                    "{}: config element attribute name {!r} is reserved; choose another".format(
                        cls.__name__, attr
                    )
                )
        memo = {id(element): element for element in fields.values()}
        copies = copy.deepcopy([value for _, value in own], memo)
        for (attr, _), element in zip(own, copies):
            key = element._name
            if key in fields:
                if element._position is None:
                    element._position = fields[key]._position
            elif element._position is None:
                element._position = len(fields)
            fields[key] = element
            attrs[attr] = key
            setattr(cls, attr, element)
        cls._fields = fields
        cls._attr_to_key = attrs

    # ------------------------------------------------------------------ class-level declaration

    @classmethod
    def add_element(cls, element: ConfigElement) -> None:
        """Add a field to the class after creation (next position; a duplicate key raises)."""
        if not isinstance(element, ConfigElement):
            raise ConfigSchemaError("add_element takes a config element, got {!r}".format(element))
        fields = cls.__dict__.get("_fields")
        if fields is None:  # the bare Schema class
            fields = cls._fields = {}
        if element._name in fields:
            raise ConfigSchemaError("{}: duplicate element key {!r}".format(cls.__name__, element._name))
        if element._position is None:
            element._position = len(fields)
        fields[element._name] = element

    @classmethod
    def clear_elements(cls) -> None:
        """Remove every declared field from the class (instances made afterwards have none)."""
        cls._fields = {}
        cls._attr_to_key = {}

    # ------------------------------------------------------------------ export

    @classmethod
    def to_schema(cls) -> Dict[str, Any]:
        """The JSON Schema (draft 2020-12) of this configuration, as a dict."""
        properties, required, branches = build_properties(cls._fields)
        out: Dict[str, Any] = {
            "$schema": JSON_SCHEMA_DIALECT,
            "$id": "",
            "title": cls._schema_name,
            "type": "object",
            "properties": properties,
            "additionalElements": True,
            "required": required,
        }
        if branches:
            out["allOf"] = branches
        if cls._advanced is not None:
            out["x-advanced"] = cls._advanced
        return out

    @classmethod
    def export(cls, fp: Any, app_name: str) -> None:
        """Write :meth:`to_schema` to ``doover_config.json`` as ``[app_name]["config_schema"]``.

        Other apps' entries and the entry's other keys are kept; a missing file is created.
        """
        write_app_entry_key(fp, app_name, "config_schema", cls.to_schema())

    # ------------------------------------------------------------------ instance state

    def __init__(self) -> None:
        Schema._state(self)

    def _state(self) -> Dict[str, ConfigElement]:
        state = self.__dict__
        elements = state.get("_elements")
        if elements is None:
            cls = type(self)
            elements = copy.deepcopy(cls._fields)
            state["_elements"] = elements
            state["_extras"] = {}
            state["_config_lock"] = threading.RLock()
            for attr, key in cls._attr_to_key.items():
                if key in elements:
                    state[attr] = elements[key]
        return elements

    def __deepcopy__(self, memo: Dict[int, Any]) -> "Schema":
        Schema._state(self)
        new = object.__new__(type(self))
        memo[id(self)] = new
        for attr, value in self.__dict__.items():
            if attr == "_config_lock":
                new.__dict__[attr] = threading.RLock()
            else:
                new.__dict__[attr] = copy.deepcopy(value, memo)
        return new

    @property
    def _element_map(self) -> Dict[str, ConfigElement]:
        """This instance's fields by key (the platform SDK's name for the field map)."""
        return Schema._state(self)

    def __getattr__(self, name: str) -> Any:
        if not name.startswith("_"):
            extras = self.__dict__.get("_extras")
            if extras and name in extras:
                return extras[name]
        raise AttributeError("{!r} object has no attribute {!r}".format(type(self).__name__, name))

    @property
    def elements(self) -> Dict[str, ConfigElement]:
        """This instance's declared fields, JSON key -> element, in declaration order."""
        return dict(Schema._state(self))

    def element_by_attribute(self, attr: str) -> ConfigElement:
        """This instance's field declared under the Python attribute ``attr`` (``KeyError`` if none)."""
        elements = Schema._state(self)
        key = type(self)._attr_to_key.get(attr)
        if key is None or key not in elements:
            raise KeyError(attr)
        return elements[key]

    def iter_fields(self) -> Iterator[Tuple[Optional[str], str, ConfigElement]]:
        """Yield ``(attribute name or None, JSON key, element)`` for each declared field."""
        elements = Schema._state(self)
        by_key: Dict[str, str] = {}
        for attr, key in type(self)._attr_to_key.items():
            by_key.setdefault(key, attr)
        for key, element in elements.items():
            yield by_key.get(key), key, element

    @property
    def extra_values(self) -> Dict[str, Any]:
        """Loaded keys the schema does not declare (platform keys such as ``APP_KEY``), as JSON data."""
        Schema._state(self)
        return {key: copy.deepcopy(element._value) for key, element in self._extras.items()}

    # ------------------------------------------------------------------ loading

    @classmethod
    def from_dict(cls: Type[S], data: Optional[Mapping[str, Any]]) -> S:
        """A new instance loaded with ``data`` (see :meth:`load`)."""
        instance = cls()
        Schema.load(instance, data)
        return instance

    def load(self: S, data: Optional[Mapping[str, Any]]) -> S:
        """Validate ``data`` (a flat deployment config) and make it this instance's values.

        Every problem is collected and raised at once as one
        :class:`~doover.exceptions.ConfigError` whose ``errors`` name each path; then nothing
        is changed. On success every field is reset: present keys are loaded, missing or
        ``null`` optional keys take their default, skipped conditional fields are unset, and
        undeclared keys replace the previous ones. Returns ``self``.
        """
        elements = Schema._state(self)
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            raise ConfigError(["(root): expected object, got {}".format(describe(data))])
        errors: List[str] = []
        checked = check_children(elements, data, "", errors)
        if errors:
            raise ConfigError(errors)
        extras = {
            key: ConfigElement._raw(key, copy.deepcopy(value))
            for key, value in data.items()
            if key not in elements
        }
        with self._config_lock:
            for key, element in elements.items():
                element._apply(checked.get(key, NotSet))
            self.__dict__["_extras"] = extras
        return self

    def _inject_deployment_config(self, data: Optional[Mapping[str, Any]]) -> None:
        """Load a deployment config (the name the platform's SDK and apps' tests use)."""
        Schema.load(self, data)

    # ------------------------------------------------------------------ reading

    def to_dict(self) -> Dict[str, Any]:
        """The loaded configuration as plain JSON data (defaults filled in, extra keys kept)."""
        elements = Schema._state(self)
        with self._config_lock:
            out: Dict[str, Any] = {}
            for key, element in elements.items():
                plain = element._plain()
                if plain is not NotSet:
                    out[key] = plain
            for key, element in self._extras.items():
                out[key] = element._value
            return copy.deepcopy(out)

    def lookup(self, key: str) -> Any:
        """The loaded JSON value stored under ``key``.

        ``key`` is a field's JSON key or an undeclared loaded key (``APP_KEY``); failing those,
        the Python attribute name of a declared field. The result is plain JSON data (an Enum
        field gives its string, an Array a list). Raises ``KeyError`` if the key is unknown or
        has no value.
        """
        elements = Schema._state(self)
        element = elements.get(key)
        if element is None:
            element = self._extras.get(key)
        if element is None:
            attr_key = type(self)._attr_to_key.get(key)
            element = elements.get(attr_key) if attr_key is not None else None
        if element is None:
            raise KeyError(key)
        plain = element._plain()
        if plain is NotSet:
            if element.default is None:
                return None
            raise KeyError(key)
        return copy.deepcopy(plain)

    def __repr__(self) -> str:
        return "<{} {}>".format(type(self).__name__, list(Schema._state(self)))


#: The name older apps use for :class:`Schema`.
ApplicationConfig = Schema
