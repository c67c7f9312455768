"""Results that work both as plain values and as ``await`` targets (see :mod:`doover._done`),
and :func:`call_user` for user callbacks of the tag, UI and RPC managers."""

from typing import Any, Callable

from .._done import DONE, Done, in_async_context, maybe_awaitable

__all__ = ["Done", "DONE", "in_async_context", "maybe_awaitable", "call_user"]


def call_user(fn: Callable[..., Any], *args: Any) -> Any:
    """Call a user callback that may be ``def`` or ``async def`` (as ``doover._hooks.call_hook``).

    A returned awaitable is driven to completion on this thread's hook loop; a purely
    synchronous callback never imports asyncio.
    """
    result = fn(*args)
    if isinstance(result, Done):  # an already-completed doover result (``lambda ctx, v: ctx.acknowledge()``)
        return result.result
    if hasattr(result, "__await__"):
        from .._hooks import run_awaitable

        return run_awaitable(result)
    return result
