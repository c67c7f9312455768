"""Results that work both as plain values and as ``await`` targets.

Tag setters, UI value writes, RPC replies and the no-op base hooks of the applications do
their work at once (they only buffer, make one blocking call, or do nothing). An async app
writes ``await tags.level.set(4.2)`` or ``await super().setup()``; a sync app writes
``tags.level.set(4.2)``. Both work because these return a :class:`Done` inside a coroutine:
an awaitable that is already complete. Ignoring it is harmless: it is not a coroutine, so
Python never warns that it was "never awaited". This module imports nothing but ``sys``.
"""

import sys
from typing import Any, Optional

__all__ = ["Done", "DONE", "in_async_context", "maybe_awaitable"]


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
