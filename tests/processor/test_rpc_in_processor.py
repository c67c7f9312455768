"""RPC-only processors: no on_message_create, only @rpc.handler methods, served end to end."""

import json

import pytest

from doover import rpc
from doover.emulator import Emulator
from doover.processor import Application, run_app


class Modes(Application):
    @rpc.handler("set_mode")
    def set_mode(self, ctx, request):
        if request not in ("auto", "manual"):
            raise rpc.RPCError("BAD_MODE", "mode must be auto or manual")
        self.set_tag("mode", request)
        return {"mode": request}


class AsyncModes(Application):
    @rpc.handler("set_mode")
    async def set_mode(self, ctx, request):
        await self.set_tag("mode", request)
        return {"mode": request}


@pytest.fixture
def emu(monkeypatch):
    with Emulator() as emulator:
        monkeypatch.setenv("DOOVER_DATA_ENDPOINT", emulator.base_url)
        emulator.set_deployment_config(1, "modes", {})
        yield emulator


def _invoke(emu, app, data):
    arn = emu.add_subscription(1, "dv-rpc", "modes")
    delivered = []
    emu.add_listener(delivered.append)
    message = emu.publish(1, "dv-rpc", data)
    body = {"op": delivered[0]["op"], "token": emu.initial_token(arn), "d": delivered[0]["d"]}
    event = {"Records": [{"EventSource": "aws:sns", "EventSubscriptionArn": arn, "Sns": {"Message": json.dumps(body)}}]}
    return run_app(app, event, None, setup_logging=False), int(message["id"])


@pytest.mark.parametrize("app_cls", [Modes, AsyncModes])
def test_rpc_only_processor_answers_the_request_and_commits_its_tag(emu, app_cls):
    app = app_cls()
    out, message_id = _invoke(emu, app, {"type": "rpc", "method": "set_mode", "request": "auto",
                                          "status": {"code": "sent"}, "response": {}})
    assert out["status"] == "success"
    stored = emu.message(1, "dv-rpc", message_id)["data"]
    assert stored["status"] == {"code": "success"}  # the reply's "message": null merge-deletes the key
    assert stored["response"] == {"mode": "auto"}
    assert emu.aggregate(1, "tag_values")["data"] == {"modes": {"mode": "auto"}}
    # the next invocation on the same warm instance gets its own manager and client
    first = app.rpc
    _invoke(emu, app, {"type": "rpc", "method": "set_mode", "request": "manual",
                       "status": {"code": "sent"}, "response": {}})
    assert app.rpc is not first and app.rpc.client is app._client
    assert emu.aggregate(1, "tag_values")["data"] == {"modes": {"mode": "manual"}}


def test_rpc_error_is_replied_and_plain_messages_are_ignored(emu):
    out, message_id = _invoke(emu, Modes(), {"type": "rpc", "method": "set_mode", "request": "turbo",
                                              "status": {"code": "sent"}, "response": {}})
    assert out["status"] == "success"
    assert emu.message(1, "dv-rpc", message_id)["data"]["status"] == {
        "code": "error", "message": {"code": "BAD_MODE", "message": "mode must be auto or manual"}}

    out, message_id = _invoke(emu, Modes(), {"hello": 1})
    assert out["status"] == "success"
    assert emu.message(1, "dv-rpc", message_id)["data"] == {"hello": 1}
