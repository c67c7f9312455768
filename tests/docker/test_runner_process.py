"""The edge runtime as a real subprocess against the cloud stand-in: health, tags, signals,
shutdown_at, outages and kill -9."""

import json
import re
import signal
import time
import urllib.error
import urllib.request

import pytest

AGENT = 4242  # the agent of the cloud fixture (conftest.py)
MODES = ["sync", "async"]


def get(port, path):
    try:
        with urllib.request.urlopen("http://127.0.0.1:{}{}".format(port, path), timeout=5) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def ready_port(proc, wait):
    match = wait(lambda: re.search(r"READY (\d+)", proc.output), 30)
    assert match, proc.output
    return int(match.group(1))


def iters(proc):
    return [int(n) for n in re.findall(r"ITER (\d+)", proc.output)]


def events(cloud, run=None):
    return [d["n"] for d in cloud.message_data("events") if run is None or d["run"] == run]


@pytest.mark.parametrize("mode", MODES)
def test_health_ready_tags_and_sigterm_exits_zero_after_final_commit(cloud, spawn, wait, mode):
    cloud.aggregates[(AGENT, "deployment_config")] = {"applications": {"pump_ctl_1": {"pump_pin": 7}}}
    proc = spawn("counter_app.py", extra_env={"APP_MODE": mode})
    port = ready_port(proc, wait)
    assert "READY {} 7".format(port) in proc.output  # config loaded from the deployment_config aggregate
    assert wait(lambda: get(port, "/ready")[0] == 200, 20)
    assert wait(lambda: get(port, "/health")[0] == 200, 20)
    status, body = get(port, "/health")
    assert body["ready"] is True and body["iterations"] >= 1 and body["cloud_reachable"] is True
    assert set(body) >= {"uptime", "iterations", "last_loop_duration", "outbox_depth"}
    assert wait(lambda: (cloud.aggregate("tag_values") or {}).get("pump_ctl_1", {}).get("count", -1) >= 2, 20)

    proc.proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0, proc.output
    done = iters(proc)
    assert "CLOSED {}".format(len(done)) in proc.output
    tags = cloud.aggregate("tag_values")["pump_ctl_1"]
    assert tags == {"started": True, "count": done[-1], "stopped": True}  # the final commit
    assert events(cloud) == done  # every message, once, in order
    logs = cloud.message_data("ui_cmds")
    assert logs == [{"type": "log", "app_key": "pump_ctl_1", "message": "shutting down",
                     "tags": {"started": True, "count": done[-1], "stopped": True}}]


def test_missing_token_fails_at_start_with_one_line(spawn):
    proc = spawn("counter_app.py", extra_env={"DOOVER_TOKEN": ""})
    assert proc.wait(30) == 2
    assert proc.output.strip() == "error: missing token: pass --token or set DOOVER_TOKEN"


def test_shutdown_at_in_the_past_runs_the_shutdown_sequence(cloud, spawn, wait):
    at = int(time.time()) - 5
    cloud.aggregates[(AGENT, "tag_values")] = {"shutdown_at": at}
    proc = spawn("counter_app.py")
    assert proc.wait(30) == 0, proc.output
    assert "SHUTDOWN_AT {}".format(at) in proc.output
    assert "CLOSED 0" in proc.output


def test_check_can_shutdown_false_defers_until_it_allows(cloud, spawn, wait, tmp_path):
    defer = tmp_path / "defer"
    defer.write_text("busy")
    cloud.aggregates[(AGENT, "tag_values")] = {"shutdown_at": int(time.time()) - 1}
    proc = spawn("counter_app.py", extra_env={"DEFER_FILE": str(defer)})
    assert wait(lambda: len(iters(proc)) >= 5, 30), proc.output
    assert proc.proc.poll() is None
    defer.unlink()
    assert proc.wait(30) == 0, proc.output
    assert "SHUTDOWN_AT" in proc.output


@pytest.mark.parametrize("mode", MODES)
def test_outage_messages_arrive_once_in_order_after_the_cloud_returns(cloud, spawn, wait, mode):
    proc = spawn("counter_app.py", extra_env={"APP_MODE": mode})
    ready_port(proc, wait)
    assert wait(lambda: len(events(cloud)) >= 3, 20)
    cloud.stop()
    before = len(iters(proc))
    assert wait(lambda: len(iters(proc)) >= before + 10, 20)  # the loop keeps running offline
    cloud.start()
    cloud.fail_next(2, 503)
    cloud.drop_next(1)
    assert wait(lambda: len(events(cloud)) >= before + 10, 30)
    proc.proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0, proc.output
    assert events(cloud) == iters(proc)


def test_kill_9_during_outage_then_restart_delivers_everything_once(cloud, spawn, wait, tmp_path):
    outbox = str(tmp_path / "shared.sqlite")
    first = spawn("counter_app.py", extra_env={"RUN_ID": "1"}, outbox=outbox)
    ready_port(first, wait)
    assert wait(lambda: len(events(cloud, 1)) >= 2, 20)
    cloud.stop()
    seen = len(iters(first))
    assert wait(lambda: len(iters(first)) >= seen + 8, 20)
    first.proc.send_signal(signal.SIGKILL)
    first.wait(10)
    printed = iters(first)
    cloud.start()

    second = spawn("counter_app.py", extra_env={"RUN_ID": "2"}, outbox=outbox)
    ready_port(second, wait)
    assert wait(lambda: len(events(cloud, 2)) >= 3, 30)
    second.proc.send_signal(signal.SIGTERM)
    assert second.wait(30) == 0, second.output
    run1 = events(cloud, 1)
    # every message printed before the kill arrived once, in order (one more may have been
    # queued durably between the write and the print)
    assert run1[: len(printed)] == printed
    assert run1 == list(range(len(run1))) and len(run1) <= len(printed) + 1
    assert events(cloud, 2) == iters(second)


def test_second_sigint_exits_at_once_with_130(cloud, spawn, wait, tmp_path):
    defer = tmp_path / "defer"
    defer.write_text("busy")
    proc = spawn("counter_app.py", extra_env={"DEFER_FILE": str(defer)})
    ready_port(proc, wait)
    proc.proc.send_signal(signal.SIGINT)
    count = len(iters(proc))
    assert wait(lambda: len(iters(proc)) >= count + 3, 20)  # deferred: still looping
    assert proc.proc.poll() is None
    proc.proc.send_signal(signal.SIGINT)
    assert proc.wait(20) == 130
    assert "CLOSED" not in proc.output


def test_import_doover_docker_is_cheap():
    import subprocess
    import sys

    code = ("import sys, doover.docker; "
            "print(sorted(m for m in ('requests', 'serial', 'minimalmodbus', 'doover.emulator', 'doover.cli') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr
