"""The awaitable face of a blocking interface, for apps whose hooks are ``async def``.

``AsyncFace(device_agent).create_message(...)`` returns a coroutine that runs the blocking
method in the running loop's default thread pool (with the caller's ``contextvars``), so
``await self.device_agent.create_message(...)`` works in an async app exactly as in the
platform SDK. Names in ``sync_names`` (registration and state getters, which the platform
SDK also calls without ``await``) and non-callable attributes pass straight through.
"""

import asyncio
import contextvars
import functools
from typing import Any, FrozenSet

__all__ = ["AsyncFace", "DEVICE_AGENT_SYNC_NAMES", "PLATFORM_SYNC_NAMES", "MODBUS_SYNC_NAMES"]

DEVICE_AGENT_SYNC_NAMES = frozenset([
    "add_event_callback", "add_subscription", "subscribe_to_channel", "is_channel_synced",
    "get_is_dda_available", "get_is_dda_online", "get_has_dda_been_online",
    "has_persistent_connection", "outbox_depth", "pending_events", "dispatch_pending",
])


#: platform methods the platform SDK calls without ``await`` (they return counters/listeners)
PLATFORM_SYNC_NAMES = frozenset([
    "get_new_pulse_counter", "get_new_event_counter", "start_di_pulse_listener", "set_delivery",
])

#: Modbus methods the platform SDK calls without ``await``
MODBUS_SYNC_NAMES = frozenset(["add_read_register_subscription", "set_delivery"])


class AsyncFace:
    """Delegate to ``target``; its methods become coroutine functions (except ``sync_names``)."""

    def __init__(self, target: Any, sync_names: FrozenSet[str] = DEVICE_AGENT_SYNC_NAMES) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_sync_names", sync_names)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target, name)
        if name in self._sync_names or name.startswith("_") or not callable(attr):
            return attr
        if asyncio.iscoroutinefunction(attr):  # already awaitable (e.g. a test double's async def)
            return attr

        @functools.wraps(attr)
        async def call(*args: Any, **kwargs: Any) -> Any:
            loop = asyncio.get_event_loop()
            ctx = contextvars.copy_context()
            return await loop.run_in_executor(None, functools.partial(ctx.run, attr, *args, **kwargs))

        return call

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._target, name, value)

    def __repr__(self) -> str:
        return "AsyncFace({!r})".format(self._target)

