"""Application in-process: test mode, error retry, callbacks on the loop thread, config, args."""

import asyncio
import json
import logging
import threading

import pytest

import doover._hooks as hooks
from doover.docker import Application, DeviceAgentInterface, MockDeviceAgentInterface
from doover.docker._outbox import Outbox
from doover.docker._runner import parse_settings
from doover.exceptions import DooverError

AGENT = 4242
TOKEN = "device-token-1"


class FakeStop:
    """A stop event whose waits return at once and are recorded (the injectable clock)."""

    def __init__(self, app=None):
        self.app = app
        self.waits = []
        self._flag = False

    def wait(self, timeout=None):
        healthy = self.app.health_status()["healthy"] if self.app is not None else None
        self.waits.append((timeout, healthy))
        return self._flag

    def set(self):
        self._flag = True

    def clear(self):
        self._flag = False

    def is_set(self):
        return self._flag


class Flaky(Application):
    def setup(self):
        self.calls = 0

    def main_loop(self):
        self.calls += 1
        if self.calls % 3 == 0:
            raise RuntimeError("sensor glitch {}".format(self.calls))
        self.set_tag("calls", self.calls)
        if self.calls >= 10:
            self.request_stop()


class AsyncFlaky(Application):
    async def setup(self):
        self.calls = 0

    async def main_loop(self):
        self.calls += 1
        if self.calls % 3 == 0:
            raise RuntimeError("sensor glitch {}".format(self.calls))
        await self.set_tag("calls", self.calls)
        if self.calls >= 10:
            self.request_stop()


@pytest.mark.parametrize("cls", [Flaky, AsyncFlaky])
def test_loop_error_every_third_iteration_is_logged_waited_and_retried(cls, caplog):
    agent = MockDeviceAgentInterface("app")
    app = cls(app_key="app", device_agent=agent)
    app.loop_target_period = 0
    app.stop_event = FakeStop(app)
    with caplog.at_level(logging.ERROR, logger="doover.docker.app"):
        assert app.run() == 0
    errors = [r for r in caplog.records if "error in main_loop" in r.getMessage()]
    assert [str(r.exc_info[1]) for r in errors] == ["sensor glitch 3", "sensor glitch 6", "sensor glitch 9"]
    # each failure waited the 10 s error period, reporting unhealthy while waiting
    assert [w for w in app.stop_event.waits if w[0] == 10] == [(10, False)] * 3
    assert app.iterations == 7 and app.failures == 3
    assert agent.aggregates["tag_values"] == {"app": {"calls": 10}}


class Recorder(Application):
    def setup(self):
        self.seen = []
        self.in_loop = False
        self.loop_thread = None
        self.device_agent.add_event_callback("cmds", self.on_cmd, events="message_create")
        self.subscribe_to_tag("mode", lambda key, value: self.seen.append(("tag", key, value)))

    def on_cmd(self, event):
        assert not self.in_loop
        self.seen.append(("cmd", event.message.data, threading.current_thread() is self.loop_thread))

    def main_loop(self):
        self.in_loop = True
        self.loop_thread = threading.current_thread()
        self.seen.append(("loop", hooks._local.__dict__.get("loop")))
        self.in_loop = False


def test_test_mode_next_runs_one_iteration_and_callbacks_between_iterations():
    agent = MockDeviceAgentInterface("app")
    app = Recorder(app_key="app", device_agent=agent, test_mode=True)
    runner = threading.Thread(target=app.run)
    runner.start()
    try:
        assert app.wait_until_ready(10)
        assert app.next()
        agent.inject_message("cmds", {"go": 1})
        agent.inject_aggregate("tag_values", {"app": {"mode": "auto"}})
        assert app.seen == [("loop", None)]  # nothing runs outside next()
        assert app.next()
        assert app.seen[1:] == [("cmd", {"go": 1}, True), ("tag", "mode", "auto"), ("loop", None)]
    finally:
        app.request_stop()
        runner.join(10)
    assert not runner.is_alive() and app.exit_code == 0


class AsyncTagger(Application):
    async def setup(self):
        self.n = 0

    async def main_loop(self):
        self.n += 1
        await self.set_tag("n", self.n)
        await self.device_agent.create_message("log", {"n": self.n})


class SyncTagger(Application):
    def setup(self):
        self.n = 0

    def main_loop(self):
        self.n += 1
        self.set_tag("n", self.n)
        self.device_agent.create_message("log", {"n": self.n})


