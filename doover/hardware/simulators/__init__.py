"""Simulated Modbus devices you can serve to your own code, demos and tests.

:class:`ModbusSimulator` serves a :class:`RegisterMap` on a pseudo-terminal (a tty path a
client opens like a serial port) or a TCP port, with Modbus RTU, ASCII or TCP framing, on
a background thread. ``doover simulate modbus`` runs one from the command line.
"""

from ._registers import RegisterMap, SlaveRegisters
from ._server import ModbusSimulator
from ._tank import default_tank_level, tank_level_registers

__all__ = ["ModbusSimulator", "RegisterMap", "SlaveRegisters", "tank_level_registers", "default_tank_level"]
