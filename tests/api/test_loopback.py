"""DataClient against a real HTTP server on 127.0.0.1: keep-alive, timeouts, refused connections."""

import gzip
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from doover.api import AsyncDataClient, DataClient
from doover.exceptions import APIConnectionError, APITimeoutError


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.server.seen.append((self.client_address[1], self.path, json.loads(body)))
        if "slow" in self.path:
            self.server.release.wait(10)
        mid = "193588160649819432"
        out = json.dumps({"id": mid, "author_id": "1", "channel": {"agent_id": "1", "name": "c"}, "data": json.loads(body)["data"]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


@pytest.fixture
def server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.seen = []
    srv.release = threading.Event()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.release.set()
    srv.shutdown()
    srv.server_close()
    thread.join(10)


def _base(srv):
    return "http://127.0.0.1:{}/api".format(srv.server_address[1])


def test_keep_alive_reuses_one_connection_per_thread(server):
    with DataClient(_base(server), token="t", agent_id=1) as client:
        for i in range(5):
            client.create_message("c", {"i": i, "pad": "x" * 60})
        ports = {port for port, _, _ in server.seen}
        assert len(ports) == 1
        assert [data["data"]["i"] for _, _, data in server.seen] == [0, 1, 2, 3, 4]
        other = []
        thread = threading.Thread(target=lambda: other.append(client.create_message("c", {"i": 9})))
        thread.start()
        thread.join(10)
        assert other[0].data == {"i": 9}
        assert len({port for port, _, _ in server.seen}) == 2  # one session per thread
        assert len(client._sessions) == 2
    assert client._sessions == []


def test_async_client_runs_concurrent_calls(server):
    import asyncio

    async def main():
        async with AsyncDataClient(_base(server), token="t", agent_id=1, max_workers=4) as client:
            return await asyncio.gather(*(client.create_message("c", {"i": i}) for i in range(8)))

    results = asyncio.run(main())
    assert sorted(m.data["i"] for m in results) == list(range(8))


def test_read_timeout_on_post_is_not_retried(server):
    sleeps = []
    with DataClient(_base(server), token="t", agent_id=1, timeout=(5, 0.3), sleep=sleeps.append) as client:
        with pytest.raises(APITimeoutError, match="read timed out"):
            client.create_message("slow", {})
    assert sleeps == [] and len(server.seen) == 1


def _closed_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def test_refused_connection_is_retried_even_for_post_then_raises():
    sleeps = []
    base = "http://127.0.0.1:{}/api".format(_closed_port())
    with DataClient(base, token="t", agent_id=1, sleep=sleeps.append) as client:
        with pytest.raises(APIConnectionError) as info:
            client.create_message("c", {})
    assert len(sleeps) == 3
    assert info.value.method == "POST" and info.value.url.endswith("/agents/1/channels/c/messages")
