"""Exported JSON of every element kind, compared exactly with the reference's verified samples (§2.3-2.5)."""

import enum
import json

import pytest

from doover import config
from doover.exceptions import ConfigSchemaError


class Mode(enum.Enum):
    AUTO = "Automatic"
    MANUAL = "Manual"


class Kinds(config.Schema):
    item_count = config.Integer("Item Count", default=10, minimum=0, maximum=100, description="How many")
    req_int = config.Integer("Req Int")
    some_number = config.Number("Some Number!", default=1.5, exclusive_minimum=0, multiple_of=0.5)
    flag = config.Boolean("Flag", default=True, hidden=True, deprecated=True, advanced=True)
    name_str = config.String("Name (Str)", default="x", length=20, pattern="^a")
    when = config.DateTime("When")
    filler = config.Boolean("Filler", default=False)
    arr = config.Array("Arr", element=config.Integer("Elem"), min_items=1, max_items=3, unique_items=True)
    opt = config.String("Opt", default=None)


def test_integer_with_default_and_bounds_exports_reference_sample():
    assert Kinds.to_schema()["properties"]["item_count"] == {
        "title": "Item Count", "x-name": "item_count", "x-hidden": False,
        "type": ["integer", "null"], "x-required": False, "description": "How many",
        "default": 10, "x-position": 0, "minimum": 0, "maximum": 100,
    }


def test_required_integer_exports_reference_sample():
    assert Kinds.to_schema()["properties"]["req_int"] == {
        "title": "Req Int", "x-name": "req_int", "x-hidden": False,
        "type": "integer", "x-required": True, "x-position": 1,
    }


def test_number_exports_reference_sample():
    assert Kinds.to_schema()["properties"]["some_number"] == {
        "title": "Some Number!", "x-name": "some_number", "x-hidden": False,
        "type": ["number", "null"], "x-required": False, "default": 1.5, "x-position": 2,
        "exclusiveMinimum": 0, "multipleOf": 0.5,
    }


def test_boolean_hidden_deprecated_advanced_exports_reference_sample():
    assert Kinds.to_schema()["properties"]["flag"] == {
        "title": "Flag", "x-name": "flag", "x-hidden": True, "type": ["boolean", "null"],
        "x-required": False, "default": True, "x-position": 3, "deprecated": True, "x-advanced": True,
    }


def test_string_length_and_pattern_export_reference_sample():
    assert Kinds.to_schema()["properties"]["name_str"] == {
        "title": "Name (Str)", "x-name": "name_str", "x-hidden": False,
        "type": ["string", "null"], "x-required": False, "default": "x", "x-position": 4,
        "length": 20, "pattern": "^a",
    }


def test_required_datetime_exports_reference_sample():
    assert Kinds.to_schema()["properties"]["when"] == {
        "title": "When", "x-name": "when", "x-hidden": False, "type": "string",
        "x-required": True, "x-position": 5, "format": "date-time",
    }


def test_datetime_format_option_is_overridden_in_place():
    exported = config.DateTime("At", format="custom")._export()
    assert list(exported) == ["title", "x-name", "x-hidden", "format", "type", "x-required"]
    assert exported["format"] == "date-time"


def test_array_of_required_integers_exports_reference_sample():
    assert Kinds.to_schema()["properties"]["arr"] == {
        "title": "Arr", "x-name": "arr", "x-hidden": False, "type": "array",
        "x-required": True, "x-position": 7,
        "items": {"title": "Elem", "x-name": "elem", "x-hidden": False, "type": "integer", "x-required": True},
        "minItems": 1, "maxItems": 3, "uniqueItems": True,
    }


def test_optional_string_with_none_default_exports_reference_sample():
    assert Kinds.to_schema()["properties"]["opt"] == {
        "title": "Opt", "x-name": "opt", "x-hidden": False, "type": ["string", "null"],
        "x-required": False, "default": None, "x-position": 8,
    }


def test_key_order_of_every_property_follows_the_reference():
    # (format comes before type when set explicitly; DateTime appends it: tested below)
    for prop in Kinds.to_schema()["properties"].values():
        order = ["title", "x-name", "x-hidden", "type", "x-required", "description",
                 "default", "x-position", "deprecated", "x-advanced"]
        common = [k for k in prop if k in order]
        assert common == sorted(common, key=order.index)


