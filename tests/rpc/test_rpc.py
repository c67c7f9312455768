import asyncio
import copy
import logging
import re
import threading

import pytest

from doover import rpc
from doover._merge import merge_patch
from doover._snowflake import generate_snowflake
from doover.exceptions import DooverError, RPCError, RPCTimeoutError
from doover.models import MessageCreateEvent, MessageUpdateEvent, OneShotMessage

NOW_MS = 1_790_000_000_000
AGENT = 777


class MemoryChannels:
    """An in-memory channel client: messages merge-patched like the Data API, calls recorded."""

    def __init__(self, agent_id=AGENT):
        self.agent_id = agent_id
        self.lock = threading.Lock()
        self.messages = {}
        self.calls = []
        self.created = threading.Condition(self.lock)

    def create_message(self, channel_name, data, **kwargs):
        with self.lock:
            mid = generate_snowflake()
            self.messages[mid] = {"channel": channel_name, "data": copy.deepcopy(data), "agent_id": kwargs.get("agent_id", self.agent_id)}
            self.calls.append(("create_message", channel_name, copy.deepcopy(data), dict(kwargs)))
            self.created.notify_all()
            return mid

    def update_message(self, channel_name, message_id, data, **kwargs):
        with self.lock:
            self.calls.append(("update_message", channel_name, message_id, copy.deepcopy(data), dict(kwargs)))
            stored = self.messages.setdefault(message_id, {"channel": channel_name, "data": {}, "agent_id": self.agent_id})
            stored["data"] = merge_patch(stored["data"], data)

    def fetch_message(self, channel_name, message_id, **kwargs):
        with self.lock:
            stored = self.messages[message_id]
            return {"id": str(message_id), "author_id": "1", "channel": {"agent_id": stored["agent_id"], "name": channel_name},
                    "data": copy.deepcopy(stored["data"])}

    def event_for(self, message_id):
        return MessageCreateEvent.from_dict(self.fetch_message(self.messages[message_id]["channel"], message_id))


def create(data, channel="dv-rpc", mid=None, oneshot=False):
    body = {"id": str(mid or generate_snowflake(NOW_MS - 1000)), "author_id": "1",
            "channel": {"agent_id": str(AGENT), "name": channel}, "data": data}
    return (OneShotMessage if oneshot else MessageCreateEvent).from_dict(body)


def request(method, payload, **extra):
    data = {"type": "rpc", "method": method, "request": payload, "status": {"code": "sent"}, "response": {}}
    data.update(extra)
    return data


class Service:
    def __init__(self):
        self.seen = []

    @rpc.handler("set_mode")
    def set_mode(self, ctx, mode):
        self.seen.append(("set_mode", mode, ctx.channel_name))
        if mode not in ("auto", "manual"):
            raise RPCError("BAD_MODE", "mode must be auto or manual")
        return {"mode": mode}

    @rpc.handler("ping", channel="control")
    async def ping(self, ctx, value):
        self.seen.append(("ping@control", value))
        return value

    @rpc.handler(re.compile(r"^get_(\w+)$"))
    def getter(self, ctx, value):
        self.seen.append(("regex", ctx.method))
        return {"what": ctx.method[4:]}

    @rpc.handler("crash")
    def crash(self, ctx, value):
        raise ZeroDivisionError("division by zero")

    @rpc.handler("parsed", parser=lambda v: {"n": int(v)})
    def parsed(self, ctx, value):
        return value

    @property
    def not_a_handler(self):
        raise AssertionError("properties must not be evaluated during registration")


def server(client, **kwargs):
    m = rpc.RPCManager(client, "svc_app", clock_ms=lambda: NOW_MS, **kwargs)
    service = Service()
    assert m.register_handlers(service) == 5
    return m, service


