"""Modbus TCP: request PDUs in MBAP frames over a socket.

An MBAP header is seven bytes: transaction id, protocol id (always 0), the number of bytes
that follow (unit id + PDU) and the unit id. Each request gets the next transaction id; an
answer whose id does not match is a late answer to an earlier request that timed out and
is skipped. A header that cannot be right (protocol id not 0, a length outside 2..254)
means the byte stream is out of step, so the connection is dropped and reopened on the
next call.
"""

import logging
import socket
import struct
import time
from typing import Callable, Optional, Tuple

from ...exceptions import ModbusFrameError, ModbusTimeoutError, SerialPortError
from ._pdu import Request
from ._settings import BusSettings

__all__ = ["TcpTransport", "build_adu"]

log = logging.getLogger("doover.hardware.modbus")

SocketFactory = Callable[[Tuple[str, int], float], socket.socket]


def build_adu(transaction_id: int, unit: int, pdu: bytes) -> bytes:
    """An MBAP frame: header then PDU."""
    return struct.pack(">HHHB", transaction_id, 0, len(pdu) + 1, unit) + pdu


class TcpTransport:
    """Sends request PDUs to units behind one Modbus TCP endpoint."""

    def __init__(self, settings: BusSettings, socket_factory: Optional[SocketFactory] = None) -> None:
        self.settings = settings
        self._address = settings.tcp_address
        self._factory = socket_factory or socket.create_connection
        self._sock: Optional[socket.socket] = None
        self._transaction = 0

    @property
    def is_open(self) -> bool:
        """True while connected."""
        return self._sock is not None

    def open(self) -> None:
        """Connect (if not connected already)."""
        if self._sock is not None:
            return
        try:
            sock = self._factory(self._address, self.settings.tcp_timeout)
        except OSError as exc:
            raise SerialPortError(
                "cannot connect to Modbus TCP endpoint {}:{}: {}".format(self._address[0], self._address[1], exc)
            ) from exc
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:  # not a TCP socket (tests may inject a socketpair)
            pass
        self._sock = sock
        log.debug("connected to %s", self.settings.describe())

    def close(self) -> None:
        """Close the connection; the next transaction reconnects."""
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass

    def transact(self, unit: int, request: Request) -> Optional[bytes]:
        """Send ``request`` to ``unit`` and return the response PDU."""
        self.open()
        sock = self._sock
        assert sock is not None
        self._transaction = (self._transaction + 1) & 0xFFFF
        tid = self._transaction
        deadline = time.monotonic() + self.settings.tcp_timeout
        try:
            sock.settimeout(self.settings.tcp_timeout)
            sock.sendall(build_adu(tid, unit, request.pdu))
            while True:
                header = self._recv_exact(sock, 7, deadline)
                got_tid, protocol, length, got_unit = struct.unpack(">HHHB", header)
                if protocol != 0 or not 2 <= length <= 254:
                    self.close()
                    raise ModbusFrameError(
                        "bad MBAP header {} (protocol {}, length {}); connection reset".format(
                            header.hex(" "), protocol, length
                        )
                    )
                pdu = self._recv_exact(sock, length - 1, deadline)
                if got_tid != tid:
                    log.debug("skipping stale Modbus TCP answer %d (waiting for %d)", got_tid, tid)
                    continue
                if got_unit != unit:
                    raise ModbusFrameError("answer from unit {} to a request for unit {}".format(got_unit, unit))
                return pdu
        except socket.timeout as exc:
            raise ModbusTimeoutError(
                "no answer from unit {} at {} within {} s".format(unit, self.settings.tcp_uri, self.settings.tcp_timeout)
            ) from exc
        except (ModbusFrameError, ModbusTimeoutError, SerialPortError):
            raise
        except OSError as exc:
            self.close()
            raise SerialPortError("Modbus TCP connection to {} failed: {}".format(self.settings.tcp_uri, exc)) from exc

    def _recv_exact(self, sock: socket.socket, size: int, deadline: float) -> bytes:
        data = b""
        while len(data) < size:
            remaining = deadline - time.monotonic()
            try:
                if remaining <= 0:
                    raise socket.timeout("timed out")
                sock.settimeout(remaining)
                chunk = sock.recv(size - len(data))
            except socket.timeout:
                if data:  # a frame cut short leaves the stream out of step
                    self.close()
                raise
            if not chunk:
                self.close()
                raise SerialPortError("Modbus TCP endpoint {} closed the connection".format(self.settings.tcp_uri))
            data += chunk
        return data
