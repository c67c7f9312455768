"""Processor config types (doover.processor.config): keys, exported JSON, loading."""

import logging

import pytest

from doover import config, processor
from doover.exceptions import ConfigError, ConfigSchemaError
from doover.processor import config as pconfig


def test_subscription_types_share_the_dv_proc_subscriptions_key():
    single = pconfig.SubscriptionConfig()._export()
    assert single == {"title": "Channel Subscription", "x-name": "dv_proc_subscriptions", "x-hidden": False,
                      "type": "string", "x-required": True,
                      "description": "The name of the channel to subscribe to"}
    assert pconfig.SubscriptionConfig(name="other")._name == "other"
    many = pconfig.ManySubscriptionConfig()._export()
    assert many == {
        "title": "Subscription", "x-name": "dv_proc_subscriptions", "x-hidden": False, "type": "array",
        "x-required": True, "description": "A list of channels to subscribe to.",
        "items": {"title": "Channel Subscription", "x-name": "dv_proc_subscription", "x-hidden": False,
                  "type": "string", "x-required": True,
                  "description": "The name of the channel to subscribe to"},
    }


@pytest.mark.parametrize(
    "modes, fmt",
    [(None, "doover-schedule"), (["cron", "rate", "disabled"], "doover-schedule"),
     (["cron"], "doover-schedule-cron"), (["cron", "disabled"], "doover-schedule-cron-disabled")],
)
def test_schedule_format_depends_on_allowed_modes(modes, fmt):
    exported = pconfig.ScheduleConfig(allowed_modes=modes)._export()
    assert exported == {"title": "Schedule", "x-name": "dv_proc_schedules", "x-hidden": False, "format": fmt,
                        "type": "string", "x-required": True,
                        "description": "Specify a schedule to run this task."}


def test_ingestion_endpoint_children_keys_defaults_and_positions():
    exported = pconfig.IngestionEndpointConfig()._export()
    assert (exported["x-name"], exported["title"], exported["description"]) == (
        "dv_proc_ingestion", "Ingestion Endpoint", "Ingestion Endpoint configuration")
    children = exported["properties"]
    assert list(children) == ["cidr_ranges", "signing_key", "sha256_hash_header", "throttle",
                              "never_replace_token", "mini_token"]
    assert [c["x-position"] for c in children.values()] == [1, 2, 3, 4, 5, 6]
    assert [children[k].get("default") for k in children] == [None, "", "x-hmac-sha256", 10, False, False]
    assert children["throttle"]["maximum"] == 30
    assert children["cidr_ranges"]["items"]["title"] == "IP Range"
    assert exported["required"] == ["cidr_ranges"]
    endpoint = pconfig.IngestionEndpointConfig()
    assert endpoint.signing_key_hash_header._name == "sha256_hash_header"


def test_extended_permissions_children_and_extensions():
    exported = pconfig.ExtendedPermissionsConfig(default_device_group=True,
                                                 extra_fields=["id", "extra_config__battery"])._export()
    assert (exported["title"], exported["x-name"], exported["description"]) == (
        "Devices", "dv_proc_extended_permissions", "Give Permission to access devices.")
    assert list(exported["properties"]) == ["devices", "groups", "apps_installed", "all_devices", "dd_permissions"]
    assert exported["properties"]["devices"]["description"] == "List of devices to grant extended permissions to."
    assert exported["required"] == ["devices", "groups", "apps_installed"]
    dd = exported["properties"]["dd_permissions"]
    assert (dd["format"], dd["x-hidden"], dd["default"], dd["type"]) == (
        "dd_permissions", True, None, ["string", "null"])
    assert list(exported)[-2:] == ["x-defaultDeviceGroup", "x-extraDeviceFields"]
    assert exported["x-extraDeviceFields"] == ["id", "extra_config__battery"]
    plain = pconfig.ExtendedPermissionsConfig()._export()
    assert "x-defaultDeviceGroup" not in plain and "x-extraDeviceFields" not in plain


def test_extended_permissions_rejects_unknown_extra_fields():
    with pytest.raises(ConfigSchemaError, match=r"unknown extra_fields \['colour'\]"):
        pconfig.ExtendedPermissionsConfig(extra_fields=["name", "colour"])
    ok = pconfig.ExtendedPermissionsConfig(extra_fields=["type__config__x", "app_installs__name"])
    assert ok.extra_fields == ["type__config__x", "app_installs__name"]


