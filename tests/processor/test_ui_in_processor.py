"""UI in processors: the schema is published on deployment, ui_cmds interactions are served."""

import json

import pytest

from doover import ui
from doover.emulator import Emulator
from doover.processor import Application, run_app


class PumpUI(ui.UI):
    level = ui.NumericVariable("Level")
    auto = ui.Switch("Auto")

    def setup(self):  # overriding setup makes the UI dynamic: the processor publishes it
        self.level.display_name = "Tank level"


class Pump(Application):
    ui_cls = PumpUI


@pytest.fixture
def emu(monkeypatch):
    with Emulator() as emulator:
        monkeypatch.setenv("DOOVER_DATA_ENDPOINT", emulator.base_url)
        emulator.set_deployment_config(1, "pump", {})
        yield emulator


def _sns(emu, arn, op, d):
    body = {"op": op, "token": emu.initial_token(arn), "d": d}
    return {"Records": [{"EventSource": "aws:sns", "EventSubscriptionArn": arn, "Sns": {"Message": json.dumps(body)}}]}


def test_deployment_publishes_the_dynamic_ui_schema_replacing_the_app_subtree(emu):
    arn = emu.add_subscription(1, "deployments", "pump")
    emu.update_aggregate(1, "ui_state", {"state": {"children": {"pump": {"stale": True}}}})
    d = {"organisation_id": 7, "agent_id": "1", "app_id": "123", "app_install_id": "456",
         "app_key": "pump", "app_display_name": "Pump"}
    out = run_app(Pump(), _sns(emu, arn, "on_deployment", d), None, setup_logging=False)
    assert out["status"] == "success"
    children = emu.aggregate(1, "ui_state")["data"]["state"]["children"]["pump"]
    assert "stale" not in children
    assert json.dumps(children).count("Tank level") == 1


def test_ui_cmds_interaction_sets_its_value_in_ui_cmds(emu):
    arn = emu.add_subscription(1, "ui_cmds", "pump")
    delivered = []
    emu.add_listener(delivered.append)
    message = emu.publish(1, "ui_cmds", {"type": "rpc", "method": "auto", "request": True,
                                         "status": {"code": "sent"}, "response": {}})
    first = delivered[0]
    out = run_app(Pump(), _sns(emu, arn, first["op"], first["d"]), None, setup_logging=False)
    assert out["status"] == "success"
    assert emu.aggregate(1, "ui_cmds")["data"] == {"pump": {"auto": True}}
    assert emu.message(1, "ui_cmds", int(message["id"]))["data"]["status"] == {"code": "success"}
