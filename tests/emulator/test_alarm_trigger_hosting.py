"""Alarm transitions in the emulator: ``on_alarm_trigger`` listener events, a hosted processor
invoked by them, and ``doover invoke --op on_alarm_trigger``.

Everything goes through real HTTP: the alarm is created and the aggregate patched with
``requests`` against the emulator's server, the processor runs in a worker process, and its
writes are read back over HTTP.
"""

import importlib.util
import json
import pathlib
import re
import subprocess
import sys
import textwrap

import pytest
import requests

from doover.emulator import Emulator
from doover.emulator._hosting import ProcessorHost
from doover.models import AlarmState, AlarmTriggerEvent

HAS_RIC = importlib.util.find_spec("awslambdaric") is not None
RUNTIMES = [
    pytest.param("awslambdaric", marks=pytest.mark.skipif(not HAS_RIC, reason="awslambdaric is not importable")),
    "plain",
]

APP = """
from doover.exceptions import InvokingChannelError
from doover.processor import Application, run_app

class Watch(Application):
    def on_aggregate_update(self, event):
        return {"op": "aggregate", "patch": event.request_data.data}

    def on_alarm_trigger(self, event):
        self.publish("alerts", {"alarm": event.alarm.name, "from": event.old_state.value,
                                "to": event.new_state.value, "value": event.value})
        self.set_tag("last_state", event.new_state.value)
        try:
            self.publish(event.channel.name, {"echo": True})
            refused = None
        except InvokingChannelError as exc:
            refused = type(exc).__name__
        return {"op": "alarm", "alarm_id": event.alarm.id, "is_alarm": event.is_alarm,
                "is_cleared": event.is_cleared, "refused": refused}

app = Watch()

def handler(event, context):
    return run_app(app, event, context)
"""

HOT = {"name": "hot", "key": "tank.temp", "operator": "gt", "value": 30}


class Http:
    def __init__(self, emu):
        self.base = emu.base_url
        self.session = requests.Session()
        self.session.headers["Authorization"] = "Bearer " + emu.token_for(1)

    def __call__(self, method, path, **kwargs):
        response = self.session.request(method, self.base + path, timeout=30, **kwargs)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None


@pytest.fixture
def emu():
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def http(emu):
    client = Http(emu)
    yield client
    client.session.close()


def test_a_transition_emits_on_alarm_trigger_after_the_aggregate_update(emu, http):
    events = []
    emu.add_listener(events.append)
    alarm = http("POST", "/agents/1/channels/tank/alarms", json=HOT)
    assert alarm["state"] == "NoData" and events == []  # creating an alarm fires nothing

    http("PATCH", "/agents/1/channels/tank/aggregate", json={"tank": {"temp": 35}})
    assert [e["op"] for e in events] == ["on_aggregate_update", "on_alarm_trigger"]
    trigger = events[1]
    assert (trigger["agent_id"], trigger["channel"]) == (1, "tank")
    d = trigger["d"]
    after = http("GET", "/agents/1/channels/tank/alarms/" + alarm["id"])
    aggregate = http("GET", "/agents/1/channels/tank/aggregate")
    assert d == {
        "organisation_id": trigger["organisation_id"],
        "channel": {"agent_id": "1", "name": "tank"},
        "alarm": dict(after, channel_name="tank"),
        "old_state": "NoData",
        "new_state": "Alarm",
        "aggregate": aggregate,
        "request_data": {"data": {"tank": {"temp": 35}}},
    }
    assert after["state"] == "Alarm" and after["entered_state_ts"] >= alarm["entered_state_ts"]
    event = AlarmTriggerEvent.from_dict(d)
    assert (event.old_state, event.new_state, event.value, event.is_alarm) == (
        AlarmState.NoData, AlarmState.Alarm, 35, True)
    assert event.alarm.id == int(alarm["id"])

    del events[:]
    http("PATCH", "/agents/1/channels/tank/aggregate", json={"tank": {"level": 3}})  # no state change
    assert [e["op"] for e in events] == ["on_aggregate_update"]


