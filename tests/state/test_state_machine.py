import asyncio
import logging
import threading

import pytest

pytest.importorskip("transitions")

from transitions.core import MachineError  # noqa: E402

from doover.exceptions import InvalidArgumentError  # noqa: E402
from doover.state import AsyncStateMachine, StateMachine, SyncStateMachine  # noqa: E402


class Pump:
    states = [
        {"name": "off"},
        {"name": "starting", "timeout": 0.05, "on_timeout": "start_failed"},
        {"name": "running"},
        {"name": "error"},
    ]
    transitions = [
        {"trigger": "start", "source": "off", "dest": "starting"},
        {"trigger": "started", "source": "starting", "dest": "running"},
        {"trigger": "start_failed", "source": "starting", "dest": "error"},
        {"trigger": "stop", "source": "*", "dest": "off"},
    ]

    def __init__(self, timeout=0.05):
        self.entered_error = threading.Event()
        states = [dict(s, timeout=timeout) if "timeout" in s else s for s in self.states]
        self.machine = StateMachine(states=states, transitions=self.transitions, model=self,
                                    initial="off", queued=True)

    def on_enter_error(self):
        self.entered_error.set()


def test_sync_machine_transitions_at_once_and_returns_true():
    pump = Pump(timeout=30)
    assert isinstance(pump.machine, SyncStateMachine)
    assert pump.machine.asynchronous is False
    assert pump.start() is True
    assert pump.state == "starting"
    assert pump.started() is True
    assert pump.state == "running"
    with pytest.raises(MachineError, match="started"):
        pump.started()
    assert pump.machine.pending_timeouts() == []


def test_sync_timeout_runs_on_timeout_after_the_state_is_entered():
    pump = Pump(timeout=0.05)
    pump.start()
    assert pump.machine.pending_timeouts() == ["starting"]
    assert pump.entered_error.wait(10)
    assert pump.state == "error"


def test_sync_timeout_is_cancelled_when_the_state_is_left_first():
    pump = Pump(timeout=30)
    pump.start()
    timer = pump.machine.states["starting"].runner[id(pump)]
    assert timer.is_alive()
    pump.started()
    timer.join(10)
    assert not timer.is_alive()
    assert pump.state == "running"
    assert not pump.entered_error.is_set()


def test_cancel_timeouts_stops_and_joins_armed_timers():
    pump = Pump(timeout=30)
    pump.start()
    timer = pump.machine.states["starting"].runner[id(pump)]
    assert pump.machine.cancel_timeouts() == 1
    assert not timer.is_alive()
    assert pump.machine.pending_timeouts() == []
    assert pump.state == "starting"


def test_sync_timeout_callback_failure_is_logged_not_raised(caplog):
    done = threading.Event()

    class Broken:
        def explode(self):
            try:
                raise RuntimeError("sensor gone")
            finally:
                done.set()

    model = Broken()
    machine = StateMachine(states=["idle", {"name": "armed", "timeout": 0.05, "on_timeout": "explode"}],
                           transitions=[["arm", "idle", "armed"]], model=model, initial="idle")
    with caplog.at_level(logging.ERROR, logger="doover.state"):
        model.arm()
        assert done.wait(10)
        for timer in machine.states["armed"].runner.values():
            timer.join(10)
    assert [r.getMessage() for r in caplog.records] == ["state 'armed': on_timeout callback failed"]
    assert caplog.records[0].exc_info[0] is RuntimeError


def test_machine_is_async_when_built_inside_a_running_loop():
    async def build():
        return StateMachine(states=["a", "b"], transitions=[["go", "a", "b"]], initial="a")

    machine = asyncio.run(build())
    assert isinstance(machine, AsyncStateMachine)
    assert machine.asynchronous is True


