"""The error tree and the sync/async hook driver."""

import asyncio
import pickle
import threading

import pytest

from doover import exceptions as exc
from doover._hooks import call_hook, close_hook_loop, is_async_callable


def test_status_mapping_builds_the_matching_class_with_context():
    err = exc.error_for_status(404, "http://x/api/agents/1", "GET", "channel not found", '{"message": "channel not found"}')
    assert type(err) is exc.NotFoundError
    assert isinstance(err, exc.HTTPError) and isinstance(err, exc.DooverAPIError)
    assert str(err) == "HTTP 404 on GET http://x/api/agents/1: channel not found"
    assert type(exc.error_for_status(503)) is exc.ServerError
    assert type(exc.error_for_status(418)) is exc.HTTPError
    limited = exc.error_for_status(429, retry_after=2.5)
    assert type(limited) is exc.RateLimitError and limited.retry_after == 2.5 and limited.retryable


def test_errors_survive_pickling_with_their_fields():
    for err in [
        exc.error_for_status(429, "u", "POST", "slow down", retry_after=1.0),
        exc.BadRequestError(400, "u", "PATCH", "bad field", "{}"),
        exc.ConfigError(["a: expected integer, got \"x\"", "b: required"]),
        exc.ModbusDeviceError(2, "read_registers"),
        exc.DecodeError("expected int", "$.results[0].id"),
        exc.APITimeoutError("read timed out", "u", "GET"),
    ]:
        clone = pickle.loads(pickle.dumps(err))
        assert type(clone) is type(err) and str(clone) == str(err)
        assert vars(clone) == vars(err)


def test_config_error_lists_every_problem():
    err = exc.ConfigError(["alarms[2].threshold: expected number, got \"high\"", "port: required"])
    assert isinstance(err, ValueError)
    assert "alarms[2].threshold: expected number" in str(err) and "port: required" in str(err)


def test_modbus_device_error_names_the_code():
    err = exc.ModbusDeviceError(2)
    assert err.code == 2 and err.code_name == "ILLEGAL DATA ADDRESS"
    assert str(err) == "device exception 2 (ILLEGAL DATA ADDRESS)"


def test_call_hook_runs_sync_hooks_without_an_event_loop():
    created = []
    original = asyncio.new_event_loop

    def spy():
        created.append(1)
        return original()

    asyncio.new_event_loop = spy
    try:
        assert call_hook(lambda x: x * 2, 21) == 42
    finally:
        asyncio.new_event_loop = original
    assert created == []


def test_call_hook_drives_async_hooks_on_one_persistent_loop_per_thread():
    loops = []

    async def hook(value):
        loops.append(asyncio.get_running_loop())
        await asyncio.sleep(0)
        return value + 1

    assert is_async_callable(hook)
    assert call_hook(hook, 1) == 2
    assert call_hook(hook, 2) == 3
    assert loops[0] is loops[1]

    other = []
    t = threading.Thread(target=lambda: other.append(call_hook(hook, 10)))
    t.start()
    t.join()
    assert other == [11] and loops[2] is not loops[0]
    close_hook_loop()


def test_call_hook_refuses_to_nest_inside_a_running_loop():
    async def inner():
        return 1

    async def outer():
        with pytest.raises(RuntimeError, match="already running"):
            call_hook(inner)

    asyncio.run(outer())