@pytest.mark.parametrize("cls", [SyncTagger, AsyncTagger])
def test_async_with_app_run_and_next_from_an_event_loop(cls):
    agent = MockDeviceAgentInterface("app")
    app = cls(app_key="app", device_agent=agent, test_mode=True)  # built with no running loop

    async def drive():
        async with app:
            task = asyncio.ensure_future(app._run())
            assert await app.wait_until_ready(10)
            await app.next()
            await app.next()
            app.request_stop()
            assert await task == 0

    asyncio.run(drive())
    assert agent.aggregates["tag_values"] == {"app": {"n": 2}}
    assert [m.data for m in agent.messages["log"]] == [{"n": 1}, {"n": 2}]


def test_next_outside_test_mode_is_an_error():
    with pytest.raises(DooverError, match="test_mode=True"):
        Application(app_key="a").next()


def test_shutdown_requested_is_answered_with_shutdown_check_ok():
    agent = MockDeviceAgentInterface("app")
    agent.update_channel_aggregate("tag_values", {"shutdown_requested": True})

    class Busy(Application):
        def check_can_shutdown(self):
            return False

    app = Busy(app_key="app", device_agent=agent, test_mode=True)
    runner = threading.Thread(target=app.run)
    runner.start()
    try:
        assert app.wait_until_ready(10)
        assert app.next()
        assert agent.aggregates["tag_values"] == {"shutdown_requested": True, "app": {"shutdown_check_ok": False}}
    finally:
        app.request_stop()
        runner.join(10)


def test_overrun_warning_when_iterations_keep_exceeding_the_period(caplog):
    class Slow(Application):
        def main_loop(self):
            threading.Event().wait(0.03)
            if self.iterations >= 8:
                self.request_stop()

    app = Slow(app_key="app")
    app.loop_target_period = 0.01
    with caplog.at_level(logging.WARNING, logger="doover.docker.app"):
        assert app.run() == 0
    assert any("slower than its target period" in r.getMessage() for r in caplog.records)


def test_config_file_is_injected(tmp_path):
    cfg = tmp_path / "cfg.json"
    cfg.write_text(json.dumps({"pump_pin": 3, "AGENT_ID": 77, "APP_DISPLAY_NAME": "Pump"}))
    agent = MockDeviceAgentInterface("app", agent_id=None)
    app = Application(app_key="app", device_agent=agent, config_fp=str(cfg), test_mode=True)
    app.request_stop()
    assert app.run() == 0
    assert app.config == {"pump_pin": 3, "AGENT_ID": 77, "APP_DISPLAY_NAME": "Pump"}
    assert (agent.agent_id, app.app_display_name) == (77, "Pump")


def test_cached_config_is_used_when_the_cloud_is_down_at_start(cloud, tmp_path):
    path = str(tmp_path / "ob.sqlite")
    cloud.aggregates[(AGENT, "deployment_config")] = {"applications": {"app": {"pump_pin": 5}}}
    online = Application(app_key="app", device_agent=DeviceAgentInterface(
        "app", AGENT, cloud.base_url, TOKEN, path, poll_interval=0.05))
    online.test_mode = True
    online.request_stop()
    assert online.run() == 0 and online.config == {"pump_pin": 5}

    cloud.stop()
    offline = Application(app_key="app", device_agent=DeviceAgentInterface(
        "app", AGENT, cloud.base_url, TOKEN, Outbox(path), poll_interval=0.05, max_backoff=0.1))
    offline.test_mode = True
    offline.request_stop()
    assert offline.run() == 0
    assert offline.config == {"pump_pin": 5}


def test_settings_flag_beats_env_beats_default():
    env = {"APP_KEY": "from_env", "AGENT_ID": "12", "DOOVER_TOKEN": "t", "HEALTHCHECK_PORT": "5000", "DEBUG": "1"}
    s = parse_settings(["--app-key", "from_flag"], env)
    assert (s.app_key, s.agent_id, s.token, s.healthcheck_port, s.debug) == ("from_flag", 12, "t", 5000, True)
    assert s.data_url == "https://data.doover.com/api"
    d = parse_settings(["--app-key", "a", "--agent-id", "1", "--token", "x"], {})
    assert (d.healthcheck_port, d.debug, d.config_fp, d.outbox) == (49200, False, None, None)


def test_missing_agent_id_exits_2_naming_flag_and_variable(capsys):
    with pytest.raises(SystemExit) as exc:
        parse_settings(["--app-key", "a", "--token", "t"], {})
    assert exc.value.code == 2
    assert capsys.readouterr().err == "error: missing agent id: pass --agent-id or set AGENT_ID\n"


