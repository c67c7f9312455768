"""The edge runtime subprocess against doover's own emulator (``doover.emulator.Emulator``):
tags and messages land, and an outage (server down, then 503s and dropped connections)
loses and duplicates nothing."""

import re
import signal

import pytest

from doover.docker._cloud import CloudLink
from doover.emulator import Emulator

AGENT = 4242


@pytest.fixture
def emu():
    e = Emulator().start()
    yield e
    e.close()


def iters(proc):
    return [int(n) for n in re.findall(r"ITER (\d+)", proc.output)]


def reader(emu):
    return CloudLink(emu.base_url, emu.token_for(AGENT), AGENT)


def events(emu):
    msgs = reader(emu).list_messages("events", limit=1000)
    return [m["data"]["n"] for m in sorted(msgs, key=lambda m: int(m["id"]))]


def env_for(emu):
    return {"DOOVER_DATA_ENDPOINT": emu.base_url, "DOOVER_TOKEN": emu.token_for(AGENT)}


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_app_against_emulator_survives_outage_and_faults(emu, spawn, wait, mode):
    reader(emu).update_aggregate("deployment_config", {"applications": {"pump_ctl_1": {"pump_pin": 9}}})
    proc = spawn("counter_app.py", extra_env=dict(env_for(emu), APP_MODE=mode))
    assert wait(lambda: re.search(r"READY \d+ 9", proc.output), 30), proc.output
    assert wait(lambda: len(events(emu)) >= 3, 20)
    emu.stop()
    before = len(iters(proc))
    assert wait(lambda: len(iters(proc)) >= before + 10, 20)
    emu.start()
    emu.inject_status(503, times=2, method="POST")
    emu.inject_drop(times=1, method="POST")
    assert wait(lambda: len(events(emu)) >= before + 10, 30)
    proc.proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0, proc.output
    done = iters(proc)
    assert events(emu) == done
    tags = reader(emu).fetch_aggregate("tag_values")["data"]
    assert tags == {"pump_ctl_1": {"started": True, "count": done[-1], "stopped": True}}
