"""Realistic app schemas: exported JSON equals golden files made from the reference SDK's output
(with doover's documented fixes applied, see golden/regenerate.py), and realistic configs load."""

import importlib.util
import json
import os

import pytest

from doover.exceptions import ConfigError

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden")


def _load_apps():
    spec = importlib.util.spec_from_file_location("doover_config_golden_apps", os.path.join(GOLDEN, "apps.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


apps = _load_apps()


@pytest.mark.parametrize("key", sorted(apps.APPS))
def test_exported_schema_equals_the_golden_file_exactly(key, assert_valid_json_schema):
    with open(os.path.join(GOLDEN, key + ".json"), encoding="utf-8") as handle:
        text = handle.read()
    document = apps.APPS[key].to_schema()
    assert document == json.loads(text)
    assert json.dumps(document, indent=4) + "\n" == text  # key order too
    assert_valid_json_schema(document)


def test_modbus_sensor_config_loads_and_reads_like_an_app_does():
    cfg = apps.ModbusSensorConfig.from_dict({
        "modbus_config": {"bus_type": "tcp", "tcp_uri": "10.0.0.2:502"},
        "modbus_id": 3,
        "registers": [{"address": 100, "json_key": "level"},
                      {"address": 200, "count": 2, "register_type": "input", "scale": 0.1, "json_key": "temp"}],
        "APP_KEY": "sensor_1", "dv_app_position": 50,
    })
    assert cfg.modbus_config.bus_type.value is apps.BusType.TCP
    assert cfg.modbus_config.serial_timeout.value == 0.3
    assert cfg.poll_period.value == 5.0
    assert [r.address.value for r in cfg.registers.value] == [100, 200]
    assert cfg.registers.values[1] == {"address": 200, "count": 2, "register_type": "input", "scale": 0.1,
                                       "json_key": "temp"}
    assert cfg.position.value == 50
    assert cfg.element_by_attribute("modbus_config") is cfg.modbus_config


def test_modbus_sensor_config_reports_every_problem():
    with pytest.raises(ConfigError) as info:
        apps.ModbusSensorConfig.from_dict({
            "modbus_config": {"serial_baud": "9600", "bus_type": "usb"},
            "modbus_id": 300,
            "registers": [{"address": -1, "json_key": "Level"}, {"count": 0, "json_key": "x"}],
        })
    assert info.value.errors == [
        'modbus_config.bus_type: expected one of ["serial", "tcp"], got "usb"',
        'modbus_config.serial_baud: expected integer, got "9600"',
        "modbus_id: must be <= 247, got 300",
        "registers[0].address: must be >= 0, got -1",
        'registers[0].json_key: must match pattern "^[a-z_]+$", got "Level"',
        "registers[1].address: missing required field",
        "registers[1].count: must be >= 1, got 0",
    ]


def test_alert_processor_config_loads():
    cfg = apps.AlertProcessorConfig.from_dict({
        "dv_proc_subscriptions": ["temps"], "dv_proc_schedules": "disabled", "severity": 3,
        "recipients": ["111", "222"], "dv_proc_config": {"log_level": "DEBUG"},
    })
    assert cfg.dv_proc_subscriptions.values == ["temps"]
    assert cfg.severity.value == 3 and cfg.threshold.value == 40.0
    assert cfg.lookup("dv_proc_config") == {"log_level": "DEBUG"}
    with pytest.raises(ConfigError) as info:
        apps.AlertProcessorConfig.from_dict({"dv_proc_subscriptions": "temps", "dv_proc_schedules": "x",
                                             "recipients": ["111", "111", "abc"]})
    assert info.value.errors == [
        'dv_proc_subscriptions: expected array, got "temps"',
        'recipients[2]: must match pattern "\\\\d+", got "abc"',
        'recipients: items must be unique, but [0] and [1] are both "111"',
    ]


def test_fleet_config_nested_objects_and_arrays():
    cfg = apps.FleetConfig.from_dict({
        "sites": [
            {"site_name": "North", "location": {"latitude": -27.5, "longitude": 153}, "pumps": [{"pin": 1}, {"pin": 2, "name": "b"}]},
            {"site_name": "South", "notes": {"gate": "1234"}},
        ],
        "level_source": {"reference_name": "lvl", "app_name": "tank", "tag_name": "level"},
    })
    north, south = cfg.sites.value
    assert north.location.lon.value == 153.0
    assert [p.name.value for p in north.pumps.value] == ["pump", "b"]
    assert south.location.value is None and south.notes.value == {"gate": "1234"}
    assert cfg.source.value["agent_id"] is None
    assert cfg.to_dict()["sites"][1] == {"site_name": "South", "location": None, "pumps": [], "notes": {"gate": "1234"}}
    with pytest.raises(ConfigError) as info:
        apps.FleetConfig.from_dict({"sites": [{"site_name": "X", "location": {"latitude": 91},
                                               "pumps": [{"pin": 9, "name": "x" * 20}] * 5}]})
    assert info.value.errors == [
        "sites[0].location.latitude: must be <= 90, got 91",
        "sites[0].location.longitude: missing required field",
    ] + [e for i in range(5) for e in ("sites[0].pumps[{}].pin: must be <= 7, got 9".format(i),
                                         "sites[0].pumps[{}].name: must be at most 16 characters long, got 20".format(i))
         ] + ["sites[0].pumps: expected at most 4 items, got 5"]


@pytest.mark.parametrize(
    "data, expected",
    [
        ({"baud": 9600}, {"protocol": "serial", "enabled": True, "port": "/dev/ttyUSB0", "baud": 9600, "retries": 3}),
        ({"protocol": "tcp", "host": "h"}, {"protocol": "tcp", "enabled": True, "port": "/dev/ttyUSB0",
                                            "host": "h", "retries": 3}),
        ({"protocol": "tcp", "host": "h", "enabled": False, "retries": 0},
         {"protocol": "tcp", "enabled": False, "port": "/dev/ttyUSB0", "host": "h", "retries": 0}),
    ],
)
def test_connection_config_conditional_fields(data, expected, instance_errors):
    assert apps.ConnectionConfig.from_dict(data).to_dict() == expected
    assert instance_errors(apps.ConnectionConfig.to_schema(), data) == []


@pytest.mark.parametrize(
    "data, errors",
    [
        ({}, ["baud: missing required field"]),
        ({"protocol": "tcp"}, ["host: missing required field"]),
        ({"protocol": "tcp", "host": "h", "enabled": False, "retries": -1}, ["retries: must be >= 0, got -1"]),
    ],
)
def test_connection_config_conditional_errors_agree_with_a_standard_validator(data, errors, instance_errors):
    with pytest.raises(ConfigError) as info:
        apps.ConnectionConfig.from_dict(data)
    assert info.value.errors == errors
    assert len(instance_errors(apps.ConnectionConfig.to_schema(), data)) == 1
