"""doover.reports pieces on their own: zip_files, the config schema, the sync/async face,
fetch_messages with overridden filters, and the public names."""

import io
import zipfile

import pytest

import doover.reports
from doover.exceptions import InvalidArgumentError
from doover.models import File
from doover.processor import run_app
from doover.reports import Application, EmailConfig, ReportConfig, zip_files


def _unzip(file):
    with zipfile.ZipFile(io.BytesIO(file.data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_zip_files_names_one_file_after_its_stem_and_several_report_zip():
    one = zip_files(File("march.report.csv", "text/csv", data=b"a,b\n" * 100))
    assert (one.filename, one.content_type, one.size) == ("march.report.zip", "application/zip", len(one.data))
    assert _unzip(one) == {"march.report.csv": b"a,b\n" * 100}
    assert one.size < 400  # deflated
    several = zip_files([File("a.txt", data=b"1"), File("b.txt", data=b"22")])
    assert several.filename == "report.zip" and _unzip(several) == {"a.txt": b"1", "b.txt": b"22"}
    assert zip_files([File("a.txt", data=b"1")], name="out.zip").filename == "out.zip"


def test_zip_files_refuses_what_is_not_a_file():
    with pytest.raises(InvalidArgumentError, match=r"files\[1\]: expected a doover.models.File or a "
                                                   r"\(filename, data, content_type\) tuple, got dict"):
        zip_files([File("a.txt", data=b"1"), {"b.txt": b"2"}])


def test_report_config_declares_the_platform_keys_with_their_defaults():
    schema = ReportConfig().to_schema()
    props = schema["properties"]
    assert list(props) == ["dv_proc_extended_permissions", "dv_proc_schedules", "dv_proc_timezone", "dv_emails"]
    assert props["dv_proc_schedules"]["default"] == "cron(0 8 1 * ?)"
    assert props["dv_proc_schedules"]["format"] == "doover-schedule-cron"
    assert props["dv_proc_timezone"]["default"] == "Australia/Brisbane"
    assert props["dv_emails"]["title"] == "Email Destinations"
    assert props["dv_emails"]["items"]["x-name"] == "dv_email"
    assert props["dv_emails"]["description"] == "Email addresses to send this report to"
    assert dict(EmailConfig().to_dict(), **{"x-position": 3}) == props["dv_emails"]


def test_an_async_generate_makes_the_app_async_and_a_sync_one_does_not():
    class Sync(Application):
        def generate(self, agent_ids, period_start, period_end):
            return File("x.txt", data=b"")

    class Async(Application):
        async def generate(self, agent_ids, period_start, period_end):
            return File("x.txt", data=b"")

    assert (Sync().is_async, Async().is_async, Application().is_async) == (False, True, False)


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_fetch_messages_passes_every_agents_messages_through_a_sync_or_async_filter(emu, h, kind):
    import datetime

    h.deploy(emu)
    start = datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc)
    ms = int(start.timestamp() * 1000)
    emu.publish(11, "flow", {"litres": 1}, ts=ms + 1000)
    emu.publish(11, "flow", {"litres": 2}, ts=ms + 2000)
    emu.publish(12, "flow", {"litres": 3}, ts=ms + 3000)
    seen = []

    if kind == "sync":
        class Filtered(Application):
            async def filter_messages(self, data):
                return [m.data["litres"] for m in data if m.data["litres"] != 2]

            def generate(self, agent_ids, period_start, period_end):
                seen.append(self.fetch_messages("flow", start, start + datetime.timedelta(days=1), agent_ids))
                return []
    else:
        class Filtered(Application):
            def filter_messages(self, data):
                return [m.data["litres"] for m in data if m.data["litres"] != 2]

            async def generate(self, agent_ids, period_start, period_end):
                seen.append(await self.fetch_messages("flow", start, start + datetime.timedelta(days=1), agent_ids))
                return []

    out = run_app(Filtered(), h.schedule_event(emu), None, setup_logging=False)
    assert out["result"]["status"] == "Complete"
    assert seen == [[1, 3]]


def test_public_names_are_exported_and_documented():
    assert sorted(doover.reports.__all__) == [
        "Application", "DEFAULT_SCHEDULE", "DEFAULT_TIMEZONE", "EmailConfig", "MAX_REPORT_BYTES", "REPORTS_CHANNEL",
        "ReportConfig", "zip_files"]
    for name in doover.reports.__all__:
        value = getattr(doover.reports, name)
        if callable(value):
            assert value.__doc__, name
    assert (doover.reports.MAX_REPORT_BYTES, doover.reports.REPORTS_CHANNEL) == (45000000, "reports")
    assert (doover.reports.DEFAULT_SCHEDULE, doover.reports.DEFAULT_TIMEZONE) == ("cron(0 8 1 * ?)",
                                                                                  "Australia/Brisbane")


def test_importing_the_report_application_stays_cheap():
    import json
    import subprocess
    import sys

    code = ("import sys, json, doover.reports as r; r.Application; "
            "print(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    modules = set(json.loads(out.stdout))
    for heavy in ("asyncio", "requests", "zipfile", "doover.config", "doover.emulator", "doover.cli", "attr"):
        assert heavy not in modules, heavy
