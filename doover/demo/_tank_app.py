"""The demo's device side: a simulated Modbus tank-level sensor and the edge app that reads it.

The sensor is a :class:`~doover.hardware.simulators.ModbusSimulator` serving the level of a
tank (input register 0, tenths of a percent) on a pseudo-terminal. The level follows
:class:`TankCurve`: it starts low, rises past the alert threshold, peaks, and falls back,
over one cycle of readings.

:class:`TankMonitor` is an ordinary edge app (a :class:`doover.docker.Application`). Its bus
comes from its deployment config (``modbus_config``), as on a Doovit. Every
``loop_target_period`` seconds it reads the level (input register 0, tenths of a percent)
over Modbus RTU, publishes it as a message on :data:`READINGS_CHANNEL` and sets two tags.
Both go through the device agent's durable outbox, so they survive a cloud outage.
"""

import math
import threading
import time
from typing import Any, List, NamedTuple, Optional

from .. import config
from ..docker import Application
from ..docker.modbus import ModbusConfig

__all__ = ["TankConfig", "TankMonitor", "TankCurve", "Reading", "start_sensor", "APP_KEY", "READINGS_CHANNEL"]

#: the edge app's key
APP_KEY = "tank_monitor"
#: the channel the readings are published on (the processor subscribes to it)
READINGS_CHANNEL = "tank_level"
#: the sensor's Modbus slave id
SLAVE_ID = 1


class TankCurve:
    """The simulated tank's level, one step per reading: a rise and fall over ``steps`` readings.

    Reading ``k`` (0-based) sees ``low`` at ``k = 0``, ``high`` at ``k = steps / 2`` and ``low``
    again at ``k = steps``, then the cycle repeats. Stepping per reading rather than per
    second keeps the story the same on a fast or a loaded machine: the edge app reads the
    level register once per loop, so every run sees the same levels.
    """

    def __init__(self, steps: int, low: float = 20.0, high: float = 90.0) -> None:
        self.steps = steps
        self.low = low
        self.high = high
        self.reads = 0
        self._lock = threading.Lock()

    def level_at(self, k: int) -> float:
        """The level in percent at reading ``k``."""
        middle, swing = (self.high + self.low) / 2.0, (self.high - self.low) / 2.0
        return middle - swing * math.cos(2.0 * math.pi * k / self.steps)

    def __call__(self, t: float) -> float:
        with self._lock:
            k, self.reads = self.reads, self.reads + 1
        return self.level_at(k)


def start_sensor(steps: int) -> Any:
    """A running simulator serving the tank sensor on a new pty; returns ``(simulator, tty_path)``.

    The level register (input register 0, tenths of a percent) follows :class:`TankCurve`:
    each read of it is the next step.
    """
    from ..hardware.simulators import ModbusSimulator, RegisterMap

    curve = TankCurve(steps)
    registers = RegisterMap()
    registers.slave(SLAVE_ID).set("input", 0, lambda t: int(round(curve(t) * 10)))
    simulator = ModbusSimulator(registers)
    try:
        return simulator, simulator.serve_pty()
    except BaseException:
        simulator.stop()
        raise


class TankConfig(config.Schema):
    modbus_config = ModbusConfig()


class Reading(NamedTuple):
    """One reading the edge app took: its number, the level, when (monotonic) and its message id."""

    number: int
    level: float
    at: float
    message_id: int


class TankMonitor(Application):
    """Read the tank level over Modbus every ``interval`` seconds and publish it.

    With ``max_readings`` the app stops itself (the normal shutdown: final tag commit and
    outbox flush) after that many readings; without, it runs until stopped.
    """

    config_cls = TankConfig

    def __init__(self, *args: Any, interval: float = 1.0, max_readings: Optional[int] = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.loop_target_period = interval
        self.tag_upload_period = interval
        self.error_wait_period = interval
        self.max_readings = max_readings
        #: every reading taken, oldest first (read by the demo's story from another thread)
        self.readings: List[Reading] = []
        self._readings_lock = threading.Lock()

    @property
    def taken(self) -> int:
        """How many readings were taken (each one queued as a message)."""
        with self._readings_lock:
            return len(self.readings)

    def main_loop(self) -> None:
        if self.max_readings is not None and self.taken >= self.max_readings:
            self.request_stop()
            return
        tenths = self.modbus_iface.read_registers(
            modbus_id=SLAVE_ID, start_address=0, num_registers=1, register_type="input"
        )
        level = round(tenths / 10.0, 1)
        number = self.taken + 1
        message_id = self.create_message(READINGS_CHANNEL, {"level_pct": level, "reading": number})
        self.set_tag("level_pct", level)
        self.set_tag("readings", number)
        with self._readings_lock:
            self.readings.append(Reading(number, level, time.monotonic(), message_id))
        if self.max_readings is not None and number >= self.max_readings:
            self.request_stop()
