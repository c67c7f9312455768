"""Independent Modbus peers for integration tests: pymodbus servers and clients, and a
pseudo-terminal bridge (two ptys joined like a null-modem cable, as socat would).

pymodbus 3.6 (Python 3.8 venv) and 3.16 (Python 3.13 venv) differ in names: device/slave
contexts, ``slave=`` vs ``device_id=``, framer enums, server keywords. This module hides
those differences.
"""

import asyncio
import inspect
import os
import select
import socket
import threading
import tty
from typing import Any, Dict, Optional

import pymodbus
from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext

try:  # pymodbus >= 3.10
    from pymodbus.datastore import ModbusDeviceContext as _DeviceContext

    _CONTEXT_KW = "devices"
except ImportError:  # pymodbus 3.6 .. 3.9
    from pymodbus.datastore import ModbusSlaveContext as _DeviceContext

    _CONTEXT_KW = "slaves"

try:
    from pymodbus import FramerType as _Framer
except ImportError:
    from pymodbus.framer import Framer as _Framer

from pymodbus.client import ModbusSerialClient, ModbusTcpClient
from pymodbus.server import ModbusSerialServer, ModbusTcpServer

PYMODBUS_VERSION = pymodbus.__version__

FRAMERS = {"rtu": _Framer.RTU, "ascii": _Framer.ASCII, "tcp": _Framer.SOCKET}


def device_context(coils=None, discrete=None, holding=None, inputs=None) -> Any:
    """A pymodbus device with blocks at addresses 0.. (protocol addresses, as clients send them)."""

    def block(values):
        # pymodbus device contexts add 1 to the protocol address before looking up a block
        return ModbusSequentialDataBlock(1, list(values if values is not None else [0] * 100))

    return _DeviceContext(co=block(coils), di=block(discrete), hr=block(holding), ir=block(inputs))


def server_context(devices: Dict[int, Any]) -> Any:
    return ModbusServerContext(**{_CONTEXT_KW: devices, "single": False})


def _missing_kw() -> str:
    params = inspect.signature(ModbusTcpServer.__init__).parameters
    return "ignore_missing_devices" if "ignore_missing_devices" in params else "ignore_missing_slaves"


class PymodbusServer:
    """A pymodbus server on its own thread and event loop. Missing slave ids are ignored
    (no answer), so a request to one is a silent device."""

    def __init__(self, context: Any, framing: str = "rtu", serial_port: Optional[str] = None,
                 tcp_port: int = 0, baudrate: int = 9600) -> None:
        self.context = context
        self.framing = framing
        self.serial_port = serial_port
        self.tcp_port = tcp_port or free_port()
        self.baudrate = baudrate
        self.loop = asyncio.new_event_loop()
        self.server: Any = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._error: Optional[BaseException] = None

    def _build(self) -> Any:
        kwargs = {"framer": FRAMERS[self.framing], _missing_kw(): True}
        if self.serial_port is not None:
            return ModbusSerialServer(self.context, port=self.serial_port, baudrate=self.baudrate, **kwargs)
        return ModbusTcpServer(self.context, address=("127.0.0.1", self.tcp_port), **kwargs)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            async def main():
                self.server = self._build()
                task = asyncio.ensure_future(self.server.serve_forever())
                for _ in range(200):
                    await asyncio.sleep(0.02)
                    if self._listening():
                        break
                self._ready.set()
                try:
                    await task
                except asyncio.CancelledError:
                    pass

            self.loop.run_until_complete(main())
        except BaseException as exc:  # surfaced by start()
            self._error = exc
            self._ready.set()

    def _listening(self) -> bool:
        if self.serial_port is not None:
            transport = getattr(self.server, "transport", None)
            return transport is not None
        try:
            with socket.create_connection(("127.0.0.1", self.tcp_port), timeout=0.2):
                return True
        except OSError:
            return False

    def start(self) -> "PymodbusServer":
        self._thread.start()
        assert self._ready.wait(15), "pymodbus server did not start"
        if self._error is not None:
            raise self._error
        return self

    def stop(self) -> None:
        if self.server is not None and self.loop.is_running():
            future = asyncio.run_coroutine_threadsafe(self.server.shutdown(), self.loop)
            try:
                future.result(10)
            except Exception:
                pass
        self._thread.join(10)
        if not self.loop.is_closed() and not self.loop.is_running():
            self.loop.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _unit_kw(method) -> str:
    params = inspect.signature(method).parameters
    return "device_id" if "device_id" in params else "slave"


