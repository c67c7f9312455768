import pytest

from tank_monitor.app_config import TankMonitorConfig
from tank_monitor.app_ui import TankMonitorUI


def test_config_backfills_defaults():
    cfg = TankMonitorConfig()
    cfg._inject_deployment_config({"tank_name": "North"})
    assert cfg.tank_name.value == "North"
    assert cfg.capacity.value == 1000.0
    assert cfg.low_level_percent.value == 20.0
    assert cfg.sensor_pin.value == 0


def test_config_missing_required_value_raises():
    cfg = TankMonitorConfig()
    with pytest.raises(ValueError):
        cfg._inject_deployment_config({"capacity_litres": 500})


def test_config_schema_names_keys_from_display_names():
    schema = TankMonitorConfig.to_schema()
    props = schema["properties"]
    assert set(props) == {"tank_name", "capacity_litres", "low_level_percent", "sensor_pin"}
    assert props["capacity_litres"]["default"] == 1000.0
    assert props["sensor_pin"]["type"] == ["integer", "null"]
    assert schema["required"] == ["tank_name"]


def test_ui_schema_binds_variables_to_tags():
    schema = TankMonitorUI(None, None, None).to_schema(resolve_config=False)
    children = schema["children"]
    assert list(children) == ["tank_level", "volume"]
    assert children["tank_level"]["type"] == "uiVariable"
    assert children["tank_level"]["displayString"] == "Tank Level"
    assert children["tank_level"]["currentValue"] == "$tag.app().level_percent:number:null"
    assert children["volume"]["decPrecision"] == 0
