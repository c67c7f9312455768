"""Modbus RTU and ASCII over a serial port, through minimalmodbus and pyserial.

The port is opened with :func:`serial.serial_for_url`, so ``serial_port`` may be a device
(``/dev/ttyUSB0``, ``COM3``) or a pyserial URL (``socket://host:port`` for an RTU-over-TCP
gateway, ``rfc2217://host:port``, ``loop://``). The open port is handed to a
:class:`minimalmodbus.Instrument`, which does the talking: it builds the frame (slave
address, CRC or LRC), clears stale bytes from both buffers before each request, keeps the
3.5-character silence between frames, handles local echo, and reads the answer. The port
stays open between calls (``close_port_after_each_call=False``); it is closed and reopened
on the next call after any serial failure.

minimalmodbus reads as many bytes as a normal answer would have. An exception answer is
shorter, so the port object it is given reads the slave address and function code first
and, for an exception answer, only the three bytes that follow: device exceptions come
back at once instead of after the timeout.
"""

import logging
from typing import Any, Callable, Optional

import minimalmodbus
import serial

from ...exceptions import ModbusFrameError, ModbusTimeoutError, NotSupportedError, SerialPortError
from ._pdu import Request
from ._settings import BusSettings

__all__ = ["SerialTransport", "open_serial_port"]

log = logging.getLogger("doover.hardware.modbus")

try:  # tcflush/tcsetattr on a vanished tty raise termios.error, which is not an OSError
    import termios

    _PORT_ERRORS: tuple = (serial.SerialException, OSError, termios.error)
except ImportError:  # Windows
    _PORT_ERRORS = (serial.SerialException, OSError)

_STOPBITS = {1: serial.STOPBITS_ONE, 1.5: serial.STOPBITS_ONE_POINT_FIVE, 2: serial.STOPBITS_TWO}


def open_serial_port(settings: BusSettings) -> Any:
    """Open the bus's serial port (or pyserial URL) with its line settings."""
    return serial.serial_for_url(
        settings.serial_port,
        baudrate=settings.serial_baud,
        bytesize=settings.serial_bits,
        parity=settings.serial_parity,
        stopbits=_STOPBITS[settings.serial_stop],
        timeout=settings.serial_timeout,
        write_timeout=max(2.0, settings.serial_timeout),
    )


class _FrameAwarePort:
    """Wraps a pyserial port so that a read stops at the end of a Modbus exception frame."""

    def __init__(self, port: Any, ascii_mode: bool) -> None:
        self._port = port
        self._ascii = ascii_mode

    def __getattr__(self, name: str) -> Any:
        return getattr(self._port, name)

    def read(self, size: int = 1) -> bytes:
        head_size = 5 if self._ascii else 2  # ':' + address + function in hex, or address + function
        if size <= head_size:
            return self._port.read(size)
        head = self._port.read(head_size)
        if len(head) < head_size:
            return head
        if self._ascii:
            try:
                function = int(head[3:5], 16)
            except ValueError:
                function = 0
            exception_rest = 6  # code (2) + LRC (2) + CR LF
        else:
            function = head[1]
            exception_rest = 3  # code + CRC (2)
        if function & 0x80:
            return head + self._port.read(exception_rest)
        return head + self._port.read(size - head_size)