def test_public_names_and_error_tree():
    from doover.rpc import RPCError as Reexported

    assert Reexported is RPCError and issubclass(RPCError, DooverError)
    assert issubclass(RPCTimeoutError, RPCError) and issubclass(RPCTimeoutError, TimeoutError)
    assert str(RPCError("X", "y")) == "X: y"


def test_success_reply_shape_and_handler_call():
    client = MemoryChannels()
    m, service = server(client)
    mid = generate_snowflake(NOW_MS - 1000)
    assert m.handle_event(create(request("set_mode", "auto"), mid=mid)) is True
    assert service.seen == [("set_mode", "auto", "dv-rpc")]
    assert client.calls == [("update_message", "dv-rpc", mid, {"status": {"code": "success", "message": None}, "response": {"mode": "auto"}}, {})]


def test_rpc_error_and_unexpected_exception_replies(caplog):
    client = MemoryChannels()
    m, _ = server(client)
    a, b = generate_snowflake(NOW_MS - 10), generate_snowflake(NOW_MS - 5)
    with caplog.at_level(logging.ERROR, logger="doover.rpc"):
        m.handle_event(create(request("set_mode", "turbo"), mid=a))
        m.handle_event(create(request("crash", None), mid=b))
    assert client.calls == [
        ("update_message", "dv-rpc", a, {"status": {"code": "error", "message": {"code": "BAD_MODE", "message": "mode must be auto or manual"}}, "response": {}}, {}),
        ("update_message", "dv-rpc", b, {"status": {"code": "error", "message": {"code": "INTERNAL_ERROR", "message": "division by zero"}}, "response": {}}, {}),
    ]
    assert "RPC handler for 'crash'" in caplog.text and "ZeroDivisionError" in caplog.text


def test_lookup_order_exact_channel_then_regex_then_global_and_regex_without_channel_works():
    client = MemoryChannels()
    m, service = server(client)
    m.handle_event(create(request("ping", 1), channel="control"))
    m.handle_event(create(request("ping", 2), channel="dv-rpc"))  # only registered for "control"
    m.handle_event(create(request("get_level", None), channel="anything"))
    assert service.seen == [("ping@control", 1), ("regex", "get_level")]
    assert [c[3]["response"] for c in client.calls] == [1, {"what": "level"}]


def test_parser_transforms_the_request_first():
    client = MemoryChannels()
    m, _ = server(client)
    m.handle_event(create(request("parsed", "42")))
    assert client.calls[0][3]["response"] == {"n": 42}


@pytest.mark.parametrize(
    "data",
    [
        {"type": "log", "method": "set_mode", "request": "auto"},
        {"type": "rpc", "request": "auto"},
        {"type": "rpc", "method": "set_mode"},
        request("set_mode", "auto", app_key="someone_else"),
        request("unknown", 1),
        "not even a dict",
    ],
    ids=["not-rpc", "no-method", "no-request", "other-app", "no-handler", "junk"],
)
def test_requests_not_for_this_manager_are_ignored_without_reply(data):
    client = MemoryChannels()
    m, service = server(client)
    assert m.handle_event(create(data)) is False
    assert client.calls == [] and service.seen == []


def test_requests_for_this_app_key_are_served():
    client = MemoryChannels()
    m, _ = server(client)
    assert m.handle_event(create(request("set_mode", "auto", app_key="svc_app"))) is True


def test_expired_requests_are_dropped_and_fresh_ones_served():
    client = MemoryChannels()
    m, service = server(client)
    old = generate_snowflake(NOW_MS - 60_000)
    assert m.handle_event(create(request("set_mode", "auto", expires_after=59_999), mid=old)) is True
    assert service.seen == [] and client.calls == []
    m.handle_event(create(request("set_mode", "auto", expires_after=60_001), mid=old))
    assert service.seen == [("set_mode", "auto", "dv-rpc")]


def test_one_shot_requests_are_served_without_replies():
    client = MemoryChannels()
    m, service = server(client)
    assert m.handle_event(create(request("set_mode", "auto"), oneshot=True)) is True
    assert service.seen and client.calls == []