def test_machine_is_async_when_a_declared_callback_is_async_def():
    class Model:
        async def on_enter_b(self):
            return None

    machine = StateMachine(states=["a", "b"], transitions=[["go", "a", "b"]], model=Model(), initial="a")
    assert isinstance(machine, AsyncStateMachine)

    class Callbacks:
        async def check(self):
            return True

    machine = StateMachine(states=["a", "b"], transitions=[{"trigger": "go", "source": "a", "dest": "b",
                                                            "conditions": "check"}],
                           model=Callbacks(), initial="a")
    assert isinstance(machine, AsyncStateMachine)


def test_explicit_asynchronous_flag_wins_and_bad_values_are_rejected():
    assert isinstance(StateMachine(states=["a"], initial="a", asynchronous=True), AsyncStateMachine)

    async def build():
        return StateMachine(states=["a"], initial="a", asynchronous=False)

    assert isinstance(asyncio.run(build()), SyncStateMachine)
    with pytest.raises(InvalidArgumentError, match="asynchronous must be True, False or None"):
        StateMachine(states=["a"], initial="a", asynchronous="yes")
    with pytest.raises(InvalidArgumentError, match="AsyncStateMachine"):
        SyncStateMachine(states=["a"], initial="a", asynchronous=True)


def test_async_machine_awaits_triggers_and_async_callbacks():
    class Gate:
        def __init__(self):
            self.log = []
            self.machine = StateMachine(
                states=["closed", {"name": "opening", "on_enter": "motor_on"}, "open"],
                transitions=[["open_gate", "closed", "opening"], ["opened", "opening", "open"]],
                model=self, initial="closed", queued=True)

        async def motor_on(self):
            await asyncio.sleep(0)
            self.log.append("motor on")

    async def main():
        gate = Gate()
        assert await gate.open_gate() is True
        assert await gate.opened() is True
        return gate

    gate = asyncio.run(main())
    assert isinstance(gate.machine, AsyncStateMachine)
    assert gate.state == "open"
    assert gate.log == ["motor on"]


def test_async_timeout_fires_on_the_loop_and_is_cancelled_on_exit():
    class Link:
        def __init__(self):
            self.failed = asyncio.Event()
            self.machine = StateMachine(
                states=["down", {"name": "connecting", "timeout": 0.05, "on_timeout": "give_up"},
                        {"name": "waiting", "timeout": 30, "on_timeout": "give_up"}, "up", "error"],
                transitions=[["connect", ["down", "error"], "connecting"], ["wait", "down", "waiting"],
                             ["connected", ["connecting", "waiting"], "up"], ["give_up", "*", "error"]],
                model=self, initial="down")

        async def on_enter_error(self):
            self.failed.set()

    async def main():
        link = Link()
        await link.connect()
        await asyncio.wait_for(link.failed.wait(), 10)
        state_after_timeout = link.state
        link.failed.clear()
        link.machine.set_state("down")
        await link.wait()
        task = link.machine.states["waiting"].runner[id(link)]
        await link.connected()
        await asyncio.sleep(0)
        return state_after_timeout, link.state, task.cancelled() or task.done(), link.failed.is_set()

    after_timeout, final, task_finished, failed_again = asyncio.run(main())
    assert after_timeout == "error"
    assert final == "up"
    assert task_finished is True
    assert failed_again is False


def test_subclass_with_its_own_init_picks_its_mode_at_creation():
    class AppState(StateMachine):
        states = ["idle", "busy"]

        def __init__(self, app):
            self.app = app
            super().__init__(states=self.states, transitions=[["work", "idle", "busy"]], initial="idle")

    blocking = AppState("app")
    assert isinstance(blocking, AppState) and isinstance(blocking, SyncStateMachine)
    assert type(blocking).__name__ == "AppState"
    assert blocking.work() is True and blocking.state == "busy"

    async def build():
        machine = AppState("app")
        return machine, await machine.work(), machine.state

    machine, result, state = asyncio.run(build())
    assert isinstance(machine, AppState) and isinstance(machine, AsyncStateMachine)
    assert (result, state, machine.app) == (True, "busy", "app")
