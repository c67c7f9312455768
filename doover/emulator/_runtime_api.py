"""A local AWS Lambda Runtime API (version 2018-06-01) on loopback, for ``awslambdaric``.

:class:`RuntimeAPI` is a stdlib HTTP/1.1 server (keep-alive, as RAPID answers) that a real
Lambda runtime client, ``python -m awslambdaric MODULE.HANDLER`` with
``AWS_LAMBDA_RUNTIME_API=127.0.0.1:PORT``, polls for work:

* ``GET /2018-06-01/runtime/invocation/next`` blocks until :meth:`RuntimeAPI.submit` queues an
  event, then answers ``200`` with the event JSON and the headers
  ``Lambda-Runtime-Aws-Request-Id``, ``Lambda-Runtime-Deadline-Ms`` (epoch ms: delivery time
  plus the invocation's timeout), ``Lambda-Runtime-Invoked-Function-Arn``,
  ``Lambda-Runtime-Trace-Id`` and ``Content-Type: application/json``;
* ``POST /2018-06-01/runtime/invocation/{id}/response`` (the handler's JSON result) and
  ``POST .../invocation/{id}/error`` (an error document ``{"errorMessage", "errorType",
  "stackTrace"}`` with a ``Lambda-Runtime-Function-Error-Type`` header) answer
  ``202 {"status": "OK"}``;
* ``POST /2018-06-01/runtime/init/error`` (the handler could not be loaded) answers ``202``
  and fails the queued invocations with that error, as Lambda answers them.

Errors are JSON ``{"errorMessage", "errorType"}``: ``400 InvalidRequestID`` for an id that was
never handed out, ``403 InvalidStateTransition`` for a second answer to one invocation,
``413 RequestEntityTooLarge`` for a response over Lambda's 6 MB, ``404 NotFound`` and
``405 MethodNotAllowed`` for other paths and methods.
"""

import http.server
import json
import os
import re
import socket
import threading
import time
import uuid
from collections import deque
from typing import Any, Dict, List, Optional

from ..exceptions import InvalidArgumentError

__all__ = ["Invocation", "RuntimeAPI", "MAX_RESPONSE_BYTES"]

PREFIX = "/2018-06-01/runtime"
#: Lambda's limit on a synchronous response payload.
MAX_RESPONSE_BYTES = 6 * 1024 * 1024
_ANSWER = re.compile(r"^" + re.escape(PREFIX) + r"/invocation/([^/]+)/(response|error)$")


class Invocation:
    """One event handed to the runtime, and what became of it.

    ``delivered`` is set when ``/next`` hands it out (``delivered_at``: epoch seconds,
    ``deadline_ms``: the deadline header sent); ``done`` when it ends: ``status`` is
    ``"success"`` (``response`` holds the raw body, :meth:`result` the decoded JSON) or
    ``"error"`` (``error`` holds the error document, ``error_type`` the header).
    """

    def __init__(self, request_id: str, body: bytes, timeout: float) -> None:
        self.request_id = request_id
        self.body = body
        self.timeout = timeout
        self.trace_id = _trace_id()
        self.delivered = threading.Event()
        self.delivered_at = None  # type: Optional[float]
        self.deadline_ms = None  # type: Optional[int]
        self.done = threading.Event()
        self.status = None  # type: Optional[str]
        self.response = None  # type: Optional[bytes]
        self.content_type = None  # type: Optional[str]
        self.error = None  # type: Optional[Dict[str, Any]]
        self.error_type = None  # type: Optional[str]

    def result(self) -> Any:
        """The handler's result, decoded from the JSON response body."""
        return json.loads(self.response.decode("utf-8")) if self.response is not None else None

    def _finish(self, status: str, *, response: Optional[bytes] = None, content_type: Optional[str] = None,
                error: Optional[Dict[str, Any]] = None, error_type: Optional[str] = None) -> None:
        self.status, self.response, self.content_type = status, response, content_type
        self.error, self.error_type = error, error_type
        self.done.set()


def _trace_id() -> str:
    return "Root=1-{:08x}-{};Parent={};Sampled=0".format(int(time.time()), os.urandom(12).hex(), os.urandom(8).hex())


