"""Loading a deployment config: values, defaults, nulls, validation errors with paths."""

import enum

import pytest

from doover import config
from doover.exceptions import ConfigError


def errors_of(cls, data):
    with pytest.raises(ConfigError) as info:
        cls.from_dict(data)
    return info.value.errors


class Mode(enum.Enum):
    AUTO = "Automatic"
    MANUAL = "Manual"


class Alarm(config.Object):
    name = config.String("Name")
    threshold = config.Number("Threshold", minimum=0)
    enabled = config.Boolean("Enabled", default=True)


class App(config.Schema):
    count = config.Integer("Item Count", default=10, minimum=0, maximum=100)
    ratio = config.Number("Ratio", default=0.5, exclusive_minimum=0, exclusive_maximum=1)
    step = config.Number("Step", default=1.5, multiple_of=0.5)
    label = config.String("Label", default="x", length=5, pattern="^[a-z]+$")
    mode = config.Enum("Mode", choices=Mode, default=Mode.AUTO)
    level = config.Enum("Level", choices=["low", "high"], default="low")
    when = config.DateTime("When", default=None)
    alarms = config.Array("Alarms", element=Alarm("Alarm"), default=[], max_items=3)
    tags = config.Array("Tags", element=config.String("Tag"), default=[], unique_items=True)


def test_defaults_backfill_every_missing_key_and_values_have_the_documented_types():
    cfg = App.from_dict({})
    assert cfg.count.value == 10
    assert cfg.ratio.value == 0.5
    assert cfg.mode.value is Mode.AUTO
    assert cfg.level.value == "low"
    assert cfg.when.value is None
    assert cfg.alarms.value == [] and cfg.alarms.values == []
    assert cfg.to_dict() == {"item_count": 10, "ratio": 0.5, "step": 1.5, "label": "x", "mode": "Automatic",
                             "level": "low", "when": None, "alarms": [], "tags": []}


def test_present_values_are_loaded_and_normalised():
    cfg = App.from_dict({"item_count": 3.0, "ratio": 0.25, "step": 2, "mode": "Manual",
                         "alarms": [{"name": "hot", "threshold": 40}], "when": "2024-01-01T00:00:00Z"})
    assert cfg.count.value == 3 and type(cfg.count.value) is int
    assert cfg.step.value == 2.0 and type(cfg.step.value) is float
    assert cfg.mode.value is Mode.MANUAL
    alarm = cfg.alarms.value[0]
    assert (alarm.name.value, alarm.threshold.value, alarm.enabled.value) == ("hot", 40.0, True)
    assert cfg.alarms.values == [{"name": "hot", "threshold": 40.0, "enabled": True}]
    assert cfg.alarms.elements is cfg.alarms.value
    assert cfg.when.value == "2024-01-01T00:00:00Z"


def test_number_keeps_float_type_for_integral_values():
    class Cfg(config.Schema):
        n = config.Number("N", default=10.0)

    assert repr(Cfg.from_dict({}).n.value) == "10.0"
    assert repr(Cfg.from_dict({"n": 3.0}).n.value) == "3.0"
    assert repr(Cfg.from_dict({"n": 3}).n.value) == "3.0"


def test_every_problem_is_reported_at_once_with_its_path():
    data = {
        "item_count": "fast",
        "ratio": 1,
        "step": 0.7,
        "label": "TOOLONG",
        "mode": "Sideways",
        "level": "medium",
        "when": 5,
        "alarms": [{"name": "a", "threshold": 1}, {"name": "b", "threshold": 2},
                   {"name": 3, "threshold": "high", "extra": 1}, {"threshold": -1}],
        "tags": ["a", "b", "a"],
    }
    assert errors_of(App, data) == [
        'item_count: expected integer, got "fast"',
        "ratio: must be < 1, got 1",
        "step: must be a multiple of 0.5, got 0.7",
        "label: must be at most 5 characters long, got 7",
        'label: must match pattern "^[a-z]+$", got "TOOLONG"',
        'mode: expected one of ["Automatic", "Manual"], got "Sideways"',
        'level: expected one of ["low", "high"], got "medium"',
        "when: expected string, got 5",
        "alarms[2].name: expected string, got 3",
        'alarms[2].threshold: expected number, got "high"',
        "alarms[3].name: missing required field",
        "alarms[3].threshold: must be >= 0, got -1",
        "alarms: expected at most 3 items, got 4",
        'tags: items must be unique, but [0] and [2] are both "a"',
    ]


