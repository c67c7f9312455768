"""Generate the async face of a blocking class: every method becomes awaitable.

doover writes each behaviour once, in blocking code. :func:`make_async` builds the ``async``
twin of a class (``AsyncDataClient`` from ``DataClient``; later the device agent, platform and
Modbus interfaces) whose methods run the blocking ones in a thread pool. The calling task's
``contextvars`` are copied into the worker (Python 3.8 has no ``asyncio.to_thread``), so log
context and similar state follow the call.

API::

    AsyncX = make_async(
        X,                      # the blocking class
        include=None,           # names to wrap (default: every public method of X)
        exclude=(),             # names never exposed as coroutines (still reachable as attributes)
        passthrough=(),         # methods kept synchronous (cheap, no I/O: e.g. "set_token")
        iterators=(),           # methods returning a sync iterator -> async iterator (see below)
        name=None,              # class name (default "Async" + X.__name__)
        doc=None,               # class docstring
        max_workers=16,         # default thread-pool size of each instance
    )

    a = AsyncX(*args, executor=None, max_workers=None, **kwargs)   # builds X(*args, **kwargs)
    a = AsyncX.wrap(x, executor=None, max_workers=None)             # wraps an existing X
    await a.method(...)          # runs x.method(...) in the pool, contextvars copied
    a.sync                       # the wrapped blocking object
    a.attr / a.attr = v          # attributes and properties read and write through to x
    async with a: ...            # __aexit__ awaits aclose()
    await a.aclose()             # runs x.close() (if any) in the pool, then stops the pool
    async for item in a.iter_x(...): ...   # for names in ``iterators``

An iterator method is called synchronously (building the sync iterator must not do I/O) and
returns an :class:`AsyncPageIterator`. If the sync iterator has ``next_page()`` (returns a list,
or None when exhausted), each page is fetched in the pool; otherwise each ``next()`` is. Both
have ``await it.collect()``.

A pool is created per instance on first use (``max_workers`` threads, or the ``executor`` you
pass, which is then not shut down by ``aclose``). Methods look up the sync method at call time,
so a subclass instance passed to ``wrap`` keeps its overrides.
"""

import contextvars
import functools
import inspect
from typing import TYPE_CHECKING, Any, Callable, Iterable, List, Optional, Type

if TYPE_CHECKING:  # pragma: no cover
    import concurrent.futures

__all__ = ["make_async", "AsyncPageIterator", "run_in_executor"]

_OWN = (
    "_async_sync",
    "_async_executor",
    "_async_own_executor",
    "_async_max_workers",
)


async def run_in_executor(executor: "Optional[concurrent.futures.Executor]", fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Await ``fn(*args, **kwargs)`` run in ``executor`` with a copy of the current context."""
    import asyncio

    loop = asyncio.get_running_loop()
    ctx = contextvars.copy_context()
    return await loop.run_in_executor(executor, functools.partial(ctx.run, fn, *args, **kwargs))


_EXHAUSTED = object()


def _next_or_marker(iterator: Any) -> Any:
    try:
        return next(iterator)
    except StopIteration:
        return _EXHAUSTED


class AsyncPageIterator:
    """Async iterator over a blocking (paging) iterator; fetches run in the owner's pool."""

    def __init__(self, sync_iterator: Any, owner: Any) -> None:
        self.sync = sync_iterator
        self._owner = owner
        self._buffer: List[Any] = []
        self._done = False

    def __aiter__(self) -> "AsyncPageIterator":
        return self

    async def __anext__(self) -> Any:
        while not self._buffer:
            if self._done:
                raise StopAsyncIteration
            next_page = getattr(self.sync, "next_page", None)
            if next_page is not None:
                page = await self._owner._async_run(next_page)
                if page is None:
                    self._done = True
                    raise StopAsyncIteration
                self._buffer = list(page)
            else:
                item = await self._owner._async_run(_next_or_marker, self.sync)
                if item is _EXHAUSTED:
                    self._done = True
                    raise StopAsyncIteration
                return item
        return self._buffer.pop(0)

    async def collect(self) -> List[Any]:
        """Every remaining item, as a list."""
        return [item async for item in self]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sync, name)


def _public_methods(sync_cls: type) -> List[str]:
    names = []
    for name in dir(sync_cls):
        if name.startswith("_"):
            continue
        attr = inspect.getattr_static(sync_cls, name)
        if isinstance(attr, (staticmethod, classmethod, property)):
            continue
        if inspect.isfunction(attr):
            names.append(name)
    return names


