"""The test harness apps written for the platform SDK use, written the way their tests are:
``Application(app_key=..., device_agent=..., platform_iface=..., modbus_iface=..., test_mode=True)``,
``asyncio.create_task(app._run())``, ``await app.wait_until_ready()``, ``await app.next()``,
``task.cancel()``, ``await agent.update_channel_aggregate(...)`` on the mock, a ``ModbusInterface``
subclass, ``config._inject_deployment_config``, ``Schema.to_schema()/export()`` and
``UI(None, None, None).to_schema(resolve_config=False)/export()``."""

import asyncio
import json
import threading

import pytest

from doover import config, tags, ui
from doover.docker import Application, MockDeviceAgentInterface, ModbusInterface
from doover.exceptions import ConfigError

KEY = "meter_1"


class MeterConfig(config.Schema):
    site_name = config.String("Site Name")
    modbus_id = config.Integer("Modbus ID", default=3)
    scale = config.Number("Scale", default=0.5)


class MeterTags(tags.Tags):
    flow = tags.Tag("number", default=None)


class MeterUI(ui.UI):
    flow = ui.NumericVariable("Flow", value=MeterTags.flow, precision=2)


class SyncRegisterDouble(ModbusInterface):
    """A plain (blocking) override: the async app still awaits it."""

    def __init__(self, app_key):
        super().__init__(app_key)
        self.calls = []
        self.thread_names = []

    def read_registers(self, bus_id="default", modbus_id=1, start_address=0, num_registers=1,
                       register_type=4, configure_bus=True, **kwargs):
        self.calls.append((modbus_id, start_address, num_registers))
        self.thread_names.append(threading.current_thread().name)
        return [100 + len(self.calls), 7]


class Meter(Application):
    config_cls = MeterConfig
    tags_cls = MeterTags
    ui_cls = MeterUI

    async def setup(self):
        self.loop_target_period = 0.01

    async def main_loop(self):
        raw, _status = await self.modbus_iface.read_registers(
            modbus_id=self.config.modbus_id.value, start_address=0, num_registers=2)
        flow = raw * self.config.scale.value
        await self.tags.flow.set(flow)
        await self.device_agent.update_channel_aggregate("meter", {"site": {"name": self.config.site_name.value}})
        await self.device_agent.update_channel_aggregate("meter", {"site": {"flow": flow}})
        await self.device_agent.create_message("flow_log", {"flow": flow})


def test_mock_agent_is_awaitable_from_a_test_coroutine_and_plain_elsewhere():
    agent = MockDeviceAgentInterface(KEY)

    async def in_coroutine():
        await agent.update_channel_aggregate("c", {"a": {"x": 1}})
        await agent.update_channel_aggregate("c", {"a": {"y": 2}, "b": None})
        mid = await agent.create_message("c", {"n": 1})
        return mid, (await agent.fetch_channel_aggregate("c")).data

    mid, data = asyncio.run(in_coroutine())
    assert data == {"a": {"x": 1, "y": 2}}
    assert isinstance(mid, int) and mid > 0
    # from plain code the same methods return values
    assert agent.fetch_channel_aggregate("c").data == {"a": {"x": 1, "y": 2}}
    assert agent.create_message("c", {"n": 2}) > mid
    assert [m.data for m in agent.messages["c"]] == [{"n": 1}, {"n": 2}]


def test_sdk_style_run_next_and_cancel_with_config_seeded_in_the_mock():
    agent = MockDeviceAgentInterface(KEY)
    modbus = SyncRegisterDouble(KEY)
    app = Meter(app_key=KEY, device_agent=agent, platform_iface=None, modbus_iface=modbus, test_mode=True)

    async def scenario():
        await agent.update_channel_aggregate(
            "deployment_config", {"applications": {KEY: {"site_name": "Creek", "scale": 2}}})
        task = asyncio.create_task(app._run())
        await app.wait_until_ready()
        flows = []
        for _ in range(3):
            await app.next()
            flows.append(app.tags.flow.value)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return flows

    flows = asyncio.run(scenario())
    assert flows == [202.0, 204.0, 206.0]
    assert app.config.modbus_id.value == 3  # backfilled default
    assert modbus.calls == [(3, 0, 2)] * 3
    assert all(name != threading.current_thread().name for name in modbus.thread_names)
    assert agent.aggregates["meter"] == {"site": {"name": "Creek", "flow": 206.0}}
    assert [m.data for m in agent.messages["flow_log"]] == [{"flow": 202.0}, {"flow": 204.0}, {"flow": 206.0}]
    assert agent.aggregates["tag_values"][KEY] == {"flow": 206.0}
    # the cancelled task stopped the app: it is no longer ready and iterates no more
    assert app.is_ready is False
    assert app.iterations == 3


def test_inject_deployment_config_backfills_defaults_and_names_missing_required_values():
    cfg = MeterConfig()
    cfg._inject_deployment_config({"site_name": "Creek"})
    assert (cfg.site_name.value, cfg.modbus_id.value, cfg.scale.value) == ("Creek", 3, 0.5)
    with pytest.raises(ConfigError, match="site_name") as info:
        MeterConfig()._inject_deployment_config({"modbus_id": 4})
    assert isinstance(info.value, ValueError)  # what the SDK raises, so `pytest.raises(ValueError)` holds


def test_schema_and_ui_export_into_doover_config_json(tmp_path):
    path = tmp_path / "doover_config.json"
    path.write_text(json.dumps({KEY: {"type": "DEV"}, "other_app": {"x": 1}}))
    MeterConfig.export(path, KEY)
    MeterUI(None, None, None).export(path, KEY)
    written = json.loads(path.read_text())
    assert written["other_app"] == {"x": 1}
    assert written[KEY]["type"] == "DEV"
    assert written[KEY]["config_schema"] == MeterConfig.to_schema()
    assert written[KEY]["config_schema"]["required"] == ["site_name"]
    ui_schema = written[KEY]["ui_schema"]
    assert ui_schema == MeterUI(None, None, None).to_schema(resolve_config=False)
    assert ui_schema["displayString"] == "$config.app().APP_DISPLAY_NAME"
    assert ui_schema["children"]["flow"]["currentValue"] == "$tag.app().flow:number:null"
