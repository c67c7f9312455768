"""``AsyncDataClient``: DataClient's methods as coroutines, generated, never hand-written."""

from .._asyncshim import make_async
from ._client import DataClient

__all__ = ["AsyncDataClient"]

AsyncDataClient = make_async(
    DataClient,
    passthrough=("set_token",),
    iterators=("iter_messages", "iter_multi_agent_messages"),
    name="AsyncDataClient",
    doc="""Async face of :class:`DataClient`: same constructor, same methods, each awaitable.

    Every call runs the blocking method in a thread pool owned by the client (16 threads by
    default; pass ``max_workers=`` or ``executor=``), carrying the caller's ``contextvars``.
    ``iter_messages`` / ``iter_multi_agent_messages`` return async iterators (each page is
    fetched in the pool) with ``await it.collect()``. ``set_token`` stays synchronous.
    Use ``async with AsyncDataClient(...) as client:`` or ``await client.aclose()``.
    Attributes (``agent_id``, ``retry``, ``lookup_ip``, ...) read and write through to the
    wrapped :class:`DataClient`, available as ``client.sync``.
    """,
)
