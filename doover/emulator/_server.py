"""The HTTP front-end: a stdlib ``ThreadingHTTPServer`` speaking HTTP/1.1 with keep-alive.

Bytes in, bytes out; everything else is the dispatcher's job. Every answer carries an
explicit ``Content-Length`` (also ``0`` on 204s, data-api.md §1.5) and JSON answers carry
``Content-Type: application/json``. Request bodies may be sent with ``Content-Length`` or
chunked, and ``Content-Encoding: gzip`` is decoded on every method.

The server tracks its open connections so that :meth:`HTTPFrontEnd.stop` can sever idle
keep-alive connections (clients then see the outage a real server restart causes) and
leave no threads behind.
"""

import email.utils
import http.server
import logging
import socket
import threading
import time
import zlib
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import parse_qs, urlsplit

from .._version import __version__
from ._faults import handle_admin
from ._http import Request, Response
from ._routes import dispatch

__all__ = ["HTTPFrontEnd", "RequestRecord", "MAX_BODY"]

log = logging.getLogger("doover.emulator")

#: Largest request body accepted (after gzip decoding): 64 MiB.
MAX_BODY = 64 * 1024 * 1024


class RequestRecord:
    """One line of :attr:`Emulator.request_log`."""

    __slots__ = ("method", "path", "query_string", "status", "gzip", "duration_ms", "fault")

    def __init__(
        self,
        method: str,
        path: str,
        query_string: str,
        status: Optional[int],
        gzip: bool,
        duration_ms: float,
        fault: Optional[str],
    ) -> None:
        self.method = method
        self.path = path
        #: the raw query string (see :attr:`query` for it parsed)
        self.query_string = query_string
        #: the answered status; ``None`` when the connection was dropped on purpose
        self.status = status
        self.gzip = gzip
        self.duration_ms = duration_ms
        #: the injected fault kind (``status``, ``delay``, ``drop``) or ``None``
        self.fault = fault

    @property
    def query(self) -> Dict[str, List[str]]:
        """The query parameters, each name with its list of values."""
        return parse_qs(self.query_string, keep_blank_values=True)

    def __repr__(self) -> str:
        return "RequestRecord({} {} -> {}{})".format(
            self.method, self.path, self.status, ", gzip" if self.gzip else ""
        )


class _Headers:
    """Case-insensitive request headers (repeated headers are joined with ``, ``)."""

    __slots__ = ("_items",)

    def __init__(self) -> None:
        self._items = {}  # type: Dict[str, Tuple[str, str]]

    def add(self, name: str, value: str) -> None:
        key = name.lower()
        if key in self._items:
            original, current = self._items[key]
            self._items[key] = (original, current + ", " + value)
        else:
            self._items[key] = (name, value)

    def extend(self, name: str, more: str) -> None:
        original, current = self._items[name.lower()]
        self._items[name.lower()] = (original, current + more)

    def get(self, name: str, default: Optional[str] = None) -> Optional[str]:
        item = self._items.get(name.lower())
        return default if item is None else item[1]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def items(self) -> List[Tuple[str, str]]:
        return list(self._items.values())


