"""Calling code that may be ``def`` or ``async def``, and logging instead of raising."""

import asyncio
import contextvars
import functools
import logging
from typing import Any, Callable, Optional

from .._hooks import is_async_callable

__all__ = [
    "get_is_async",
    "call_maybe_async",
    "maybe_async",
    "wrap_try_except",
    "wrap_try_except_async",
]

log = logging.getLogger("doover.utils")


def get_is_async(is_async: Optional[bool] = None) -> bool:
    """``is_async`` if given, else whether an event loop is running in this thread."""
    if is_async is not None:
        return bool(is_async)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


async def call_maybe_async(func: Callable, *args: Any, as_task: bool = False, in_executor: bool = True,
                           **kwargs: Any) -> Any:
    """Call ``func(*args, **kwargs)`` from async code, whether it is ``def`` or ``async def``.

    An ``async def`` is awaited. A plain function runs in the loop's default thread pool
    (with the caller's ``contextvars`` context) unless ``in_executor=False``, in which case
    it is called directly on the loop thread. With ``as_task=True`` the call is started and
    its task (or future) is returned without waiting for it.
    """
    if is_async_callable(func):
        coro = func(*args, **kwargs)
        if as_task:
            return asyncio.ensure_future(coro)
        return await coro
    if not in_executor:
        return func(*args, **kwargs)
    loop = asyncio.get_running_loop()
    ctx = contextvars.copy_context()
    future = loop.run_in_executor(None, functools.partial(ctx.run, func, *args, **kwargs))
    if as_task:
        return future
    return await future


def maybe_async() -> Callable[[Callable], Callable]:
    """Decorate a sync method ``name`` whose class also has ``name_async``: when the instance's
    ``_is_async`` attribute is true, calls go to ``name_async`` (returning its awaitable).

    Pass ``run_sync=True`` in a call to force the sync method.
    """

    def decorator(func: Callable) -> Callable:
        @functools.wraps(func)
        def inner(self: Any, *args: Any, **kwargs: Any) -> Any:
            force_sync = kwargs.pop("run_sync", False)
            if getattr(self, "_is_async", False) and not force_sync:
                alternative = getattr(self, func.__name__ + "_async", None)
                if alternative is not None:
                    return alternative(*args, **kwargs)
            return func(self, *args, **kwargs)

        return inner

    return decorator


def wrap_try_except(func: Callable, *args: Any, **kwargs: Any) -> Any:
    """Call ``func``; an exception is logged (with traceback) on ``doover.utils`` and None returned."""
    try:
        return func(*args, **kwargs)
    except Exception:  # noqa: BLE001 - the point of this helper
        log.exception("error in %s", getattr(func, "__qualname__", func))
        return None


async def wrap_try_except_async(func: Callable, *args: Any, **kwargs: Any) -> Any:
    """Await ``func(...)``; an exception is logged (with traceback) and None returned."""
    try:
        return await func(*args, **kwargs)
    except Exception:  # noqa: BLE001 - the point of this helper
        log.exception("error in %s", getattr(func, "__qualname__", func))
        return None
