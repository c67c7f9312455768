"""The emulator hosting a processor in one long-lived worker process (cold once, warm after).

Every behaviour runs under both runtimes: the real AWS Lambda runtime interface client
(``python -m awslambdaric`` against the local Runtime API; skipped only where awslambdaric is
not importable) and the plain worker.
"""

import datetime
import importlib.util
import os
import socket
import stat
import sys
import textwrap
import threading

import pytest

from doover.emulator import Emulator
from doover.emulator._hosting import ProcessorHost, parse_rate
from doover.exceptions import DooverError, InvalidArgumentError, NotSupportedError

HAS_RIC = importlib.util.find_spec("awslambdaric") is not None
RUNTIMES = [
    pytest.param("awslambdaric", marks=pytest.mark.skipif(not HAS_RIC, reason="awslambdaric is not importable")),
    "plain",
]

APP = """
import os, time
from doover.processor import Application, run_app

class Counter(Application):
    def on_message_create(self, event):
        if event.message.data.get("sleep"):
            time.sleep(event.message.data["sleep"])
        if event.message.data.get("die"):
            os._exit(3)
        self.set_tag("count", (self.get_tag("count") or 0) + 1)
        if event.message.data.get("t", 0) > 40:
            self.send_notification("hot")
        return {"pid": os.getpid()}

    def on_schedule(self, event):
        self.set_tag("ticks", (self.get_tag("ticks") or 0) + 1)
        return {"pid": os.getpid()}

    def on_manual_invoke(self, event):
        self.set_tag("asked", event.payload)
        return {"org": event.organisation_id, "report_id": event.payload.get("report_id")}

    def on_deployment(self, event):
        self.set_tag("deployed_as", [event.app_key, event.app_display_name, str(event.app_id)])
        return {"agent": event.agent_id}

app = Counter()

def handler(event, context):
    return run_app(app, event, context)

def context_handler(event, context):
    return {"request_id": context.aws_request_id, "function_name": context.function_name,
            "function_version": context.function_version, "remaining": context.get_remaining_time_in_millis(),
            "pid": os.getpid(), "endpoint": os.environ.get("DOOVER_DATA_ENDPOINT")}

def raising_handler(event, context):
    raise ValueError("no such reading")
"""

SUMMARY_KEYS = ["app_key", "app_id", "agent_id", "event_type", "subscription_id", "schedule_id", "ingestion_id",
                "started_at", "duration_ms", "status", "skip_reason", "error", "requestId", "function_name",
                "function_version"]


@pytest.fixture
def emu(tmp_path):
    (tmp_path / "counter_app.py").write_text(textwrap.dedent(APP))
    with Emulator() as emulator:
        yield emulator


def host(emu, tmp_path, runtime, target="counter_app:handler", **kwargs):
    kwargs.setdefault("subscribe", ["sensors"])
    kwargs.setdefault("timeout", 60)
    return ProcessorHost(emu, target, agent_id=1, app_key="counter", cwd=str(tmp_path), runtime=runtime, **kwargs)


