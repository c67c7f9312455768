"""UI and RPC in the edge runtime, against doover's in-process emulator over loopback: the
dynamic schema is published at start, later element changes go out as merge patches once
per iteration, and portal commands on ``ui_cmds`` (and RPC calls on a handler channel) are
served once each with the reply written onto the message."""

import threading
import time

import pytest

from doover import rpc, ui
from doover.docker import Application, DeviceAgentInterface
from doover.emulator import Emulator

AGENT = 77
KEY = "panel_1"


class PanelUI(ui.UI):
    level = ui.NumericVariable("Level", value=12, name="level")
    target = ui.FloatInput("Target", min_val=0, max_val=100, default=50, name="target")

    def setup(self):
        self.level.units = "%"  # overriding setup makes the UI dynamic


class SyncPanel(Application):
    ui_cls = PanelUI

    def setup(self):
        self.calls = []
        self.pings = []
        self.hide_level = False

    def main_loop(self):
        if self.hide_level:
            self.ui.level.hidden = True

    @ui.handler("target")
    def on_target(self, ctx, value):
        self.calls.append(value)
        return {"accepted": value}

    @rpc.handler("ping", channel="panel_rpc")
    def on_ping(self, ctx, request):
        self.pings.append(request)
        return {"pong": request}


class AsyncPanel(Application):
    ui_cls = PanelUI

    async def setup(self):
        self.calls = []
        self.pings = []
        self.hide_level = False

    async def main_loop(self):
        if self.hide_level:
            self.ui.level.hidden = True

    @ui.handler("target")
    async def on_target(self, ctx, value):
        self.calls.append(value)
        return {"accepted": value}

    @rpc.handler("ping", channel="panel_rpc")
    async def on_ping(self, ctx, request):
        self.pings.append(request)
        return {"pong": request}