def test_acknowledge_defer_and_progress_patch_the_status():
    client = MemoryChannels()
    m = rpc.RPCManager(client, "svc_app", clock_ms=lambda: NOW_MS)

    def slow(ctx, value):
        ctx.acknowledge()
        ctx.progress("warming up", percent=10)
        ctx.defer(60)

    m.add_handler("slow", slow)
    mid = generate_snowflake(NOW_MS - 1)
    m.handle_event(create(request("slow", None), mid=mid))
    assert [c[3] for c in client.calls] == [
        {"status": {"code": "acknowledged", "message": {"timestamp": NOW_MS}}},
        {"status": {"code": "pending", "message": {"percent": 10, "text": "warming up"}}},
        {"status": {"code": "deferred", "message": {"until": NOW_MS + 60_000, "at": NOW_MS}}},
        {"status": {"code": "success", "message": None}, "response": {}},
    ]


def test_processor_mode_replies_with_override_and_the_request_agent():
    client = MemoryChannels()
    m, _ = server(client, processor=True)
    m.handle_event(create(request("set_mode", "auto")))
    assert client.calls[0][4] == {"allow_invoking_channel": True, "agent_id": AGENT}


def test_a_failing_reply_write_is_logged_and_does_not_escape(caplog):
    class Broken(MemoryChannels):
        def update_message(self, *args, **kwargs):
            raise OSError("network down")

    m, service = server(Broken())
    with caplog.at_level(logging.ERROR, logger="doover.rpc"):
        assert m.handle_event(create(request("set_mode", "auto"))) is True
    assert "could not update RPC message" in caplog.text and service.seen


def test_channels_to_listen_on_include_dv_rpc_for_channel_less_handlers():
    m, _ = server(MemoryChannels())
    assert m.channels == {"dv-rpc", "control"}


def test_handler_rejects_bad_method_specs():
    with pytest.raises(RPCError, match="must be a str or a compiled regex"):
        rpc.handler(42)


# ---------------------------------------------------------------- caller side


def serve_in_background(client, manager, count=1):
    """A remote app: picks up created requests and dispatches them to ``manager``."""
    served = []

    def run():
        seen = set()
        with client.lock:
            while len(served) < count:
                pending = [mid for mid, m in client.messages.items() if mid not in seen and m["data"].get("type") == "rpc"]
                if not pending:
                    if not client.created.wait(timeout=10):
                        return
                    continue
                for mid in pending:
                    seen.add(mid)
                    client.lock.release()
                    try:
                        manager.handle_event(client.event_for(mid))
                    finally:
                        client.lock.acquire()
                    served.append(mid)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_call_round_trip_polls_the_request_message_until_success():
    client = MemoryChannels()
    remote, _ = server(client)
    caller = rpc.RPCManager(client, "caller_app", poll_interval=0.05)
    thread = serve_in_background(client, remote)
    assert caller.call("set_mode", "manual", app_key="svc_app", timeout=20) == {"mode": "manual"}
    thread.join(10)
    assert client.calls[0] == ("create_message", "dv-rpc", {
        "type": "rpc", "method": "set_mode", "request": "manual", "status": {"code": "sent"}, "response": {},
        "app_key": "svc_app"}, {})


def test_call_raises_the_remote_rpc_error():
    client = MemoryChannels()
    remote, _ = server(client)
    caller = rpc.RPCManager(client, "caller_app", poll_interval=0.05)
    thread = serve_in_background(client, remote)
    with pytest.raises(RPCError) as info:
        caller.call("set_mode", "turbo", timeout=20)
    thread.join(10)
    assert (info.value.code, info.value.message) == ("BAD_MODE", "mode must be auto or manual")


