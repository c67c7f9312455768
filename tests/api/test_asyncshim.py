"""The generic async generator (doover._asyncshim.make_async)."""

import asyncio
import concurrent.futures
import contextvars
import inspect
import threading

import pytest

from doover._asyncshim import AsyncPageIterator, make_async
from doover.api import AsyncDataClient, DataClient

request_id = contextvars.ContextVar("request_id", default=None)


class Counter:
    """A small blocking class to generate from."""

    def __init__(self, start=0):
        self.value = start
        self.closed = False
        self.threads = []

    def add(self, n):
        """Add n."""
        self.threads.append(threading.current_thread().name)
        self.value += n
        return self.value

    def whoami(self):
        return request_id.get()

    def fail(self):
        raise KeyError("boom")

    def numbers(self, n):
        return iter(range(n))

    def quick(self):
        return "quick"

    def secret(self):
        return "hidden"

    def close(self):
        self.closed = True


AsyncCounter = make_async(Counter, exclude=("secret",), passthrough=("quick",), iterators=("numbers",), max_workers=2)


def test_generated_methods_are_coroutines_with_the_sync_docstring():
    assert AsyncCounter.__name__ == "AsyncCounter"
    assert inspect.iscoroutinefunction(AsyncCounter.add)
    assert AsyncCounter.add.__doc__ == "Add n."
    assert not inspect.iscoroutinefunction(AsyncCounter.quick)
    assert not inspect.iscoroutinefunction(AsyncCounter.numbers)
    assert "secret" not in AsyncCounter.__dict__


def test_calls_run_in_the_pool_and_carry_contextvars():
    async def main():
        async with AsyncCounter(5) as counter:
            request_id.set("req-1")
            assert await counter.add(2) == 7
            assert await counter.whoami() == "req-1"
            assert counter.quick() == "quick"
            assert counter.secret() == "hidden"  # excluded names stay plain attributes
            with pytest.raises(KeyError):
                await counter.fail()
            return counter

    counter = asyncio.run(main())
    assert counter.sync.threads[0].startswith("doover-AsyncCounter")
    assert counter.sync.closed is True
    assert counter._async_executor is None


def test_attributes_read_and_write_through():
    counter = AsyncCounter(1)
    counter.value = 10
    assert counter.sync.value == 10 and counter.value == 10
    asyncio.run(counter.aclose())


def test_iterator_methods_return_async_iterators_without_next_page():
    async def main():
        counter = AsyncCounter()
        it = counter.numbers(3)
        assert isinstance(it, AsyncPageIterator)
        items = [i async for i in it]
        assert await counter.numbers(2).collect() == [0, 1]
        await counter.aclose()
        return items

    assert asyncio.run(main()) == [0, 1, 2]


def test_wrap_existing_object_and_external_executor_is_not_shut_down():
    pool = concurrent.futures.ThreadPoolExecutor(1)
    original = Counter(3)
    wrapped = AsyncCounter.wrap(original, executor=pool)

    async def main():
        assert await wrapped.add(1) == 4
        await wrapped.aclose()

    asyncio.run(main())
    assert wrapped.sync is original and original.closed
    assert pool.submit(lambda: 1).result() == 1
    pool.shutdown()


def test_async_data_client_has_every_public_data_client_method():
    public = {n for n in dir(DataClient) if not n.startswith("_") and callable(getattr(DataClient, n))}
    generated = set(AsyncDataClient.__dict__)
    assert public - {"close"} <= generated
    assert inspect.iscoroutinefunction(AsyncDataClient.create_message)
    assert not inspect.iscoroutinefunction(AsyncDataClient.set_token)
    assert not inspect.iscoroutinefunction(AsyncDataClient.iter_messages)
