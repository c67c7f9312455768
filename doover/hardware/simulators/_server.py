"""``ModbusSimulator``: simulated Modbus devices served on pseudo-terminals and TCP ports.

One background thread serves every endpoint with a selector. A pseudo-terminal endpoint
(:meth:`ModbusSimulator.serve_pty`) gives a tty path a client opens like a serial device;
a TCP endpoint (:meth:`ModbusSimulator.serve_tcp`) speaks Modbus TCP (``framing="tcp"``) or
RTU frames over TCP (``framing="rtu"``, as RTU-over-TCP gateways do, reached with a
``socket://host:port`` serial port).

Faults for tests and demos: ``latency`` (seconds before each answer), ``drop_rate``
(probability of not answering, seeded by ``seed``), :meth:`drop_next` and
:meth:`corrupt_next` (bad CRC/LRC, or a bad MBAP header) for the next N requests.
"""

import errno
import logging
import os
import random
import selectors
import socket
import threading
import time
import tty
from typing import Any, Dict, List, Optional, Tuple

from ...exceptions import ModbusArgumentError
from ._device import handle_request
from ._framing import FRAMINGS, make_framer
from ._registers import RegisterMap

__all__ = ["ModbusSimulator"]

log = logging.getLogger("doover.hardware.simulators")

_IDLE_SECS = 0.02  # a pause this long ends an RTU frame of unknown length


class _Endpoint:
    def __init__(self, kind: str, framing: str) -> None:
        self.kind = kind  # "pty", "listen", "conn"
        self.framing = framing
        self.framer = make_framer(framing)
        self.fd: Optional[int] = None
        self.sock: Optional[socket.socket] = None
        self.keep_fd: Optional[int] = None  # the pty's slave side, kept open so reads never hit EIO
        self.link: Optional[str] = None
        self.path: Optional[str] = None
        self.last_rx = 0.0

    def fileobj(self) -> Any:
        return self.sock if self.sock is not None else self.fd

    def send(self, data: bytes) -> None:
        if self.sock is not None:
            self.sock.sendall(data)
        else:
            assert self.fd is not None
            view = memoryview(data)
            while view:
                written = os.write(self.fd, view)
                view = view[written:]

    def close(self) -> None:
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
        for fd in (self.fd, self.keep_fd):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.fd = self.keep_fd = None
        if self.link and os.path.islink(self.link):
            try:
                os.unlink(self.link)
            except OSError:
                pass