class EnumSchema(config.Schema):
    mode = config.Enum("Mode", choices=Mode, default=Mode.AUTO)
    labels = config.Enum("Labels", choices=["a", "b"], default=config.NotSet)
    ints = config.Enum("Ints", choices=[1, 2], default=1)
    floats = config.Enum("Floats", choices=[0.5, 1.5], default=0.5)


def test_optional_python_enum_exports_reference_sample_plus_null_choice():
    expected = {
        "enum": ["Automatic", "Manual"], "title": "Mode", "x-name": "mode", "x-hidden": False,
        "type": ["string", "null"], "x-required": False, "default": "Automatic", "x-position": 0,
    }
    expected["enum"].append(None)  # deliberate fix: the reference's optional enum rejects null
    assert EnumSchema.to_schema()["properties"]["mode"] == expected


def test_required_enum_keeps_reference_shape_without_null():
    assert EnumSchema.to_schema()["properties"]["labels"] == {
        "enum": ["a", "b"], "title": "Labels", "x-name": "labels", "x-hidden": False,
        "type": "string", "x-required": True, "x-position": 1,
    }


def test_int_enum_gets_an_integer_type_where_the_reference_emits_none():
    # deliberate fixes: a type is emitted, and null is a valid choice of the optional enum
    expected = {"enum": [1, 2, None], "title": "Ints", "x-name": "ints", "x-hidden": False,
                "type": ["integer", "null"], "x-required": False, "default": 1, "x-position": 2}
    assert EnumSchema.to_schema()["properties"]["ints"] == expected


def test_float_enum_is_a_number_enum():
    assert EnumSchema.to_schema()["properties"]["floats"]["type"] == ["number", "null"]


@pytest.mark.parametrize(
    "choices, kind",
    [([1, 2.5], "number"), ([True, False], "boolean"), (["a", 1], ["string", "integer"]), ([], "string")],
)
def test_enum_type_is_derived_from_the_choices(choices, kind):
    assert config.Enum("E", choices=choices, default=config.NotSet)._export().get("type") == kind


def test_optional_enum_accepts_null_in_a_standard_validator(instance_errors):
    document = EnumSchema.to_schema()
    assert instance_errors(document, {"labels": "a", "mode": None, "ints": None}) == []
    assert instance_errors(document, {"labels": "c"}) == ["'c' is not one of ['a', 'b']"]


def test_python_enum_choices_are_str_of_member_values():
    class Level(enum.Enum):
        LOW = 1
        HIGH = 2

    element = config.Enum("Level", choices=Level, default=Level.HIGH)
    assert element.choices == ["1", "2"]
    assert element.default == "2"


def test_enum_default_outside_the_choices_raises():
    with pytest.raises(ConfigSchemaError, match="'e': default must be one of the choices"):
        config.Enum("E", choices=["a"], default="b")


def test_enum_without_default_keyword_is_a_type_error():
    with pytest.raises(TypeError):
        config.Enum("E", choices=["a"])


def test_variable_default_exports_its_string():
    class Cfg(config.Schema):
        a = config.Integer("A", default=0)
        b = config.Integer("B", default=0)
        di = config.Integer("DI Count", default=config.Variable("device", "digitalInputCount"))

    assert Cfg.to_schema()["properties"]["di_count"] == {
        "title": "DI Count", "x-name": "di_count", "x-hidden": False,
        "type": ["integer", "null"], "x-required": False,
        "default": "$device.digitalinputcount", "x-position": 2,
    }


def test_free_object_exports_reference_sample():
    class Cfg(config.Schema):
        a = config.Integer("A")
        free = config.Object("Free", additional_elements=False, collapsible=False)

    assert Cfg.to_schema()["properties"]["free"] == {
        "title": "Free", "x-name": "free", "x-hidden": False, "type": "object",
        "x-required": True, "x-position": 1, "properties": {}, "additionalElements": False,
        "required": [], "x-collapsible": False, "x-defaultCollapsed": False,
    }


def test_object_additional_elements_dict_is_exported_verbatim():
    exported = config.Object("O", additional_elements={"type": "string"})._export()
    assert exported["additionalElements"] == {"type": "string"}


