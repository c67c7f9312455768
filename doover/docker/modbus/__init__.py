"""Where the platform's SDK keeps its Modbus names: re-exported from :mod:`doover.hardware.modbus`.

``from doover.docker.modbus import ModbusInterface, ModbusConfig, ManyModbusConfig`` works
as ``from pydoover.docker.modbus import ...`` did.
"""

from typing import Any

from ...hardware.modbus import ModbusInterface, two_words_to_32bit_float

__all__ = ["ModbusInterface", "ModbusConfig", "ManyModbusConfig", "two_words_to_32bit_float"]


def __getattr__(name: str) -> Any:
    if name in ("ModbusConfig", "ManyModbusConfig"):
        from ...hardware.modbus import config

        return getattr(config, name)
    raise AttributeError("module 'doover.docker.modbus' has no attribute {!r}".format(name))
