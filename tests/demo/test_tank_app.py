"""The demo's tank sensor (a Modbus simulator on a pty) and its edge app, against the emulator."""

import threading

import pytest

from doover.docker import DeviceAgentInterface, run_app
from doover.demo._tank_app import READINGS_CHANNEL, TankCurve, TankMonitor, start_sensor
from doover.emulator import Emulator
from doover.hardware.modbus import ModbusInterface


def test_tank_curve_rises_past_75_and_falls_back_once_per_cycle_of_readings():
    curve = TankCurve(8)
    levels = [round(curve(123.0), 1) for _ in range(10)]  # the time argument is not used: one step per read
    assert levels == [20.0, 30.3, 55.0, 79.7, 90.0, 79.7, 55.0, 30.3, 20.0, 30.3]
    assert curve.reads == 10
    above = [level >= 75 for level in levels[:8]]
    assert [i for i in range(1, 8) if above[i] != above[i - 1]] == [3, 6]


@pytest.fixture
def sensor():
    simulator, port = start_sensor(4)
    yield port
    simulator.stop()


def test_sensor_serves_the_level_in_tenths_over_modbus_rtu_on_a_pseudo_terminal(sensor):
    assert sensor.startswith("/dev/")
    bus = {"serial_port": sensor, "serial_baud": 19200, "serial_timeout": 2.0}
    with ModbusInterface(buses={"default": bus}) as modbus:
        values = [modbus.read_registers(modbus_id=1, start_address=0, num_registers=1, register_type="input")
                  for _ in range(5)]
    assert values == [200, 550, 900, 550, 200]


def test_tank_monitor_publishes_each_reading_and_its_tags_through_the_outbox(sensor, tmp_path):
    with Emulator() as emu:
        emu.set_deployment_config(1, "tank_monitor", {
            "modbus_config": {"serial_port": sensor, "serial_baud": 19200, "serial_timeout": 2.0}})
        agent = DeviceAgentInterface("tank_monitor", 1, emu.base_url, emu.token_for(1), str(tmp_path / "outbox.sqlite"))
        app = TankMonitor(app_key="tank_monitor", device_agent=agent, interval=0.05, max_readings=4)
        codes = []
        runner = threading.Thread(target=lambda: codes.append(
            run_app(app, argv=["--healthcheck-port", "0"], env={}, setup_logging=False)))
        runner.start()
        runner.join(120)
        assert not runner.is_alive() and codes == [0]
        stored = [m["data"] for m in reversed(emu.messages(1, READINGS_CHANNEL))]
        tags = emu.aggregate(1, "tag_values")["data"]
    assert stored == [
        {"level_pct": 20.0, "reading": 1}, {"level_pct": 55.0, "reading": 2},
        {"level_pct": 90.0, "reading": 3}, {"level_pct": 55.0, "reading": 4},
    ]
    assert [(r.number, r.level) for r in app.readings] == [(1, 20.0), (2, 55.0), (3, 90.0), (4, 55.0)]
    assert tags == {"tank_monitor": {"level_pct": 55.0, "readings": 4}}
    assert app.taken == 4 and agent.sent >= 5  # four messages and at least one tag patch