def test_default_collapsed_without_collapsible_raises():
    with pytest.raises(ConfigSchemaError, match="default_collapsed"):
        config.Object("O", collapsible=False, default_collapsed=True)


def test_array_without_element_has_an_untyped_item_template():
    exported = config.Array("Anything")._export()
    # deliberate fix: the reference emits "type": "unknown", which is not valid JSON Schema
    assert exported["items"] == {"title": "unknown", "x-name": "unknown", "x-hidden": False, "x-required": True}


def test_reference_format_elements_export_reference_samples():
    assert config.Application()._export() == {
        "title": "Application", "x-name": "application", "x-hidden": False,
        "format": "doover-resource-application", "type": "string", "x-required": True,
        "description": "Application",
    }
    assert config.ApplicationInstall()._export() == {
        "title": "ApplicationInstall", "x-name": "applicationinstall", "x-hidden": False,
        "format": "doover-application", "type": "string", "x-required": True,
        "description": "Application Installation",
    }
    assert config.Device()._export() == {
        "title": "Device", "x-name": "device", "x-hidden": False, "format": "doover-resource-device",
        "type": "string", "x-required": True, "description": "Device ID", "pattern": "\\d+",
    }
    assert config.Group()._export() == {
        "title": "Group", "x-name": "group", "x-hidden": False, "format": "doover-resource-group",
        "type": "string", "x-required": True, "description": "Group ID", "pattern": "\\d+",
    }


def test_device_and_group_lists():
    devices = config.DevicesConfig()._export()
    assert (devices["x-name"], devices["type"], devices["description"]) == (
        "devices", "array", "List of devices to grant permissions to.")
    assert devices["items"]["format"] == "doover-resource-device"
    groups = config.GroupsConfig()._export()
    assert (groups["x-name"], groups["description"], groups["items"]["x-name"]) == (
        "groups", "List of groups to grant permissions to.", "group")


def test_app_placement_elements_have_fixed_keys_and_presets():
    position = config.ApplicationPosition()._export()
    assert {k: position[k] for k in ("title", "x-name", "x-hidden", "type", "x-required", "default", "minimum")} == {
        "title": "Position", "x-name": "dv_app_position", "x-hidden": True,
        "type": ["integer", "null"], "x-required": False, "default": 100, "minimum": 0}
    default_open = config.ApplicationDefaultOpen()._export()
    assert (default_open["x-name"], default_open["type"], default_open["default"], default_open["x-hidden"]) == (
        "dv_app_default_open", ["boolean", "null"], None, True)
    for cls, key, title in (
        (config.ApplicationInterpreterHidden, "interpreter_hidden", "Interpreter Hidden"),
        (config.ApplicationFullWidth, "interpreter_full_width", "Full Width"),
        (config.ApplicationCockpitVisible, "cockpit_visible", "Cockpit Visible"),
    ):
        exported = cls()._export()
        assert (exported["title"], exported["x-name"], exported["default"], exported["x-advanced"],
                exported["x-hidden"]) == (title, key, False, True, False)


def test_fixed_keywords_cannot_be_passed_again():
    with pytest.raises(TypeError):
        config.ApplicationPosition(hidden=False)
    with pytest.raises(TypeError):
        config.ApplicationInterpreterHidden(advanced=False)
    with pytest.raises(TypeError):
        config.LLMAPIKey(default="x")


def test_llm_api_key_forces_its_key():
    exported = config.LLMAPIKey(name="ignored")._export()
    assert (exported["x-name"], exported["x-hidden"], exported["default"]) == ("dv-llm-api-key", True, "placeholder")


def test_tag_ref_exports_four_children_and_its_format():
    exported = config.TagRef("Ref", default=None, required=False)._export()
    assert exported["format"] == "doover-tag-reference"
    assert exported["type"] == ["object", "null"]
    assert exported["description"] == "Reference to a tag in another application."
    assert list(exported["properties"]) == ["reference_name", "agent_id", "app_name", "tag_name"]
    assert exported["required"] == ["reference_name", "app_name", "tag_name"]
    assert [p["x-position"] for p in exported["properties"].values()] == [1, 2, 3, 4]
    assert exported["properties"]["agent_id"]["type"] == ["string", "null"]
    assert exported["properties"]["app_name"]["format"] == "doover-application"


