"""Report generators end to end against the emulator's real HTTP server: the schedule creates
the reports message and completes it with the attachment; manual invocations regenerate;
failures are recorded with their traceback. Sync and async generators alike."""

import asyncio
import datetime
import io
import logging
import time
import zipfile

import pytest

from doover.models import File
from doover.processor import run_app
from doover.reports import Application, ReportConfig

UTC = datetime.timezone.utc
# "now" for the schedule: 1 Dec 2026 08:02 UTC. Anchored 5 minutes earlier (07:57), the
# monthly cron(0 8 1 * ?) last fired on 1 Nov 08:00 and fires next on 1 Dec 08:00.
NOW = datetime.datetime(2026, 12, 1, 8, 2, 30, tzinfo=UTC)
NOV_1 = datetime.datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
DEC_1 = datetime.datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
NOV_1_MS, DEC_1_MS = 1793520000000, 1796112000000

log = logging.getLogger("flow_report")


def _csv(messages):
    rows = sorted((m.channel.agent_id, m.data["litres"]) for m in messages)
    return "".join("{},{}\n".format(agent, litres) for agent, litres in rows).encode()


class SyncFlowReport(Application):
    config_cls = ReportConfig

    def _now(self):
        return NOW

    def generate(self, agent_ids, period_start, period_end):
        log.info("flow report for %s", agent_ids)
        messages = self.fetch_messages("flow", period_start, period_end, agent_ids)
        return File("flow.csv", "text/csv", data=_csv(messages))


class AsyncFlowReport(Application):
    config_cls = ReportConfig

    def _now(self):
        return NOW

    async def generate(self, agent_ids, period_start, period_end):
        log.info("flow report for %s", agent_ids)
        await asyncio.sleep(0)
        messages = await self.fetch_messages("flow", period_start, period_end, agent_ids)
        return [File("flow.csv", "text/csv", data=_csv(messages))]


@pytest.fixture(params=[SyncFlowReport, AsyncFlowReport], ids=["sync", "async"])
def report_cls(request):
    return request.param


def _publish_flows(emu, h):
    ms = lambda moment: int(moment.timestamp() * 1000)  # noqa: E731
    for agent, litres, when in [
        (11, 5, NOV_1 - datetime.timedelta(days=1)),          # before the period
        (11, 10, NOV_1 + datetime.timedelta(days=3)),
        (12, 20, NOV_1 + datetime.timedelta(days=10)),
        (12, 30, DEC_1 - datetime.timedelta(minutes=1)),
        (12, 99, DEC_1 + datetime.timedelta(minutes=1)),     # after it (in the future)
    ]:
        emu.publish(agent, "flow", {"litres": litres}, ts=ms(when))


def _reports(emu, h):
    return emu.messages(h.ORG, "reports")


def _writes(emu, count):
    # the emulator logs a request just after answering it: give the last one a moment to land
    deadline = time.monotonic() + 10
    while True:
        writes = [(r.method, r.path.split("/api", 1)[1]) for r in emu.request_log if r.method in ("POST", "PATCH")]
        if len(writes) >= count or time.monotonic() > deadline:
            return writes
        time.sleep(0.01)


def _attachment_bytes(emu, attachment):
    import requests

    response = requests.get(attachment["url"], headers={"Authorization": "Bearer " + emu.admin_token()}, timeout=30)
    response.raise_for_status()
    return response.content


def test_schedule_creates_the_report_message_then_completes_it_with_the_file(emu, h, report_cls):
    h.deploy(emu)
    _publish_flows(emu, h)
    emu.clear_request_log()

    out = run_app(report_cls(), h.schedule_event(emu), {"aws_request_id": "req-1"}, setup_logging=False)

    [report] = _reports(emu, h)
    assert out == {"status": "success", "result": {"report_id": int(report["id"]), "status": "Complete"},
                   "skip_reason": None, "error": None}
    data = report["data"]
    assert {k: v for k, v in data.items() if k not in ("config", "logs")} == {
        "name": "Flow Report - 01-12-2026",
        "devices": [11, 12],
        "period_start": NOV_1_MS,
        "period_end": DEC_1_MS,
        "report_generator": "app-77",
        "status": "Complete",
    }
    assert data["config"]["DEVICE_LIST"] == [11, 12] and data["config"]["APP_KEY"] == "flow_report"
    assert "INFO [doover.reports] Scheduled report generation" in data["logs"]
    assert "INFO [flow_report] flow report for [11, 12]" in data["logs"]
    [attachment] = report["attachments"]
    assert (attachment["filename"], attachment["content_type"], attachment["size"]) == ("flow.csv", "text/csv", 18)
    assert _attachment_bytes(emu, attachment) == b"11,10\n12,20\n12,30\n"
    # the wire: create (status Generating, empty logs), the device reads, one multipart PATCH
    writes = _writes(emu, 3)
    assert writes == [("POST", "/agents/7/channels/reports/messages"),
                      ("PATCH", "/agents/7/channels/reports/messages/" + report["id"]),
                      ("POST", "/agents/messages")]  # the invocation summary