class Routed(Application):
    def setup(self):
        self.got = []
        self.subscribe("cmds", events=["message_create", "aggregate_update"])

    def on_message_create(self, event):
        self.got.append(("create", event.message.data))

    async def on_aggregate_update(self, event):
        self.got.append(("aggregate", event.aggregate.data))


def test_subscribe_routes_events_to_on_hooks_and_config_updates_live():
    agent = MockDeviceAgentInterface("app")
    agent.update_channel_aggregate("deployment_config", {"applications": {"app": {"pin": 1}}})
    app = Routed(app_key="app", device_agent=agent, test_mode=True)
    runner = threading.Thread(target=app.run)
    runner.start()
    try:
        assert app.wait_until_ready(10)
        assert app.config == {"pin": 1}
        agent.inject_message("cmds", {"go": True})
        agent.inject_aggregate("cmds", {"mode": "auto"})
        agent.inject_aggregate("deployment_config", {"applications": {"app": {"pin": 2}}})
        assert app.next()
        assert app.got == [("create", {"go": True}), ("aggregate", {"mode": "auto"})]
        assert app.config == {"pin": 2}
    finally:
        app.request_stop()
        runner.join(10)


def test_send_notification_publishes_on_notifications_with_severity_number():
    agent = MockDeviceAgentInterface("app")
    app = Application(app_key="app", device_agent=agent)
    mid = app.send_notification("Battery low", title="Power", severity="warning", topic="power")
    (msg,) = agent.messages["notifications"]
    assert (msg.id, msg.data) == (mid, {"message": "Battery low", "title": "Power", "severity": 6, "topic": "power"})
    assert agent.messages["notifications"][0].data["severity"] == 6
    app.send_notification("y", severity="crit")  # the platform's aliases, as a processor accepts them
    assert agent.messages["notifications"][-1].data == {"message": "y", "severity": 7}
    for bad, said in [("loud", "got 'loud'"), (99, "got 99"), (True, "3..7 or a name, got True")]:
        with pytest.raises(ValueError, match="severity: expected .*" + said):  # never sent: out of range,
            app.send_notification("x", severity=bad)  # the server would keep the body as raw text
    for blank in ("", "   "):
        with pytest.raises(ValueError, match="message: expected a non-empty string, got '{}'".format(blank)):
            app.send_notification(blank)
    assert len(agent.messages["notifications"]) == 2


def test_declared_tags_class_commits_through_the_edge_tag_manager():
    from doover.tags import Number, Tags

    class PumpTags(Tags):
        level = Number(default=0.0)

    class Pump(Application):
        tags_cls = PumpTags

        async def main_loop(self):
            await self.tags.level.set(self.tags.level.value + 1.5)

    agent = MockDeviceAgentInterface("pump")
    app = Pump(app_key="pump", device_agent=agent, test_mode=True)
    runner = threading.Thread(target=app.run)
    runner.start()
    try:
        assert app.wait_until_ready(10)
        assert app.next()
        assert agent.aggregates["tag_values"] == {"pump": {"level": 1.5}}
        assert app.next()
    finally:
        app.request_stop()
        runner.join(10)
    assert agent.aggregates["tag_values"] == {"pump": {"level": 3.0}}  # final commit
    assert app.get_tag("level") == 3.0


def test_config_cls_schema_is_validated_and_invalid_config_exits_1(caplog):
    from doover.config import Integer, Schema

    class PumpConfig(Schema):
        pump_pin = Integer("Pump Pin", default=1)

    class Pump(Application):
        config_cls = PumpConfig

    agent = MockDeviceAgentInterface("pump")
    agent.update_channel_aggregate("deployment_config", {"applications": {"pump": {"pump_pin": 4}}})
    good = Pump(app_key="pump", device_agent=agent, test_mode=True)
    good.request_stop()
    assert good.run() == 0 and good.config.pump_pin.value == 4

    agent.update_channel_aggregate("deployment_config", {"applications": {"pump": {"pump_pin": "fast"}}})
    bad = Pump(app_key="pump", device_agent=agent, test_mode=True)
    bad.stop_event = FakeStop()
    with caplog.at_level(logging.ERROR, logger="doover.docker.app"):
        assert bad.run() == 1
    assert 'pump_pin: expected integer, got "fast"' in caplog.text
    assert bad.stop_event.waits == [(10, None)]
