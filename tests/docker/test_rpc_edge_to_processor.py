"""An RPC round trip between an edge app's device agent and a hosted processor, through the emulator."""

import textwrap

import pytest

from doover import rpc
from doover.docker import DeviceAgentInterface
from doover.emulator import Emulator
from doover.emulator._hosting import ProcessorHost
from doover.exceptions import RPCError

PROCESSOR = """
from doover import rpc
from doover.processor import Application, run_app
from doover.rpc import RPCError


class Calculator(Application):
    @rpc.handler("add", channel="dv-rpc")
    def add(self, ctx, request):
        ctx.acknowledge()
        if not isinstance(request.get("a"), (int, float)):
            raise RPCError("BAD_ARGS", "a must be a number")
        return {"sum": request["a"] + request["b"]}


app = Calculator()


def handler(event, context):
    return run_app(app, event, context)
"""


@pytest.fixture
def setup(tmp_path):
    (tmp_path / "calc_proc.py").write_text(textwrap.dedent(PROCESSOR))
    with Emulator() as emu:
        with ProcessorHost(emu, "calc_proc:handler", agent_id=1, app_key="calc", subscribe=["dv-rpc"],
                           cwd=str(tmp_path), timeout=60) as host:
            agent = DeviceAgentInterface(app_key="edge_app", agent_id=1, base_url=emu.base_url,
                                         token=emu.token_for(1), outbox=str(tmp_path / "outbox.db"))
            try:
                yield emu, host, agent
            finally:
                agent.close(flush_timeout=5)


def test_edge_call_is_acknowledged_and_answered_by_the_processor(setup):
    emu, host, agent = setup
    updates = []
    emu.add_listener(lambda event: updates.append(event["d"]["request_data"]["data"])
                     if event["op"] == "on_message_update" else None)
    response = rpc.call(agent, "add", {"a": 2, "b": 3}, channel="dv-rpc", app_key="calc", timeout=90,
                        poll_interval=0.2)
    assert response == {"sum": 5}
    stored = emu.messages(1, "dv-rpc")
    assert len(stored) == 1
    data = stored[0]["data"]
    assert data["type"] == "rpc" and data["method"] == "add" and data["request"] == {"a": 2, "b": 3}
    assert data["status"] == {"code": "success"}  # the reply's "message": null deleted the ack stamp
    assert data["response"] == {"sum": 5}
    # request -> acknowledged -> success, each a message PATCH written by the processor
    assert [u["status"]["code"] for u in updates] == ["acknowledged", "success"]
    assert isinstance(updates[0]["status"]["message"]["timestamp"], int)
    assert updates[1] == {"status": {"code": "success", "message": None}, "response": {"sum": 5}}
    assert [run["result"]["status"] for run in host.wait_for(1) if run["op"] == "on_message_create"][:1] == ["success"]


def test_processor_error_reaches_the_edge_caller_as_rpc_error(setup):
    emu, host, agent = setup
    with pytest.raises(RPCError) as caught:
        rpc.call(agent, "add", {"a": "x", "b": 3}, channel="dv-rpc", app_key="calc", timeout=90,
                 poll_interval=0.2)
    assert caught.value.code == "BAD_ARGS"
    assert "a must be a number" in str(caught.value)
