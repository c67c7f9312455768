"""Edge (Docker) apps: the names of the platform SDK's ``pydoover.docker``.

Everything is imported on first use, so ``import doover.docker`` is cheap and does not pull
in pyserial, minimalmodbus or the HTTP stack.
"""

from typing import Dict

from .._lazy import lazy_exports

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


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
