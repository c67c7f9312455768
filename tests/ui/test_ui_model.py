import json
import warnings

import pytest

from doover import config, ui
from doover.exceptions import NotSupportedError, UIError
from doover.tags import Boolean, Number, ProcessorTagManager, String, Tags


class PumpTags(Tags):
    is_working = Boolean(default=False)
    level = Number(default=0, live=True)
    mode = String()


class ExampleUI(ui.UI):
    we_working = ui.BooleanVariable("We Working?", value=PumpTags.is_working)
    send_alert = ui.Button("Send message as alert", name="send_alert", position=1)
    battery = ui.Submodule("Battery Module", children=[
        ui.FloatInput("Low Voltage Alert", default=10),
        ui.Select("Charge Mode", options=[ui.Option("Charge"), ui.Option("Discharge")], default="Charge"),
    ])


ROOT_KEYS = ["displayString", "hidden", "fullWidth", "position", "icon", "colour", "defaultOpen", "type", "name", "children"]


def test_exported_root_schema_keeps_config_lookups():
    schema = ExampleUI(None, None, None).to_schema(resolve_config=False)
    assert list(schema) == ROOT_KEYS
    assert {k: v for k, v in schema.items() if k != "children"} == {
        "displayString": "$config.app().APP_DISPLAY_NAME",
        "hidden": "$config.app().interpreter_hidden:boolean:false",
        "fullWidth": "$config.app().interpreter_full_width:boolean:false",
        "position": "$config.app().dv_app_position:number:100",
        "icon": None,
        "colour": None,
        "defaultOpen": "$config.app().dv_app_default_open:boolean",
        "type": "uiApplication",
        "name": "$config.app().APP_KEY",
    }
    assert schema["children"] == {
        "we_working": {"name": "we_working", "type": "uiVariable", "displayString": "We Working?", "showActivity": True,
                       "position": 51, "hidden": False, "varType": "bool", "currentValue": "$tag.app().is_working:boolean:false"},
        "send_alert": {"name": "send_alert", "type": "uiButton", "displayString": "Send message as alert", "position": 1,
                       "hidden": False, "currentValue": "$cmds.app().send_alert"},
        "battery_module": {
            "name": "battery_module", "type": "uiSubmodule", "displayString": "Battery Module", "showActivity": True,
            "position": 55, "hidden": False, "children": {
                "low_voltage_alert": {"name": "low_voltage_alert", "type": "uiFloatInput", "displayString": "Low Voltage Alert",
                                      "position": 53, "hidden": False, "currentValue": "$cmds.app().low_voltage_alert::10", "default": 10},
                "charge_mode": {"name": "charge_mode", "type": "uiSelect", "displayString": "Charge Mode", "position": 54,
                                "hidden": False, "currentValue": "$cmds.app().charge_mode::Charge", "default": "Charge",
                                "options": {"charge": {"name": "charge", "displayString": "Charge", "type": "uiElement"},
                                            "discharge": {"name": "discharge", "displayString": "Discharge", "type": "uiElement"}}},
            },
        },
    }


class RootConfig(config.Schema):
    app_position = config.ApplicationPosition()
    interp_hidden = config.ApplicationInterpreterHidden()
    show_extra = config.Boolean("Show Extra", default=True)


def test_runtime_schema_resolves_config_lookups_with_defaults_for_missing_keys():
    cfg = RootConfig.from_dict({"dv_app_position": 7, "APP_KEY": "pump_1", "APP_DISPLAY_NAME": "Pump Controller"})

    class Resolving(ui.UI):
        extra = ui.TextVariable("Extra", value="x", hidden="$config.app().show_extra:boolean:false")

    schema = Resolving(cfg, None, "pump_1").to_schema()
    assert {k: schema[k] for k in ROOT_KEYS[:-1]} == {
        "displayString": "Pump Controller", "hidden": False, "fullWidth": False, "position": 7, "icon": None,
        "colour": None, "defaultOpen": None, "type": "uiApplication", "name": "pump_1",
    }
    assert schema["children"]["extra"]["hidden"] is True


