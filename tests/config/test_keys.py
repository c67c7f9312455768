import pytest

from doover import config
from doover.exceptions import ConfigSchemaError, DooverError


@pytest.mark.parametrize(
    "display, key",
    [
        ("Item Count", "item_count"),
        ("Offline Threshold (minutes)", "offline_threshold_minutes"),
        ("Tank Low Threshold (%)", "tank_low_threshold_"),
        ("A-B c", "ab_c"),
        ("  X ", "__x_"),
        ("Température", "temprature"),
        ("DI/DO Count", "dido_count"),
        ("CamelCase", "camelcase"),
        ("Modbus ID", "modbus_id"),
        ("JSON Key", "json_key"),
        ("Transform (CEL)", "transform_cel"),
        ("Source App", "source_app"),
    ],
)
def test_key_from_display_name_matches_reference_examples(display, key):
    assert config.key_from_display_name(display) == key
    assert config.Integer(display)._name == key


def test_explicit_name_is_used_verbatim_without_transformation():
    assert config.String("Whatever", name="My Key-1")._name == "My Key-1"
    assert config.String("Whatever", name="")._name == ""


@pytest.mark.parametrize("bad", ["a.b", "a/b", "é", "x(y)"])
def test_explicit_name_with_other_characters_raises_config_schema_error(bad):
    with pytest.raises(ConfigSchemaError) as info:
        config.String("Whatever", name=bad)
    assert repr(bad) in str(info.value)
    assert isinstance(info.value, ValueError) and isinstance(info.value, DooverError)


def test_variable_sanitises_both_parts_and_renders_as_dollar_scope_dot_name():
    variable = config.Variable("device", "digitalInputCount")
    assert str(variable) == "$device.digitalinputcount"
    assert variable == config.Variable("Device", "digitalinputcount")


@pytest.mark.parametrize("attr", sorted(config.RESERVED_NAMES))
def test_reserved_attribute_names_raise_in_schema_and_object(attr):
    with pytest.raises(ConfigSchemaError, match="reserved"):
        type("Bad", (config.Schema,), {attr: config.Integer("X")})
    with pytest.raises(ConfigSchemaError, match="reserved"):
        type("BadObj", (config.Object,), {attr: config.Integer("X")})


def test_reserved_words_are_allowed_as_json_keys():
    class Cfg(config.Schema):
        thing = config.Integer("Default")
        other = config.Integer("X", name="value")

    assert list(Cfg.to_schema()["properties"]) == ["default", "value"]
