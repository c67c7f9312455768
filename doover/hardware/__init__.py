"""Hardware access for edge apps: Modbus buses, platform I/O and device simulators.

The subpackages are imported on first use, so ``import doover.hardware`` does not import
pyserial or minimalmodbus:

* :mod:`doover.hardware.modbus`: :class:`~doover.hardware.modbus.ModbusInterface`, Modbus RTU
  and ASCII through minimalmodbus and pyserial, Modbus TCP over a socket;
* :mod:`doover.hardware.platform`: :class:`~doover.hardware.platform.PlatformInterface` over
  pluggable I/O backends (a simulated board, Modbus I/O modules);
* :mod:`doover.hardware.simulators`: a Modbus device simulator serving on a pseudo-terminal
  or a TCP port.
"""

import importlib
from typing import Any

__all__ = ["modbus", "platform", "simulators"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return importlib.import_module("doover.hardware." + name)
    raise AttributeError("module 'doover.hardware' has no attribute {!r}".format(name))
