"""The story in-process: it reports what went wrong instead of claiming success."""

import io
import re

from doover.demo import _story
from doover.demo._story import DemoOptions, Story


def test_a_failing_processor_is_reported_in_the_timeline_and_summary_and_the_exit_code_is_1(tmp_path, monkeypatch):
    (tmp_path / "broken_alert.py").write_text(
        "def handler(event, context):\n    raise RuntimeError('alert table missing')\n", encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    monkeypatch.setattr(_story, "PROCESSOR_TARGET", "broken_alert:handler")
    out = io.StringIO()
    code = Story(DemoOptions(interval=0.1, readings=4, outage=0.5), out, tty=False).run()
    text = out.getvalue()
    assert code == 1, text
    assert "processor: invocation failed: RuntimeError: alert table missing" in text
    assert re.search(r"  invocations: +4 \(1 cold, 3 warm taking \d+ ms \(median\), 4 failed\)\n", text), text
    assert re.search(r"  messages stored: +4 \(nothing lost\)\n", text)
    assert re.search(r"  notifications: +0 ", text)
    assert "\x1b" not in text


def test_options_put_the_outage_just_before_the_middle_of_the_readings():
    assert [DemoOptions(readings=n).outage_after for n in (4, 5, 8, 9, 20)] == [1, 2, 3, 4, 9]
