"""doover.rpc: the platform SDK's cancellation and expiry names, with real behaviour.

Wire shapes: a cancellation is the site's ``{"status": {"code": "error", "message":
{"info": "Command cancelled", "cancelled_at": ms, "cancelled_by": {...}}}}``; expiry is the
request's ``expires_after`` (ms) after the time its snowflake id encodes.
"""

import asyncio
import datetime as dt
import pickle
import threading

import pytest

import doover.models
from doover import rpc
from doover._snowflake import ms_to_snowflake
from doover.api import DataClient
from doover.emulator import Emulator
from doover.exceptions import InvalidArgumentError, RPCError
from doover.models import Message, MessageCreateEvent
from doover.rpc._cancel import cancel_status
from rpc_pump import EventPump

AGENT = 1
T0 = 1_780_000_000_000  # epoch ms
WHO = {"id": "7", "name": "Ops"}


# ---------------------------------------------------------------- names and pure functions


def test_rpc_key_and_model_names_are_doover_s():
    assert rpc.RPC_KEY == "dv-rpc" == rpc.DEFAULT_CHANNEL
    for name in ("Message", "MessageCreateEvent", "MessageUpdateEvent", "OneShotMessage"):
        assert getattr(rpc, name) is getattr(doover.models, name)
        assert name in rpc.__all__


def test_rpc_cancelled_is_an_rpc_error_with_code_cancelled_that_pickles():
    exc = rpc.RPCCancelled("reboot")
    assert isinstance(exc, RPCError)
    assert (exc.code, exc.message, exc.method) == ("CANCELLED", "RPC call 'reboot' was cancelled by the caller", "reboot")
    again = pickle.loads(pickle.dumps(exc))
    assert type(again) is rpc.RPCCancelled and again.method == "reboot"


@pytest.mark.parametrize("status, cancelled", [
    ({"code": "error", "message": {"info": "Command cancelled", "cancelled_at": 1, "cancelled_by": WHO}}, True),
    ({"code": "error", "message": {"info": "command canceled"}}, True),
    ({"code": "error", "message": {"cancelled_by": WHO}}, True),
    ({"code": "error", "message": {"cancelled_at": 5}}, True),
    ({"code": "error", "message": "  Command Cancelled "}, True),
    ({"code": "error", "message": {"code": "BAD", "message": "Command cancelled"}}, False),
    ({"code": "error", "message": "command cancelled twice"}, False),
    ({"code": "error"}, False),
    ({"code": "success", "message": {"cancelled_at": 5}}, False),
    ("error", False),
    (None, False),
])
def test_status_is_cancelled_reads_the_sites_marker(status, cancelled):
    assert rpc.status_is_cancelled(status) is cancelled


def _message(data, ms=T0):
    return Message.from_dict({"id": str(ms_to_snowflake(ms)), "author_id": "3",
                              "channel": {"agent_id": str(AGENT), "name": "dv-rpc"}, "data": data})


def test_command_is_cancelled_reads_a_message_model_or_a_message_dict():
    cancelled = dict(rpc._cancel.cancel_status(WHO, T0), type="rpc", method="go")
    assert rpc.command_is_cancelled(_message(cancelled)) is True
    assert rpc.command_is_cancelled({"id": "1", "data": cancelled}) is True
    assert rpc.command_is_cancelled(_message({"type": "rpc", "status": {"code": "sent"}})) is False
    with pytest.raises(InvalidArgumentError, match="^message: expected a doover.models.Message"):
        rpc.command_is_cancelled(42)


def test_command_expires_at_is_the_id_time_plus_expires_after():
    message = _message({"type": "rpc", "expires_after": 5000})
    expected = dt.datetime.fromtimestamp((T0 + 5000) / 1000.0, tz=dt.timezone.utc)
    assert rpc.command_expires_at(message) == expected
    assert rpc.command_expires_at({"id": str(ms_to_snowflake(T0)), "data": {"expires_after": 5000}}) == expected
    assert rpc.command_expires_at(_message({"type": "rpc"})) is None
    assert rpc.command_is_expired(message, now=T0 + 4999) is False
    assert rpc.command_is_expired(message, now=T0 + 5000) is True
    assert rpc.command_is_expired(_message({"type": "rpc"}), now=T0 + 10 ** 9) is False


