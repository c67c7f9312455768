"""The emulator hosting a processor in one long-lived worker process (cold once, warm after)."""

import textwrap

import pytest

from doover.emulator import Emulator
from doover.emulator._hosting import ProcessorHost, parse_rate
from doover.exceptions import DooverError, NotSupportedError

APP = """
import os, time
from doover.processor import Application, run_app

class Counter(Application):
    def on_message_create(self, event):
        if event.message.data.get("sleep"):
            time.sleep(event.message.data["sleep"])
        self.set_tag("count", (self.get_tag("count") or 0) + 1)
        if event.message.data.get("t", 0) > 40:
            self.send_notification("hot")
        return {"pid": os.getpid()}

    def on_schedule(self, event):
        self.set_tag("ticks", (self.get_tag("ticks") or 0) + 1)
        return {"pid": os.getpid()}

app = Counter()

def handler(event, context):
    return run_app(app, event, context)
"""


@pytest.fixture
def emu(tmp_path):
    (tmp_path / "counter_app.py").write_text(textwrap.dedent(APP))
    with Emulator() as emulator:
        yield emulator


def test_subscription_invokes_one_warm_worker_and_writes_go_back_through_the_emulator(emu, tmp_path):
    with ProcessorHost(emu, "counter_app:handler", agent_id=1, app_key="counter",
                       subscribe=["sensors"], cwd=str(tmp_path), timeout=60) as host:
        for t in (10, 41, 12):
            emu.publish(1, "sensors", {"t": t})
            host.wait_for(len(host.invocations) + 1)
        runs = host.invocations
    assert [r["result"]["status"] for r in runs] == ["success"] * 3
    assert [r["cold"] for r in runs] == [True, False, False]
    assert len({r["result"]["result"]["pid"] for r in runs}) == 1
    assert emu.aggregate(1, "tag_values")["data"] == {"counter": {"count": 3}}
    assert [n["message"] for n in emu.notifications(1)] == ["hot"]


def test_processor_subscribed_to_tag_values_skips_its_own_tag_commit(emu, tmp_path):
    with ProcessorHost(emu, "counter_app:handler", agent_id=1, app_key="counter",
                       subscribe=["sensors", "tag_values"], cwd=str(tmp_path)) as host:
        emu.publish(1, "sensors", {"t": 1})
        runs = host.wait_for(3, timeout=60)
    assert runs[0]["result"]["status"] == "success"
    # its tag commit comes back twice: the aggregate update (no on_aggregate_update: skipped
    # before any request) and the tag log message (our own app key: the self-loop guard)
    assert [(r["op"], r["result"]["skip_reason"]) for r in runs[1:]] == [
        ("on_aggregate_update", "no_handler"), ("on_message_create", "tag_values_self_loop")]
    assert emu.aggregate(1, "tag_values")["data"] == {"counter": {"count": 1}}


def test_schedule_fires_on_schedule_and_a_timeout_restarts_the_worker_cold(emu, tmp_path):
    with ProcessorHost(emu, "counter_app:handler", agent_id=1, app_key="counter", subscribe=["sensors"],
                       schedule="rate(5 minutes)", cwd=str(tmp_path), timeout=3) as host:
        host.invoke_schedule()
        host.wait_for(1)
        emu.publish(1, "sensors", {"sleep": 30})
        host.wait_for(2)
        host.invoke_schedule()
        runs = host.wait_for(3)
    assert runs[0]["op"] == "on_schedule" and runs[0]["result"]["status"] == "success"
    assert runs[1]["error"]["type"] == "Timeout"
    assert runs[2]["cold"] is True and runs[2]["result"]["status"] == "success"
    assert emu.aggregate(1, "tag_values")["data"] == {"counter": {"ticks": 2}}


def test_rate_expressions_parse_and_cron_is_refused_by_name():
    assert parse_rate("rate(5 minutes)") == 300
    assert parse_rate("rate(1 hour)") == 3600
    with pytest.raises(NotSupportedError, match="cron"):
        parse_rate("cron(0 * * * ? *)")
    with pytest.raises(DooverError, match=r"expected rate\(N"):
        parse_rate("every 5 minutes")
