"""A StateMachine inside a doover edge app: built in ``async def setup`` it is awaitable and
its timeouts fire on the app's event loop while hooks run; built in ``def setup`` it blocks
and its timeouts fire on their own."""

import threading
import time

import pytest

pytest.importorskip("transitions")

from doover.docker import Application, MockDeviceAgentInterface  # noqa: E402
from doover.state import AsyncStateMachine, StateMachine, SyncStateMachine  # noqa: E402

STATES = ["closed", {"name": "opening", "timeout": 0.05, "on_timeout": "jammed"}, "open", "fault"]
TRANSITIONS = [["open_gate", "closed", "opening"], ["opened", "opening", "open"], ["jammed", "opening", "fault"]]


class AsyncGate(Application):
    async def setup(self):
        self.loop_target_period = 0.01
        self.faults = []
        self.machine = StateMachine(states=STATES, transitions=TRANSITIONS, model=self, initial="closed",
                                    queued=True)
        await self.open_gate()

    async def on_enter_fault(self):
        self.faults.append(self.state)

    async def main_loop(self):
        await self.device_agent.create_message("gate", {"state": self.state})


class SyncGate(Application):
    def setup(self):
        self.faulted = threading.Event()
        self.machine = StateMachine(states=STATES, transitions=TRANSITIONS, model=self, initial="closed")
        self.open_gate()

    def on_enter_fault(self):
        self.faulted.set()

    def main_loop(self):
        self.device_agent.create_message("gate", {"state": self.state})


def _run(app):
    thread = threading.Thread(target=app.run, name="gate-app")
    thread.start()
    assert app.wait_until_ready(30)
    return thread


def test_async_app_machine_times_out_on_the_app_loop_between_iterations():
    agent = MockDeviceAgentInterface("gate")
    app = AsyncGate(app_key="gate", device_agent=agent, test_mode=True)
    thread = _run(app)
    try:
        assert isinstance(app.machine, AsyncStateMachine)
        # the timeout task runs on the app's loop, so it makes progress while hooks run:
        # iterate until its transition, on_enter_fault included, has completed
        deadline = time.monotonic() + 20
        while not app.faults and time.monotonic() < deadline:
            assert app.next(30)
        assert app.faults == ["fault"]
        assert app.state == "fault"
    finally:
        app.request_stop()
        thread.join(30)
    assert not thread.is_alive()
    states = [m.data["state"] for m in agent.messages["gate"]]
    assert states[0] == "opening" and states[-1] in ("opening", "fault")


def test_sync_app_machine_times_out_on_its_own_timer():
    agent = MockDeviceAgentInterface("gate")
    app = SyncGate(app_key="gate", device_agent=agent, test_mode=True)
    thread = _run(app)
    try:
        assert isinstance(app.machine, SyncStateMachine)
        assert app.faulted.wait(20)  # no iteration needed
        assert app.state == "fault"
        assert app.next(30)
        assert agent.messages["gate"][-1].data == {"state": "fault"}
    finally:
        app.machine.cancel_timeouts()
        app.request_stop()
        thread.join(30)
    assert not thread.is_alive()
