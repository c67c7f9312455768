"""Fixtures for report-generator tests: an emulator with an organisation agent (7) that runs
the generator, two devices (11, 12) in that organisation, and event builders."""

import logging
import sys

import pytest

from doover.emulator import Emulator

ORG = 7
DEVICES = [11, 12]
APP_KEY = "flow_report"


@pytest.fixture
def emu(monkeypatch):
    with Emulator() as emulator:
        monkeypatch.setenv("DOOVER_DATA_ENDPOINT", emulator.base_url)
        monkeypatch.setenv("APPLICATION_ID", "app-77")
        emulator.add_agent(ORG, organisation_id=ORG, display_name="Acme")
        for device in DEVICES:
            emulator.add_agent(device, organisation_id=ORG)
        yield emulator


def deploy(emu, **config):
    """Install the generator on the organisation agent (DEVICE_LIST 11, 12, UTC by default)."""
    values = {
        "DEVICE_LIST": list(DEVICES), "dv_proc_schedules": "cron(0 8 1 * ?)", "dv_proc_timezone": "UTC",
        "dv_proc_extended_permissions": {"devices": [str(d) for d in DEVICES], "groups": [], "apps_installed": [],
                                         "all_devices": False},
        "dv_emails": ["ops@example.com"],
    }
    values.update(config)
    return emu.set_deployment_config(ORG, APP_KEY, values, display_name="Flow Report")


def upgrade_info(emu):
    """SubscriptionInfo for the generator, with a token that may read the devices too (the
    platform grants that through dv_proc_extended_permissions)."""
    info = emu.subscription_info(ORG, APP_KEY)
    info["token"] = emu.processor_token(ORG, ORG, agents=DEVICES)
    return info


def schedule_event(emu):
    schedule_id = emu.add_schedule(ORG, APP_KEY)
    return {"op": "on_schedule", "token": emu.initial_token(schedule_id=schedule_id),
            "d": {"schedule_id": schedule_id, "upgrade": upgrade_info(emu)}}


def manual_event(emu, payload):
    schedule_id = emu.add_schedule(ORG, APP_KEY)
    return {"op": "on_manual_invoke", "token": emu.initial_token(schedule_id=schedule_id),
            "d": {"organisation_id": str(ORG), "payload": payload, "upgrade": upgrade_info(emu)}}


@pytest.fixture
def h():
    """These helpers (``h.deploy``, ``h.schedule_event``, ``h.ORG``, ...)."""
    return sys.modules[__name__]


@pytest.fixture(autouse=True)
def _root_logging():
    """Leave the root logger's handlers and level as they were."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers, root.level = handlers, level