def test_timezone_choices_are_a_fixed_sorted_snapshot():
    exported = pconfig.TimezoneConfig()._export()
    choices = exported["enum"]
    assert choices[-1] is None  # optional enum: null is a valid choice
    zones = choices[:-1]
    assert len(zones) == 598 and zones == sorted(zones)
    assert "Australia/Brisbane" in zones and "localtime" not in zones
    assert (exported["x-name"], exported["default"], exported["type"]) == (
        "dv_proc_timezone", "Australia/Brisbane", ["string", "null"])


def test_timezone_loads_known_zones_and_rejects_others():
    class Cfg(config.Schema):
        tz = pconfig.TimezoneConfig()

    assert Cfg.from_dict({}).tz.value == "Australia/Brisbane"
    assert Cfg.from_dict({"dv_proc_timezone": "Europe/Paris"}).tz.value == "Europe/Paris"
    with pytest.raises(ConfigError) as info:
        Cfg.from_dict({"dv_proc_timezone": "Mars/Olympus"})
    assert info.value.errors[0].startswith('dv_proc_timezone: expected one of ["Africa/Abidjan"')
    assert info.value.errors[0].endswith('... (598 choices)], got "Mars/Olympus"')


def test_serial_number_and_egress_channel():
    assert pconfig.SerialNumberConfig()._export() == {
        "title": "Serial Number", "x-name": "dv_serial_number", "x-hidden": False, "type": "string",
        "x-required": True, "description": "Device Serial Number"}
    egress = pconfig.EgressChannelConfig(default="tts_downlink_request")._export()
    assert (egress["x-name"], egress["x-hidden"], egress["default"]) == (
        "dv_egress_channel", True, "tts_downlink_request")
    assert pconfig.EgressChannelConfig(hidden=False)._export()["x-hidden"] is False


def test_processor_config_exports_the_reference_shape():
    exported = pconfig.ProcessorConfig()._export()
    props = exported["properties"]
    expected_log_level = {"enum": ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", None], "title": "Log Level",
                          "x-name": "log_level", "x-hidden": False, "type": ["string", "null"],
                          "x-required": False, "description": "Default log level for the root logger after setup.",
                          "default": "INFO", "x-position": 1}
    assert props["log_level"] == expected_log_level
    overrides = dict(props["log_overrides"])
    overrides.pop("description")
    assert overrides == {"title": "Log Level Overrides", "x-name": "log_overrides", "x-hidden": False,
                         "type": ["object", "null"], "x-required": False, "default": {}, "x-position": 2,
                         "properties": {}, "additionalElements": True, "required": [],
                         "x-collapsible": True, "x-defaultCollapsed": False}
    targets = props["inv_targets"]
    assert (targets["type"], targets["default"], targets["x-position"]) == (
        ["array", "null"], [{"agent_id": None, "channel": "dv-proc-inv-$app_id"}], 3)
    item = dict(targets["items"])
    item["properties"] = {k: {kk: vv for kk, vv in v.items() if kk != "description"}
                          for k, v in item["properties"].items()}
    assert item == {
        "title": "Invocation Publish Target", "x-name": "inv_target", "x-hidden": False, "type": "object",
        "x-required": True,
        "properties": {
            "agent_id": {"title": "Agent ID", "x-name": "agent_id", "x-hidden": False, "type": ["string", "null"],
                         "x-required": False, "default": None, "x-position": 1},
            "channel": {"title": "Channel", "x-name": "channel", "x-hidden": False, "type": "string",
                        "x-required": True, "x-position": 2}},
        "additionalElements": False, "required": ["channel"], "x-collapsible": True, "x-defaultCollapsed": False}
    assert targets["items"]["properties"]["channel"]["description"] == "Channel name on the target agent."
    live = props["live_logs"]
    assert (live["x-hidden"], live["type"], live["default"], live["x-position"]) == (
        True, ["boolean", "null"], False, 4)
    assert {k: exported[k] for k in ("title", "x-name", "type", "x-required", "description",
                                     "additionalElements", "required")} == {
        "title": "Processor Config", "x-name": "dv_proc_config", "type": "object", "x-required": True,
        "description": "Framework-level processor runtime config.", "additionalElements": False, "required": []}