class ModbusSimulator:
    """Serve simulated Modbus devices. Use as a context manager or call :meth:`stop`.

    Args:
        registers: a :class:`RegisterMap`, or a dict in its JSON shape (default: empty).
        latency: seconds to wait before each answer.
        drop_rate: probability (0..1) that a request gets no answer.
        seed: seed for ``drop_rate``'s random choices.
    """

    def __init__(
        self,
        registers: Any = None,
        latency: float = 0.0,
        drop_rate: float = 0.0,
        seed: Optional[int] = None,
    ) -> None:
        if registers is None:
            registers = RegisterMap()
        elif not isinstance(registers, RegisterMap):
            registers = RegisterMap.from_dict(registers)
        self.registers: RegisterMap = registers
        self.latency = float(latency)
        if not 0.0 <= drop_rate <= 1.0:
            raise ModbusArgumentError("drop_rate: expected 0..1, got {!r}".format(drop_rate))
        self.drop_rate = float(drop_rate)
        self._random = random.Random(seed)
        self._drop = 0
        self._corrupt = 0
        #: Requests seen, as (slave id, function code), oldest first (the last 1000).
        self.requests: List[Tuple[int, int]] = []
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = os.pipe()
        self._selector.register(self._wake_r, selectors.EVENT_READ, None)
        self._endpoints: Dict[Any, _Endpoint] = {}
        self._pending: List[_Endpoint] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._closed = False

    # ------------------------------------------------------------------ endpoints

    def serve_pty(self, framing: str = "rtu", link: Optional[str] = None) -> str:
        """Serve on a new pseudo-terminal and return the path a client opens.

        With ``link``, a symlink to the tty is made at that path (replacing an old symlink)
        and returned, so a client keeps one stable port name across simulator restarts.
        """
        self._check_framing(framing)
        master, slave = os.openpty()
        tty.setraw(slave)
        tty.setraw(master)
        endpoint = _Endpoint("pty", framing)
        endpoint.fd, endpoint.keep_fd = master, slave
        endpoint.path = os.ttyname(slave)
        if link:
            if os.path.islink(link):
                os.unlink(link)
            os.symlink(endpoint.path, link)
            endpoint.link = link
        self._add(endpoint)
        return link or endpoint.path

    def serve_tcp(self, host: str = "127.0.0.1", port: int = 0, framing: str = "tcp") -> Tuple[str, int]:
        """Listen on ``host:port`` (0 picks a free port) and return the bound ``(host, port)``."""
        self._check_framing(framing)
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(8)
        sock.setblocking(False)
        endpoint = _Endpoint("listen", framing)
        endpoint.sock = sock
        self._add(endpoint)
        bound = sock.getsockname()
        return bound[0], bound[1]

    @staticmethod
    def _check_framing(framing: str) -> None:
        if framing not in FRAMINGS:
            raise ModbusArgumentError("framing: expected one of {}, got {!r}".format(", ".join(FRAMINGS), framing))

    def _add(self, endpoint: _Endpoint) -> None:
        if self._closed:
            raise ModbusArgumentError("this simulator was stopped; create a new one")
        with self._lock:
            self._pending.append(endpoint)
        self.start()
        os.write(self._wake_w, b"x")

    # ------------------------------------------------------------------ faults

    def drop_next(self, count: int = 1) -> None:
        """Do not answer the next ``count`` requests."""
        with self._lock:
            self._drop += count

    def corrupt_next(self, count: int = 1) -> None:
        """Corrupt the answers to the next ``count`` requests (bad CRC/LRC, bad MBAP header)."""
        with self._lock:
            self._corrupt += count

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> "ModbusSimulator":
        """Start the serving thread (``serve_*`` start it for you)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="modbus-simulator", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every endpoint (clients see the port vanish)."""
        if self._closed:
            return
        self._closed = True
        self._stopping.set()
        try:
            os.write(self._wake_w, b"x")
        except OSError:
            pass
        if self._thread is not None:
            self._thread.join(timeout=10)
        for endpoint in list(self._endpoints.values()) + self._pending:
            endpoint.close()
        self._endpoints.clear()
        self._selector.close()
        os.close(self._wake_r)
        os.close(self._wake_w)

    def __enter__(self) -> "ModbusSimulator":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    # ------------------------------------------------------------------ serving

    def _run(self) -> None:
        while not self._stopping.is_set():
            with self._lock:
                pending, self._pending = self._pending, []
            for endpoint in pending:
                self._endpoints[endpoint.fileobj()] = endpoint
                self._selector.register(endpoint.fileobj(), selectors.EVENT_READ, endpoint)
            for key, _ in self._selector.select(timeout=_IDLE_SECS):
                if key.data is None:
                    os.read(self._wake_r, 512)
                    continue
                self._readable(key.data)
            now = time.monotonic()
            for endpoint in list(self._endpoints.values()):
                if endpoint.framing == "rtu" and endpoint.framer.buffer and now - endpoint.last_rx >= _IDLE_SECS:
                    self._answer(endpoint, endpoint.framer.idle())

    def _readable(self, endpoint: _Endpoint) -> None:
        if endpoint.kind == "listen":
            assert endpoint.sock is not None
            try:
                conn, _ = endpoint.sock.accept()
            except OSError:
                return
            conn.setblocking(True)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            child = _Endpoint("conn", endpoint.framing)
            child.sock = conn
            self._endpoints[conn] = child
            self._selector.register(conn, selectors.EVENT_READ, child)
            return
        try:
            if endpoint.sock is not None:
                data = endpoint.sock.recv(4096)
            else:
                assert endpoint.fd is not None
                data = os.read(endpoint.fd, 4096)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EINTR):
                return
            data = b""
        if not data:
            if endpoint.kind == "conn":
                self._drop_endpoint(endpoint)
            return
        endpoint.last_rx = time.monotonic()
        self._answer(endpoint, endpoint.framer.feed(data))

    def _drop_endpoint(self, endpoint: _Endpoint) -> None:
        try:
            self._selector.unregister(endpoint.fileobj())
        except (KeyError, ValueError):
            pass
        self._endpoints.pop(endpoint.fileobj(), None)
        endpoint.close()

    def _answer(self, endpoint: _Endpoint, frames: List[Any]) -> None:
        for slave, pdu, context in frames:
            with self._lock:
                self.requests.append((slave, pdu[0] if pdu else -1))
                del self.requests[:-1000]
                drop = self._drop > 0 or (self.drop_rate > 0 and self._random.random() < self.drop_rate)
                if self._drop > 0:
                    self._drop -= 1
                corrupt = False
                if not drop and self._corrupt > 0:
                    self._corrupt -= 1
                    corrupt = True
            response = handle_request(self.registers, slave, pdu)
            if response is None or drop:
                continue
            if self.latency > 0:
                self._stopping.wait(self.latency)
            try:
                endpoint.send(endpoint.framer.wrap(slave, response, context, corrupt))
            except OSError as exc:
                log.debug("simulator could not answer: %s", exc)
                if endpoint.kind == "conn":
                    self._drop_endpoint(endpoint)
