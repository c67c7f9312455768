"""``doover demo`` as users run it: a real subprocess, real signals, a real terminal."""

import os
import re
import signal
import subprocess
import sys
import threading

import pytest
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FAST = ["--interval", "0.2", "--outage", "1"]


def _demo(*args, timeout=180):
    return subprocess.run(
        [sys.executable, "-m", "doover", "demo"] + list(args),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, cwd=ROOT, timeout=timeout,
    )


def _summary(text):
    """The summary block as {label: value}."""
    lines = text.splitlines()
    start = lines.index("summary")
    rows = {}
    for line in lines[start + 1:]:
        label, _, value = line.strip().partition(":")
        if not value:
            break
        rows[label] = value.strip()
    return rows


def _number(value):
    return int(value.split()[0])


def _assert_the_story_adds_up(out, readings):
    rows = _summary(out)
    assert _number(rows["messages sent"]) == readings
    assert _number(rows["messages stored"]) == readings
    assert rows["messages stored"].endswith("(nothing lost)")
    assert _number(rows["notifications"]) == 2
    invocations = re.match(r"(\d+) \((\d+) cold, (\d+) warm.*, 0 failed\)$", rows["invocations"])
    assert invocations is not None, rows["invocations"]
    total, cold, warm = (int(g) for g in invocations.groups())
    assert total == readings and cold >= 1 and warm >= 1 and cold + warm == total
    trips = re.match(r"(\d+) \(edge app (\d+), processor (\d+)\); (\d+) edge attempts refused", rows["HTTP round trips"])
    assert trips is not None, rows["HTTP round trips"]
    assert int(trips.group(1)) == int(trips.group(2)) + int(trips.group(3)) and int(trips.group(3)) >= total
    assert int(trips.group(4)) >= 1  # the outbox tried while the emulator was down
    return rows


def test_demo_tells_the_whole_story_exits_0_and_loses_nothing():
    result = _demo(*FAST)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert result.stderr == ""
    assert "\x1b" not in out and "\r" not in out  # not a terminal: plain lines only
    lines = out.splitlines()
    assert lines[0].startswith("doover demo: a tank level sensor, an edge app, a processor and a cloud outage")
    events = [line for line in lines if re.match(r"^ *\d+\.\d\ds  ", line)]
    stamps = [float(line.split("s", 1)[0]) for line in events]
    assert stamps == sorted(stamps)
    text = "\n".join(events)
    assert re.search(r"emulator: the Data API at http://127\.0\.0\.1:(\d+)/api \(SQLite file ", text)
    port = re.search(r"http://127\.0\.0\.1:(\d+)/api", text).group(1)
    assert "sensor: a simulated Modbus RTU tank level sensor (slave 1) on pseudo-terminal /dev/" in text
    assert "outage: emulator stopped (port {} closed)".format(port) in text
    assert re.search(r"outage over after \d+\.\d s: emulator up again on port {} with its \d+ stored readings; "
                     r"the outbox holds \d+ more".format(port), text)
    assert "processor -> notification (warning): Tank level 79.7% is above 75%" in text
    assert "processor -> notification (info): Tank level 55.0% is back below 75%" in text
    assert "edge app stopped after 8 readings: final tag commit, outbox flushed" in text
    rows = _assert_the_story_adds_up(out, 8)
    assert _number(rows["held by the outbox during the outage"]) >= 1


def test_demo_rejects_bad_options_with_exit_2():
    result = _demo("--readings", "2")
    assert result.returncode == 2
    assert "--readings: expected an integer of at least 4, got '2'" in result.stderr
    result = _demo("--interval", "fast")
    assert result.returncode == 2
    assert "--interval: expected seconds between 0.05 and 3600, got 'fast'" in result.stderr


def _children(pid):
    """Pids of the direct children of ``pid`` (Linux /proc)."""
    found = []
    for task in os.listdir("/proc/{}/task".format(pid)):
        with open("/proc/{}/task/{}/children".format(pid, task)) as fh:
            found.extend(int(child) for child in fh.read().split())
    return found