class _BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _gunzip(raw: bytes) -> bytes:
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = decoder.decompress(raw, MAX_BODY + 1)
        if len(out) > MAX_BODY or decoder.unconsumed_tail:
            raise _BadRequest(413, "body: larger than {} bytes after gzip decoding".format(MAX_BODY))
        out += decoder.flush()
    except zlib.error as exc:
        raise _BadRequest(400, "body: invalid gzip data ({})".format(exc)) from exc
    if not decoder.eof:
        raise _BadRequest(400, "body: truncated gzip data")
    return out


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "doover-emulator/" + __version__
    sys_version = ""
    #: idle keep-alive connections are closed after this many seconds
    timeout = 120

    server = None  # type: Any  # set by socketserver

    def setup(self) -> None:
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:  # not a TCP socket
            pass
        self.server.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server.track(self.connection, False)

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    # BaseHTTPRequestHandler.send_error writes HTML; answer JSON with a length instead.
    def send_error(self, code: int, message: Optional[str] = None, explain: Optional[str] = None) -> None:
        text = message or self.responses.get(code, ("error",))[0]
        self.close_connection = True
        self._write(Response.json({"message": text}, status=code), head_only=False)

    def handle_one_request(self) -> None:
        try:
            line = self.rfile.readline(65537)
            if not line:
                self.close_connection = True
                return
            self.requestline = line.decode("latin-1").rstrip("\r\n")
            self.command, self.request_version = "", "HTTP/1.1"
            if len(line) > 65536:
                self.send_error(414, "request line too long")
                return
            if not self._parse_head():
                return
            self._serve()
            self.wfile.flush()
        except (socket.timeout, ConnectionError, OSError):
            self.close_connection = True

    def _parse_head(self) -> bool:
        """Request line and headers (a lean stand-in for ``parse_request``, whose email-based
        header parsing dominated the cost of small requests). False: an error was sent."""
        parts = self.requestline.split()
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            self.send_error(400, "malformed request line {!r}".format(self.requestline[:100]))
            return False
        self.command, self.path, self.request_version = parts
        headers = _Headers()
        last = None
        for _count in range(200):
            raw = self.rfile.readline(65537)
            if len(raw) > 65536:
                self.send_error(431, "header line too long")
                return False
            if raw in (b"\r\n", b"\n", b""):
                break
            text = raw.decode("latin-1").rstrip("\r\n")
            if text[:1] in (" ", "\t") and last is not None:  # obsolete line folding
                headers.extend(last, " " + text.strip())
                continue
            name, sep, value = text.partition(":")
            if not sep or not name.strip():
                self.send_error(400, "malformed header line {!r}".format(text[:100]))
                return False
            last = name.strip()
            headers.add(last, value.strip())
        else:
            self.send_error(431, "too many headers")
            return False
        self.headers = headers  # type: ignore[assignment]
        connection = (headers.get("Connection") or "").lower()
        if self.request_version == "HTTP/1.0":
            self.close_connection = "keep-alive" not in connection
        else:
            self.close_connection = "close" in connection
        if (headers.get("Expect") or "").lower() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        return True

    # ------------------------------------------------------------------ body
    def _read_body(self) -> bytes:
        encoding = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in encoding:
            return self._read_chunked()
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        if not length.strip().isdigit():
            raise _BadRequest(400, "Content-Length: expected a non-negative integer, got {!r}".format(length))
        size = int(length)
        if size > MAX_BODY:
            raise _BadRequest(413, "body: larger than {} bytes".format(MAX_BODY))
        data = self.rfile.read(size)
        if len(data) != size:
            raise ConnectionError("client closed the connection mid-body")
        return data

    def _read_chunked(self) -> bytes:
        parts = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            if not line:
                raise ConnectionError("client closed the connection mid-body")
            try:
                size = int(line.split(b";")[0].strip(), 16)
            except ValueError:
                raise _BadRequest(400, "Transfer-Encoding: malformed chunk size") from None
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(parts)
            total += size
            if total > MAX_BODY:
                raise _BadRequest(413, "body: larger than {} bytes".format(MAX_BODY))
            parts.append(self.rfile.read(size))
            self.rfile.readline(1024)

    # ------------------------------------------------------------------ one request
    def _serve(self) -> None:
        app = self.server.app
        started = time.monotonic()
        method = self.command.upper()
        split = urlsplit(self.path)
        path, query_string = split.path or "/", split.query
        encoding = (self.headers.get("Content-Encoding") or "identity").strip().lower()
        gzipped = encoding in ("gzip", "x-gzip")
        fault_kind = None  # type: Optional[str]
        try:
            body = self._read_body()
            if gzipped and body:
                body = _gunzip(body)
            elif encoding not in ("identity", "gzip", "x-gzip", ""):
                raise _BadRequest(415, "Content-Encoding: only gzip is supported, got {!r}".format(encoding))
        except _BadRequest as exc:
            self.close_connection = True
            response = Response.json({"message": exc.message}, status=exc.status)
            self._finish(app, method, path, query_string, response, gzipped, started, None)
            return
        req = Request(method, path, query_string, self.headers, body, gzipped, self._base_url(app), app)
        if path.startswith("/_emulator/"):
            response = handle_admin(app, req)
            self._finish(app, method, path, query_string, response, gzipped, started, None)
            return
        fault = app.faults.take(method, path)
        if fault is not None:
            fault_kind = fault.kind
            if fault.kind == "drop":
                self._record(app, method, path, query_string, None, gzipped, started, "drop")
                self._drop()
                return
            if fault.kind == "status":
                response = app.faults.fault_response(fault)
                self._finish(app, method, path, query_string, response, gzipped, started, "status")
                return
            app._stopping.wait(fault.seconds)
            if app._stopping.is_set():
                self._record(app, method, path, query_string, None, gzipped, started, "delay")
                self._drop()
                return
        try:
            response = dispatch(app, req)
        except Exception as exc:  # a bug in the emulator: say so, loudly
            log.exception("emulator error on %s %s", method, path)
            response = Response.json({"message": "emulator bug: {}: {}".format(type(exc).__name__, exc)}, status=500)
        self._finish(app, method, path, query_string, response, gzipped, started, fault_kind)

    def _base_url(self, app: Any) -> str:
        host = self.headers.get("Host")
        if host:
            return "http://{}/api".format(host.strip())
        return app.base_url

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _finish(
        self,
        app: Any,
        method: str,
        path: str,
        query_string: str,
        response: Response,
        gzipped: bool,
        started: float,
        fault: Optional[str],
    ) -> None:
        # recorded before the answer goes out: a client that has its answer sees it in the log
        self._record(app, method, path, query_string, response.status, gzipped, started, fault)
        self._write(response, head_only=method == "HEAD")

    def _record(
        self,
        app: Any,
        method: str,
        path: str,
        query_string: str,
        status: Optional[int],
        gzipped: bool,
        started: float,
        fault: Optional[str],
    ) -> None:
        record = RequestRecord(
            method,
            path,
            query_string,
            status,
            gzipped,
            (time.monotonic() - started) * 1000.0,
            fault,
        )
        app._record(record)

    def _write(self, response: Response, head_only: bool) -> None:
        """Status line, headers and body in one ``send`` (no Nagle/delayed-ACK stalls)."""
        wants_close = self.close_connection
        self.log_request(response.status)
        lines = [
            "HTTP/1.1 {} {}".format(response.status, self.responses.get(response.status, ("",))[0]),
            "Server: " + self.server_version,
            "Date: " + email.utils.formatdate(usegmt=True),
        ]
        if response.content_type:
            lines.append("Content-Type: " + response.content_type)
        lines.append("Content-Length: {}".format(len(response.body)))
        lines.extend("{}: {}".format(name, value) for name, value in response.headers)
        lines.append("Connection: " + ("close" if wants_close else "keep-alive"))
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head if head_only else head + response.body)
        self.close_connection = wants_close