def test_runtime_schema_without_config_uses_the_app_key_and_string_defaults():
    schema = ExampleUI(None, None, "pump_1").to_schema()
    assert (schema["name"], schema["position"], schema["hidden"], schema["displayString"]) == ("pump_1", 100, False, None)


def test_root_fields_as_class_keywords_and_class_attributes():
    class Keywords(ui.UI, display_name="Pump", hidden="$config.app().hide_me", position=5, icon="pump", colour="blue",
                   default_open=True, full_width=True):
        pass

    class Attributes(ui.UI):
        display_name = "Tank"
        hidden = True

    class Inherited(Keywords, colour="red"):
        pass

    k = Keywords(None, None, None).to_schema(resolve_config=False)
    assert [k[f] for f in ("displayString", "hidden", "fullWidth", "position", "icon", "colour", "defaultOpen")] == [
        "Pump", "$config.app().hide_me:boolean:false", True, 5, "pump", "blue", True,
    ]
    a = Attributes(None, None, None).to_schema(resolve_config=False)
    assert (a["displayString"], a["hidden"]) == ("Tank", True)
    i = Inherited(None, None, None).to_schema(resolve_config=False)
    assert (i["displayString"], i["colour"], i["hidden"]) == ("Pump", "red", "$config.app().hide_me:boolean:false")


def test_root_string_fields_must_be_config_lookups():
    with pytest.raises(UIError, match=r"UI hidden: a string must be a \$config lookup"):
        class Bad(ui.UI, hidden="yes"):  # noqa: F841
            pass
    with pytest.raises(UIError, match=r"UI position: a string must be a \$config lookup"):
        class Bad2(ui.UI, position="top"):  # noqa: F841
            pass


def test_positions_are_deterministic_per_ui_class():
    class First(ui.UI):
        a = ui.TextVariable("A", value="1")
        b = ui.TextVariable("B", value="2")

    ui.TextVariable("Built elsewhere", value="x")  # must not shift anything

    class Second(ui.UI):
        c = ui.TextVariable("C", value="3")

    assert [e["position"] for e in First(None, None, None).to_schema()["children"].values()] == [51, 52]
    assert [e["position"] for e in Second(None, None, None).to_schema()["children"].values()] == [51]
    assert [e["position"] for e in First(None, None, None).to_schema()["children"].values()] == [51, 52]


def test_elements_added_in_setup_continue_the_numbering():
    class Dynamic(ui.UI):
        a = ui.TextVariable("A", value="1")

        def setup(self):
            self.add_element(ui.TextVariable("Added", value="2"))
            self.a.hidden = True

    first = Dynamic(None, None, None)
    first.setup()
    second = Dynamic(None, None, None)
    second.setup()
    for instance in (first, second):
        children = instance.to_schema()["children"]
        assert (children["a"]["position"], children["added"]["position"], children["a"]["hidden"]) == (51, 52, True)
    assert Dynamic.a.hidden is False
    assert Dynamic(None, None, None).is_static is False
    assert ExampleUI(None, None, None).is_static is True


def test_instances_do_not_share_elements_with_the_class_or_each_other():
    one = ExampleUI(None, None, None)
    two = ExampleUI(None, None, None)
    one.we_working.display_name = "Changed"
    one.battery.low_voltage_alert.default = 12
    one.remove_element("send_alert")
    assert two.we_working.display_name == "We Working?"
    assert two.battery.low_voltage_alert.default == 10
    assert "send_alert" in two.to_schema()["children"]
    assert "send_alert" not in one.to_schema()["children"]
    assert one.to_schema()["children"]["battery_module"]["children"]["low_voltage_alert"]["currentValue"] == "$cmds.app().low_voltage_alert::12"
    assert ExampleUI.we_working.display_name == "We Working?"