def app_id(emu):
    return emu.aggregate(1, "deployment_config")["data"]["applications"]["counter"]["APP_ID"]


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_subscription_invokes_one_warm_worker_and_writes_go_back_through_the_emulator(emu, tmp_path, runtime):
    with host(emu, tmp_path, runtime) as hosted:
        assert hosted.runtime_in_use == runtime
        port = hosted._api.port if runtime == "awslambdaric" else None
        for t in (10, 41, 12):
            emu.publish(1, "sensors", {"t": t})
            hosted.wait_for(len(hosted.invocations) + 1)
        runs = hosted.invocations
    # stopped: the worker is reaped, the Runtime API port is closed, no host threads are left
    with pytest.raises(ProcessLookupError):
        os.kill(runs[0]["pid"], 0)
    if port is not None:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=10)
    assert [t.name for t in threading.enumerate() if t.name.startswith(("doover-worker", "doover-runtime-api",
                                                                          "doover-processor"))] == []
    assert [r["result"]["status"] for r in runs] == ["success"] * 3
    assert [r["cold"] for r in runs] == [True, False, False]
    assert [r["runtime"] for r in runs] == [runtime] * 3
    pids = {r["result"]["result"]["pid"] for r in runs}
    assert len(pids) == 1 and pids == {r["pid"] for r in runs}
    assert emu.aggregate(1, "tag_values")["data"] == {"counter": {"count": 3}}
    assert [n["message"] for n in emu.notifications(1)] == ["hot"]
    # the processor published its own summaries: one per invocation, with the host's request ids
    summaries = [m["data"] for m in emu.messages(1, "dv-proc-inv-" + app_id(emu))]
    assert sorted(s["requestId"] for s in summaries) == sorted(r["request_id"] for r in runs)
    assert {s["function_name"] for s in summaries} == {"counter_app"}


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_manual_invoke_and_deployment_are_delivered_directly_with_the_upgrade(emu, tmp_path, runtime):
    with host(emu, tmp_path, runtime, subscribe=[]) as hosted:
        hosted.invoke_manual({"report_id": 123})
        hosted.invoke_deployment()
        runs = hosted.wait_for(2)
    assert [(r["op"], r["cold"], r["result"]["status"]) for r in runs] == [
        ("on_manual_invoke", True, "success"), ("on_deployment", False, "success")]
    assert runs[0]["result"]["result"] == {"org": emu.default_organisation_id, "report_id": 123}
    assert runs[1]["result"]["result"] == {"agent": 1}
    assert emu.aggregate(1, "tag_values")["data"] == {"counter": {
        "asked": {"report_id": 123}, "deployed_as": ["counter", "counter", app_id(emu)]}}
    summaries = sorted((m["data"]["event_type"], m["data"]["status"], m["data"]["subscription_id"])
                       for m in emu.messages(1, "dv-proc-inv-" + app_id(emu)))
    assert summaries == [("on_deployment", "success", None), ("on_manual_invoke", "success", None)]


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_context_object_carries_the_request_id_deadline_and_function_name(emu, tmp_path, runtime):
    with host(emu, tmp_path, runtime, target="counter_app:context_handler", timeout=120) as hosted:
        emu.publish(1, "sensors", {"t": 1})
        emu.publish(1, "sensors", {"t": 2})
        runs = hosted.wait_for(2)
    for run in runs:
        result = run["result"]
        assert result["request_id"] == run["request_id"]
        assert (result["function_name"], result["function_version"]) == ("counter_app", "$LATEST")
        assert 0 < result["remaining"] <= 120000
        assert result["endpoint"] == emu.base_url and result["pid"] == run["pid"]
    assert runs[0]["request_id"] != runs[1]["request_id"]


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_a_raising_handler_is_reported_and_the_worker_stays_warm(emu, tmp_path, runtime):
    with host(emu, tmp_path, runtime, target="counter_app:raising_handler") as hosted:
        emu.publish(1, "sensors", {"t": 1})
        hosted.wait_for(1)
        emu.publish(1, "sensors", {"t": 2})
        runs = hosted.wait_for(2)
    assert [r["error"] for r in runs] == [{"type": "ValueError", "message": "no such reading"}] * 2
    assert [r["cold"] for r in runs] == [True, False] and runs[0]["pid"] == runs[1]["pid"]
    assert "summary" not in runs[0]  # the worker is fine: nothing for the host to publish
    if runtime == "awslambdaric":
        assert any("[ERROR] ValueError: no such reading" in line for line in hosted.logs)


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_processor_subscribed_to_tag_values_skips_its_own_tag_commit(emu, tmp_path, runtime):
    with host(emu, tmp_path, runtime, subscribe=["sensors", "tag_values"]) as hosted:
        emu.publish(1, "sensors", {"t": 1})
        runs = hosted.wait_for(3, timeout=60)
    assert runs[0]["result"]["status"] == "success"
    # its tag commit comes back twice: the aggregate update (no on_aggregate_update: skipped
    # before any request) and the tag log message (our own app key: the self-loop guard)
    assert [(r["op"], r["result"]["skip_reason"]) for r in runs[1:]] == [
        ("on_aggregate_update", "no_handler"), ("on_message_create", "tag_values_self_loop")]
    assert emu.aggregate(1, "tag_values")["data"] == {"counter": {"count": 1}}


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_a_timeout_kills_the_worker_publishes_the_summary_and_the_next_start_is_cold(emu, tmp_path, runtime):
    with host(emu, tmp_path, runtime, schedule="rate(5 minutes)", timeout=3) as hosted:
        hosted.invoke_schedule()
        hosted.wait_for(1)
        emu.publish(1, "sensors", {"sleep": 30})
        hosted.wait_for(2)
        hosted.invoke_schedule()
        runs = hosted.wait_for(3)
    assert runs[0]["op"] == "on_schedule" and runs[0]["result"]["status"] == "success"
    timed_out = runs[1]
    assert timed_out["error"] == {"type": "Timeout",
                                  "message": "Task timed out after 3.00 seconds; the worker was killed"}
    assert runs[2]["cold"] is True and runs[2]["result"]["status"] == "success"
    assert runs[2]["pid"] != runs[0]["pid"]
    assert emu.aggregate(1, "tag_values")["data"] == {"counter": {"ticks": 2}}
    # the summary the killed worker could not publish, read back from the emulator
    channel = "dv-proc-inv-" + app_id(emu)
    published = [m["data"] for m in emu.messages(1, channel) if m["data"]["requestId"] == timed_out["request_id"]]
    assert published == [timed_out["summary"]]
    summary = published[0]
    assert list(summary) == SUMMARY_KEYS
    assert summary["status"] == "error" and summary["error"] == timed_out["error"]
    assert (summary["app_key"], summary["app_id"], summary["agent_id"]) == ("counter", app_id(emu), "1")
    assert (summary["event_type"], summary["schedule_id"], summary["skip_reason"]) == ("on_message_create", None, None)
    assert summary["subscription_id"] == emu.subscriptions(1, "sensors")[0]["subscription_arn"]
    assert (summary["function_name"], summary["function_version"]) == ("counter_app", "$LATEST")
    assert summary["duration_ms"] >= 3000 and isinstance(summary["started_at"], int)


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_a_worker_that_dies_mid_invocation_is_reported_with_a_summary_and_restarted(emu, tmp_path, runtime):
    config = {"dv_proc_config": {"inv_targets": [{"agent_id": None, "channel": "deaths-$app_id"},
                                                 {"agent_id": "2", "channel": "all-deaths"}]}}
    with host(emu, tmp_path, runtime, config=config) as hosted:
        emu.publish(1, "sensors", {"die": True})
        hosted.wait_for(1)
        emu.publish(1, "sensors", {"t": 1})
        runs = hosted.wait_for(2)
    assert runs[0]["error"]["type"] == "WorkerExited"
    assert runs[0]["error"]["message"] == "the worker process exited with status 3 during the invocation"
    assert runs[1]["cold"] is True and runs[1]["result"]["status"] == "success"
    # the host honours the app's inv_targets, as the processor does
    for agent, channel in ((1, "deaths-" + app_id(emu)), (2, "all-deaths")):
        summaries = [m["data"] for m in emu.messages(agent, channel) if m["data"]["requestId"] == runs[0]["request_id"]]
        assert summaries == [runs[0]["summary"]]
    assert runs[0]["summary"]["error"] == runs[0]["error"]


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_a_handler_module_that_cannot_load_fails_each_invocation_clearly(emu, tmp_path, runtime):
    with host(emu, tmp_path, runtime, target="no_such_module:handler") as hosted:
        emu.publish(1, "sensors", {"t": 1})
        emu.publish(1, "sensors", {"t": 2})
        runs = hosted.wait_for(2)
    assert [r["error"]["type"] for r in runs] == ["Runtime.ImportModuleError"] * 2
    assert runs[0]["error"]["message"].startswith("Unable to import module 'no_such_module'")
    assert [r["cold"] for r in runs] == [True, True]
    assert all(r["summary"]["status"] == "error" for r in runs)


