"""``doover emulator`` as users run it: real subprocesses and signals (``doover demo``: test_demo.py)."""

import os
import signal
import subprocess
import sys
import threading

import pytest
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _start(*args):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-m", "doover", "emulator", "--port", "0"] + list(args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
        universal_newlines=True,
    )


def _read_banner(proc, timeout=60):
    """Lines up to ``ready``, read on a thread so a hung child cannot hang the test."""
    lines = []
    done = threading.Event()

    def read():
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if line.strip() == "ready":
                break
        done.set()

    threading.Thread(target=read, daemon=True).start()
    assert done.wait(timeout), "no 'ready' line; got {!r}".format(lines)
    return lines


@pytest.fixture
def cli_emulator(request, tmp_path):
    procs = []

    def start(*args):
        proc = _start(*args)
        procs.append(proc)
        return proc, _read_banner(proc)

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=30)


def _parse(lines):
    base_url = [l.split(" ", 1)[1] for l in lines if l.startswith("base_url ")][0]
    tokens = {}
    for line in lines:
        parts = line.split()
        if len(parts) == 4 and parts[0] == "agent" and parts[2] == "token":
            tokens[int(parts[1])] = parts[3]
        if len(parts) == 3 and parts[:2] == ["admin", "token"]:
            tokens["admin"] = parts[2]
    return base_url, tokens


def test_cli_prints_url_and_tokens_serves_requests_and_exits_0_on_sigterm(cli_emulator):
    proc, lines = cli_emulator("--agent", "1", "--agent", "7")
    base_url, tokens = _parse(lines)
    assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/api")
    assert set(tokens) == {1, 7, "admin"}
    resp = requests.post(base_url + "/agents/7/channels/c/messages", json={"data": {"a": 1}},
                         headers={"Authorization": "Bearer " + tokens[7]}, timeout=30)
    assert resp.status_code == 201
    forbidden = requests.get(base_url + "/agents/1/channels", headers={"Authorization": "Bearer " + tokens[7]}, timeout=30)
    assert forbidden.status_code == 403
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    log = out.splitlines()
    assert log[-1] == "stopped"
    assert log[0].startswith("POST /api/agents/7/channels/c/messages 201 ")
    assert log[1].startswith("GET /api/agents/1/channels 403 ")


def test_cli_stops_cleanly_on_ctrl_c(cli_emulator):
    proc, _lines = cli_emulator("--quiet")
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert (proc.returncode, out.strip()) == (0, "stopped"), err


def test_cli_db_keeps_data_and_tokens_across_restarts(cli_emulator, tmp_path):
    db = str(tmp_path / "emu.db")
    proc, lines = cli_emulator("--db", db, "--agent", "3")
    base_url, tokens = _parse(lines)
    headers = {"Authorization": "Bearer " + tokens[3]}
    requests.patch(base_url + "/agents/3/channels/c/aggregate", json={"kept": True}, headers=headers, timeout=30)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=60)
    assert proc.returncode == 0
    proc2, lines2 = cli_emulator("--db", db)
    base_url2, _ = _parse(lines2)
    resp = requests.get(base_url2 + "/agents/3/channels/c/aggregate", headers=headers, timeout=30)
    assert (resp.status_code, resp.json()["data"]) == (200, {"kept": True})
    proc2.send_signal(signal.SIGTERM)
    proc2.communicate(timeout=60)
    assert proc2.returncode == 0


def test_cli_port_in_use_is_one_clear_line_and_exit_1(cli_emulator):
    _proc, lines = cli_emulator("--quiet")
    base_url, _ = _parse(lines)
    port = base_url.rsplit(":", 1)[1].split("/")[0]
    busy = subprocess.run(
        [sys.executable, "-m", "doover", "emulator", "--port", port],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        universal_newlines=True,
        cwd=ROOT,
        timeout=60,
    )
    assert busy.returncode == 1
    assert busy.stderr.startswith("doover: error: cannot listen on 127.0.0.1:{}: ".format(port))
    assert len(busy.stderr.strip().splitlines()) == 1


def test_cli_rejects_bad_agent_id():
    result = subprocess.run(
        [sys.executable, "-m", "doover", "emulator", "--agent", "abc"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        universal_newlines=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 2
    assert "expected a positive agent id, got 'abc'" in result.stderr