def test_conditional_fields_export_the_reference_allof_sample():
    class Cfg(config.Schema):
        a = config.Integer("A", default=0)
        b = config.Integer("B", default=0)
        c = config.Integer("C", default=0)
        d = config.Integer("D", default=0)
        e = config.Integer("E", default=0)
        enabled = config.Boolean("Enabled", default=False)
        hostname = config.String("Hostname", default="localhost", show_if=config.equal(enabled, True))
        port = config.Integer("Port", show_if=config.equal(enabled, True))

    document = Cfg.to_schema()
    assert "hostname" not in document["properties"] and "port" not in document["properties"]
    assert document["required"] == []
    assert document["allOf"] == [
        {"if": {"properties": {"enabled": {"const": True}}, "required": ["enabled"]},
         "then": {"properties": {
             "hostname": {"title": "Hostname", "x-name": "hostname", "x-hidden": False,
                          "type": ["string", "null"], "x-required": False,
                          "default": "localhost", "x-position": 6},
             "port": {"title": "Port", "x-name": "port", "x-hidden": False,
                      "type": "integer", "x-required": True, "x-position": 7}},
             "required": ["port"]}},
    ]


def test_condition_satisfied_by_the_controller_default_has_no_if_required():
    class Cfg(config.Schema):
        mode = config.Enum("Mode", choices=Mode, default=Mode.AUTO)
        speed = config.Integer("Speed", default=1, show_if=config.equal("mode", "Automatic"))

    assert Cfg.to_schema()["allOf"] == [
        {"if": {"properties": {"mode": {"const": "Automatic"}}},
         "then": {"properties": {"speed": {"title": "Speed", "x-name": "speed", "x-hidden": False,
                                           "type": ["integer", "null"], "x-required": False,
                                           "default": 1, "x-position": 1}}}},
    ]


def test_condition_by_element_and_by_key_make_separate_branches_in_first_use_order():
    class Cfg(config.Schema):
        on = config.Boolean("On")
        x = config.Integer("X", default=1, show_if=config.equal(on, True))
        y = config.Integer("Y", default=1, show_if=config.equal("on", True))
        z = config.Integer("Z", default=1, show_if=config.equal(on, True))

    branches = Cfg.to_schema()["allOf"]
    assert [list(b["then"]["properties"]) for b in branches] == [["x", "z"], ["y"]]


def test_condition_on_a_later_field_by_key_string_works():
    class Cfg(config.Schema):
        x = config.Integer("X", default=1, show_if=config.equal("later", "go"))
        later = config.String("Later", default="stop")

    assert Cfg.to_schema()["allOf"][0]["if"] == {"properties": {"later": {"const": "go"}}, "required": ["later"]}


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"x": config.Integer("X", default=1, show_if=config.equal("x", 1))}, "'x' cannot depend on itself"),
        ({"x": config.Integer("X", default=1, show_if=config.equal("nope", 1))}, "unknown element 'nope'"),
        ({"a": config.Boolean("A", default=True),
          "b": config.Boolean("B", default=True, show_if=config.equal("a", True)),
          "c": config.Integer("C", default=1, show_if=config.equal("b", True))}, "which is itself conditional"),
    ],
)
def test_bad_conditions_raise_at_export(fields, message):
    cls = type("Cfg", (config.Schema,), dict(fields))
    with pytest.raises(ConfigSchemaError, match=message):
        cls.to_schema()


def test_show_if_must_be_a_condition():
    with pytest.raises(TypeError, match="show_if must be a condition"):
        config.Integer("X", default=1, show_if=True)


class PumpSettings(config.Object):
    output_pin = config.Integer("Output Pin", minimum=0, maximum=7)
    flow_rate = config.Number("Flow Rate", default=10.0)


class PumpConfig(config.Schema, name="Pump Config"):
    pump_mode = config.Enum("Pump Mode", choices=Mode, default=Mode.AUTO, description="How the pump operates")
    pump_settings = PumpSettings("Pump Settings", default_collapsed=True)
    sensor_ids = config.Array("Sensor IDs", element=config.String("Sensor ID"), min_items=1)
    manual_timeout = config.Number("Manual Timeout", default=30.5, show_if=config.equal(pump_mode, Mode.MANUAL))
    operator_key = config.String("Operator Key", hidden=True, show_if=config.equal(pump_mode, Mode.MANUAL))


