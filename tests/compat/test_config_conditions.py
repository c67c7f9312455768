"""The platform SDK's conditional config fields beyond ``equal``: ``not_equal``, ``one_of``,
``greater_than(_or_equal)``, ``less_than(_or_equal)``, ``all_of`` and a bare Boolean element
as ``show_if``: the exported JSON Schema branches (as the SDK writes them) and loading."""

import copy

import pytest

from doover import config
from doover.exceptions import ConfigError, ConfigSchemaError


class Pump(config.Schema):
    mode = config.Enum("Mode", choices=["Auto", "Manual", "Off"], default="Auto")
    enabled = config.Boolean("Enabled", default=False)
    level = config.Number("Level", default=5.0)
    count = config.Integer("Count", default=1)
    manual_speed = config.Integer("Manual Speed", show_if=config.not_equal(mode, "Auto"))
    any_speed = config.Integer("Any Speed", default=1, show_if=config.one_of(mode, ["Auto", "Manual"]))
    high = config.String("High Note", default="hi", show_if=config.greater_than(level, 10))
    high_eq = config.String("High Eq", default="he", show_if=config.greater_than_or_equal(level, 5))
    low = config.String("Low Note", show_if=config.less_than(count, 3))
    low_eq = config.String("Low Eq", default="le", show_if=config.less_than_or_equal("count", 3))
    both = config.String("Both", show_if=config.all_of(enabled, config.greater_than(level, 1)))
    bare = config.String("Bare", default="d", show_if=enabled)


def _branches():
    return {tuple(sorted(b["then"]["properties"])): b["if"] for b in Pump.to_schema()["allOf"]}


def test_each_comparator_exports_the_branch_the_sdk_writes():
    branches = _branches()
    assert branches[("manual_speed",)] == {"properties": {"mode": {"not": {"const": "Auto"}}}, "required": ["mode"]}
    assert branches[("any_speed",)] == {"properties": {"mode": {"enum": ["Auto", "Manual"]}}}
    assert branches[("high_note",)] == {"properties": {"level": {"type": "number", "exclusiveMinimum": 10}},
                                   "required": ["level"]}
    assert branches[("high_eq",)] == {"properties": {"level": {"type": "number", "minimum": 5}}}
    assert branches[("low_note",)] == {"properties": {"count": {"type": "number", "exclusiveMaximum": 3}}}
    assert branches[("low_eq",)] == {"properties": {"count": {"type": "number", "maximum": 3}}}
    assert branches[("both",)] == {
        "properties": {"enabled": {"const": True}, "level": {"type": "number", "exclusiveMinimum": 1}},
        "required": ["enabled"],
    }
    assert branches[("bare",)] == {"properties": {"enabled": {"const": True}}, "required": ["enabled"]}
    assert "manual_speed" not in Pump.to_schema()["properties"]


def test_loading_applies_each_comparator_to_the_deployed_values():
    cfg = Pump()
    cfg._inject_deployment_config({"mode": "Manual", "manual_speed": 30, "level": 12.5, "count": 4,
                                   "enabled": True, "both": "yes"})
    assert (cfg.manual_speed.value, cfg.any_speed.value) == (30, 1)
    assert (cfg.high.value, cfg.high_eq.value, cfg.both.value, cfg.bare.value) == ("hi", "he", "yes", "d")
    # the required conditional fields are required only while their condition holds
    with pytest.raises(ConfigError, match="manual_speed"):
        Pump()._inject_deployment_config({"mode": "Off"})
    with pytest.raises(ConfigError, match="low_note"):
        Pump()._inject_deployment_config({"count": 2})
    with pytest.raises(ConfigError, match="both"):
        Pump()._inject_deployment_config({"enabled": True, "level": 3})
    quiet = Pump()
    quiet._inject_deployment_config({"count": 3, "level": 1, "enabled": True})  # low/both inactive
    assert quiet.low_eq.value == "le"
    assert quiet.bare.value == "d"


def test_all_of_and_conditions_are_immutable_values_that_survive_schema_copies():
    a = config.all_of(Pump.enabled, config.greater_than(Pump.level, 1))
    b = config.all_of(config.equal(Pump.enabled, True), config.greater_than(Pump.level, 1))
    assert a == b and hash(a) == hash(b)
    with pytest.raises(AttributeError):
        a.conditions = ()
    cfg = Pump()
    copied = copy.deepcopy(cfg)
    assert copied.to_schema() == Pump.to_schema()


def test_bad_conditions_are_declaration_errors_naming_the_problem():
    with pytest.raises(ConfigSchemaError, match="one_of: values must be a list"):
        config.one_of("mode", "Auto")
    with pytest.raises(ConfigSchemaError, match="greater_than: value must be a number"):
        config.greater_than("level", "10")
    with pytest.raises(ConfigSchemaError, match="all_of: expected one or more conditions"):
        config.all_of()

    class Twice(config.Schema):
        level = config.Number("Level", default=1.0)
        note = config.String("Note", default="n",
                             show_if=config.all_of(config.greater_than(level, 0), config.less_than(level, 9)))

    with pytest.raises(ConfigSchemaError, match="two conditions on 'level'"):
        Twice.to_schema()
