"""Calling user hooks that may be ``def`` or ``async def``.

doover's runtimes are blocking code. A user hook (``setup``, ``main_loop``, a UI handler,
a tag callback, ...) may be a plain function or a coroutine function. :func:`call_hook`
calls it and, only when it returned an awaitable, drives that awaitable to completion on
this thread's hook loop. A purely synchronous app therefore never creates an event loop.

The hook loop is created lazily, once per thread, and kept: an async app's background
tasks (created in ``setup``) live on it and make progress whenever a later hook runs.
"""

import asyncio
import inspect
import threading
from typing import Any, Callable, Optional

from ._done import Done

__all__ = ["call_hook", "is_async_callable", "hook_loop", "close_hook_loop", "uses_async"]

_local = threading.local()


def is_async_callable(fn: Any) -> bool:
    """True if calling ``fn`` returns a coroutine (``async def`` functions and methods)."""
    while hasattr(fn, "__wrapped__") and not inspect.iscoroutinefunction(fn):
        fn = fn.__wrapped__
    if inspect.iscoroutinefunction(fn):
        return True
    call = getattr(fn, "__call__", None)
    return call is not None and not inspect.isfunction(fn) and inspect.iscoroutinefunction(call)


def uses_async(obj: Any, names: Any) -> bool:
    """True if any of the methods ``names`` on ``obj`` is an ``async def``."""
    return any(is_async_callable(getattr(obj, name, None)) for name in names)


def loop_running() -> bool:
    """True when an event loop is running in this thread (code called from a coroutine)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def hook_loop() -> asyncio.AbstractEventLoop:
    """This thread's hook loop, created on first use."""
    loop: Optional[asyncio.AbstractEventLoop] = getattr(_local, "loop", None)
    if loop is None or loop.is_closed():
        loop = asyncio.new_event_loop()
        _local.loop = loop
    return loop


def close_hook_loop() -> None:
    """Cancel what is left on this thread's hook loop and close it (idempotent)."""
    loop: Optional[asyncio.AbstractEventLoop] = getattr(_local, "loop", None)
    if loop is None or loop.is_closed():
        return
    try:
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        loop.close()
        _local.loop = None


def run_awaitable(awaitable: Any) -> Any:
    """Drive ``awaitable`` to completion on this thread's hook loop and return its result."""
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is not None:
        if inspect.iscoroutine(awaitable):
            awaitable.close()  # never started: close it so it is not reported as un-awaited
        raise RuntimeError(
            "a doover hook returned an awaitable while an event loop is already running in "
            "this thread; call the runtime from synchronous code"
        )
    return hook_loop().run_until_complete(_as_coroutine(awaitable))


async def _as_coroutine(awaitable: Any) -> Any:
    return await awaitable


def call_hook(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``fn(*args, **kwargs)``; if the result is awaitable, run it to completion."""
    result = fn(*args, **kwargs)
    if isinstance(result, Done):  # a base hook's already-complete result (``await super().setup()``)
        return result.result
    if inspect.isawaitable(result):
        return run_awaitable(result)
    return result
