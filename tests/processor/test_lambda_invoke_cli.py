"""``doover invoke --runtime ...``: the handler runs in the same workers the emulator hosts processors in."""

import importlib.util
import json
import subprocess
import sys
import textwrap

import pytest

HAS_RIC = importlib.util.find_spec("awslambdaric") is not None

APP = """
import time
from doover.processor import Application, run_app

class Probe(Application):
    def on_message_create(self, event):
        if event.message.data.get("sleep"):
            time.sleep(event.message.data["sleep"])
        return event.message.data

app = Probe()

def handler(event, context):
    result = run_app(app, event, context)
    result["context_module"] = type(context).__module__
    return result

def raising(event, context):
    raise ValueError("bad reading")
"""


def invoke(tmp_path, *args, timeout=180):
    (tmp_path / "probe_app.py").write_text(textwrap.dedent(APP))
    return subprocess.run([sys.executable, "-m", "doover", "invoke"] + list(args), cwd=str(tmp_path),
                          capture_output=True, universal_newlines=True, timeout=timeout)


def section(stdout, name):
    return stdout.split("== " + name)[1].splitlines()[1]


@pytest.mark.parametrize("runtime, module", [
    pytest.param("auto", "awslambdaric.lambda_context",
                 marks=pytest.mark.skipif(not HAS_RIC, reason="awslambdaric is not importable")),
    pytest.param("awslambdaric", "awslambdaric.lambda_context",
                 marks=pytest.mark.skipif(not HAS_RIC, reason="awslambdaric is not importable")),
    ("plain", "__main__"),  # python -m doover.emulator._lambda_worker
])
def test_invoke_runs_the_handler_under_the_chosen_runtime(tmp_path, runtime, module):
    done = invoke(tmp_path, "probe_app:handler", "--data", '{"t": 1}', "--runtime", runtime)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(section(done.stdout, "result"))
    assert result == {"status": "success", "result": {"t": 1}, "skip_reason": None, "error": None,
                      "context_module": module}
    summary = json.loads(section(done.stdout, "summary"))
    assert (summary["status"], summary["function_name"]) == ("success", "probe_app")


def test_invoke_reports_a_raising_handler_and_exits_1(tmp_path):
    done = invoke(tmp_path, "probe_app:raising", "--data", '{"t": 1}')
    assert done.returncode == 1
    assert "== handler failed (ValueError: bad reading)" in done.stdout.splitlines()


def test_invoke_timeout_kills_the_handler_and_publishes_its_summary(tmp_path):
    done = invoke(tmp_path, "probe_app:handler", "--data", '{"sleep": 60}', "--timeout", "2")
    assert done.returncode == 1
    assert "== handler failed (Timeout: Task timed out after 2.00 seconds; the worker was killed)" in \
        done.stdout.splitlines()
    summary = json.loads(section(done.stdout, "summary"))
    assert (summary["status"], summary["event_type"], summary["app_key"]) == ("error", "on_message_create", "local_app")
    assert summary["error"] == {"type": "Timeout", "message": "Task timed out after 2.00 seconds; the worker was killed"}
    assert summary["duration_ms"] >= 2000


def test_invoke_refuses_an_unknown_runtime(tmp_path):
    done = invoke(tmp_path, "probe_app:handler", "--runtime", "java")
    assert done.returncode == 2
    assert "argument --runtime: invalid choice: 'java'" in done.stderr