def test_cancel_status_is_the_sites_patch():
    assert cancel_status(WHO, T0) == {"status": {"code": "error", "message": {
        "info": "Command cancelled", "cancelled_at": T0, "cancelled_by": WHO}}}
    assert cancel_status(None, T0) == {"status": {"code": "error", "message": {
        "info": "Command cancelled", "cancelled_at": T0}}}


# ---------------------------------------------------------------- against the emulator


@pytest.fixture
def emu():
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def client(emu):
    with DataClient(emu.base_url, token=emu.token_for(AGENT), agent_id=AGENT) as data_client:
        yield data_client


REQUEST = {"type": "rpc", "method": "reboot", "request": {}, "status": {"code": "sent"}, "response": {}}


def test_a_request_cancelled_before_it_is_dispatched_is_dropped_and_left_as_the_canceller_wrote_it(emu, client):
    calls = []
    manager = rpc.RPCManager(client)
    manager.add_handler("reboot", lambda ctx, request: calls.append(request))
    created = client.create_message("dv-rpc", REQUEST)
    rpc.cancel_command(client, created.id, "dv-rpc", WHO, cancelled_at=T0)
    stored = client.fetch_message("dv-rpc", created.id)
    event = MessageCreateEvent.from_dict({"channel": {"agent_id": str(AGENT), "name": "dv-rpc"},
                                          "message": stored.to_dict()})
    assert manager.handle_event(event) is True
    assert calls == []
    assert emu.message(AGENT, "dv-rpc", created.id)["data"]["status"] == cancel_status(WHO, T0)["status"]


def test_a_caller_whose_command_is_cancelled_gets_rpc_cancelled(emu, client):
    def cancel_it(event):
        if event.message.data.get("method") == "reboot":
            rpc.cancel_command(client, event.message.id, "dv-rpc", WHO)

    worker = EventPump(emu, cancel_it, ("on_message_create",))
    try:
        caller = rpc.RPCManager(client, poll_interval=0.05)
        with pytest.raises(rpc.RPCCancelled) as caught:
            caller.call("reboot", {"now": True}, timeout=60)
    finally:
        worker.close()
    assert worker.errors == []
    assert caught.value.code == "CANCELLED" and caught.value.method == "reboot"


def _serve_and_cancel_once_started(emu, client, manager, started, cancelled_by):
    """Send REQUEST; once its handler has ``started``, cancel it; return the request message
    after the handler finished (requests and updates are fed to ``manager`` on two threads)."""
    requests = EventPump(emu, manager.handle_event, ("on_message_create",))
    updates = EventPump(emu, manager.handle_event, ("on_message_update",))
    try:
        created = client.create_message("dv-rpc", REQUEST)
        assert started.wait(60)
        rpc.cancel_command(client, created.id, "dv-rpc", cancelled_by, cancelled_at=T0)
        requests.events.put(None)
        requests.thread.join(60)
    finally:
        requests.close()
        updates.close()
    assert requests.errors == [] and updates.errors == []
    return created