def test_call_resolves_from_an_update_event_delivered_by_another_thread():
    class NoFetch(MemoryChannels):
        fetch_message = None

    client = NoFetch()
    caller = rpc.RPCManager(client, "caller_app", poll_interval=5)

    def deliver():
        with client.lock:
            client.created.wait_for(lambda: client.messages, timeout=10)
            mid = next(iter(client.messages))
        message = {"id": mid, "author_id": 1, "channel": {"agent_id": AGENT, "name": "dv-rpc"},
                   "data": {"status": {"code": "success", "message": None}, "response": {"ok": 1}}}
        event = MessageUpdateEvent.from_dict({"channel": message["channel"], "message": message, "request_data": {}})
        while not caller.handle_event(event):
            threading.Event().wait(0.01)

    thread = threading.Thread(target=deliver, daemon=True)
    thread.start()
    assert caller.call("anything", {"a": 1}, timeout=20) == {"ok": 1}
    thread.join(10)


def test_call_uses_the_runtime_wait_hook_when_given():
    client = MemoryChannels()
    asked = []

    def wait_for_update(channel, message_id, timeout):
        asked.append((channel, timeout))
        return {"status": {"code": "success", "message": None}, "response": 5}

    caller = rpc.RPCManager(client, "caller_app", wait_for_update=wait_for_update)
    assert caller.call("m", channel="control", timeout=3) == 5
    assert asked == [("control", 3)]


def test_call_times_out_with_rpc_timeout_error():
    client = MemoryChannels()
    caller = rpc.RPCManager(client, "caller_app", poll_interval=0.02)
    with pytest.raises(RPCTimeoutError, match=r"RPC call 'nobody_home' timed out after 0.1s"):
        caller.call("nobody_home", timeout=0.1)


def test_call_without_waiting_returns_the_message_id_and_keeps_falsy_params():
    client = MemoryChannels()
    caller = rpc.RPCManager(client, "caller_app")
    mid = caller.call("m", 0, wait_for_response=False, expires_after=__import__("datetime").timedelta(seconds=30),
                      actor={"id": "a"}, reason="r", old_value=None, retry_of=12)
    assert isinstance(mid, int) and mid in client.messages
    assert client.calls[0][2] == {"type": "rpc", "method": "m", "request": 0, "status": {"code": "sent"}, "response": {},
                                  "actor": {"id": "a"}, "reason": "r", "old_value": None, "expires_after": 30000, "retry_of": "12"}


def test_fire_and_forget_honours_its_agent_id():
    client = MemoryChannels()
    mid = rpc.fire_and_forget(client, 4242, "dv-rpc", "reboot", {"delay": 5})
    assert client.calls == [("create_message", "dv-rpc", {"type": "rpc", "method": "reboot", "request": {"delay": 5},
                                                        "status": {"code": "sent"}, "response": {}}, {"agent_id": 4242})]
    assert client.messages[mid]["agent_id"] == 4242


def test_call_is_awaitable_in_async_code():
    client = MemoryChannels()
    remote, _ = server(client)
    caller = rpc.RPCManager(client, "caller_app", poll_interval=0.05)
    thread = serve_in_background(client, remote)

    async def main():
        return await caller.call("set_mode", "auto", timeout=20)

    assert asyncio.run(main()) == {"mode": "auto"}
    thread.join(10)


def test_plain_dict_events_are_accepted():
    client = MemoryChannels()
    m, service = server(client)
    mid = generate_snowflake(NOW_MS)
    body = {"message": {"id": str(mid), "author_id": "1", "channel": {"agent_id": "1", "name": "dv-rpc"},
                        "data": request("set_mode", "auto")}}
    assert m.handle_event(body) is True
    assert client.calls[0][2] == mid


def test_module_level_call_polls_for_the_reply():
    client = MemoryChannels()
    remote, _ = server(client)
    thread = serve_in_background(client, remote)
    assert rpc.call(client, "set_mode", "auto", timeout=20, poll_interval=0.05) == {"mode": "auto"}
    thread.join(10)