class FastClock(ProcessorHost):
    """A host whose schedule clock runs a minute per real second (from 10:00:30 UTC)."""

    _poll = 0.05

    def start(self):
        import time

        self._t0 = time.monotonic()
        return super().start()

    def _utcnow(self):
        import time

        base = datetime.datetime(2026, 11, 24, 10, 0, 30, tzinfo=datetime.timezone.utc)
        return base + datetime.timedelta(seconds=(time.monotonic() - self._t0) * 60)


def test_a_cron_schedule_fires_on_its_utc_minutes(emu, tmp_path):
    with FastClock(emu, "counter_app:handler", agent_id=1, app_key="counter", cwd=str(tmp_path),
                   schedule="cron(0/2 10 * * ? *)", runtime="plain") as hosted:
        runs = hosted.wait_for(3, timeout=120)
    assert [r["scheduled_for"] for r in runs[:3]] == [
        "2026-11-24T10:02:00+00:00", "2026-11-24T10:04:00+00:00", "2026-11-24T10:06:00+00:00"]
    assert all(r["op"] == "on_schedule" and r["result"]["status"] == "success" for r in runs[:3])
    assert hosted.schedule_every is None


def test_runtime_choice_is_validated_and_auto_falls_back_to_plain(emu, tmp_path):
    with pytest.raises(InvalidArgumentError, match="runtime: expected one of auto, awslambdaric, plain, got 'java'"):
        ProcessorHost(emu, "counter_app:handler", runtime="java")
    # an interpreter that cannot import awslambdaric (site-packages disabled)
    python = tmp_path / "bare-python"
    python.write_text("#!/bin/sh\nexec {} -S \"$@\"\n".format(sys.executable))
    python.chmod(python.stat().st_mode | stat.S_IEXEC)
    with pytest.raises(NotSupportedError, match="awslambdaric is not importable by .*bare-python"):
        ProcessorHost(emu, "counter_app:handler", subscribe=["s"], python=str(python), runtime="awslambdaric").start()
    auto = ProcessorHost(emu, "counter_app:handler", subscribe=["s"], python=str(python), runtime="auto")
    from doover.emulator._workers import resolve_runtime

    assert resolve_runtime(auto.runtime, auto.python) == "plain"
    with pytest.raises(InvalidArgumentError, match="target: expected MODULE:HANDLER"):
        ProcessorHost(emu, "not a target")


