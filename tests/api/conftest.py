"""Fixtures for the Data API client tests.

``client`` is parametrized over the blocking DataClient and the generated AsyncDataClient
(driven through a small adapter that runs each coroutine on a private event loop), so every
behavioural test runs against both faces without being written twice.
"""

import asyncio
import gzip
import json
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses as responses_lib

from doover.api import AsyncDataClient, DataClient

BASE = "http://doover.test/api"
TOKEN = "tok-SECRET-abc123"
AGENT = 111
ORG = 7
ITERATORS = ("iter_messages", "iter_multi_agent_messages")


class _SyncIter:
    def __init__(self, aiter, loop):
        self._aiter = aiter
        self._loop = loop

    def __iter__(self):
        return self

    def __next__(self):
        try:
            return self._loop.run_until_complete(self._aiter.__anext__())
        except StopAsyncIteration:
            raise StopIteration from None

    def collect(self):
        return self._loop.run_until_complete(self._aiter.collect())


class AsyncAdapter:
    """Presents an AsyncDataClient with DataClient's blocking call style."""

    is_async = True

    def __init__(self, aclient, loop):
        object.__setattr__(self, "_a", aclient)
        object.__setattr__(self, "_loop", loop)

    def __getattr__(self, name):
        attr = getattr(self._a, name)
        if name in ITERATORS:
            return lambda *a, **k: _SyncIter(attr(*a, **k), self._loop)
        if asyncio.iscoroutinefunction(attr):
            return lambda *a, **k: self._loop.run_until_complete(attr(*a, **k))
        return attr

    def __setattr__(self, name, value):
        setattr(self._a, name, value)


class Sleeps(list):
    """Records the waits the client asks for instead of sleeping."""

    def __call__(self, seconds):
        self.append(seconds)


@pytest.fixture
def sleeps():
    return Sleeps()


@pytest.fixture
def rs():
    with responses_lib.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture(params=["sync", "async"])
def make_client(request, sleeps):
    loops = []
    made = []

    def make(**kwargs):
        kwargs.setdefault("token", TOKEN)
        kwargs.setdefault("agent_id", AGENT)
        kwargs.setdefault("sleep", sleeps)
        base = kwargs.pop("base_url", BASE)
        if request.param == "sync":
            client = DataClient(base, **kwargs)
            made.append(client.close)
            return client
        loop = asyncio.new_event_loop()
        loops.append(loop)
        aclient = AsyncDataClient(base, **kwargs)
        made.append(lambda: loop.run_until_complete(aclient.aclose()))
        return AsyncAdapter(aclient, loop)

    make.kind = request.param
    yield make
    for close in made:
        close()
    for loop in loops:
        loop.close()


@pytest.fixture
def client(make_client):
    return make_client()


class Sent:
    """One recorded request, decoded for assertions."""

    def __init__(self, request):
        self.request = request
        self.method = request.method
        parts = urlsplit(request.url)
        self.path = parts.path
        self.query = parse_qsl(parts.query, keep_blank_values=True)
        self.headers = request.headers
        body = request.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.raw = body
        if body and request.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.body = body

    @property
    def json(self):
        return json.loads(self.body)


@pytest.fixture
def req(rs):
    """``req()`` is the last request sent, ``req(i)`` the i-th, decoded as :class:`Sent`."""
    return lambda index=-1: Sent(rs.calls[index].request)


def msg_json(mid="193588160649819432", agent="111", channel="c", data=None, **extra):
    out = {"id": str(mid), "author_id": "5", "channel": {"agent_id": str(agent), "name": channel}, "data": data or {"a": 1}, "attachments": []}
    out.update(extra)
    return out


def agg_json(data=None, last_updated=1700000000000):
    return {"data": data if data is not None else {"a": 1}, "attachments": [], "last_updated": last_updated}


class Wire:
    """Builders for server answers."""

    msg = staticmethod(msg_json)
    agg = staticmethod(agg_json)


@pytest.fixture
def wire():
    return Wire
