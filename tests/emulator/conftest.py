"""Fixtures for the emulator's protocol tests: a fresh emulator per test, raw ``requests``.

``api`` speaks for agent 1 (organisation-less token); ``call(method, path, token=..., **kw)``
sends any request relative to the base URL and returns the ``requests.Response``.
"""

import gzip
import json

import pytest
import requests

from doover.emulator import Emulator


class Api:
    """A thin ``requests`` wrapper: base URL + bearer token, nothing else."""

    def __init__(self, emu, token):
        self.emu = emu
        self.token = token
        self.session = requests.Session()

    def call(self, method, path, token=None, headers=None, **kwargs):
        all_headers = {}
        use = self.token if token is None else token
        if use:
            all_headers["Authorization"] = "Bearer " + use
        all_headers.update(headers or {})
        kwargs.setdefault("timeout", 30)
        return self.session.request(method, self.emu.base_url + path, headers=all_headers, **kwargs)

    def get(self, path, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.call("POST", path, **kwargs)

    def patch(self, path, **kwargs):
        return self.call("PATCH", path, **kwargs)

    def put(self, path, **kwargs):
        return self.call("PUT", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.call("DELETE", path, **kwargs)

    def gzip_json(self, method, path, body, **kwargs):
        """Send ``body`` as gzip-compressed JSON, as the platform's SDK does for >= 50 bytes."""
        raw = gzip.compress(json.dumps(body).encode("utf-8"), 6)
        headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
        headers.update(kwargs.pop("headers", {}))
        return self.call(method, path, data=raw, headers=headers, **kwargs)

    def close(self):
        self.session.close()


@pytest.fixture
def emu():
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def api(emu):
    client = Api(emu, emu.token_for(1))
    yield client
    client.close()


@pytest.fixture
def admin(emu):
    client = Api(emu, emu.admin_token())
    yield client
    client.close()


@pytest.fixture
def make_api(emu):
    made = []

    def make(token):
        client = Api(emu, token)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


# ------------------------------------------------------------------ shared emulator for client tests

import itertools  # noqa: E402

_AGENTS = itertools.count(1000)


@pytest.fixture(scope="session")
def session_emu():
    """One emulator for the whole session; tests keep apart by using fresh agent ids."""
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def agent_id(session_emu):
    """A fresh agent id, and no faults left behind by the test."""
    yield next(_AGENTS)
    session_emu.clear_faults()
