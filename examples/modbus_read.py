"""Read a tank level sensor over Modbus RTU and publish the readings to Doover.

A simulated sensor (``doover.hardware.simulators``) is served on a pseudo-terminal, which
``ModbusInterface`` opens exactly like a USB serial adapter. Three times, one request of four
input registers gives the level (tenths of a percent), the level as a float32 and the volume;
a second request reads the two alarm flags (discrete inputs). Each reading is published on
channel ``tank_readings`` with DataClient.

Run it on its own (it starts an in-process emulator)::

    python examples/modbus_read.py

or against a running emulator (``doover emulator --agent 1``)::

    DOOVER_DATA_ENDPOINT=http://127.0.0.1:8787/api DOOVER_TOKEN=<agent 1 token> python examples/modbus_read.py

Needs a system with pseudo-terminals (Linux, macOS).
"""

import os
import sys

from doover.api import DataClient
from doover.emulator import Emulator
from doover.hardware.modbus import ModbusInterface, decode_float32
from doover.hardware.simulators import ModbusSimulator, tank_level_registers

AGENT_ID = int(os.environ.get("AGENT_ID", "1"))
SLAVE = 1
READS = 3


def connect():
    """``(base_url, token, emulator)``: the emulator named by the environment, else a new in-process one."""
    base_url = os.environ.get("DOOVER_DATA_ENDPOINT")
    if base_url:
        token = os.environ.get("DOOVER_TOKEN")
        if not token:
            sys.exit("DOOVER_DATA_ENDPOINT is set but DOOVER_TOKEN is not: set both, or neither")
        return base_url, token, None
    emulator = Emulator().start()
    print("started an in-process emulator at", emulator.base_url)
    return emulator.base_url, emulator.token_for(AGENT_ID), emulator


def read_tank(modbus):
    """One reading of the sensor as a dict."""
    tenths, word1, word2, litres = modbus.read_registers(
        modbus_id=SLAVE, start_address=0, num_registers=4, register_type="input")
    high, low = modbus.read_discrete_inputs(SLAVE, 0, 2)
    return {"level": tenths / 10.0, "level_float": round(decode_float32([word1, word2]), 3),
            "litres": litres, "high_alarm": high, "low_alarm": low}


def main():
    base_url, token, emulator = connect()
    sensor = ModbusSimulator(tank_level_registers(slave=SLAVE, level=lambda t: 62.5)).start()
    try:
        port = sensor.serve_pty()  # a path such as /dev/pts/7
        print("simulated sensor on", port)
        bus = {"serial_port": port, "serial_baud": 19200, "serial_method": "rtu", "serial_timeout": 0.5}
        with ModbusInterface(buses={"default": bus}) as modbus, \
                DataClient(base_url, token=token, agent_id=AGENT_ID) as client:
            for _ in range(READS):
                reading = read_tank(modbus)
                client.create_message("tank_readings", reading)
                print("level {level}% ({litres} L), high alarm {high_alarm}, low alarm {low_alarm}".format(**reading))
    finally:
        sensor.stop()
        if emulator is not None:
            emulator.close()


if __name__ == "__main__":
    main()
