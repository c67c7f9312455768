"""One physical bus: its transport, its lock, and the retry loop. The choke point.

Every transaction on a bus runs inside that bus's lock, so the main loop, a polling
subscription and a UI handler never interleave frames on the wire; different buses run in
parallel. The transport is opened on first use and, after a failure of the port or the
connection, closed and opened again on the next attempt.
"""

import logging
import threading
import time
from typing import Any, Callable, Optional

from ...exceptions import ModbusError, ModbusFrameError, ModbusTimeoutError, SerialPortError
from ._pdu import Request, decode_response
from ._settings import BusSettings

__all__ = ["Bus"]

log = logging.getLogger("doover.hardware.modbus")

#: Failures worth another attempt. A device exception is an answer, so it is not retried.
_RETRYABLE = (ModbusTimeoutError, ModbusFrameError, SerialPortError)


class Bus:
    """A Modbus bus: one serial port or one TCP endpoint, with one lock."""

    def __init__(
        self,
        settings: BusSettings,
        port_factory: Optional[Callable[[BusSettings], Any]] = None,
        socket_factory: Optional[Callable[..., Any]] = None,
    ) -> None:
        self.settings = settings
        self.lock = threading.RLock()
        self._port_factory = port_factory
        self._socket_factory = socket_factory
        self._transport: Any = None
        #: Counters for :meth:`ModbusInterface.fetch_bus_status` and diagnostics.
        self.transactions = 0
        self.failures = 0
        self.last_error: Optional[BaseException] = None

    def _make_transport(self) -> Any:
        if self.settings.type == "tcp":
            from ._tcp import TcpTransport

            return TcpTransport(self.settings, self._socket_factory)
        from ._serial import SerialTransport

        return SerialTransport(self.settings, self._port_factory)

    @property
    def is_open(self) -> bool:
        """True while the port or connection is open."""
        return self._transport is not None and self._transport.is_open

    def open(self) -> None:
        """Open the port or connection now (normally it opens on first use)."""
        with self.lock:
            if self._transport is None:
                self._transport = self._make_transport()
            self._transport.open()

    def close(self) -> None:
        """Close the port or connection; the next transaction opens it again."""
        with self.lock:
            if self._transport is not None:
                self._transport.close()

    def reconfigure(self, settings: BusSettings) -> None:
        """Apply new settings for the same endpoint (reopens the port if they differ)."""
        with self.lock:
            if settings == self.settings:
                return
            self.close()
            self._transport = None
            self.settings = settings

    def execute(self, slave: int, request: Request, retries: int) -> Any:
        """Run one transaction, with up to ``retries`` further attempts, and decode the answer."""
        with self.lock:
            attempt = 0
            while True:
                try:
                    self.open()
                    pdu = self._transport.transact(slave, request)
                    self.transactions += 1
                    if pdu is None:  # broadcast: nobody answers
                        return True
                    return decode_response(request, pdu)
                except _RETRYABLE as exc:
                    self.failures += 1
                    self.last_error = exc
                    if isinstance(exc, SerialPortError):
                        self.close()
                    if attempt >= retries:
                        raise
                    attempt += 1
                    log.debug("retrying %r to slave %d on %s after: %s", request, slave, self.settings.endpoint, exc)
                    if isinstance(exc, SerialPortError):
                        time.sleep(min(0.05 * attempt, 0.5))
                except ModbusError as exc:
                    self.failures += 1
                    self.last_error = exc
                    raise