def test_a_running_handler_sees_a_cancel_delivered_on_another_thread_and_nothing_more_is_written(emu, client):
    seen = {}
    started = threading.Event()

    def reboot(ctx, request):
        ctx.acknowledge()
        started.set()
        seen["woke"] = ctx.wait_cancelled(timeout=60)
        seen["by"], seen["at"] = ctx.cancelled_by, ctx.cancelled_at
        ctx.progress("still going")  # must not un-cancel the command
        ctx.raise_if_cancelled()
        seen["after"] = True

    manager = rpc.RPCManager(client, clock_ms=lambda: T0 + 1)
    manager.add_handler("reboot", reboot)
    created = _serve_and_cancel_once_started(emu, client, manager, started, WHO)
    assert seen == {"woke": True, "by": WHO, "at": dt.datetime.fromtimestamp(T0 / 1000.0, tz=dt.timezone.utc)}
    # the cancel is a merge patch, as the site's is: the acknowledgement's timestamp stays;
    # the handler's later progress ("pending") was not written
    assert emu.message(AGENT, "dv-rpc", created.id)["data"]["status"] == {"code": "error", "message": {
        "timestamp": T0 + 1, "info": "Command cancelled", "cancelled_at": T0, "cancelled_by": WHO}}
    assert manager._inflight == {}


def test_check_cancelled_rereads_the_request_and_a_cancelled_handler_result_is_not_written(emu, client):
    seen = []

    def reboot(ctx, request):
        seen.append(ctx.check_cancelled())
        rpc.cancel_command(client, ctx.message_id, ctx.channel_name, WHO, cancelled_at=T0)
        seen.append(ctx.cancelled)
        seen.append(ctx.check_cancelled())
        return {"rebooted": True}

    manager = rpc.RPCManager(client)
    manager.add_handler("reboot", reboot)
    created = client.create_message("dv-rpc", REQUEST)
    event = MessageCreateEvent.from_dict({"channel": {"agent_id": str(AGENT), "name": "dv-rpc"},
                                          "message": created.to_dict()})
    assert manager.handle_event(event) is True
    assert seen == [False, False, True]
    stored = emu.message(AGENT, "dv-rpc", created.id)["data"]
    assert stored["status"] == cancel_status(WHO, T0)["status"]
    assert stored["response"] == {}


def test_an_async_handler_awaits_wait_cancelled(emu, client):
    seen = []
    started = threading.Event()

    async def reboot(ctx, request):
        started.set()
        seen.append(await ctx.wait_cancelled(timeout=60))
        await asyncio.sleep(0)
        seen.append(ctx.cancelled)
        return {"done": True}

    manager = rpc.RPCManager(client)
    manager.add_handler("reboot", reboot)
    created = _serve_and_cancel_once_started(emu, client, manager, started, None)
    assert seen == [True, True]
    assert emu.message(AGENT, "dv-rpc", created.id)["data"]["status"] == cancel_status(None, T0)["status"]


def test_wait_cancelled_times_out_false_and_an_uncancelled_command_succeeds(emu, client):
    results = []

    def reboot(ctx, request):
        results.append(ctx.wait_cancelled(timeout=0.01))
        results.append(ctx.cancelled_at)
        return {"ok": 1}

    manager = rpc.RPCManager(client)
    manager.add_handler("reboot", reboot)
    created = client.create_message("dv-rpc", REQUEST)
    event = MessageCreateEvent.from_dict({"channel": {"agent_id": str(AGENT), "name": "dv-rpc"},
                                          "message": created.to_dict()})
    manager.handle_event(event)
    assert results == [False, None]
    stored = emu.message(AGENT, "dv-rpc", created.id)["data"]
    assert stored["status"] == {"code": "success"} and stored["response"] == {"ok": 1}


def test_rpc_manager_cancel_writes_the_cancellation_to_its_default_channel(emu, client):
    manager = rpc.RPCManager(client, clock_ms=lambda: T0)
    created = client.create_message("dv-rpc", REQUEST)
    manager.cancel(created.id, cancelled_by=WHO)
    assert emu.message(AGENT, "dv-rpc", created.id)["data"]["status"] == cancel_status(WHO, T0)["status"]


def test_importing_doover_rpc_does_not_import_the_models_until_a_model_name_is_read():
    import subprocess
    import sys

    code = ("import sys, doover.rpc as r; assert 'doover.models._data' not in sys.modules; "
            "r.Message; assert 'doover.models._data' in sys.modules; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "ok\n"
