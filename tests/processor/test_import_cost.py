"""What a cold start pays for: a pre-hook-rejected event imports no cattrs, asyncio or requests."""

import json
import subprocess
import sys

import pytest

OPS = ["on_message_create", "on_aggregate_update", "on_schedule", "on_deployment",
       "on_ingestion_endpoint", "on_manual_invoke"]

CHILD = """
import json, sys
from doover.processor import Application, run_app
seen = []
class A(Application):
    def pre_hook_filter(self, event):
        seen.append(type(event).__name__)
        return False
setattr(A, sys.argv[2], lambda self, event: 1)
event = json.loads(sys.argv[1])
out = run_app(A(), event, None)
heavy = sorted(m for m in ("cattrs", "asyncio", "requests", "doover.models._converter", "doover.config")
               if m in sys.modules)
sys.__stdout__.write("RESULT " + json.dumps({"out": out, "seen": seen, "heavy": heavy}) + "\\n")
"""


@pytest.mark.parametrize("op", OPS)
def test_prehook_rejection_imports_no_cattrs_asyncio_requests_or_config(h, op):
    event = h.event_for(op)
    proc = subprocess.run([sys.executable, "-c", CHILD, json.dumps(event), op], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")][-1]
    result = json.loads(line[len("RESULT "):])
    assert result["out"] == {"status": "skipped", "result": None, "skip_reason": "pre_hook_filter", "error": None}
    assert result["seen"] == [{"on_message_create": "MessageCreateEvent", "on_aggregate_update": "AggregateUpdateEvent",
                               "on_schedule": "ScheduleEvent", "on_deployment": "DeploymentEvent",
                               "on_ingestion_endpoint": "IngestionEndpointEvent",
                               "on_manual_invoke": "ManualInvokeEvent"}[op]]
    assert result["heavy"] == []


def test_bad_event_body_is_reported_without_importing_cattrs(h):
    child = (
        "import sys\n"
        "from doover.processor import Application, run_app\n"
        "out = run_app(Application(), {'op': 'on_schedule', 'token': 't', 'd': {'schedule_id': None}}, None)\n"
        "print(out['error'])\n"
        "print('cattrs' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = [ln for ln in proc.stdout.splitlines() if not ln.startswith("{\"timestamp\"")]
    assert lines == [
        "{'type': 'InvalidEventError', 'message': 'd: could not decode ScheduleEvent: expected a string or an "
        "integer, got None @ $.schedule_id'}",
        "False",
    ]
