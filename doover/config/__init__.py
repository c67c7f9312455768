"""Application configuration: typed schemas, validation on load, JSON Schema export.

An app declares its deployment configuration as a :class:`Schema` subclass whose class
attributes are elements (:class:`Integer`, :class:`String`, :class:`Object`, ...). The
platform renders a form from the exported JSON Schema (:meth:`Schema.to_schema`,
:meth:`Schema.export`) and hands the filled values back at run time, where
:meth:`Schema.load` validates them and fills *this instance's* values::

    from doover import config

    class PumpConfig(config.Schema, name="Pump Config"):
        pin = config.Integer("Output Pin", minimum=0, maximum=7)
        flow = config.Number("Flow Rate", default=10.0)

    cfg = PumpConfig.from_dict({"output_pin": 3})
    cfg.pin.value, cfg.flow.value        # (3, 10.0)

``sanitize_display_name`` and ``KEY_VALIDATOR`` are the platform SDK's names for the key
rules (:func:`key_from_display_name`, :func:`check_key`). See ``docs/config.md``.
"""

from ._conditions import (
    AllOf,
    Comparator,
    Condition,
    all_of,
    equal,
    greater_than,
    greater_than_or_equal,
    less_than,
    less_than_or_equal,
    not_equal,
    one_of,
)
from ._containers import Array, Object
from ._element import ConfigElement
from ._keys import RESERVED_NAMES, NotSet, Variable, check_key, key_from_display_name
from ._refs import (
    Application,
    ApplicationCockpitVisible,
    ApplicationDefaultOpen,
    ApplicationFullWidth,
    ApplicationInstall,
    ApplicationInterpreterHidden,
    ApplicationPosition,
    Device,
    DevicesConfig,
    Group,
    GroupsConfig,
    LLMAPIKey,
    TagRef,
)
from ._scalars import Boolean, DateTime, Enum, Integer, Number, String
from ._schema import JSON_SCHEMA_DIALECT, ApplicationConfig, Schema
from ._sdknames import KEY_VALIDATOR, sanitize_display_name

__all__ = [
    "AllOf",
    "Application",
    "ApplicationCockpitVisible",
    "ApplicationConfig",
    "ApplicationDefaultOpen",
    "ApplicationFullWidth",
    "ApplicationInstall",
    "ApplicationInterpreterHidden",
    "ApplicationPosition",
    "Array",
    "Boolean",
    "Comparator",
    "Condition",
    "ConfigElement",
    "DateTime",
    "Device",
    "DevicesConfig",
    "Enum",
    "Group",
    "GroupsConfig",
    "Integer",
    "JSON_SCHEMA_DIALECT",
    "KEY_VALIDATOR",
    "LLMAPIKey",
    "NotSet",
    "Number",
    "Object",
    "RESERVED_NAMES",
    "Schema",
    "String",
    "TagRef",
    "Variable",
    "all_of",
    "check_key",
    "equal",
    "greater_than",
    "greater_than_or_equal",
    "key_from_display_name",
    "less_than",
    "less_than_or_equal",
    "not_equal",
    "one_of",
    "sanitize_display_name",
]