def test_the_report_message_is_created_with_status_generating_and_empty_logs(emu, h):
    h.deploy(emu)
    seen = []

    class Peek(SyncFlowReport):
        def generate(self, agent_ids, period_start, period_end):
            seen.append(emu.message(h.ORG, "reports", self.report_id)["data"])
            assert (self.devices, self.period_start, self.period_end) == ([11, 12], NOV_1, DEC_1)
            return File("empty.txt", "text/plain", data=b"")

    run_app(Peek(), h.schedule_event(emu), None, setup_logging=False)
    assert seen[0]["status"] == "Generating" and seen[0]["logs"] == ""
    assert seen[0]["name"] == "Flow Report - 01-12-2026"


def test_manual_invoke_regenerates_an_existing_report_for_its_stored_period(emu, h, report_cls):
    h.deploy(emu)
    _publish_flows(emu, h)
    created = emu.publish(h.ORG, "reports", {
        "name": "Flow Report - 01-12-2026", "devices": [11], "period_start": NOV_1_MS,
        "period_end": NOV_1_MS + 5 * 86400000, "report_generator": "app-77", "status": "Failed", "logs": "old",
    })

    out = run_app(report_cls(), h.manual_event(emu, {"report_id": int(created["id"])}), None, setup_logging=False)

    assert out["status"] == "success" and out["result"] == {"report_id": int(created["id"]), "status": "Complete"}
    report = emu.message(h.ORG, "reports", int(created["id"]))
    assert report["data"]["status"] == "Complete"
    assert report["data"]["period_start"] == NOV_1_MS and report["data"]["devices"] == [11]
    assert "Regenerating report {}".format(created["id"]) in report["data"]["logs"]
    assert "old" not in report["data"]["logs"]
    # the period stored in the message (1-6 Nov) holds only the reading of 4 Nov
    assert _attachment_bytes(emu, report["attachments"][0]) == b"11,10\n"


def test_manual_invoke_without_a_report_id_fails_clearly(emu, h):
    h.deploy(emu)
    out = run_app(SyncFlowReport(), h.manual_event(emu, {"id": 3}), None, setup_logging=False)
    assert out["status"] == "error" and out["error"]["type"] == "InvalidEventError"
    assert "payload.report_id" in out["error"]["message"]


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_generate_raising_marks_the_report_failed_with_the_traceback_in_its_logs(emu, h, kind):
    h.deploy(emu)

    if kind == "sync":
        class Broken(SyncFlowReport):
            def generate(self, agent_ids, period_start, period_end):
                log.info("about to fail")
                raise ZeroDivisionError("no flow data")
    else:
        class Broken(AsyncFlowReport):
            async def generate(self, agent_ids, period_start, period_end):
                log.info("about to fail")
                raise ZeroDivisionError("no flow data")

    out = run_app(Broken(), h.schedule_event(emu), None, setup_logging=False)

    [report] = _reports(emu, h)
    assert out["result"] == {"report_id": int(report["id"]), "status": "Failed"}
    logs = report["data"]["logs"]
    assert report["data"]["status"] == "Failed" and report["attachments"] == []
    assert "INFO [flow_report] about to fail" in logs
    assert "ERROR [doover.reports] Error generating the report: no flow data" in logs
    assert "Traceback (most recent call last):" in logs and "ZeroDivisionError: no flow data" in logs


