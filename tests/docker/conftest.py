"""Fixtures for the edge runtime tests: a small stand-in for the Doover cloud on loopback.

``FakeCloud`` serves the handful of Data API routes the device agent uses over real HTTP
on ``127.0.0.1`` (port 0), with fault injection: ``fail_next(n, status)`` answers the next
``n`` requests with an error, ``drop_next(n)`` closes the next ``n`` connections without an
answer, and ``stop()``/``start()`` take the server down and bring it back on the same port.
Every request is recorded in ``requests`` as ``(method, path, query, body)``.
"""

import gzip
import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from doover._merge import apply_update
from doover._snowflake import generate_snowflake

TOKEN = "device-token-1"
AGENT = 4242


class FakeCloud:
    def __init__(self, token=TOKEN):
        self.token = token
        self.aggregates = {}  # (agent, channel) -> data
        self.messages = {}  # (agent, channel) -> {id: message}
        self.requests = []
        self.lock = threading.Lock()
        self._fail = []
        self._drop = 0
        self.port = 0
        self.server = None
        self.thread = None

    @property
    def base_url(self):
        return "http://127.0.0.1:{}/api".format(self.port)

    def start(self):
        cloud = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if self.headers.get("Content-Encoding") == "gzip":
                    raw = gzip.decompress(raw)
                with cloud.lock:
                    if cloud._drop:
                        cloud._drop -= 1
                        self.close_connection = True
                        self.connection.close()
                        return
                    fail = cloud._fail.pop(0) if cloud._fail else None
                if fail:
                    return self._reply(fail, {"message": "injected failure"})
                if self.headers.get("Authorization") != "Bearer {}".format(cloud.token):
                    return self._reply(401, {"message": "bad token"})
                parts = urlsplit(self.path)
                body = json.loads(raw) if raw else None
                query = parse_qs(parts.query)
                with cloud.lock:
                    cloud.requests.append((self.command, parts.path, query, body))
                    code, out = cloud.route(self.command, parts.path.split("/")[2:], query, body)
                self._reply(code, out)

            def _reply(self, code, out):
                data = b"" if out is None else json.dumps(out).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_PUT = _handle

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def stop(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join(5)
            self.server = None

    def fail_next(self, n, status=503):
        with self.lock:
            self._fail.extend([status] * n)

    def drop_next(self, n):
        with self.lock:
            self._drop += n

    def route(self, method, seg, query, body):
        # seg: ["agents", agent, "channels", channel, ...]
        if len(seg) < 3 or seg[0] != "agents" or seg[2] != "channels":
            return 501, {"message": "not emulated: {} {}".format(method, "/".join(seg))}
        agent = int(seg[1])
        if len(seg) == 3:
            names = sorted({c for (a, c) in list(self.aggregates) + list(self.messages) if a == agent})
            return 200, [{"name": n, "aggregate": {"data": self.aggregates.get((agent, n), {})}} for n in names]
        key = (agent, seg[3])
        rest = seg[4:]
        if rest == ["aggregate"]:
            if method == "GET":
                if key not in self.aggregates:
                    return 404, {"message": "no channel"}
                return 200, {"data": self.aggregates[key], "attachments": [], "last_updated": None}
            self.aggregates[key] = apply_update(
                self.aggregates.get(key, {}), body, query.get("replace", []), method == "PUT"
            )
            return 200, None if "suppress_response" in query else {"data": self.aggregates[key]}
        if rest and rest[0] == "messages":
            msgs = self.messages.setdefault(key, {})
            if len(rest) == 1 and method == "GET":
                after = int(query.get("after", ["0"])[0])
                before = int(query.get("before", [str(1 << 63)])[0])
                limit = int(query.get("limit", ["50"])[0])
                out = [m for i, m in sorted(msgs.items(), reverse=True) if after < i < before]
                return 200, out[:limit]
            if method == "POST":
                mid = int(rest[1]) if len(rest) == 2 else generate_snowflake()
                if mid in msgs:
                    return 409, {"message": "message {} exists".format(mid)}
                msgs[mid] = {"id": str(mid), "author_id": "1", "data": body["data"], "attachments": [],
                             "channel": {"agent_id": str(agent), "name": seg[3]}}
                return 200, msgs[mid]
            mid = int(rest[1])
            if mid not in msgs:
                return 404, {"message": "no message"}
            if method == "GET":
                return 200, msgs[mid]
            msgs[mid]["data"] = apply_update(msgs[mid]["data"], body["data"], (), method == "PUT")
            return 200, None
        return 501, {"message": "not emulated"}

    def message_data(self, channel, agent=AGENT):
        """The data of every message on a channel, oldest first."""
        with self.lock:
            return [m["data"] for _, m in sorted(self.messages.get((agent, channel), {}).items())]

    def aggregate(self, channel, agent=AGENT):
        with self.lock:
            return self.aggregates.get((agent, channel))


@pytest.fixture
def cloud():
    c = FakeCloud()
    c.start()
    yield c
    c.stop()


def wait_for(predicate, timeout=20.0, interval=0.02):
    """Poll ``predicate`` until it is truthy; its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


@pytest.fixture
def wait():
    return wait_for


HERE = os.path.dirname(os.path.abspath(__file__))


class AppProcess:
    """An edge app script run as a real subprocess."""

    def __init__(self, script, env, args=()):
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "apps", script)] + list(args),
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        self._out = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self._out.append(line.decode("utf-8", "replace"))

    @property
    def output(self):
        return "".join(self._out)

    def wait(self, timeout=30):
        code = self.proc.wait(timeout)
        self._reader.join(5)
        return code

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._reader.join(5)


@pytest.fixture
def spawn(cloud, tmp_path):
    procs = []

    def _spawn(script, *args, extra_env=None, outbox=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DOOVER_", "APP_KEY", "AGENT_ID"))}
        env.update({
            "APP_KEY": "pump_ctl_1",
            "AGENT_ID": str(AGENT),
            "DOOVER_TOKEN": TOKEN,
            "DOOVER_DATA_ENDPOINT": cloud.base_url,
            "DOOVER_OUTBOX": outbox or str(tmp_path / "outbox.sqlite"),
            "HEALTHCHECK_PORT": "0",
            "PYTHONUNBUFFERED": "1",
        })
        env.update(extra_env or {})
        p = AppProcess(script, env, args)
        procs.append(p)
        return p

    yield _spawn
    for p in procs:
        p.kill()
