"""Tags, UI and RPC over real HTTP: the managers drive a DataClient against doover.emulator."""

import pytest

from doover import rpc, ui
from doover.api import DataClient
from doover.emulator import Emulator
from doover.exceptions import RPCError
from doover.tags import Number, ProcessorTagManager, Tags
from rpc_pump import EventPump

AGENT = 1
APP = "pump_ctl_1"


@pytest.fixture
def emu():
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def client(emu):
    with DataClient(emu.base_url, token=emu.token_for(AGENT), agent_id=AGENT) as data_client:
        yield data_client


class PumpTags(Tags):
    level = Number(default=0)
    count = Number()


def test_tag_commit_stores_the_minimal_patch_and_keeps_a_concurrent_writers_keys(emu, client):
    emu.update_aggregate(AGENT, "tag_values", {APP: {"level": 1, "count": 5}, "other_app": {"x": 1}})
    manager = ProcessorTagManager(APP, client=client, tag_values=emu.aggregate(AGENT, "tag_values")["data"])
    tags = PumpTags(APP, manager, None)
    # another writer changes its own key and one of ours after we were seeded
    emu.update_aggregate(AGENT, "tag_values", {"other_app": {"x": 2}, APP: {"count": 6}})
    tags.level.set(4.5)
    plan = manager.commit()
    assert plan.aggregate_patch == {APP: {"level": 4.5}}
    assert emu.aggregate(AGENT, "tag_values")["data"] == {APP: {"level": 4.5, "count": 6}, "other_app": {"x": 2}}
    logged = emu.messages(AGENT, "tag_values")
    # ALWAYS logs the app's namespace as this invocation saw it (the reference's dense history)
    assert [m["data"] for m in logged] == [{APP: {"level": 4.5, "count": 5}}]


class PumpUI(ui.UI):
    status = ui.TextVariable("Status", value="ok")
    target = ui.FloatInput("Target", min_val=0, max_val=10)

    def setup(self):
        self.add_element(ui.Switch("Auto"))


def test_ui_publish_patch_and_a_command_round_trip_through_the_emulator(emu, client):
    emu.update_aggregate(AGENT, "ui_state", {"state": {"children": {APP: {"stale": True}, "other_app": {"keep": 1}}}})
    instance = PumpUI(None, None, APP)
    instance.setup()
    manager = ui.UIManager(client, APP, ui=instance)
    manager.initial_publish().execute(client)
    stored = emu.aggregate(AGENT, "ui_state")["data"]["state"]["children"]
    assert stored["other_app"] == {"keep": 1}
    assert "stale" not in stored[APP] and list(stored[APP]["children"]) == ["status", "target", "auto"]

    instance.status.value = "fault"
    assert manager.publish() is True
    stored = emu.aggregate(AGENT, "ui_state")["data"]["state"]["children"][APP]
    assert stored == manager._current_schema()
    assert stored["children"]["status"]["currentValue"] == "fault"

    worker = EventPump(emu, manager.handle_event)
    try:
        good = emu.publish(AGENT, "ui_cmds", {"type": "rpc", "method": "target", "request": 7.5, "app_key": APP,
                                              "status": {"code": "sent"}, "response": {}})
        bad = emu.publish(AGENT, "ui_cmds", {"type": "rpc", "method": "target", "request": 70, "app_key": APP,
                                             "status": {"code": "sent"}, "response": {}})
    finally:
        worker.close()
    assert worker.errors == []
    assert emu.message(AGENT, "ui_cmds", int(good["id"]))["data"]["status"] == {"code": "success"}
    assert emu.message(AGENT, "ui_cmds", int(bad["id"]))["data"]["status"] == {
        "code": "error", "message": {"code": "INVALID_VALUE", "message": "target: 70 is above the maximum 10"}}
    assert emu.aggregate(AGENT, "ui_cmds")["data"] == {APP: {"target": 7.5}}
    logs = [m["data"] for m in emu.messages(AGENT, "ui_cmds") if m["data"].get("type") == "log"]
    assert logs == [{"type": "log", "app_key": APP, "key": "target", "value": 7.5}]
    assert manager.get_value("target") == 7.5


class Service:
    @rpc.handler("add", channel="dv-rpc")
    def add(self, ctx, request):
        ctx.acknowledge()
        if not isinstance(request, dict):
            raise RPCError("BAD_REQUEST", "expected {a, b}")
        return {"sum": request["a"] + request["b"]}


@pytest.mark.parametrize("observe", ["poll", "events"])
def test_rpc_round_trip_between_two_apps_through_the_emulator(emu, client, observe):
    server = rpc.RPCManager(client, "svc")
    server.register_handlers(Service())
    with DataClient(emu.base_url, token=emu.token_for(AGENT), agent_id=AGENT) as caller_client:
        caller = rpc.RPCManager(caller_client, "caller", poll_interval=0.05 if observe == "poll" else 30)
        serving = EventPump(emu, server.handle_event)
        updates = EventPump(emu, caller.handle_event, ops=("on_message_update",)) if observe == "events" else None
        try:
            assert caller.call("add", {"a": 2, "b": 3}, app_key="svc", timeout=30) == {"sum": 5}
            with pytest.raises(RPCError) as info:
                caller.call("add", "nonsense", timeout=30)
        finally:
            serving.close()
            if updates is not None:
                updates.close()
    assert (info.value.code, info.value.message) == ("BAD_REQUEST", "expected {a, b}")
    first = next(m["data"] for m in emu.messages(AGENT, "dv-rpc") if m["data"]["request"] == {"a": 2, "b": 3})
    assert first["status"] == {"code": "success"} and first["response"] == {"sum": 5}
    assert serving.errors == []