def test_two_alarms_changing_at_once_give_one_event_each_in_alarm_order(emu, http):
    first = http("POST", "/agents/1/channels/tank/alarms", json=HOT)
    second = http("POST", "/agents/1/channels/tank/alarms", json=dict(HOT, name="cold", operator="lt", value=5))
    http("PATCH", "/agents/1/channels/tank/aggregate", json={"tank": {"temp": 20}})
    events = []
    emu.add_listener(events.append)
    http("PATCH", "/agents/1/channels/tank/aggregate", json={"tank": {"temp": 2}})
    assert [(e["op"], e["d"].get("alarm", {}).get("id"), e["d"].get("old_state"), e["d"].get("new_state"))
            for e in events] == [
        ("on_aggregate_update", None, None, None),
        ("on_alarm_trigger", second["id"], "OK", "Alarm"),
    ]
    http("PATCH", "/agents/1/channels/tank/aggregate", json={"tank": {"temp": 50}})
    assert [(e["d"]["alarm"]["id"], e["d"]["old_state"], e["d"]["new_state"]) for e in events[2:]
            if e["op"] == "on_alarm_trigger"] == [(first["id"], "OK", "Alarm"), (second["id"], "Alarm", "OK")]


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_hosted_processor_runs_on_alarm_trigger_from_a_real_patch_and_its_writes_land(emu, http, tmp_path, runtime):
    (tmp_path / "watch_app.py").write_text(textwrap.dedent(APP))
    alarm = http("POST", "/agents/1/channels/tank/alarms", json=HOT)
    with ProcessorHost(emu, "watch_app:handler", agent_id=1, app_key="watch", subscribe=["tank"],
                       cwd=str(tmp_path), runtime=runtime, timeout=60) as hosted:
        http("PATCH", "/agents/1/channels/tank/aggregate", json={"tank": {"temp": 20}})  # NoData -> OK
        hosted.wait_for(2, timeout=120)
        http("PATCH", "/agents/1/channels/tank/aggregate", json={"tank": {"temp": 35}})  # OK -> Alarm
        hosted.wait_for(4, timeout=120)
        http("PATCH", "/agents/1/channels/tank/aggregate", json={"tank": {"level": 7}})  # no transition
        runs = hosted.wait_for(5, timeout=120)

    assert [r["op"] for r in runs] == ["on_aggregate_update", "on_alarm_trigger"] * 2 + ["on_aggregate_update"]
    assert [r["result"]["status"] for r in runs] == ["success"] * 5, runs
    alarm_id = int(alarm["id"])
    assert [r["result"]["result"] for r in runs if r["op"] == "on_alarm_trigger"] == [
        {"op": "alarm", "alarm_id": alarm_id, "is_alarm": False, "is_cleared": True,
         "refused": "InvokingChannelError"},
        {"op": "alarm", "alarm_id": alarm_id, "is_alarm": True, "is_cleared": False,
         "refused": "InvokingChannelError"},
    ]
    # the processor's writes, read back over HTTP
    alerts = http("GET", "/agents/1/channels/alerts/messages")
    assert sorted((m["data"]["from"], m["data"]["to"], m["data"]["value"]) for m in alerts) == [
        ("NoData", "OK", 20), ("OK", "Alarm", 35)]
    assert {m["data"]["alarm"] for m in alerts} == {"hot"}
    assert http("GET", "/agents/1/channels/tag_values/aggregate")["data"] == {"watch": {"last_state": "Alarm"}}
    tank = http("GET", "/agents/1/channels/tank/messages")
    assert [m["data"] for m in tank] == []  # the refused echo never reached the alarm's channel
    # the processor's own summaries name the op
    app_id = emu.aggregate(1, "deployment_config")["data"]["applications"]["watch"]["APP_ID"]
    summaries = [m["data"] for m in http("GET", "/agents/1/channels/dv-proc-inv-{}/messages".format(app_id))]
    assert sorted(s["event_type"] for s in summaries) == ["on_aggregate_update"] * 3 + ["on_alarm_trigger"] * 2


def _docs_example():
    """The ```python block of the "Alarm triggers" section of docs/processor.md."""
    page = (pathlib.Path(__file__).resolve().parents[2] / "docs" / "processor.md").read_text(encoding="utf-8")
    section = page.split("\n## Alarm triggers\n", 1)[1].split("\n## ", 1)[0]
    return re.search(r"^```python\n(.*?)^```$", section, re.S | re.M).group(1)


def test_the_docs_example_notifies_on_raise_and_clear(emu, http, tmp_path):
    (tmp_path / "tank_alarms.py").write_text(_docs_example())
    http("POST", "/agents/1/channels/tank/alarms", json=HOT)
    with ProcessorHost(emu, "tank_alarms:handler", agent_id=1, app_key="tank_alarms", subscribe=["tank"],
                       cwd=str(tmp_path), runtime="plain", timeout=60) as hosted:
        http("PATCH", "/agents/1/channels/tank/aggregate", json={"tank": {"temp": 35}})
        hosted.wait_for(2, timeout=120)
        http("PATCH", "/agents/1/channels/tank/aggregate", json={"tank": {"temp": 20}})
        runs = hosted.wait_for(4, timeout=120)
    assert [(r["op"], r["result"]["status"], r["result"]["skip_reason"]) for r in runs] == [
        ("on_aggregate_update", "skipped", "no_handler"), ("on_alarm_trigger", "success", None)] * 2
    assert [r["result"]["result"] for r in runs if r["op"] == "on_alarm_trigger"] == [
        {"alarm": "hot", "from": "NoData", "to": "Alarm"}, {"alarm": "hot", "from": "Alarm", "to": "OK"}]
    sent = http("GET", "/agents/1/channels/notifications/messages")
    assert sorted((m["data"]["message"], m["data"]["severity"]) for m in sent) == [
        ("hot cleared: 20", 5), ("hot raised: 35", 6)]
    assert http("GET", "/agents/1/channels/tag_values/aggregate")["data"] == {"tank_alarms": {"alarm_hot": "OK"}}


