"""The report's ``logs`` on a real cold start and on warm starts: the generator runs in the
emulator's long-lived Lambda worker process (the runtime installs its JSON log handler on the
cold start), and each report holds exactly its own invocation's lines."""

import textwrap

from doover.emulator._hosting import ProcessorHost

APP = """
import logging
from doover.models import File
from doover.processor import run_app
from doover.reports import Application

log = logging.getLogger("hosted_report")
runs = []

class Hosted(Application):
    def generate(self, agent_ids, period_start, period_end):
        runs.append(1)
        print("printed in run", len(runs))
        log.info("generating run %d for %s", len(runs), agent_ids)
        return File("run.txt", "text/plain", data="run {}".format(len(runs)).encode())

app = Hosted()

def handler(event, context):
    return run_app(app, event, context)
"""


def test_logs_are_captured_on_the_cold_start_and_each_warm_start_keeps_only_its_own(emu, h, tmp_path):
    (tmp_path / "hosted_report.py").write_text(textwrap.dedent(APP))
    config = {"DEVICE_LIST": [h.ORG], "dv_proc_schedules": "cron(0 8 1 * ?)", "dv_proc_timezone": "UTC"}
    with ProcessorHost(emu, "hosted_report:handler", agent_id=h.ORG, app_key=h.APP_KEY, schedule="rate(1 day)",
                       config=config, cwd=str(tmp_path), runtime="plain", timeout=120) as host:
        host.invoke_schedule()
        host.wait_for(1, timeout=120)
        host.invoke_schedule()
        invocations = host.wait_for(2, timeout=120)

    assert [i["cold"] for i in invocations] == [True, False]
    assert [i["result"]["status"] for i in invocations] == ["success", "success"]
    first, second = sorted(emu.messages(h.ORG, "reports"), key=lambda m: int(m["id"]))
    assert [first["data"]["status"], second["data"]["status"]] == ["Complete", "Complete"]
    assert "INFO [hosted_report] generating run 1 for [7]" in first["data"]["logs"]
    assert "INFO [print] printed in run 1" in first["data"]["logs"]
    assert "Scheduled report generation" in first["data"]["logs"]
    assert "INFO [hosted_report] generating run 2 for [7]" in second["data"]["logs"]
    assert "run 1" not in second["data"]["logs"]
    assert second["data"]["logs"].count("Scheduled report generation") == 1

