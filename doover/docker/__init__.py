"""Edge (Docker) apps: the names of the platform SDK's ``pydoover.docker``.

Everything is imported on first use, so ``import doover.docker`` is cheap and does not pull
in pyserial, minimalmodbus or the HTTP stack.
"""

import importlib
from typing import Any, Dict

#: public name -> module that defines it
_EXPORTS: Dict[str, str] = {
    "Application": "doover.docker._application",
    "run_app": "doover.docker._runner",
    "DeviceAgentInterface": "doover.docker._device_agent",
    "MockDeviceAgentInterface": "doover.docker._mock",
    "ModbusInterface": "doover.hardware.modbus",
    "ModbusConfig": "doover.hardware.modbus.config",
    "ManyModbusConfig": "doover.hardware.modbus.config",
    "PlatformInterface": "doover.hardware.platform",
    "PulseCounter": "doover.hardware.platform",
    "PayloadError": "doover.exceptions",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError("module 'doover.docker' has no attribute {!r}".format(name))
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> Any:
    return sorted(set(globals()) | set(_EXPORTS))