def _wait(pred, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return pred()


def _iterate_until(app, pred, timeout=30.0):
    """Run loop iterations (the poller queues events meanwhile) until ``pred()`` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert app.next(30)
        if pred():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def running(request):
    emu = Emulator().start()
    events = []
    emu.add_listener(events.append)
    agent = DeviceAgentInterface(KEY, AGENT, emu.base_url, emu.token_for(AGENT), poll_interval=0.05)
    app = request.param(KEY, device_agent=agent, test_mode=True)
    thread = threading.Thread(target=app.run, name="edge-app-under-test")
    thread.start()
    try:
        assert app.wait_until_ready(30)
        yield emu, agent, app, events
    finally:
        app.request_stop()
        thread.join(30)
        emu.close()
    assert not thread.is_alive()


def _ui_state_bodies(events):
    return [e["d"]["request_data"] for e in events if e["op"] == "on_aggregate_update" and e["channel"] == "ui_state"]


def _command(method, value):
    return {"type": "rpc", "method": method, "request": value, "app_key": KEY, "status": {"code": "sent"}, "response": {}}


@pytest.mark.parametrize("running", [SyncPanel, AsyncPanel], indirect=True, ids=["sync", "async"])
def test_edge_dynamic_ui_is_published_then_patched_after_an_iteration(running):
    emu, agent, app, events = running
    assert agent.flush(20)
    published = emu.aggregate(AGENT, "ui_state")["data"]["state"]["children"][KEY]
    assert published["children"]["level"]["type"] == "uiVariable"
    assert published["children"]["level"]["units"] == "%"
    assert published["children"]["target"]["type"] == "uiFloatInput"
    assert "hidden" not in published["children"]["level"] or published["children"]["level"]["hidden"] is False
    assert len(_ui_state_bodies(events)) == 1

    assert app.next(30)  # nothing changed: no patch
    assert agent.flush(20)
    assert len(_ui_state_bodies(events)) == 1

    app.hide_level = True
    assert app.next(30)
    assert agent.flush(20)
    bodies = _ui_state_bodies(events)
    assert len(bodies) == 2
    assert bodies[1] == {"data": {"state": {"children": {KEY: {"children": {"level": {"hidden": True}}}}}}}
    after = emu.aggregate(AGENT, "ui_state")["data"]["state"]["children"][KEY]
    assert after["children"]["level"]["hidden"] is True
    assert after["children"]["level"]["units"] == "%"
    assert after["children"]["target"] == published["children"]["target"]


@pytest.mark.parametrize("running", [SyncPanel, AsyncPanel], indirect=True, ids=["sync", "async"])
def test_edge_ui_command_calls_handler_once_and_replies_success(running):
    emu, agent, app, events = running
    assert agent.wait_for_channels_sync(["ui_cmds"], timeout=20)
    sent = emu.publish(AGENT, "ui_cmds", _command("target", 60))
    assert _iterate_until(app, lambda: app.calls)
    assert app.calls == [60]
    assert app.ui_manager.get_value("target") == 60
    assert agent.flush(20)
    reply = emu.message(AGENT, "ui_cmds", int(sent["id"]))["data"]
    assert reply["status"]["code"] == "success"
    assert reply["response"] == {"accepted": 60}
    assert emu.aggregate(AGENT, "ui_cmds")["data"][KEY]["target"] == 60
    # later polls (the value's log message, the aggregate change) do not call it again
    path = "/api/agents/{}/channels/ui_cmds/messages".format(AGENT)
    for _ in range(3):
        seen = emu.request_count("GET", path, prefix=True)
        assert _wait(lambda: emu.request_count("GET", path, prefix=True) >= seen + 2)
        assert app.next(30)
    assert app.calls == [60]


@pytest.mark.parametrize("running", [SyncPanel, AsyncPanel], indirect=True, ids=["sync", "async"])
def test_edge_rpc_handler_channel_is_subscribed_and_answered(running):
    emu, agent, app, events = running
    assert sorted(app.rpc.channels) == ["panel_rpc"]
    assert agent.wait_for_channels_sync(["panel_rpc"], timeout=20)
    sent = emu.publish(AGENT, "panel_rpc", _command("ping", {"n": 3}))
    assert _iterate_until(app, lambda: app.pings)
    assert app.pings == [{"n": 3}]
    assert agent.flush(20)
    reply = emu.message(AGENT, "panel_rpc", int(sent["id"]))["data"]
    assert reply["status"]["code"] == "success"
    assert reply["response"] == {"pong": {"n": 3}}


def test_run_app_gives_platform_and_modbus_interfaces_delivering_on_the_loop_thread():
    from doover.docker import ModbusInterface, PlatformInterface, run_app
    from doover.hardware.platform import SimulatedBoard

    emu = Emulator().start()
    agent = DeviceAgentInterface(KEY, AGENT, emu.base_url, emu.token_for(AGENT), poll_interval=0.05)
    app = SyncPanel(KEY, device_agent=agent, test_mode=True)
    codes = []
    thread = threading.Thread(
        target=lambda: codes.append(run_app(app, argv=[], env={"HEALTHCHECK_PORT": "0"}, setup_logging=False)))
    thread.start()
    try:
        assert app.wait_until_ready(30)
        assert isinstance(app.platform_iface, PlatformInterface)
        assert isinstance(app.platform_iface.backend, SimulatedBoard)
        assert isinstance(app.modbus_iface, ModbusInterface)
        assert app.modbus_iface.config is app.config
        assert app.modbus_iface.app_key == KEY
        ran = []
        app.platform_iface.deliver(lambda *a: ran.append(("pulse", a, threading.current_thread().name)), 2, True)
        app.modbus_iface._deliver(lambda *a: ran.append(("regs", a, threading.current_thread().name)), [7])
        assert ran == []  # queued, not run on the caller's thread
        assert app.next(30)
        assert ran == [("pulse", (2, True), thread.name), ("regs", ([7],), thread.name)]
    finally:
        app.request_stop()
        thread.join(30)
        emu.close()
    assert not thread.is_alive()
    assert codes == [0]


class LongJobs(Application):
    def setup(self):
        self.started = threading.Event()
        self.go_on = threading.Event()
        self.outcome = None

    @rpc.handler("watch", channel="panel_rpc")
    def on_watch(self, ctx, request):
        self.started.set()
        self.outcome = (ctx.wait_cancelled(30), ctx.cancelled_by)  # no update events on the edge: polled
        return {"done": True}

    @rpc.handler("ignore", channel="panel_rpc")
    def on_ignore(self, ctx, request):
        self.started.set()
        self.go_on.wait(30)  # never looks: the final re-read still keeps the cancellation
        self.outcome = "finished"
        return {"done": True}


class AsyncLongJobs(LongJobs):
    @rpc.handler("watch", channel="panel_rpc")
    async def on_watch(self, ctx, request):
        self.started.set()
        self.outcome = (await ctx.wait_cancelled(30), ctx.cancelled_by)
        return {"done": True}


def _cancel_when_started(emu, app, message_id, then=None):
    from doover.api import DataClient

    def run():
        assert app.started.wait(30)
        with DataClient(emu.base_url, token=emu.token_for(AGENT), agent_id=AGENT) as operator:
            rpc.cancel_command(operator, message_id, "panel_rpc", {"id": "7", "name": "Ops"})
        if then is not None:
            then()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("running, method", [(LongJobs, "watch"), (AsyncLongJobs, "watch"), (LongJobs, "ignore")],
                         indirect=["running"], ids=["sync-wait", "async-wait", "sync-ignores"])
def test_edge_rpc_cancelled_while_running_is_seen_and_never_overwritten(running, method):
    emu, agent, app, events = running
    assert agent.wait_for_channels_sync(["panel_rpc"], timeout=20)
    sent = emu.publish(AGENT, "panel_rpc", _command(method, {}))
    canceller = _cancel_when_started(emu, app, int(sent["id"]), then=app.go_on.set if method == "ignore" else None)
    assert _iterate_until(app, lambda: app.outcome is not None, timeout=60)
    canceller.join(30)
    expected = "finished" if method == "ignore" else (True, {"id": "7", "name": "Ops"})
    assert app.outcome == expected
    assert agent.flush(20)
    status = emu.message(AGENT, "panel_rpc", int(sent["id"]))["data"]["status"]
    assert status["code"] == "error" and status["message"]["info"] == "Command cancelled"
    assert status["message"]["cancelled_by"] == {"id": "7", "name": "Ops"}