def _coroutine_method(name: str, template: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(template)
    async def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return await self._async_run(getattr(self._async_sync, name), *args, **kwargs)

    return method


def _iterator_method(name: str, template: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(template)
    def method(self: Any, *args: Any, **kwargs: Any) -> AsyncPageIterator:
        return AsyncPageIterator(getattr(self._async_sync, name)(*args, **kwargs), self)

    del method.__wrapped__  # an ordinary function returning an async iterator, not a coroutine
    return method


def _passthrough_method(name: str, template: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(template)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(self._async_sync, name)(*args, **kwargs)

    return method


class _AsyncBase:
    """Plumbing shared by every generated async class."""

    _async_sync_cls: type = object
    _async_default_workers: int = 16

    def __init__(self, *args: Any, executor: "Optional[concurrent.futures.Executor]" = None, max_workers: Optional[int] = None, **kwargs: Any) -> None:
        self._async_setup(self._async_sync_cls(*args, **kwargs), executor, max_workers)

    def _async_setup(self, sync_obj: Any, executor: "Optional[concurrent.futures.Executor]", max_workers: Optional[int]) -> None:
        object.__setattr__(self, "_async_sync", sync_obj)
        object.__setattr__(self, "_async_executor", executor)
        object.__setattr__(self, "_async_own_executor", executor is None)
        object.__setattr__(self, "_async_max_workers", max_workers or self._async_default_workers)

    @classmethod
    def wrap(cls, sync_obj: Any, *, executor: "Optional[concurrent.futures.Executor]" = None, max_workers: Optional[int] = None) -> Any:
        """Wrap an existing blocking object instead of building one."""
        self = cls.__new__(cls)
        self._async_setup(sync_obj, executor, max_workers)
        return self

    @property
    def sync(self) -> Any:
        """The wrapped blocking object."""
        return self._async_sync

    def _async_pool(self) -> "concurrent.futures.Executor":
        if self._async_executor is None:
            import concurrent.futures

            object.__setattr__(
                self,
                "_async_executor",
                concurrent.futures.ThreadPoolExecutor(
                    max_workers=self._async_max_workers, thread_name_prefix="doover-" + type(self).__name__
                ),
            )
        return self._async_executor

    async def _async_run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return await run_in_executor(self._async_pool(), fn, *args, **kwargs)

    async def aclose(self) -> None:
        """Close the blocking object (in the pool) and stop the pool this instance created."""
        close = getattr(self._async_sync, "close", None)
        try:
            if close is not None:
                await self._async_run(close)
        finally:
            executor = self._async_executor
            if executor is not None and self._async_own_executor:
                object.__setattr__(self, "_async_executor", None)
                executor.shutdown(wait=False)

    async def close(self) -> None:
        """Same as :meth:`aclose`."""
        await self.aclose()

    async def __aenter__(self) -> Any:
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.aclose()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_async_"):
            raise AttributeError(name)
        return getattr(self._async_sync, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _OWN:
            object.__setattr__(self, name, value)
        else:
            setattr(self._async_sync, name, value)

    def __repr__(self) -> str:
        return "<{} wrapping {!r}>".format(type(self).__name__, self._async_sync)


def make_async(
    sync_cls: type,
    *,
    include: Optional[Iterable[str]] = None,
    exclude: Iterable[str] = (),
    passthrough: Iterable[str] = (),
    iterators: Iterable[str] = (),
    name: Optional[str] = None,
    doc: Optional[str] = None,
    max_workers: int = 16,
) -> Type[Any]:
    """Build the async twin of ``sync_cls`` (see the module docstring for the full API)."""
    excluded = set(exclude) | {"close"}
    names = list(include) if include is not None else _public_methods(sync_cls)
    passthrough = set(passthrough)
    iterators = set(iterators)
    namespace: dict = {
        "_async_sync_cls": sync_cls,
        "_async_default_workers": max_workers,
        "__doc__": doc or "Async face of :class:`{}`: every method is awaitable.".format(sync_cls.__name__),
        "__module__": sync_cls.__module__,
    }
    for method_name in names:
        if method_name in excluded:
            continue
        template = getattr(sync_cls, method_name, None)
        if not callable(template):
            raise TypeError("{}.{} is not a method".format(sync_cls.__name__, method_name))
        if method_name in iterators:
            namespace[method_name] = _iterator_method(method_name, template)
        elif method_name in passthrough:
            namespace[method_name] = _passthrough_method(method_name, template)
        else:
            namespace[method_name] = _coroutine_method(method_name, template)
    cls_name = name or "Async" + sync_cls.__name__
    cls = type(cls_name, (_AsyncBase,), namespace)
    cls.__qualname__ = cls_name
    return cls
