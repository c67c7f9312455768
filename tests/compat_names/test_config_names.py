"""doover.config.KEY_VALIDATOR and sanitize_display_name behave as the platform SDK's do."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from doover import config
from doover.exceptions import ConfigSchemaError

# (display name, key) pairs as pydoover 1.18.3's sanitize_display_name gives them
SDK_KEYS = [
    ("Offline Threshold (minutes)", "offline_threshold_minutes"),
    ("Flow Rate (L/min)", "flow_rate_lmin"),
    ("  Pump-1 état ", "__pump1_tat_"),
    ("A.B_c", "ab_c"),
    ("", ""),
]


@pytest.mark.parametrize("display, key", SDK_KEYS)
def test_sanitize_display_name_gives_the_sdk_key(display, key):
    assert config.sanitize_display_name(display) == key


def test_key_validator_is_the_sdk_pattern():
    assert isinstance(config.KEY_VALIDATOR, type(re.compile("")))
    assert config.KEY_VALIDATOR.pattern == "^[ a-zA-Z0-9_-]*$"
    assert config.KEY_VALIDATOR.match("Pump 1-a_b") is not None
    assert config.KEY_VALIDATOR.match("") is not None
    assert config.KEY_VALIDATOR.match("a.b") is None
    assert config.KEY_VALIDATOR.match("état") is None


@given(st.text(max_size=30))
def test_key_validator_accepts_exactly_the_keys_check_key_accepts(key):
    if config.KEY_VALIDATOR.match(key):
        assert config.check_key(key) == key
    else:
        with pytest.raises(ConfigSchemaError):
            config.check_key(key)


@given(st.text(max_size=30))
def test_sanitize_display_name_is_key_from_display_name_and_always_a_valid_key(name):
    key = config.sanitize_display_name(name)
    assert key == config.key_from_display_name(name)
    assert re.fullmatch("[0-9a-z_]*", key)
    assert config.KEY_VALIDATOR.match(key) is not None


def test_sanitize_display_name_names_the_element_key_of_a_schema():
    class Pump(config.Schema):
        flow = config.Number("Flow Rate (L/min)", default=1.5)

    assert config.sanitize_display_name("Flow Rate (L/min)") in Pump.to_schema()["properties"]