PUMP_REFERENCE = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "",
    "title": "Pump Config",
    "type": "object",
    "properties": {
        "pump_mode": {
            "enum": ["Automatic", "Manual"],
            "title": "Pump Mode", "x-name": "pump_mode", "x-hidden": False,
            "type": ["string", "null"], "x-required": False,
            "description": "How the pump operates", "default": "Automatic", "x-position": 0,
        },
        "pump_settings": {
            "title": "Pump Settings", "x-name": "pump_settings", "x-hidden": False,
            "type": "object", "x-required": True, "x-position": 1,
            "properties": {
                "output_pin": {"title": "Output Pin", "x-name": "output_pin", "x-hidden": False,
                               "type": "integer", "x-required": True, "x-position": 1,
                               "minimum": 0, "maximum": 7},
                "flow_rate": {"title": "Flow Rate", "x-name": "flow_rate", "x-hidden": False,
                              "type": ["number", "null"], "x-required": False,
                              "default": 10.0, "x-position": 2},
            },
            "additionalElements": True,
            "required": ["output_pin"],
            "x-collapsible": True,
            "x-defaultCollapsed": True,
        },
        "sensor_ids": {
            "title": "Sensor IDs", "x-name": "sensor_ids", "x-hidden": False,
            "type": "array", "x-required": True, "x-position": 2,
            "items": {"title": "Sensor ID", "x-name": "sensor_id", "x-hidden": False,
                      "type": "string", "x-required": True},
            "minItems": 1,
        },
    },
    "additionalElements": True,
    "required": ["pump_settings", "sensor_ids"],
    "allOf": [
        {
            "if": {"properties": {"pump_mode": {"const": "Manual"}}, "required": ["pump_mode"]},
            "then": {
                "properties": {
                    "manual_timeout": {"title": "Manual Timeout", "x-name": "manual_timeout",
                                       "x-hidden": False, "type": ["number", "null"],
                                       "x-required": False, "default": 30.5, "x-position": 3},
                    "operator_key": {"title": "Operator Key", "x-name": "operator_key",
                                     "x-hidden": True, "type": "string", "x-required": True,
                                     "x-position": 4},
                },
                "required": ["operator_key"],
            },
        }
    ],
}


def test_complete_pump_schema_matches_the_reference_sample_except_the_null_enum_fix(assert_valid_json_schema):
    expected = json.loads(json.dumps(PUMP_REFERENCE))
    expected["properties"]["pump_mode"]["enum"].append(None)
    document = PumpConfig.to_schema()
    assert document == expected
    assert json.dumps(document) == json.dumps(expected)  # same key order everywhere
    assert_valid_json_schema(document)


def test_conditional_required_field_is_enforced_by_a_standard_validator_only_when_active(instance_errors):
    document = PumpConfig.to_schema()
    base = {"pump_settings": {"output_pin": 1}, "sensor_ids": ["a"]}
    assert instance_errors(document, base) == []
    assert instance_errors(document, dict(base, pump_mode="Manual")) == ["'operator_key' is a required property"]


def test_root_keywords_title_default_and_advanced():
    class Plain(config.Schema):
        x = config.Integer("X", default=1)

    class Advanced(config.Schema, advanced=False):
        pass

    assert list(Plain.to_schema()) == ["$schema", "$id", "title", "type", "properties",
                                       "additionalElements", "required"]
    assert Plain.to_schema()["title"] == "$default"
    assert Advanced.to_schema()["x-advanced"] is False
    assert config.Schema.to_schema()["properties"] == {}


def test_to_schema_works_on_an_instance_and_on_the_class_alike():
    assert PumpConfig().to_schema() == PumpConfig.to_schema()
    assert config.ApplicationConfig is config.Schema


def test_every_exported_schema_here_is_valid_json_schema(assert_valid_json_schema):
    for cls in (Kinds, EnumSchema, PumpConfig):
        assert_valid_json_schema(cls.to_schema())