class SerialTransport:
    """Sends request PDUs to slaves on one serial bus and returns their response PDUs.

    ``port_factory(settings)`` opens the port; it defaults to :func:`open_serial_port` and is
    the seam tests use to put a fake serial port in place.
    """

    def __init__(self, settings: BusSettings, port_factory: Optional[Callable[[BusSettings], Any]] = None) -> None:
        if settings.serial_method not in ("rtu", "ascii"):
            raise NotSupportedError(
                "serial_method {!r} is not supported on a serial bus; use 'rtu' or 'ascii', or a bus of "
                "type 'tcp' with tcp_uri for Modbus TCP".format(settings.serial_method)
            )
        self.settings = settings
        self._factory = port_factory or open_serial_port
        self._mode = minimalmodbus.MODE_ASCII if settings.serial_method == "ascii" else minimalmodbus.MODE_RTU
        self._port: Any = None
        self._instrument: Optional[minimalmodbus.Instrument] = None

    @property
    def is_open(self) -> bool:
        """True while the port is open."""
        return self._instrument is not None and bool(getattr(self._port, "is_open", False))

    def open(self) -> None:
        """Open the port (if it is not open already)."""
        if self.is_open:
            return
        self.close()
        try:
            port = self._factory(self.settings)
        except _PORT_ERRORS + (ValueError,) as exc:
            raise SerialPortError(
                "cannot open serial port {!r}: {}".format(self.settings.serial_port, exc)
            ) from exc
        wrapped = _FrameAwarePort(port, self._mode == minimalmodbus.MODE_ASCII)
        try:
            instrument = minimalmodbus.Instrument(wrapped, 1, mode=self._mode, close_port_after_each_call=False)
        except (minimalmodbus.ModbusException,) + _PORT_ERRORS as exc:
            _quiet_close(port)
            raise SerialPortError("cannot use serial port {!r}: {}".format(self.settings.serial_port, exc)) from exc
        instrument.clear_buffers_before_each_transaction = True
        instrument.precalculate_read_size = True
        self._port = port
        self._instrument = instrument
        log.debug("opened %s", self.settings.describe())

    def close(self) -> None:
        """Close the port; the next transaction opens it again."""
        port, self._port, self._instrument = self._port, None, None
        if port is not None:
            _quiet_close(port)

    def transact(self, slave: int, request: Request) -> Optional[bytes]:
        """Send ``request`` to ``slave`` and return the response PDU (``None`` for a broadcast)."""
        self.open()
        instrument = self._instrument
        assert instrument is not None
        instrument.address = slave
        frame = minimalmodbus._embed_payload(slave, self._mode, request.function, request.data)
        if slave == 0:
            expected = 0
        elif self._mode == minimalmodbus.MODE_ASCII:
            expected = 1 + 2 * (1 + request.response_length + 1) + 2
        else:
            expected = 1 + request.response_length + 2
        try:
            raw = instrument._communicate(frame, expected)
        except minimalmodbus.NoResponseError as exc:
            raise ModbusTimeoutError(
                "no answer from slave {} on {} within {} s".format(slave, self.settings.serial_port, self.settings.serial_timeout)
            ) from exc
        except minimalmodbus.LocalEchoError as exc:
            raise ModbusFrameError("local echo did not match the request: {}".format(exc)) from exc
        except _PORT_ERRORS as exc:
            self.close()
            raise SerialPortError("serial port {!r} failed: {}".format(self.settings.serial_port, exc)) from exc
        if slave == 0:
            return None
        return self._unframe(raw, slave)

    def _unframe(self, raw: bytes, slave: int) -> bytes:
        if self._mode == minimalmodbus.MODE_ASCII:
            if len(raw) < 9 or raw[:1] != b":" or raw[-2:] != b"\r\n" or len(raw) % 2 == 0:
                raise ModbusFrameError("malformed Modbus ASCII answer: {!r}".format(raw))
            try:
                body = bytes.fromhex(raw[1:-2].decode("ascii"))
            except ValueError as exc:
                raise ModbusFrameError("Modbus ASCII answer is not hexadecimal: {!r}".format(raw)) from exc
            checksum = minimalmodbus._calculate_lrc(body[:-1])
            if body[-1:] != checksum:
                raise ModbusFrameError(
                    "LRC mismatch in answer {!r}: got {:02X}, computed {:02X}".format(raw, body[-1], checksum[0])
                )
            message = body[:-1]
        else:
            if len(raw) < 4:
                raise ModbusFrameError("answer too short ({} bytes): {}".format(len(raw), raw.hex(" ")))
            checksum = minimalmodbus._calculate_crc(raw[:-2])
            if raw[-2:] != checksum:
                raise ModbusFrameError(
                    "CRC mismatch in answer {}: expected {}".format(raw.hex(" "), checksum.hex(" "))
                )
            message = raw[:-2]
        if message[0] != slave:
            raise ModbusFrameError("answer from slave {} to a request for slave {}".format(message[0], slave))
        return message[1:]


def _quiet_close(port: Any) -> None:
    try:
        port.close()
    except Exception:  # closing a vanished port may fail; it is closed either way
        log.debug("error closing serial port", exc_info=True)