def test_config_error_message_lists_every_problem():
    with pytest.raises(ConfigError) as info:
        App.from_dict({"item_count": -1, "ratio": 0})
    assert str(info.value) == (
        "invalid config (2 problems):\n  item_count: must be >= 0, got -1\n  ratio: must be > 0, got 0"
    )
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    "value, message",
    [
        (True, "n: expected integer, got true"),
        (2.5, "n: expected integer, got 2.5"),
        ("3", 'n: expected integer, got "3"'),
        ([1], "n: expected integer, got [1]"),
        (float("inf"), "n: expected integer, got Infinity"),
    ],
)
def test_integer_rejects_bools_fractions_strings_and_containers(value, message):
    class Cfg(config.Schema):
        n = config.Integer("N")

    assert errors_of(Cfg, {"n": value}) == [message]


@pytest.mark.parametrize(
    "value, message",
    [
        (False, "n: expected number, got false"),
        (float("nan"), "n: expected a finite number, got NaN"),
        (10 ** 400, "n: number out of range, got " + str(10 ** 400)[:57] + "..."),
        ({}, "n: expected number, got {}"),
    ],
)
def test_number_rejects_bools_non_finite_and_huge_values(value, message):
    class Cfg(config.Schema):
        n = config.Number("N")

    assert errors_of(Cfg, {"n": value}) == [message]


def test_boolean_rejects_ints_and_strings():
    class Cfg(config.Schema):
        b = config.Boolean("B")

    assert errors_of(Cfg, {"b": 1}) == ["b: expected boolean, got 1"]
    assert errors_of(Cfg, {"b": "true"}) == ['b: expected boolean, got "true"']


def test_integer_multiple_of_and_exclusive_bounds():
    class Cfg(config.Schema):
        n = config.Integer("N", multiple_of=5, exclusive_minimum=0, exclusive_maximum=100)

    assert Cfg.from_dict({"n": 95}).n.value == 95
    assert errors_of(Cfg, {"n": 100}) == ["n: must be < 100, got 100"]
    assert errors_of(Cfg, {"n": 7}) == ["n: must be a multiple of 5, got 7"]
    assert errors_of(Cfg, {"n": 0}) == ["n: must be > 0, got 0"]


def test_pattern_is_searched_like_json_schema():
    device = config.Device()

    class Cfg(config.Schema):
        d = device

    assert Cfg.from_dict({"device": "a12"}).d.value == "a12"
    assert errors_of(Cfg, {"device": "abc"}) == ['device: must match pattern "\\\\d+", got "abc"']


def test_enum_with_number_choices_matches_json_equal_values():
    class Cfg(config.Schema):
        e = config.Enum("E", choices=[1, 2], default=1)

    assert Cfg.from_dict({"e": 2.0}).e.value == 2
    assert errors_of(Cfg, {"e": True}) == ["e: expected one of [1, 2], got true"]


def test_enum_error_lists_at_most_eight_choices():
    class Cfg(config.Schema):
        e = config.Enum("E", choices=list("abcdefghij"), default=config.NotSet)

    assert errors_of(Cfg, {"e": "z"}) == [
        'e: expected one of ["a", "b", "c", "d", "e", "f", "g", "h", ... (10 choices)], got "z"'
    ]


def test_python_enum_with_none_default_gives_none_instead_of_key_error():
    class Cfg(config.Schema):
        mode = config.Enum("Mode", choices=Mode, default=None)

    assert Cfg.from_dict({}).mode.value is None
    assert Cfg.from_dict({"mode": None}).mode.value is None
    assert Cfg.from_dict({"mode": "Manual"}).mode.value is Mode.MANUAL


def test_missing_required_fields_are_all_reported_in_declaration_order():
    class Cfg(config.Schema):
        a = config.Integer("A")
        b = config.String("B", default="x")
        c = config.Array("C", element=config.Integer("I"))
        d = config.Integer("D", default=1, required=True)

    assert errors_of(Cfg, {}) == ["a: missing required field", "c: missing required field",
                                  "d: missing required field"]


def test_explicit_null_means_default_for_optional_and_error_for_required():
    class Cfg(config.Schema):
        opt = config.Integer("Opt", default=7)
        arr = config.Array("Arr", element=config.Integer("I"), default=None)
        req = config.Integer("Req")
        obj = config.Object("Obj")

    cfg = Cfg.from_dict({"opt": None, "arr": None, "req": 1, "obj": {}})
    assert cfg.opt.value == 7
    assert cfg.arr.value is None and cfg.arr.values is None
    assert isinstance(cfg.opt, config.Integer)
    assert errors_of(Cfg, {"req": None, "obj": None}) == ["req: expected integer, got null",
                                                         "obj: expected object, got null"]


