"""Async edge apps await platform and Modbus calls, as apps written for the platform SDK do."""

import threading

import pytest

from doover.docker import Application
from doover.hardware.modbus import ModbusInterface
from doover.hardware.platform import PlatformInterface, SimulatedBoard
from doover.hardware.simulators import ModbusSimulator


class AsyncReader(Application):
    async def setup(self):
        self.readings = []

    async def main_loop(self):
        level = await self.modbus_iface.read_registers(modbus_id=1, num_registers=2, register_type="holding")
        await self.platform_iface.set_do(1, True)
        self.readings.append((level, await self.platform_iface.fetch_do(1)))


class SyncReader(Application):
    def setup(self):
        self.readings = []

    def main_loop(self):
        level = self.modbus_iface.read_registers(modbus_id=1, num_registers=2, register_type="holding")
        self.platform_iface.set_do(1, True)
        self.readings.append((level, self.platform_iface.fetch_do(1)))


class OwnAsyncModbus(ModbusInterface):
    """A test double the way apps' own suites write one: methods already ``async def``."""

    async def read_registers(self, *args, **kwargs):
        return [7, 8]


def _one_iteration(app):
    thread = threading.Thread(target=app.run, name="edge-app-under-test")
    thread.start()
    try:
        assert app.wait_until_ready(30)
        app.next()
    finally:
        app.request_stop()
        thread.join(30)
    assert not thread.is_alive()


@pytest.mark.parametrize("app_cls", [AsyncReader, SyncReader])
def test_app_reads_modbus_and_drives_outputs_with_or_without_await(app_cls):
    with ModbusSimulator({"holding": {"0": [1234, 99]}}) as sim:
        host, port = sim.serve_tcp()
        modbus = ModbusInterface(buses={"default": {"type": "tcp", "tcp_uri": "{}:{}".format(host, port)}})
        app = app_cls(app_key="reader", platform_iface=PlatformInterface(backend=SimulatedBoard(seed=1)),
                      modbus_iface=modbus, test_mode=True)
        try:
            _one_iteration(app)
        finally:
            modbus.close()
    assert app.readings == [([1234, 99], True)]


def test_async_face_passes_through_methods_that_are_already_async():
    app = AsyncReader(app_key="reader", platform_iface=PlatformInterface(backend=SimulatedBoard(seed=1)),
                      modbus_iface=OwnAsyncModbus("reader"), test_mode=True)
    _one_iteration(app)
    assert app.readings == [([7, 8], True)]
