"""A ready-made simulated device: a tank level sensor whose level follows a function of time."""

import math
from typing import Callable, Optional

from ..modbus._codec import encode_float32
from ._registers import RegisterMap

__all__ = ["tank_level_registers", "default_tank_level"]


def default_tank_level(period_secs: float = 600.0, low: float = 20.0, high: float = 80.0) -> Callable[[float], float]:
    """Level in percent that fills and drains smoothly between ``low`` and ``high`` every ``period_secs``."""
    middle, swing = (high + low) / 2.0, (high - low) / 2.0

    def level(t: float) -> float:
        return middle + swing * math.sin(2.0 * math.pi * t / period_secs)

    return level


def tank_level_registers(
    slave: int = 1,
    level: Optional[Callable[[float], float]] = None,
    capacity_litres: float = 10000.0,
    registers: Optional[RegisterMap] = None,
) -> RegisterMap:
    """A register map for a tank level sensor at ``slave`` (added to ``registers`` if given).

    Layout (all values follow ``level(t)``, percent full, ``t`` seconds since start):

    ============================  ==================================================
    input register 0              level in tenths of a percent (0..1000)
    input registers 1-2           level as a float32, percent (high word first)
    input register 3              volume in litres (rounded, ``capacity_litres`` full)
    holding register 0            level in tenths of a percent (same as input 0)
    holding register 10           high-level alarm setpoint, tenths of a percent (900)
    holding register 11           low-level alarm setpoint, tenths of a percent (100)
    discrete input 0              high alarm: level above holding register 10
    discrete input 1              low alarm: level below holding register 11
    coil 0                        pump enable (writable, starts off)
    ============================  ==================================================
    """
    regs = registers if registers is not None else RegisterMap()
    fn = level or default_tank_level()
    device = regs.slave(slave)

    def percent(t: float) -> float:
        return max(0.0, min(100.0, float(fn(t))))

    def tenths(t: float) -> int:
        return int(round(percent(t) * 10))

    def float_word(index: int) -> Callable[[float], int]:
        return lambda t: encode_float32(percent(t))[index]

    device.set("input", 0, tenths)
    device.set("input", 1, float_word(0))
    device.set("input", 2, float_word(1))
    device.set("input", 3, lambda t: percent(t) / 100.0 * capacity_litres)
    device.set("holding", 0, tenths)
    device.set("holding", 10, 900)
    device.set("holding", 11, 100)
    device.set("discrete", 0, lambda t: tenths(t) > device.get("holding", 10))
    device.set("discrete", 1, lambda t: tenths(t) < device.get("holding", 11))
    device.set("coil", 0, 0)
    return regs
