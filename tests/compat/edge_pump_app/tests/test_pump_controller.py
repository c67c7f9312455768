import asyncio

from pydoover.docker import MockDeviceAgentInterface, ModbusInterface
from pump_controller.app_ui import PumpControllerUI
from pump_controller.application import PumpControllerApplication

APP_KEY = "pump_controller_1"


class FakePumpModbus(ModbusInterface):
    """A pump skid on Modbus: holding register 0 is pressure x10, register 10 runs the pump."""

    def __init__(self, app_key, pressures):
        super().__init__(app_key)
        self.pressures = list(pressures)
        self.registers = {}
        self.reads = []

    async def read_registers(self, bus_id="default", modbus_id=1, start_address=0, num_registers=1,
                             register_type=4, configure_bus=True, **kwargs):
        self.reads.append((modbus_id, start_address, num_registers, register_type))
        if start_address == 0:
            return self.pressures.pop(0)
        return self.registers.get(start_address, 0)

    async def write_registers(self, bus_id="default", modbus_id=1, start_address=0, values=None,
                              register_type=4, configure_bus=True, **kwargs):
        for offset, value in enumerate(values or []):
            self.registers[start_address + offset] = value
        return True


def test_ui_schema_has_the_pump_buttons():
    schema = PumpControllerUI(None, None, None).to_schema(resolve_config=False)
    children = schema["children"]
    assert list(children) == ["pressure", "pump_running", "start_pump", "stop_pump"]
    assert children["start_pump"]["type"] == "uiButton"
    assert children["pressure"]["currentValue"] == "$tag.app().pressure:number:null"


def test_start_button_runs_the_pump_and_overpressure_stops_it():
    modbus = FakePumpModbus(APP_KEY, [452, 455, 861, 300])
    app = PumpControllerApplication(
        app_key=APP_KEY,
        device_agent=MockDeviceAgentInterface(APP_KEY),
        platform_iface=None,
        modbus_iface=modbus,
        test_mode=True,
    )

    async def scenario():
        task = asyncio.create_task(app._run())
        await app.wait_until_ready()
        await app.next()
        first = (app.tags.pressure.value, app.tags.pump_running.value)
        await app.on_start_pump(None, True)
        await app.next()
        running = (app.tags.pressure.value, app.tags.pump_running.value, modbus.registers.get(10))
        await app.next()
        tripped = (app.tags.pressure.value, app.tags.pump_running.value, modbus.registers.get(10))
        await app.next()
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        return first, running, tripped

    first, running, tripped = asyncio.run(scenario())
    assert first == (45.2, False)
    assert running == (45.5, True, 1)
    assert tripped == (86.1, False, 0)
    assert app.writes == [1, 0]
    assert app.tags.start_requests.value == 1
    assert modbus.reads == [(1, 0, 1, 4)] * 4