def test_get_element_and_interactions_search_nested_containers():
    instance = ExampleUI(None, None, None)
    assert instance.get_element("charge_mode").name == "charge_mode"
    assert instance.low_voltage_alert is instance.battery.low_voltage_alert
    assert list(instance.get_interactions()) == ["send_alert", "low_voltage_alert", "charge_mode"]
    with pytest.raises(KeyError):
        instance.remove_element("nope")


def test_names_are_derived_and_validated():
    assert ui.Button("Start Pump (Now!)").name == "start_pump_now"
    with pytest.raises(UIError, match=r"Button\('!!!'\): invalid name ''"):
        ui.Button("!!!")
    with pytest.raises(UIError, match=r"invalid name 'has-dash'"):
        ui.Container("C", name="has-dash")
    with pytest.raises(UIError, match="give a display name"):
        ui.Button(None)


def test_duplicate_element_names_in_a_ui_are_rejected():
    with pytest.raises(UIError, match=r"elements 'a' and 'b' share the name 'same'"):
        class Dup(ui.UI):  # noqa: F841
            a = ui.Button("Same")
            b = ui.Switch("Same")


def test_container_subclass_children_are_per_instance_copies_in_declaration_order():
    class Battery(ui.Submodule):
        voltage = ui.NumericVariable("Voltage", value=1)
        alarm = ui.Switch("Alarm")

    class WithBattery(ui.UI):
        battery = Battery("Battery")

    one = WithBattery(None, None, None)
    one.battery.voltage.hidden = True
    two = WithBattery(None, None, None)
    assert list(two.to_schema()["children"]["battery"]["children"]) == ["voltage", "alarm"]
    assert two.battery.voltage.hidden is False
    assert one.battery.voltage is not Battery.voltage


# ---------------------------------------------------------------- lookups


def test_tag_bindings_normalise_types_and_encode_defaults_as_json():
    assert ui.tag_ref("level", "integer", 0).to_lookup() == "$tag.app().level:number:0"
    assert ui.tag_ref("mode", "string", "idle").to_lookup() == '$tag.app().mode:string:"idle"'
    assert ui.tag_ref("on", "bool", True).to_lookup() == "$tag.app().on:boolean:true"
    assert ui.tag_ref("xs", "list").to_lookup() == "$tag.app().xs:array"
    assert ui.tag_ref("cfg", "dict", {"a": [1, 2]}).to_lookup() == '$tag.app().cfg:object:{"a":[1,2]}'
    assert ui.tag_ref("v", default_value=5).to_lookup() == "$tag.app().v:string:5"
    assert ui.tag_ref("voltage", "float").to_lookup() == "$tag.app().voltage:number"
    assert ui.bind_tag is ui.tag_ref


def test_declared_and_bound_tags_bind_by_runtime_name_without_app_prefix():
    tags = PumpTags("pump_1", ProcessorTagManager("pump_1"), None)
    assert ui.tag_ref(PumpTags.level).to_lookup() == "$tag.app().level:number:0"
    assert ui.tag_ref(tags.is_working).to_lookup() == "$tag.app().is_working:boolean:false"
    assert ui.tag_ref(tags.mode).to_lookup() == "$tag.app().mode:string"
    assert ui.NumericVariable("L", value=tags.level).to_dict()["live"] is True
    assert ui.tag_ref(tags.level, default_value=3).to_lookup() == "$tag.app().level:number:3"


def test_interaction_lookups_use_python_str_of_the_default():
    assert ui.Switch("S", default=True).to_dict()["currentValue"] == "$cmds.app().s::True"
    slider = ui.Slider("R", default=(30, 95)).to_dict()
    assert (slider["currentValue"], slider["default"]) == ("$cmds.app().r::(30, 95)", [30, 95])
    assert ui.Button("B", value="$cmds.app().other").to_dict()["currentValue"] == "$cmds.app().other"


def test_a_name_field_cannot_refer_to_a_tag():
    element = ui.TextVariable("T", value="x")
    element.name = ui.tag_ref("x")
    with pytest.raises(UIError, match="UI field 'name' cannot refer to a tag"):
        element.to_dict()


def test_bind_tags_checks_declared_tags_exist():
    class Other(Tags):
        unrelated = Number()

    instance = ExampleUI(None, None, None)
    with pytest.raises(UIError, match=r"we_working.value: tag 'is_working' is not declared in Other"):
        instance.bind_tags(Other("a", None, None))
    bound = ExampleUI(None, None, None).bind_tags(PumpTags("a", None, None))
    assert bound.to_schema()["children"]["we_working"]["currentValue"] == "$tag.app().is_working:boolean:false"


# ---------------------------------------------------------------- deliberate differences from the reference


def test_timestamp_precision_is_not_also_emitted_as_dec_precision():
    data = ui.Timestamp("T", value=5, precision="second").to_dict()
    assert data["precision"] == "second" and "decPrecision" not in data


def test_remote_component_copies_only_extra_keywords_verbatim():
    data = ui.RemoteComponent("R", "https://c", help_str="help", hidden=True, mode="compact").to_dict()
    assert data["helpString"] == "help" and data["hidden"] is True and data["mode"] == "compact"
    assert "help_str" not in data


def test_variable_update_sets_a_literal_or_the_bound_tag():
    manager = ProcessorTagManager("pump_1")
    tags = PumpTags("pump_1", manager, None)
    literal = ui.NumericVariable("Temperature", units="C", precision=1)
    literal.update(21.5)
    assert literal.to_dict()["currentValue"] == 21.5
    bound = ui.NumericVariable("Level", value=tags.level)
    bound.update(4)
    assert manager.get_tag("level") == 4
    assert bound.to_dict()["currentValue"] == "$tag.app().level:number:0"


# ---------------------------------------------------------------- legacy names


@pytest.mark.parametrize(
    "legacy, modern, args, kwargs",
    [
        (ui.Action, ui.Button, ("reset", "Reset"), {"colour": "red"}),
        (ui.StateCommand, ui.Select, ("mode", "Mode"), {"user_options": [ui.Option("Auto")]}),
        (ui.NumericParameter, ui.FloatInput, ("lv", "Low Voltage"), {"min_val": 0}),
    ],
)
def test_legacy_names_warn_and_build_the_modern_element(legacy, modern, args, kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        element = legacy(*args, **kwargs)
    assert [w.category for w in caught] == [DeprecationWarning]
    assert "use ui.{} instead".format(modern.__name__) in str(caught[0].message)
    assert isinstance(element, modern)
    assert (element.name, element.display_name, element.type) == (args[0], args[1], modern.type)


def test_include_time_is_a_deprecated_spelling_of_pickers():
    with pytest.warns(DeprecationWarning, match="include_time is deprecated"):
        element = ui.DatetimeInput("When", include_time=False)
    assert element.to_dict()["pickers"] == ["date"]


def test_boolean_parameter_is_not_supported():
    with pytest.raises(NotSupportedError, match="use a Switch"):
        ui.BooleanParameter("B")


# ---------------------------------------------------------------- export


def test_export_writes_ui_schema_beside_config_schema_and_keeps_other_keys(tmp_path):
    path = tmp_path / "doover_config.json"
    path.write_text(json.dumps({"pump": {"type": "DEV", "config_schema": {"x": 1}}, "other": {"keep": True}}))
    ExampleUI.export(path, "pump")
    data = json.loads(path.read_text())
    assert data["other"] == {"keep": True}
    assert data["pump"]["type"] == "DEV" and data["pump"]["config_schema"] == {"x": 1}
    assert data["pump"]["ui_schema"] == ExampleUI(None, None, None).to_schema(resolve_config=False)
    assert path.read_text().startswith('{\n    "pump": {\n        "type": "DEV"')
    ExampleUI(None, None, None).export(tmp_path / "new.json", "fresh")
    assert list(json.loads((tmp_path / "new.json").read_text())) == ["fresh"]