def test_keep_running_serves_the_emulator_until_ctrl_c_then_exits_0_leaving_no_process():
    proc = subprocess.Popen(
        [sys.executable, "-m", "doover", "demo", "--keep-running"] + FAST,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, cwd=ROOT,
        env=dict(os.environ, PYTHONUNBUFFERED="1"), start_new_session=True,
    )
    lines = []
    ready = threading.Event()

    def read():
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("press Ctrl-C"):
                ready.set()
        ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert ready.wait(120), lines
        url = next(line for line in lines if line.startswith("emulator URL: ")).split(": ", 1)[1]
        token = next(line for line in lines if line.startswith("token for agent 1: ")).split(": ", 1)[1]
        answer = requests.get(url + "/agents/1/channels/tank_level/messages", params={"limit": 3},
                              headers={"Authorization": "Bearer " + token}, timeout=30)
        assert answer.status_code == 200
        readings = [m["data"]["reading"] for m in answer.json()]
        assert readings[0] >= 8 and readings == [readings[0], readings[0] - 1, readings[0] - 2]  # newest first
        children = _children(proc.pid)
        assert children  # the hosted processor's worker, at least
        # Ctrl-C in a terminal signals the whole foreground process group
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(60) == 0
        reader.join(30)
        err = proc.stderr.read()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(30)
        proc.stdout.close()
        proc.stderr.close()
    out = "\n".join(lines)
    assert err == ""
    assert "Ctrl-C: stopping everything" in out
    rows = _summary(out)
    sent = _number(rows["messages sent"])
    assert sent >= 8 and _number(rows["messages stored"]) == sent
    assert rows["invocations"].endswith(", 0 failed)")
    with pytest.raises(ProcessLookupError):  # nothing is left in its process group
        os.killpg(proc.pid, 0)
    for child in children:  # and each child it had is gone
        with pytest.raises(ProcessLookupError):
            os.kill(child, 0)


def test_on_a_terminal_a_single_progress_line_is_redrawn_in_place():
    master, slave = os.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "doover", "demo"] + FAST,
        stdout=slave, stderr=subprocess.PIPE, cwd=ROOT, universal_newlines=True,
    )
    os.close(slave)
    chunks = []

    def read():
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO: the terminal's other side is closed
                break
            if not data:
                break
            chunks.append(data)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert proc.wait(180) == 0, proc.stderr.read()
        reader.join(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
        proc.stderr.close()
        os.close(master)
    out = b"".join(chunks).decode("utf-8").replace("\r\n", "\n")
    progress = re.findall(r"\r\x1b\[K(reading [^\r\n]*)", out)
    assert progress and all(
        re.match(r"reading \d/8  level (-|\d+\.\d%)  stored \d  outbox (\d+|-)  invocations \d  notifications \d"
                 r"(  EMULATOR DOWN)?$", line) for line in progress), progress
    assert any(line.endswith("EMULATOR DOWN") for line in progress)
    final = out.split("\r\x1b[K")[-1]  # after the last erase: the progress line is gone
    assert "\x1b" not in final and "\nsummary\n" in final
    plain = re.sub(r"\r\x1b\[K[^\n\r]*(?=\r)", "", out).replace("\r\x1b[K", "")
    _assert_the_story_adds_up(plain, 8)


def test_quick_story_runs_the_dataclient_against_a_local_doover():
    result = _demo("--quick")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("doover demo: a local Doover is serving the Data API at http://127.0.0.1:")
    assert lines[1].startswith("1. created channel 'sensor_readings' on agent 1 (id ")
    assert lines[2].startswith("2. published 60 readings, one a minute")
    assert lines[3] == (
        '3. merged the aggregate twice (deep merge; null deletes a key): {"latest": {"reading": 60, '
        '"temperature_c": 23.0}, "site": {"name": "North tank", "units": "degC"}}'
    )
    assert lines[4] == (
        "4. read back the 3 newest readings: #60 23.0 C, #59 22.73 C, #58 22.45 C; "
        "the aggregate matches what was merged"
    )
    assert lines[5] == "5. paged through the history with iter_messages: 60 readings in 3 pages of up to 25, newest first"
    assert lines[6].startswith("done in ") and lines[6].endswith("68 HTTP requests to the emulator, every one over real loopback HTTP.")
    assert result.stderr == ""


def test_quick_story_options_change_it():
    result = _demo("--quick", "--messages", "7", "--page-size", "3")
    assert result.returncode == 0, result.stderr
    assert "5. paged through the history with iter_messages: 7 readings in 3 pages of up to 3, newest first" in result.stdout


def test_a_closed_pipe_ends_the_demo_early_and_quietly_leaving_no_process():
    proc = subprocess.Popen(
        [sys.executable, "-m", "doover", "demo"] + FAST,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, universal_newlines=True, start_new_session=True,
    )
    try:
        first = proc.stdout.readline()  # like `doover demo | head -1`
        proc.stdout.close()
        assert proc.wait(120) == 130
        err = proc.stderr.read()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(30)
        proc.stderr.close()
    assert first.startswith("doover demo: a tank level sensor")
    assert err == ""
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)