def test_processor_config_from_deployment_defaults_and_values():
    defaults = pconfig.ProcessorConfig.from_deployment(None)
    assert defaults.value == {"log_level": "INFO", "log_overrides": {},
                              "inv_targets": [{"agent_id": None, "channel": "dv-proc-inv-$app_id"}],
                              "live_logs": False}
    loaded = pconfig.ProcessorConfig.from_deployment(
        {"log_level": "DEBUG", "log_overrides": {"doover.api": "WARNING"}, "inv_targets": []})
    assert loaded.log_level.value == "DEBUG"
    assert loaded.log_overrides.value == {"doover.api": "WARNING"}
    assert loaded.inv_targets.value == [] and loaded.live_logs.value is False


def test_processor_config_ignores_unknown_keys_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="doover.config"):
        loaded = pconfig.ProcessorConfig.from_deployment(
            {"log_level": "ERROR", "future_option": 1,
             "inv_targets": [{"channel": "c", "agent_id": "5", "priority": "high"}]})
    assert loaded.value["inv_targets"] == [{"agent_id": "5", "channel": "c"}]
    assert loaded.log_level.value == "ERROR"
    assert [r.getMessage() for r in caplog.records] == [
        "dv_proc_config.inv_targets[0]: ignoring unknown config key 'priority'",
        "dv_proc_config: ignoring unknown config key 'future_option'",
    ]


def test_processor_config_still_validates_known_keys():
    with pytest.raises(ConfigError) as info:
        pconfig.ProcessorConfig.from_deployment({"log_level": "LOUD", "inv_targets": [{"agent_id": 1}],
                                                 "live_logs": "yes"})
    assert info.value.errors == [
        'dv_proc_config.log_level: expected one of ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], got "LOUD"',
        "dv_proc_config.inv_targets[0].agent_id: expected string, got 1",
        "dv_proc_config.inv_targets[0].channel: missing required field",
        'dv_proc_config.live_logs: expected boolean, got "yes"',
    ]


def test_reference_example_processor_deployment_config_loads():
    class Report(config.Schema):
        dv_proc_subscriptions = pconfig.ManySubscriptionConfig()
        dv_proc_schedules = pconfig.ScheduleConfig()
        dv_proc_timezone = pconfig.TimezoneConfig()
        ingestion = pconfig.IngestionEndpointConfig()
        permissions = pconfig.ExtendedPermissionsConfig()
        proc = pconfig.ProcessorConfig()

    data = {
        "APP_ID": "1234", "APP_DISPLAY_NAME": "Monthly Report", "DEVICE_LIST": [111, 222],
        "dv_proc_subscriptions": ["sensor_data"],
        "dv_proc_schedules": "cron(0 8 1 * ?)",
        "dv_proc_timezone": "Australia/Brisbane",
        "dv_proc_ingestion": {"cidr_ranges": ["0.0.0.0/0"], "throttle": 10},
        "dv_proc_extended_permissions": {"devices": ["111"], "groups": [], "apps_installed": [],
                                         "all_devices": False, "dd_permissions": "0"},
        "dv_proc_config": {"log_level": "DEBUG", "log_overrides": {"pydoover.api": "WARNING"},
                           "inv_targets": []},
    }
    cfg = Report.from_dict(data)
    assert cfg.dv_proc_schedules.value == "cron(0 8 1 * ?)"
    assert cfg.dv_proc_subscriptions.values == ["sensor_data"]
    assert cfg.ingestion.value == {"cidr_ranges": ["0.0.0.0/0"], "signing_key": "",
                                   "sha256_hash_header": "x-hmac-sha256", "throttle": 10,
                                   "never_replace_token": False, "mini_token": False}
    assert cfg.permissions.dd_permissions.value == "0"
    assert cfg.APP_ID.value == "1234" and cfg.lookup("DEVICE_LIST") == [111, 222]
    assert cfg.proc.log_overrides.value == {"pydoover.api": "WARNING"}


def test_processor_package_exports_the_config_types_but_not_data_permissions():
    for name in ("SubscriptionConfig", "ManySubscriptionConfig", "ScheduleConfig", "IngestionEndpointConfig",
                 "ExtendedPermissionsConfig", "TimezoneConfig", "SerialNumberConfig", "EgressChannelConfig",
                 "InvocationPublishTarget", "ProcessorConfig"):
        assert getattr(processor, name) is getattr(pconfig, name)
        assert name in processor.__all__
    assert "DataPermissions" not in processor.__all__
    assert pconfig.DataPermissions()._export()["x-name"] == "dd_permissions"