class _ThreadingServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: Tuple[str, int], app: Any) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.app = app
        self._conn_lock = threading.Lock()
        self._connections = {}  # type: Dict[Any, threading.Thread]
        super().__init__(address, _Handler)

    def track(self, conn: Any, opened: bool) -> None:
        with self._conn_lock:
            if opened:
                self._connections[conn] = threading.current_thread()
            else:
                self._connections.pop(conn, None)

    def sever_all(self, timeout: float) -> None:
        """Shut every open connection down and wait for its thread to end."""
        with self._conn_lock:
            items = list(self._connections.items())
        for conn, _thread in items:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        deadline = time.monotonic() + timeout
        for _conn, thread in items:
            thread.join(max(0.0, deadline - time.monotonic()))

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("connection from %s ended with an error", client_address, exc_info=True)


class HTTPFrontEnd:
    """Start/stop a threaded server for ``app`` on ``host:port`` (port 0 picks one)."""

    def __init__(self, app: Any, host: str, port: int) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._server = None  # type: Optional[_ThreadingServer]
        self._thread = None  # type: Optional[threading.Thread]

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> None:
        if self._server is not None:
            return
        server = _ThreadingServer((self.host, self.port), self.app)
        self.port = server.server_address[1]
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="doover-emulator", daemon=True
        )
        thread.start()
        self._server, self._thread = server, thread

    def stop(self, timeout: float = 10.0) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self._server = self._thread = None
        server.shutdown()
        server.server_close()
        server.sever_all(timeout)
        if thread is not None:
            thread.join(timeout)