def test_generate_returning_something_other_than_files_marks_the_report_failed(emu, h):
    h.deploy(emu)

    class Wrong(SyncFlowReport):
        def generate(self, agent_ids, period_start, period_end):
            return "flow.csv"

    run_app(Wrong(), h.schedule_event(emu), None, setup_logging=False)
    [report] = _reports(emu, h)
    assert report["data"]["status"] == "Failed"
    assert "generate() must return a doover.models.File or a list of them; item 0 is 'flow.csv'" in report["data"]["logs"]


def test_a_generator_that_does_not_override_generate_fails_the_report_naming_the_method(emu, h):
    h.deploy(emu)

    class Bare(Application):
        def _now(self):
            return NOW

    run_app(Bare(), h.schedule_event(emu), None, setup_logging=False)
    [report] = _reports(emu, h)
    assert report["data"]["status"] == "Failed"
    assert "NotSupportedError: generate: a report generator must override generate(" in report["data"]["logs"]


def test_files_over_45_mb_are_uploaded_as_one_zip(emu, h, monkeypatch):
    import doover.reports._app as report_app

    monkeypatch.setattr(report_app, "MAX_REPORT_BYTES", 10)
    h.deploy(emu)

    class Two(SyncFlowReport):
        def generate(self, agent_ids, period_start, period_end):
            return [File("a.txt", "text/plain", data=b"alpha" * 3), File("b.txt", "text/plain", data=b"beta")]

    run_app(Two(), h.schedule_event(emu), None, setup_logging=False)
    [report] = _reports(emu, h)
    [attachment] = report["attachments"]
    assert (attachment["filename"], attachment["content_type"]) == ("report.zip", "application/zip")
    with zipfile.ZipFile(io.BytesIO(_attachment_bytes(emu, attachment))) as archive:
        assert {n: archive.read(n) for n in archive.namelist()} == {"a.txt": b"alpha" * 3, "b.txt": b"beta"}
    assert "over 10 bytes: zipping its files into one" in report["data"]["logs"]


def test_message_create_events_are_refused_clearly(emu, h):
    h.deploy(emu)
    arn = emu.add_subscription(h.ORG, "flow", h.APP_KEY)
    message = emu.publish(h.ORG, "flow", {"litres": 1})
    body = {"op": "on_message_create", "token": emu.initial_token(arn),
            "d": {"organisation_id": str(h.ORG), "channel": message["channel"], "message": message}}
    import json

    event = {"Records": [{"EventSource": "aws:sns", "EventSubscriptionArn": arn,
                          "Sns": {"Message": json.dumps(body)}}]}
    out = run_app(SyncFlowReport(), event, None, setup_logging=False)
    assert out["status"] == "error" and out["error"]["type"] == "NotSupportedError"
    assert "does not handle message-create events" in out["error"]["message"]
    assert _reports(emu, h) == []


def test_a_sync_generator_never_creates_an_event_loop(emu, h, monkeypatch):
    h.deploy(emu)

    def no_loops():
        raise AssertionError("a sync report generator created an event loop")

    monkeypatch.setattr(asyncio, "new_event_loop", no_loops)
    out = run_app(SyncFlowReport(), h.schedule_event(emu), None, setup_logging=False)
    assert out["result"]["status"] == "Complete"


def test_warm_invocations_do_not_carry_logs_over(emu, h):
    h.deploy(emu)
    app = SyncFlowReport()
    run_app(app, h.schedule_event(emu), None, setup_logging=False)

    first = _reports(emu, h)[0]
    out = run_app(app, h.manual_event(emu, {"report_id": int(first["id"])}), None, setup_logging=False)
    again = emu.message(h.ORG, "reports", out["result"]["report_id"])
    assert again["data"]["logs"].count("flow report for [11, 12]") == 1
    assert "Scheduled report generation" not in again["data"]["logs"]
    assert not [hd for hd in logging.getLogger().handlers if type(hd).__name__ == "StreamHandler"
                and getattr(hd, "stream", None).__class__ is io.StringIO]


