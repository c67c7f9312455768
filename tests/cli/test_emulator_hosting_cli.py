"""``doover emulator --processor ... --subscribe ...`` as a user runs it: a real subprocess."""

import importlib.util
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest
import requests

HAS_RIC = importlib.util.find_spec("awslambdaric") is not None
RUNTIMES = [
    pytest.param("awslambdaric", marks=pytest.mark.skipif(not HAS_RIC, reason="awslambdaric is not importable")),
    "plain",
]

APP = """
from doover.processor import Application, run_app

class Alert(Application):
    def on_message_create(self, event):
        level = event.message.data.get("level", 0)
        self.set_tag("last_level", level)
        if level > 80:
            self.send_notification("tank above 80%: {}".format(level), severity="warning")

app = Alert()

def handler(event, context):
    return run_app(app, event, context)
"""


def _reader(proc, lines, ready):
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        if line.strip() == "ready":
            ready.set()


def _wait_for(predicate, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_hosted_processor_runs_on_each_message_and_its_writes_land(tmp_path, runtime):
    (tmp_path / "tank_alert.py").write_text(textwrap.dedent(APP))
    proc = subprocess.Popen(
        [sys.executable, "-m", "doover", "emulator", "--port", "0", "--agent", "7", "--quiet",
         "--processor", "tank_alert:handler", "--subscribe", "levels", "--runtime", runtime],
        cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    lines, ready = [], threading.Event()
    threading.Thread(target=_reader, args=(proc, lines, ready), daemon=True).start()
    try:
        assert ready.wait(60), lines
        base_url = next(line.split()[1] for line in lines if line.startswith("base_url "))
        token = next(line.split()[3] for line in lines if line.startswith("agent 7 token "))
        assert "processor tank_alert:handler app_key tank_alert agent 7 subscribed levels" in lines
        assert "processor runtime " + runtime in lines
        headers = {"Authorization": "Bearer " + token}
        url = base_url + "/agents/7/channels/levels/messages"
        for level in (50, 91):
            assert requests.post(url, json={"data": {"level": level}}, headers=headers, timeout=30).status_code in (200, 201)
            count = sum(1 for line in lines if line.startswith("invocation on_message_create"))
            assert _wait_for(lambda: sum(1 for l in lines if l.startswith("invocation on_message_create")) > count), lines

        runs = [line for line in lines if line.startswith("invocation on_message_create")]
        assert runs[0].split()[2:4] == ["cold", "success"]
        assert runs[1].split()[2:4] == ["warm", "success"]
        tags = requests.get(base_url + "/agents/7/channels/tag_values/aggregate", headers=headers, timeout=30).json()
        assert tags["data"] == {"tank_alert": {"last_level": 91}}
        notes = requests.get(base_url + "/agents/7/channels/notifications/messages", headers=headers, timeout=30).json()
        assert [n["data"] for n in notes] == [{"message": "tank above 80%: 91", "severity": 6}]
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err


def test_processor_without_subscription_or_schedule_is_one_clear_error(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "doover", "emulator", "--port", "0", "--processor", "x:handler"],
        cwd=str(tmp_path), capture_output=True, universal_newlines=True, timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "doover: error: --processor needs at least one --subscribe CHANNEL or a --schedule")


def test_a_bad_cron_schedule_is_one_clear_error(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "doover", "emulator", "--port", "0", "--processor", "x:handler",
         "--schedule", "cron(0 12 * * * *)"],
        cwd=str(tmp_path), capture_output=True, universal_newlines=True, timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "doover: error: schedule 'cron(0 12 * * * *)': exactly one of day-of-month and day-of-week must be '?' "
        "(EventBridge cannot match both), got '*' and '*'")