def test_null_array_items_use_the_item_default_or_are_errors():
    class Cfg(config.Schema):
        required_items = config.Array("R", element=config.Integer("I"), default=[])
        optional_items = config.Array("O", element=config.Integer("I", default=0), default=[])

    assert Cfg.from_dict({"o": [1, None]}).optional_items.values == [1, 0]
    assert errors_of(Cfg, {"r": [1, None]}) == ["r[1]: expected integer, got null"]


def test_array_bounds_and_type():
    class Cfg(config.Schema):
        arr = config.Array("Arr", element=config.Integer("I"), min_items=1, max_items=2)

    assert errors_of(Cfg, {"arr": []}) == ["arr: expected at least 1 items, got 0"]
    assert errors_of(Cfg, {"arr": "a"}) == ['arr: expected array, got "a"']
    assert Cfg.from_dict({"arr": [1, 2]}).arr.values == [1, 2]


def test_unique_items_uses_json_equality():
    class Cfg(config.Schema):
        arr = config.Array("Arr", element=config.ConfigElement("Any"), unique_items=True)

    assert errors_of(Cfg, {"arr": [1, 1.0]}) == ["arr: items must be unique, but [0] and [1] are both 1"]
    assert Cfg.from_dict({"arr": [1, True, "1", [1], {"a": 1}]}).arr.values == [1, True, "1", [1], {"a": 1}]


def test_untyped_array_items_accept_any_json():
    class Cfg(config.Schema):
        anything = config.Array("Anything", default=[])

    assert Cfg.from_dict({"anything": [1, "a", None, {"b": [2]}]}).anything.values == [1, "a", None, {"b": [2]}]


# ------------------------------------------------------------------ objects


class Strict(config.Object):
    a = config.Integer("A", default=1)


class Holder(config.Schema):
    strict = Strict("Strict", additional_elements=False, default={})
    loose = config.Object("Loose", default={})
    typed_extra = config.Object("Typed Extra", additional_elements={"type": "string"}, default={})


def test_unknown_keys_in_a_strict_object_are_errors_naming_the_allowed_keys():
    assert errors_of(Holder, {"strict": {"a": 2, "b": 3, "c": 4}}) == [
        "strict.b: unknown field (expected one of: a)",
        "strict.c: unknown field (expected one of: a)",
    ]


def test_unknown_keys_in_a_free_form_object_are_kept_and_readable():
    cfg = Holder.from_dict({"loose": {"x": 1, "y": {"z": [1]}}, "typed_extra": {"k": "v"}})
    assert cfg.loose.value == {"x": 1, "y": {"z": [1]}}
    assert cfg.loose._elements["x"].value == 1
    assert cfg.typed_extra.value == {"k": "v"}
    assert cfg.strict.value == {"a": 1}


def test_object_value_is_a_plain_dict_copy():
    cfg = Holder.from_dict({"loose": {"x": [1]}})
    value = cfg.loose.value
    value["x"].append(2)
    assert cfg.loose.value == {"x": [1]}


def test_optional_object_given_null_or_empty_with_none_default_is_blank():
    class Cfg(config.Schema):
        ref = config.TagRef("Ref", default=None, required=False)

    for data in ({}, {"ref": None}, {"ref": {}}):
        cfg = Cfg.from_dict(data)
        assert cfg.ref.value is None
        assert cfg.ref.reference_name._value is config.NotSet
        assert cfg.to_dict() == {"ref": None}
    cfg = Cfg.from_dict({"ref": {"reference_name": "r", "app_name": "a", "tag_name": "t"}})
    assert cfg.ref.value == {"reference_name": "r", "agent_id": None, "app_name": "a", "tag_name": "t"}
    assert errors_of(Cfg, {"ref": {"reference_name": "r"}}) == [
        "ref.app_name: missing required field", "ref.tag_name: missing required field"]


def test_object_with_dict_default_loads_the_default_through_its_children():
    class Cfg(config.Schema):
        inner = Strict("Inner", default={"a": 5})

    assert Cfg.from_dict({}).inner.a.value == 5
    assert Cfg.from_dict({"inner": None}).inner.a.value == 5
    assert Cfg.from_dict({"inner": {}}).inner.a.value == 1


