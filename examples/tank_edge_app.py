"""An edge app that reads a tank level sensor over Modbus and publishes readings and tags.

``TankMonitor`` is a ``doover.docker.Application``: every ``--period`` seconds it reads the
sensor's input registers 0-3 over the Modbus bus of its deployment config, publishes
``{"level", "litres"}`` on channel ``tank_readings`` (through the durable outbox) and sets the
tags ``level`` and ``iterations``. After ``--iterations`` loops (default 5; 0 means run until
Ctrl-C or SIGTERM) it stops itself, which runs the normal shutdown: final tag commit, outbox
flush, ``close()``.

The program also plays the platform's part: it serves a simulated sensor on a
pseudo-terminal and installs the app's deployment config (the bus settings) in the emulator
before starting the app with ``run_app``. Run it on its own (in-process emulator)::

    python examples/tank_edge_app.py --iterations 5 --period 0.2

or against a running emulator (``doover emulator --agent 1``)::

    DOOVER_DATA_ENDPOINT=http://127.0.0.1:8787/api DOOVER_TOKEN=<agent 1 token> python examples/tank_edge_app.py

Needs a system with pseudo-terminals (Linux, macOS).
"""

import argparse
import os
import sys
import tempfile

from doover import config
from doover.api import DataClient
from doover.docker import Application, ModbusConfig, run_app
from doover.emulator import Emulator
from doover.hardware.simulators import ModbusSimulator, tank_level_registers

APP_KEY = "tank_monitor"
AGENT_ID = int(os.environ.get("AGENT_ID", "1"))


class TankConfig(config.Schema):
    modbus_config = ModbusConfig()
    slave_id = config.Integer("Slave ID", default=1, minimum=1, maximum=247)


class TankMonitor(Application):
    config_cls = TankConfig
    iterations_wanted = 5
    period = 1.0

    def setup(self):
        self.loop_target_period = self.period
        self.tag_upload_period = 0  # upload tag changes after every iteration
        self.count = 0

    def main_loop(self):
        tenths, _float_hi, _float_lo, litres = self.modbus_iface.read_registers(
            modbus_id=self.config.slave_id.value, start_address=0, num_registers=4, register_type="input")
        level = tenths / 10.0
        self.device_agent.create_message("tank_readings", {"level": level, "litres": litres})
        self.count += 1
        self.set_tag("level", level)
        self.set_tag("iterations", self.count)
        print("iteration {}: level {}% ({} L)".format(self.count, level, litres), flush=True)
        if self.iterations_wanted and self.count >= self.iterations_wanted:
            self.request_stop()

    def close(self):
        print("stopped after {} iterations".format(self.count), flush=True)


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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=5, help="loops before stopping (0: until SIGTERM)")
    parser.add_argument("--period", type=float, default=0.2, help="seconds between loop starts")
    options = parser.parse_args()
    TankMonitor.iterations_wanted, TankMonitor.period = options.iterations, options.period

    base_url, token, emulator = connect()
    sensor = ModbusSimulator(tank_level_registers(slave=1)).start()
    try:
        port = sensor.serve_pty()
        print("simulated sensor on", port)
        with DataClient(base_url, token=token, agent_id=AGENT_ID) as client:  # what the platform does on install
            client.update_channel_aggregate("deployment_config", {"applications": {APP_KEY: {
                "modbus_config": {"serial_port": port, "serial_baud": 19200, "serial_timeout": 0.5},
                "slave_id": 1,
            }}})
        with tempfile.TemporaryDirectory(prefix="tank-edge-") as state_dir:
            run_app(TankMonitor, argv=[
                "--app-key", APP_KEY, "--agent-id", str(AGENT_ID), "--token", token, "--data-url", base_url,
                "--healthcheck-port", "0", "--outbox", os.path.join(state_dir, "outbox.sqlite"),
            ])
    finally:
        sensor.stop()
        if emulator is not None:
            emulator.close()


if __name__ == "__main__":
    main()
