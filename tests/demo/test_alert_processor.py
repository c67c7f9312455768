"""The demo's threshold alert, hosted by the emulator exactly as ``doover demo`` hosts it."""

import pytest

from doover.emulator import Emulator
from doover.emulator._hosting import ProcessorHost

TARGET = "doover.demo._alert_processor:handler"


@pytest.fixture
def emu():
    with Emulator() as emulator:
        yield emulator


def _feed(emu, host, levels):
    for level in levels:
        emu.publish(1, "tank_level", {"level_pct": level} if level is not None else {"other": 1})
        host.wait_for(len(host.invocations) + 1, timeout=120)
    return [r["result"] for r in host.invocations]


def test_alert_notifies_on_each_crossing_of_the_threshold_and_only_then(emu, tmp_path):
    with ProcessorHost(emu, TARGET, agent_id=1, app_key="tank_alert", subscribe=["tank_level"],
                       cwd=str(tmp_path)) as host:
        results = _feed(emu, host, [50, 80, 90, 70, 60, 80.5, 85, None])
    assert [r["status"] for r in results] == ["success"] * 8
    assert [r["result"]["crossed"] for r in results] == [None, "up", None, "down", None, "up", None, None]
    assert results[-1]["result"] == {"crossed": None, "ignored": "no level_pct in the message"}
    notes = emu.notifications(1)
    assert [(n["title"], n["message"], n["severity"]) for n in notes] == [
        ("Tank level high", "Tank level 80.0% is above 75%", "Warn"),
        ("Tank level normal", "Tank level 70.0% is back below 75%", "Info"),
        ("Tank level high", "Tank level 80.5% is above 75%", "Warn"),
    ]
    assert emu.aggregate(1, "tag_values")["data"] == {"tank_alert": {"above_threshold": True}}
    assert [r["cold"] for r in host.invocations] == [True] + [False] * 7


def test_alert_threshold_comes_from_the_deployment_config(emu, tmp_path):
    with ProcessorHost(emu, TARGET, agent_id=1, app_key="tank_alert", subscribe=["tank_level"],
                       config={"threshold_percent": 60}, cwd=str(tmp_path)) as host:
        results = _feed(emu, host, [59.9, 60])
    assert [r["result"]["crossed"] for r in results] == [None, "up"]
    assert [n["message"] for n in emu.notifications(1)] == ["Tank level 60.0% is above 60%"]
