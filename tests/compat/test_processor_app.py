"""A processor written for the platform SDK runs on doover with only the import name changed.

``processor_app/cold_store.py`` keeps its ``pydoover`` imports; this test copies it into
``tmp_path`` replacing ``pydoover`` with ``doover`` (nothing else), imports the copy and calls its
Lambda ``handler(event, context)`` with the events the emulator delivers, then reads back what the
emulator stored: tags, messages, the notification and the invocation summaries (a
pre-hook-skipped event publishes none, as with the platform's SDK).
"""

import importlib.util
import json
import os
import sys

import pytest

from doover.emulator import Emulator

SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "processor_app", "cold_store.py")
AGENT = 1
APP_KEY = "cold_store"


class Context:
    function_name = "cold-store"
    function_version = "$LATEST"

    def __init__(self, request_id):
        self.aws_request_id = request_id


@pytest.fixture
def app_module(tmp_path):
    with open(SOURCE) as fh:
        source = fh.read()
    assert "from pydoover.processor import" in source and "from doover" not in source
    path = tmp_path / "cold_store.py"
    path.write_text(source.replace("pydoover", "doover"))
    spec = importlib.util.spec_from_file_location("compat_cold_store", str(path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("compat_cold_store", None)


@pytest.fixture
def emu(monkeypatch):
    with Emulator() as emulator:
        monkeypatch.setenv("DOOVER_DATA_ENDPOINT", emulator.base_url)
        yield emulator


def test_platform_sdk_style_processor_runs_with_only_the_import_name_changed(emu, app_module):
    deployment = emu.set_deployment_config(AGENT, APP_KEY, {
        "threshold": 8.0, "site_name": "Store 4", "dv_proc_subscriptions": "sensors",
        "dv_proc_schedules": "rate(15 minutes)"})
    arn = emu.add_subscription(AGENT, "sensors", APP_KEY)
    delivered = []
    emu.add_listener(delivered.append)

    results = []
    for n, data in enumerate([{"t": 5.5}, {"t": 9.0}, {"door": "open"}, {"t": 10.5}], 1):
        emu.publish(AGENT, "sensors", data)
        creates = [e for e in delivered if e["op"] == "on_message_create"]
        body = {"op": "on_message_create", "token": emu.initial_token(arn), "d": creates[-1]["d"]}
        event = {"Records": [{"EventSource": "aws:sns", "EventSubscriptionArn": arn,
                              "Sns": {"Message": json.dumps(body)}}]}
        results.append(app_module.handler(event, Context("req-{}".format(n))))

    assert results == [
        {"status": "success", "result": {"temperature": 5.5, "alerting": False}, "skip_reason": None, "error": None},
        {"status": "success", "result": {"temperature": 9.0, "alerting": True}, "skip_reason": None, "error": None},
        {"status": "skipped", "result": None, "skip_reason": "pre_hook_filter", "error": None},
        {"status": "success", "result": {"temperature": 10.5, "alerting": True}, "skip_reason": None, "error": None},
    ]
    assert emu.aggregate(AGENT, "tag_values")["data"] == {
        APP_KEY: {"last_temperature": 10.5, "readings": 3, "alerting": True}}
    # one notification when the store crossed the threshold, not one per hot reading
    assert [(n["message"], n["title"], n["severity"]) for n in emu.notifications(AGENT)] == [
        ("Store 4: 9.0 C is above 8.0 C", "Cold store too warm", "Warn")]

    emu.update_aggregate(AGENT, "sensors", {"t": 10.5, "door": "closed"})
    schedule_id = emu.add_schedule(AGENT, APP_KEY)
    event = {"op": "on_schedule", "token": emu.initial_token(schedule_id=schedule_id),
             "d": {"schedule_id": schedule_id, "organisation_id": str(emu.default_organisation_id)}}
    out = app_module.handler(event, Context("req-sched"))

    report = {"site": "Store 4", "readings": 3, "latest": {"t": 10.5, "door": "closed"}, "alerting": True}
    assert out == {"status": "success", "result": report, "skip_reason": None, "error": None}
    reports = emu.messages(AGENT, "reports")
    assert [m["data"] for m in reports] == [report]
    assert emu.aggregate(AGENT, "tag_values")["data"] == {
        APP_KEY: {"last_temperature": 10.5, "readings": 0, "alerting": True, "last_report": str(reports[0]["id"])}}

    stored = emu.messages(AGENT, "dv-proc-inv-{}".format(deployment["APP_ID"]))
    summaries = [m["data"] for m in sorted(stored, key=lambda m: int(m["id"]))]  # oldest first
    assert [(s["event_type"], s["status"], s["requestId"], s["app_key"], s["function_name"]) for s in summaries] == [
        ("on_message_create", "success", "req-1", APP_KEY, "cold-store"),
        ("on_message_create", "success", "req-2", APP_KEY, "cold-store"),
        ("on_message_create", "success", "req-4", APP_KEY, "cold-store"),
        ("on_schedule", "success", "req-sched", APP_KEY, "cold-store"),
    ]
    assert summaries[-1]["schedule_id"] == schedule_id and summaries[0]["subscription_id"] == arn