def test_rate_expressions_parse_and_cron_has_no_period():
    assert parse_rate("rate(5 minutes)") == 300
    assert parse_rate("rate(1 hour)") == 3600
    with pytest.raises(NotSupportedError, match="cron"):
        parse_rate("cron(0 * * * ? *)")
    with pytest.raises(DooverError, match=r"expected rate\(N"):
        parse_rate("every 5 minutes")


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_stop_ends_an_invocation_in_progress_without_publishing_a_failure(emu, tmp_path, runtime):
    import time

    hosted = host(emu, tmp_path, runtime, timeout=300).start()
    try:
        emu.publish(1, "sensors", {"sleep": 120})
        deadline = time.monotonic() + 60
        # the handler is running once the processor fetched its subscription info
        while not any("/processors/subscriptions/" in r.path for r in emu.request_log):
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        began = time.monotonic()
        hosted.stop()
    assert time.monotonic() - began < 100  # far less than the handler's 120 s sleep
    [run] = hosted.invocations
    assert run["error"]["type"] == "WorkerExited" and "summary" not in run
    assert emu.messages(1, "dv-proc-inv-" + app_id(emu)) == []


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_a_missing_handler_attribute_is_lambdas_handler_not_found(emu, tmp_path, runtime):
    with host(emu, tmp_path, runtime, target="counter_app:nope") as hosted:
        emu.publish(1, "sensors", {"t": 1})
        [run] = hosted.wait_for(1)
    assert run["error"] == {"type": "Runtime.HandlerNotFound", "message": "Handler 'nope' missing on module 'counter_app'"}


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_a_worker_killed_between_invocations_is_replaced_by_a_cold_one(emu, tmp_path, runtime):
    import signal
    import time

    with host(emu, tmp_path, runtime) as hosted:
        emu.publish(1, "sensors", {"t": 1})
        [first] = hosted.wait_for(1)
        os.kill(first["pid"], signal.SIGKILL)
        deadline = time.monotonic() + 60
        while hosted._worker.alive():
            assert time.monotonic() < deadline
            time.sleep(0.05)
        emu.publish(1, "sensors", {"t": 2})
        second = hosted.wait_for(2)[1]
    assert second["cold"] is True and second["result"]["status"] == "success" and second["pid"] != first["pid"]
    with pytest.raises(ProcessLookupError):  # reaped, not left a zombie
        os.kill(first["pid"], 0)