def test_an_upload_the_server_refuses_marks_the_report_failed_without_files(emu, h):
    h.deploy(emu)
    emu.inject_status(413, method="PATCH", path="/agents/7/channels/reports/messages", message="too large")

    out = run_app(SyncFlowReport(), h.schedule_event(emu), None, setup_logging=False)

    [report] = _reports(emu, h)
    assert out["result"] == {"report_id": int(report["id"]), "status": "Failed"}
    assert report["data"]["status"] == "Failed" and report["attachments"] == []
    assert "ERROR [doover.reports] Error uploading the report:" in report["data"]["logs"]
    assert "413" in report["data"]["logs"]


@pytest.mark.parametrize("schedule", ["rate(1 day)", "disabled", "cron(0 8 L * ?)"])
def test_a_schedule_that_is_not_a_usable_cron_fails_the_invocation_before_any_report(emu, h, schedule):
    h.deploy(emu, dv_proc_schedules=schedule)
    out = run_app(SyncFlowReport(), h.schedule_event(emu), None, setup_logging=False)
    assert out["status"] == "error" and out["error"]["type"] == "ConfigError"
    assert "dv_proc_schedules" in out["error"]["message"]
    assert _reports(emu, h) == []


def test_without_a_config_cls_the_raw_deployment_config_and_defaults_are_used(emu, h):
    import sys

    config = {"DEVICE_LIST": [11], "dv_proc_timezone": "+10:00"}
    emu.set_deployment_config(h.ORG, h.APP_KEY, config, display_name="Raw")

    class Raw(Application):
        def _now(self):
            return NOW  # 1 Dec 08:02 UTC is 18:02 at +10: the default monthly cron last fired 1 Dec 08:00 +10

        def generate(self, agent_ids, period_start, period_end):
            return File("r.txt", data=repr((agent_ids, str(period_start), str(period_end))).encode())

    out = run_app(Raw(), h.schedule_event(emu), None, setup_logging=False)
    assert out["result"]["status"] == "Complete"
    [report] = _reports(emu, h)
    assert report["data"]["name"] == "Raw - 01-01-2027"
    assert _attachment_bytes(emu, report["attachments"][0]) == repr(
        ([11], "2026-12-01 08:00:00+10:00", "2027-01-01 08:00:00+10:00")).encode()

    # with no dv_proc_timezone at all, the default zone is Australia/Brisbane
    emu.set_deployment_config(h.ORG, h.APP_KEY, {"DEVICE_LIST": [11]}, display_name="Raw")
    out = run_app(Raw(), h.schedule_event(emu), None, setup_logging=False)
    if sys.version_info >= (3, 9):
        assert out["result"]["status"] == "Complete"
        newest = _reports(emu, h)[0]
        assert _attachment_bytes(emu, newest["attachments"][0]) == repr(
            ([11], "2026-12-01 08:00:00+10:00", "2027-01-01 08:00:00+10:00")).encode()
    else:
        assert out["status"] == "error" and out["error"]["type"] == "NotSupportedError"
        assert "dv_proc_timezone 'Australia/Brisbane'" in out["error"]["message"]


class SyncOverride(SyncFlowReport):
    def setup(self):
        log.info("setting up the flow report")

    def on_schedule(self, event):
        return super().on_schedule(event)


class AsyncOverride(AsyncFlowReport):
    async def setup(self):
        await super().setup()
        log.info("setting up the flow report")

    async def on_schedule(self, event):  # the platform SDK's spelling: its base hooks are async def
        return await super().on_schedule(event)


@pytest.mark.parametrize("app_cls", [SyncOverride, AsyncOverride], ids=["sync", "async"])
def test_an_overriding_hook_that_calls_the_base_completes_the_report_with_setups_lines(emu, h, app_cls):
    h.deploy(emu)
    _publish_flows(emu, h)

    out = run_app(app_cls(), h.schedule_event(emu), {"aws_request_id": "req-1"}, setup_logging=False)

    [report] = _reports(emu, h)
    assert out == {"status": "success", "result": {"report_id": int(report["id"]), "status": "Complete"},
                   "skip_reason": None, "error": None}
    assert report["data"]["status"] == "Complete"
    logs = report["data"]["logs"]
    assert logs.index("INFO [flow_report] setting up the flow report") < \
        logs.index("INFO [doover.reports] Scheduled report generation") < \
        logs.index("INFO [flow_report] flow report for [11, 12]")
    [attachment] = report["attachments"]
    assert _attachment_bytes(emu, attachment) == b"11,10\n12,20\n12,30\n"
