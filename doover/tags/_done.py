"""Results that work both as plain values and as ``await`` targets.

Tag setters, UI value writes and RPC replies do their work at once (they only buffer,
or they make one blocking call). An async app writes ``await tags.level.set(4.2)``; a
sync app writes ``tags.level.set(4.2)``. Both work because the setter returns a
:class:`Done`: an awaitable that is already complete. Ignoring it is harmless: it is not
a coroutine, so Python never warns that it was "never awaited".
"""

import sys
from typing import Any, Callable, Optional

__all__ = ["Done", "DONE", "in_async_context", "maybe_awaitable", "call_user"]


class Done:
    """An already-completed awaitable holding ``result``.

    ``await Done(5)`` evaluates to ``5`` without suspending. The object can be ignored.
    """

    __slots__ = ("result",)

    def __init__(self, result: Any = None) -> None:
        self.result = result

    def __await__(self):
        if False:  # pragma: no cover - makes this a generator that returns at once
            yield None
        return self.result

    def __repr__(self) -> str:
        return "Done({!r})".format(self.result)


#: The shared result of operations that return nothing.
DONE = Done(None)


def in_async_context() -> bool:
    """True when called while an event loop runs in this thread (inside an async hook).

    Does not import asyncio: if nothing imported it, no loop can be running.
    """
    asyncio = sys.modules.get("asyncio")
    if asyncio is None:
        return False
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def maybe_awaitable(value: Any, async_mode: Optional[bool] = None) -> Any:
    """Return ``value`` itself for sync callers and ``Done(value)`` for async ones.

    Used by the few operations that return a value (``increment``, ``decrement``,
    ``RPCManager.call``...). ``async_mode`` forces the choice; ``None`` decides by
    whether an event loop is running in this thread.
    """
    if async_mode is None:
        async_mode = in_async_context()
    return Done(value) if async_mode else value


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