def test_setting_an_object_value_validates_it():
    obj = Strict("S", additional_elements=False)
    obj.value = {"a": 4}
    assert obj.a.value == 4
    with pytest.raises(ConfigError) as info:
        obj.value = {"a": "x"}
    assert info.value.errors == ['s.a: expected integer, got "x"']


def test_nested_object_errors_have_dotted_paths():
    class Deep(config.Object):
        inner = Strict("Inner", additional_elements=False)

    class Cfg(config.Schema):
        deep = Deep("Deep")
        many = config.Array("Many", element=Deep("Row"))

    assert errors_of(Cfg, {"deep": {"inner": {"a": "x"}}, "many": [{"inner": {}}, {"inner": {"q": 1}}, {}]}) == [
        'deep.inner.a: expected integer, got "x"',
        "many[1].inner.q: unknown field (expected one of: a)",
        "many[2].inner: missing required field",
    ]


def test_invalid_declared_default_is_reported_at_load_with_a_hint():
    class Cfg(config.Schema):
        n = config.Integer("N", default=200, maximum=100)

    assert errors_of(Cfg, {}) == ["n: must be <= 100, got 200 (in the declared default)"]


def test_variable_default_is_the_variable_object_when_missing():
    variable = config.Variable("device", "diCount")

    class Cfg(config.Schema):
        di = config.Integer("DI", default=variable)

    cfg = Cfg.from_dict({})
    assert cfg.di.value is variable
    assert cfg.to_dict() == {"di": "$device.dicount"}
    assert Cfg.from_dict({"di": 4}).di.value == 4


# ------------------------------------------------------------------ conditions


class Cond(config.Schema):
    mode = config.Enum("Mode", choices=Mode, default=Mode.AUTO)
    timeout = config.Number("Timeout", default=30.5, show_if=config.equal(mode, Mode.MANUAL))
    key = config.String("Operator Key", show_if=config.equal(mode, Mode.MANUAL))


def test_inactive_conditional_required_field_is_not_required_and_unset():
    cfg = Cond.from_dict({})
    assert cfg.timeout.value == 30.5
    assert cfg.key._value is config.NotSet
    with pytest.raises(ConfigError, match="operator_key: no value"):
        cfg.key.value
    assert "operator_key" not in cfg.to_dict()


def test_active_conditional_required_field_is_required():
    assert errors_of(Cond, {"mode": "Manual"}) == ["operator_key: missing required field"]
    assert Cond.from_dict({"mode": "Manual", "operator_key": "k"}).key.value == "k"


def test_present_conditional_keys_are_loaded_and_checked_even_when_inactive():
    assert Cond.from_dict({"operator_key": "k"}).key.value == "k"
    assert errors_of(Cond, {"timeout": "x"}) == ['timeout: expected number, got "x"']
    assert Cond.from_dict({"operator_key": None}).key._value is config.NotSet


def test_condition_compares_json_values_without_coercion():
    class Cfg(config.Schema):
        flag = config.Boolean("Flag", default=False)
        n = config.Integer("N", default=1)
        x = config.Integer("X", show_if=config.equal("flag", True))
        y = config.Integer("Y", show_if=config.equal("n", 3))

    assert errors_of(Cfg, {"flag": True, "n": 3.0}) == ["x: missing required field", "y: missing required field"]
    assert Cfg.from_dict({"flag": False, "n": 2}).to_dict() == {"flag": False, "n": 2}
    assert Cfg.from_dict({"flag": None}).flag.value is False


def test_conditions_inside_objects_use_siblings():
    class Conn(config.Object):
        kind = config.Enum("Kind", choices=["serial", "tcp"], default="serial")
        port = config.String("Port", show_if=config.equal("kind", "serial"))
        host = config.String("Host", show_if=config.equal("kind", "tcp"))

    class Cfg(config.Schema):
        conn = Conn("Conn")

    assert errors_of(Cfg, {"conn": {}}) == ["conn.port: missing required field"]
    assert Cfg.from_dict({"conn": {"kind": "tcp", "host": "h"}}).conn.value == {"kind": "tcp", "host": "h"}


# ------------------------------------------------------------------ undeclared keys


class Platform(config.Schema):
    count = config.Integer("Count", default=1)

    def describe(self):
        return "method"


