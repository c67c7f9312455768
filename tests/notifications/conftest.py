"""Fixtures for the notification tests: an emulator on loopback, a processor subscription on it
and the Lambda event the emulator's delivery turns into, and an edge app's device agent on it."""

import json
import threading

import pytest

from doover.emulator import Emulator

@pytest.fixture
def emu(monkeypatch):
    with Emulator() as emulator:
        monkeypatch.setenv("DOOVER_DATA_ENDPOINT", emulator.base_url)
        yield emulator


class Subscription:
    """App ``app_key`` on agent 1 subscribed to channel ``sensors``; ``event(data)`` publishes
    a message there and returns the SNS Lambda event the emulator delivered for it."""

    def __init__(self, emu, app_key="alerts", agent_id=1):
        self.emu = emu
        self.agent_id = agent_id
        emu.set_deployment_config(agent_id, app_key, {})
        self.arn = emu.add_subscription(agent_id, "sensors", app_key)
        self.delivered = []
        emu.add_listener(self.delivered.append)

    def event(self, data):
        before = len(self.delivered)
        self.emu.publish(self.agent_id, "sensors", data)
        mine = [d for d in self.delivered[before:] if d.get("channel") == "sensors"]
        first = mine[-1]
        body = {"op": first["op"], "token": self.emu.initial_token(self.arn), "d": first["d"]}
        return {"Records": [{"EventSource": "aws:sns", "EventSubscriptionArn": self.arn,
                             "Sns": {"Message": json.dumps(body)}}]}


@pytest.fixture
def subscription(emu):
    return Subscription(emu)


@pytest.fixture
def make_subscription(emu):
    """``make_subscription(app_key)``: another app subscribed to agent 1's ``sensors``."""
    return lambda app_key: Subscription(emu, app_key)


@pytest.fixture
def edge_once():
    return _run_edge_once


def _run_edge_once(app):
    """Run the edge ``app`` (test mode) for one ``main_loop`` iteration, then shut it down
    (which flushes the outbox); returns its exit code."""
    runner = threading.Thread(target=app.run)
    runner.start()
    try:
        assert app.wait_until_ready(60)
        assert app.next(60)
    finally:
        app.request_stop()
        runner.join(60)
    assert not runner.is_alive()
    return app.exit_code