# A processor written for the platform SDK (pydoover 1.18.3; it imports and defines there as is).
PLATFORM_STYLE_APP = """
from pydoover.models import AlarmState, AlarmTriggerEvent
from pydoover.processor import Application, run_app


class PumpGuard(Application):
    async def pre_hook_filter(self, event):
        return not isinstance(event, AlarmTriggerEvent) or event.new_state is not AlarmState.NoData

    async def on_alarm_trigger(self, event: AlarmTriggerEvent):
        await self.api.create_message("pump_commands", {
            "run": not event.is_alarm, "reason": event.alarm.name, "level": event.value,
            "was": event.old_state.value, "now": event.new_state.value})
        return {"alarm_id": event.alarm.id, "is_alarm": event.is_alarm, "is_cleared": event.is_cleared}


def handler(event, context):
    return run_app(PumpGuard(), event, context)
"""


def test_a_platform_sdk_alarm_processor_runs_with_only_the_import_name_changed(emu, http, tmp_path):
    assert PLATFORM_STYLE_APP.count("pydoover") == 2
    (tmp_path / "pump_guard.py").write_text(PLATFORM_STYLE_APP.replace("pydoover", "doover"))
    alarm = http("POST", "/agents/1/channels/tank/alarms",
                 json={"name": "low level", "key": "level", "operator": "lt", "value": 20})
    with ProcessorHost(emu, "pump_guard:handler", agent_id=1, app_key="pump_guard", subscribe=["tank"],
                       cwd=str(tmp_path), runtime="plain", timeout=60) as hosted:
        for count, level in ((2, 50), (4, 10), (6, "broken")):  # NoData -> OK -> Alarm -> NoData
            http("PATCH", "/agents/1/channels/tank/aggregate", json={"level": level})
            runs = hosted.wait_for(count, timeout=120)
    alarm_runs = [r["result"] for r in runs if r["op"] == "on_alarm_trigger"]
    assert [r["result"]["skip_reason"] for r in runs if r["op"] == "on_aggregate_update"] == ["no_handler"] * 3
    assert alarm_runs == [
        {"status": "success", "result": {"alarm_id": int(alarm["id"]), "is_alarm": False, "is_cleared": True},
         "skip_reason": None, "error": None},
        {"status": "success", "result": {"alarm_id": int(alarm["id"]), "is_alarm": True, "is_cleared": False},
         "skip_reason": None, "error": None},
        {"status": "skipped", "result": None, "skip_reason": "pre_hook_filter", "error": None},
    ]
    commands = http("GET", "/agents/1/channels/pump_commands/messages")
    assert sorted((m["data"]["was"], m["data"]["now"], m["data"]["run"], m["data"]["level"]) for m in commands) == [
        ("NoData", "OK", True, 50), ("OK", "Alarm", False, 10)]
    assert {m["data"]["reason"] for m in commands} == {"low level"}


# ---------------------------------------------------------------- doover invoke


def invoke(tmp_path, *args):
    (tmp_path / "watch_app.py").write_text(textwrap.dedent(APP))
    return subprocess.run([sys.executable, "-m", "doover", "invoke", "watch_app:handler", "--op", "on_alarm_trigger",
                           "--channel", "tank", "--runtime", "plain"] + list(args), cwd=str(tmp_path),
                          capture_output=True, universal_newlines=True, timeout=180)


def test_invoke_creates_the_alarm_applies_the_patch_and_runs_the_handler(tmp_path):
    done = invoke(tmp_path, "--alarm", json.dumps(HOT), "--data", '{"tank": {"temp": 31}}')
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    result = json.loads(lines[lines.index("== result") + 1])
    assert result["status"] == "success"
    assert {k: v for k, v in result["result"].items() if k != "alarm_id"} == {
        "op": "alarm", "is_alarm": True, "is_cleared": False, "refused": "InvokingChannelError"}
    assert isinstance(result["result"]["alarm_id"], int)
    summary = json.loads(lines[lines.index("== summary") + 1])
    assert (summary["event_type"], summary["status"]) == ("on_alarm_trigger", "success")


@pytest.mark.parametrize("args, message", [
    ([], 'doover: error: --alarm: required with --op on_alarm_trigger (JSON such as '
         '{"name": "hot", "key": "temp", "operator": "gt", "value": 30})'),
    (["--alarm", json.dumps(HOT), "--data", '{"tank": {"level": 1}}'],
     "doover: error: --data: the patch left alarm 'hot' in state NoData (tank.temp gt 30); an alarm trigger "
     "needs a state change"),
    (["--alarm", "[1]"], "doover: error: --alarm: expected a JSON object with name, key, operator and value"),
])
def test_invoke_without_a_usable_alarm_says_what_is_missing(tmp_path, args, message):
    done = invoke(tmp_path, *args)
    assert done.returncode != 0
    assert message in done.stderr.splitlines(), done.stderr