def test_undeclared_top_level_keys_are_kept_and_readable_as_attributes():
    cfg = Platform.from_dict({"APP_DISPLAY_NAME": "Pump 1", "AGENT_ID": 123, "DEVICE_LIST": [1, 2]})
    assert cfg.APP_DISPLAY_NAME.value == "Pump 1"
    assert cfg.lookup("AGENT_ID") == 123
    assert cfg.extra_values == {"APP_DISPLAY_NAME": "Pump 1", "AGENT_ID": 123, "DEVICE_LIST": [1, 2]}
    assert cfg.to_dict() == {"count": 1, "APP_DISPLAY_NAME": "Pump 1", "AGENT_ID": 123, "DEVICE_LIST": [1, 2]}


def test_undeclared_keys_never_shadow_fields_or_methods():
    cfg = Platform.from_dict({"describe": "data", "count": 2, "lookup": 5, "elements": 1})
    assert cfg.describe() == "method"
    assert isinstance(cfg.count, config.Integer) and cfg.count.value == 2
    assert cfg.lookup("describe") == "data"
    assert cfg.lookup("lookup") == 5
    assert list(cfg.elements) == ["count"]


def test_undeclared_key_equal_to_an_attribute_name_does_not_replace_the_field():
    class Cfg(config.Schema):
        count = config.Integer("Item Count", default=1)

    cfg = Cfg.from_dict({"count": 9})
    assert cfg.count.value == 1
    assert cfg.lookup("count") == 9  # the loaded key wins over the attribute name in lookup


def test_lookup_by_key_attribute_and_errors():
    class Cfg(config.Schema):
        mode = config.Enum("Pump Mode", choices=Mode, default=Mode.AUTO)
        req = config.Integer("Req", show_if=config.equal("pump_mode", "Manual"))
        maybe = config.String("Maybe", default=None)

    cfg = Cfg.from_dict({"APP_KEY": "k"})
    assert cfg.lookup("pump_mode") == "Automatic"
    assert cfg.lookup("mode") == "Automatic"
    assert cfg.lookup("APP_KEY") == "k"
    assert cfg.lookup("maybe") is None
    with pytest.raises(KeyError):
        cfg.lookup("nope")
    with pytest.raises(KeyError):
        cfg.lookup("req")


def test_lookup_still_works_when_a_field_is_declared_under_the_name_lookup():
    class Cfg(config.Schema):
        lookup = config.String("Lookup Key", default="x")
        load = config.Number("Load", default=1.0)

    cfg = Cfg()
    config.Schema.load(cfg, {"load": 2.5, "APP_KEY": "k"})
    assert cfg.load.value == 2.5
    assert config.Schema.lookup(cfg, "APP_KEY") == "k"
    assert config.Schema.to_dict(cfg)["lookup_key"] == "x"


def test_root_must_be_an_object_and_none_means_empty():
    with pytest.raises(ConfigError) as info:
        Platform.from_dict(["a"])
    assert info.value.errors == ['(root): expected object, got ["a"]']
    assert Platform.from_dict(None).count.value == 1


def test_inject_deployment_config_is_load():
    cfg = Platform()
    assert cfg._inject_deployment_config({"count": 4}) is None
    assert cfg.count.value == 4


def test_value_before_load_raises_config_error_unless_default_is_none():
    class Cfg(config.Schema):
        a = config.Integer("A", default=1)
        b = config.String("B", default=None)

    cfg = Cfg()
    with pytest.raises(ConfigError, match="a: no value"):
        cfg.a.value
    assert cfg.b.value is None
    assert cfg.to_dict() == {}


def test_bare_schema_loads_every_key_as_undeclared():
    cfg = config.Schema.from_dict({"x": 1})
    assert cfg.x.value == 1 and cfg.to_dict() == {"x": 1}


def test_load_data_on_an_element_validates_like_a_load():
    element = config.Integer("N", default=4, minimum=0)
    element.load_data(None)
    assert element.value == 4
    element.load_data(7.0)
    assert element.value == 7
    with pytest.raises(ConfigError) as info:
        element.load_data(-1)
    assert info.value.errors == ["n: must be >= 0, got -1"]
    assert element.value == 7


def test_a_loaded_schema_can_be_deep_copied_independently():
    import copy

    cfg = App.from_dict({"item_count": 5, "alarms": [{"name": "a", "threshold": 1}], "APP_KEY": "k"})
    clone = copy.deepcopy(cfg)
    clone.load({"item_count": 6})
    assert (cfg.count.value, clone.count.value) == (5, 6)
    assert cfg.alarms.values == [{"name": "a", "threshold": 1.0, "enabled": True}]
    assert cfg.APP_KEY.value == "k" and clone.count is clone._element_map["item_count"]