def client_call(client: Any, name: str, address: int, value: Any = None, unit: int = 1, count: Optional[int] = None):
    """Call a pymodbus sync client method whatever the version's keyword names are."""
    method = getattr(client, name)
    kwargs: Dict[str, Any] = {_unit_kw(method): unit}
    if count is not None:
        kwargs["count"] = count
    if value is not None:
        return method(address, value, **kwargs)
    return method(address, **kwargs)


def serial_client(port: str, framing: str = "rtu") -> Any:
    return ModbusSerialClient(port=port, framer=FRAMERS[framing], baudrate=9600, timeout=1, retries=0)


def tcp_client(host: str, port: int) -> Any:
    return ModbusTcpClient(host, port=port, timeout=1, retries=0)


class PtyBridge:
    """Two pseudo-terminals joined back to back on a thread, like a null-modem cable.

    ``server_path`` is for the peer, ``client_path`` (a symlink at ``link`` if given) for the
    code under test. ``corrupt_next()`` flips a bit in the next chunk going to the client;
    ``cut_client()`` closes the client side (the client's port vanishes) and ``reconnect_client()``
    makes a new one behind the same link.
    """

    def __init__(self, link: str) -> None:
        self.link = link
        self._server_master, self._server_slave = self._pty()
        self.server_path = os.ttyname(self._server_slave)
        self._client_master: Optional[int] = None
        self._client_slave: Optional[int] = None
        self._corrupt = 0
        self._drop_bytes = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._wake_r, self._wake_w = os.pipe()
        self.reconnect_client()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @staticmethod
    def _pty():
        master, slave = os.openpty()
        tty.setraw(master)
        tty.setraw(slave)
        return master, slave

    @property
    def client_path(self) -> str:
        return self.link

    def reconnect_client(self) -> None:
        with self._lock:
            self._client_master, self._client_slave = self._pty()
            if os.path.islink(self.link):
                os.unlink(self.link)
            os.symlink(os.ttyname(self._client_slave), self.link)
        os.write(self._wake_w, b"x") if hasattr(self, "_thread") else None

    def cut_client(self) -> None:
        with self._lock:
            for fd in (self._client_master, self._client_slave):
                if fd is not None:
                    os.close(fd)
            self._client_master = self._client_slave = None
        os.write(self._wake_w, b"x")

    def corrupt_next(self) -> None:
        self._corrupt += 1

    def drop_next_bytes(self, count: int) -> None:
        """Swallow the next ``count`` bytes going to the server (a request the device never hears)."""
        self._drop_bytes += count

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                client = self._client_master
            fds = [self._server_master, self._wake_r] + ([client] if client is not None else [])
            try:
                ready, _, _ = select.select(fds, [], [], 0.5)
            except (OSError, ValueError):
                continue
            if self._wake_r in ready:
                os.read(self._wake_r, 64)
                continue
            with self._lock:
                client = self._client_master
                try:
                    if self._server_master in ready:
                        data = os.read(self._server_master, 4096)
                        if client is not None:
                            if self._corrupt:
                                self._corrupt -= 1
                                data = data[:-1] + bytes((data[-1] ^ 0x01,))
                            os.write(client, data)
                    if client is not None and client in ready:
                        data = os.read(client, 4096)
                        if self._drop_bytes:
                            dropped = min(self._drop_bytes, len(data))
                            self._drop_bytes -= dropped
                            data = data[dropped:]
                        if data:
                            os.write(self._server_master, data)
                except OSError:
                    pass

    def close(self) -> None:
        self._stop.set()
        os.write(self._wake_w, b"x")
        self._thread.join(5)
        self.cut_client()
        for fd in (self._server_master, self._server_slave, self._wake_r, self._wake_w):
            try:
                os.close(fd)
            except OSError:
                pass
        if os.path.islink(self.link):
            os.unlink(self.link)