class RuntimeAPI:
    """The Lambda Runtime API for one function, served on ``host``:``port`` (0: a free port).

    ``address`` (``"127.0.0.1:PORT"``) is what ``AWS_LAMBDA_RUNTIME_API`` must hold.
    """

    def __init__(self, function_name: str, *, region: str = "local", account_id: str = "000000000000",
                 host: str = "127.0.0.1", port: int = 0) -> None:
        self.function_name = function_name
        self.function_arn = "arn:aws:lambda:{}:{}:function:{}".format(region, account_id, function_name)
        self.init_error = None  # type: Optional[Dict[str, Any]]
        self.init_error_type = None  # type: Optional[str]
        self._host, self._port = host, port
        self._cond = threading.Condition()
        self._pending = deque()  # type: Deque[Invocation]
        self._known = {}  # type: Dict[str, Invocation]
        self._generation = 0
        self._closed = False
        self._connections = set()  # type: Set[socket.socket]
        self._server = None  # type: Optional[http.server.ThreadingHTTPServer]
        self._thread = None  # type: Optional[threading.Thread]

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> "RuntimeAPI":
        """Bind and serve on a background thread."""
        api = self

        class Handler(_Handler):
            runtime = api

        server = _Server((self._host, self._port), Handler)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="doover-runtime-api", daemon=True)
        self._thread.start()
        return self

    @property
    def port(self) -> int:
        if self._server is None:
            raise InvalidArgumentError("RuntimeAPI: not started; call start() first")
        return self._server.server_address[1]

    @property
    def address(self) -> str:
        """``host:port`` for ``AWS_LAMBDA_RUNTIME_API``."""
        return "{}:{}".format(self._host, self.port)

    def close(self) -> None:
        """Stop serving: blocked ``/next`` calls and open connections are dropped."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self._server = self._thread = None

    def __enter__(self) -> "RuntimeAPI":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ------------------------------------------------------------------ the host's side

    def submit(self, event: Any, *, timeout: float, request_id: Optional[str] = None) -> Invocation:
        """Queue ``event`` for the next ``/next`` call; returns its :class:`Invocation`."""
        body = json.dumps(event).encode("utf-8")
        invocation = Invocation(request_id or str(uuid.uuid4()), body, float(timeout))
        with self._cond:
            self._known[invocation.request_id] = invocation
            self._pending.append(invocation)
            self._cond.notify_all()
        return invocation

    def reset(self) -> List[Invocation]:
        """The runtime process is gone: ``/next`` calls still waiting for it are dropped,
        queued events are discarded and the unfinished invocations are returned."""
        with self._cond:
            self._generation += 1
            self._pending.clear()
            self.init_error = self.init_error_type = None
            self._cond.notify_all()
            return [inv for inv in self._known.values() if not inv.done.is_set()]

    def forget(self, invocation: Invocation) -> None:
        """Drop a finished (or abandoned) invocation; later answers for it get ``400``."""
        with self._cond:
            self._known.pop(invocation.request_id, None)
            try:
                self._pending.remove(invocation)
            except ValueError:
                pass

    # ------------------------------------------------------------------ the runtime's side

    def _next(self) -> Optional[Invocation]:
        with self._cond:
            generation = self._generation
            while not self._pending:
                if self._closed or self._generation != generation:
                    return None
                self._cond.wait(0.5)
            if self._closed or self._generation != generation:
                return None
            invocation = self._pending.popleft()
            invocation.delivered_at = time.time()
            invocation.deadline_ms = int((invocation.delivered_at + invocation.timeout) * 1000)
            invocation.delivered.set()
            return invocation

    def _answer(self, request_id: str, kind: str, body: bytes, headers: Any) -> "tuple":
        with self._cond:
            invocation = self._known.get(request_id)
            if invocation is None or not invocation.delivered.is_set():
                return 400, {"errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"}
            if invocation.done.is_set():
                return 403, {"errorMessage": "State transition from {} to {} failed: invocation {} is already "
                                             "finished".format(invocation.status, kind, request_id),
                             "errorType": "InvalidStateTransition"}
            if kind == "response" and len(body) > MAX_RESPONSE_BYTES:
                invocation._finish("error", error={
                    "errorMessage": "Response payload size ({} bytes) exceeded maximum allowed payload size "
                                    "({} bytes).".format(len(body), MAX_RESPONSE_BYTES),
                    "errorType": "Function.ResponseSizeTooLarge"}, error_type="Function.ResponseSizeTooLarge")
                return 413, {"errorMessage": "Exceeded maximum allowed payload size ({} bytes).".format(
                    MAX_RESPONSE_BYTES), "errorType": "RequestEntityTooLarge"}
            if kind == "response":
                invocation._finish("success", response=body, content_type=headers.get("Content-Type"))
            else:
                error = _error_document(body, headers)
                invocation._finish("error", error=error, error_type=headers.get(
                    "Lambda-Runtime-Function-Error-Type") or error.get("errorType"))
            return 202, {"status": "OK"}

    def _init_failed(self, body: bytes, headers: Any) -> "tuple":
        error = _error_document(body, headers)
        with self._cond:
            self.init_error = error
            self.init_error_type = headers.get("Lambda-Runtime-Function-Error-Type") or error.get("errorType")
            failed = list(self._pending)
            self._pending.clear()
        for invocation in failed:
            invocation._finish("error", error=error, error_type=self.init_error_type)
        return 202, {"status": "OK"}


def _error_document(body: bytes, headers: Any) -> Dict[str, Any]:
    try:
        document = json.loads(body.decode("utf-8")) if body else None
    except ValueError:
        document = None
    if not isinstance(document, dict):
        error_type = headers.get("Lambda-Runtime-Function-Error-Type") or "Runtime.Unknown"
        document = {"errorMessage": body.decode("utf-8", "replace"), "errorType": error_type}
    return document


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], OSError):  # a killed runtime resets its connections
            super().handle_error(request, client_address)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    runtime = None  # type: RuntimeAPI  # set on the per-server subclass

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.runtime._cond:
            self.runtime._connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.runtime._cond:
                self.runtime._connections.discard(self.connection)

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the host reports invocations
        pass

    def _send(self, status: int, document: Any, headers: Optional[Dict[str, str]] = None, raw: bytes = b"") -> None:
        body = raw or json.dumps(document).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def _body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _not_found(self) -> None:
        self._send(404, {"errorMessage": "Unknown Runtime API path {}".format(self.path), "errorType": "NotFound"})

    def _wrong_method(self, allowed: str) -> None:
        self._body()
        self._send(405, {"errorMessage": "{} {}: method not allowed (use {})".format(self.command, self.path, allowed),
                         "errorType": "MethodNotAllowed"}, {"Allow": allowed})

    def do_GET(self) -> None:
        if self.path == PREFIX + "/invocation/next":
            invocation = self.runtime._next()
            if invocation is None:  # closed, or the runtime this call came from was replaced
                self.close_connection = True
                return
            self._send(200, None, {
                "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
                "Lambda-Runtime-Deadline-Ms": str(invocation.deadline_ms),
                "Lambda-Runtime-Invoked-Function-Arn": self.runtime.function_arn,
                "Lambda-Runtime-Trace-Id": invocation.trace_id,
            }, raw=invocation.body)
        elif self.path == PREFIX + "/init/error" or _ANSWER.match(self.path):
            self._wrong_method("POST")
        else:
            self._not_found()

    def do_POST(self) -> None:
        match = _ANSWER.match(self.path)
        if match is not None:
            status, document = self.runtime._answer(match.group(1), match.group(2), self._body(), self.headers)
            self._send(status, document)
        elif self.path == PREFIX + "/init/error":
            status, document = self.runtime._init_failed(self._body(), self.headers)
            self._send(status, document)
        elif self.path == PREFIX + "/invocation/next":
            self._wrong_method("GET")
        else:
            self._body()
            self._not_found()

    def do_PUT(self) -> None:
        self._body()
        self._not_found()

    do_DELETE = do_PATCH = do_PUT
