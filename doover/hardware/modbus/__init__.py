"""Modbus for edge apps: :class:`ModbusInterface` over serial RTU/ASCII and Modbus TCP.

Serial buses go through minimalmodbus and pyserial (``serial_port`` may be a device or a
pyserial URL such as ``socket://host:port``); Modbus TCP buses through a socket with MBAP
framing. Register types are ``1`` coil, ``2`` discrete input, ``3`` input register,
``4`` holding register, or the names ``"coil"``, ``"discrete"``, ``"input"``, ``"holding"``.

Failures raise the :class:`~doover.exceptions.ModbusError` family, split by who noticed:
:class:`~doover.exceptions.ModbusTimeoutError` (no answer),
:class:`~doover.exceptions.ModbusFrameError` (corrupt answer),
:class:`~doover.exceptions.ModbusDeviceError` (the device's exception code),
:class:`~doover.exceptions.SerialPortError` (port missing, busy or gone) and
:class:`~doover.exceptions.ModbusArgumentError` (bad arguments, nothing sent).

``ModbusConfig`` and ``ManyModbusConfig`` (config elements) are imported on first use.
"""

import importlib
from typing import Any

from ._codec import (
    decode_float32,
    decode_int32,
    decode_uint32,
    decode_values,
    encode_float32,
    encode_int32,
    encode_uint32,
    two_words_to_32bit_float,
)
from ._interface import ModbusInterface
from ._pdu import RegisterType, register_type
from ._settings import BusSettings, bus_settings
from ._subscription import ReadSubscription

__all__ = [
    "ModbusInterface",
    "AsyncModbusInterface",
    "ModbusConfig",
    "ManyModbusConfig",
    "BusSettings",
    "bus_settings",
    "ReadSubscription",
    "RegisterType",
    "register_type",
    "decode_int32",
    "decode_uint32",
    "decode_float32",
    "decode_values",
    "encode_int32",
    "encode_uint32",
    "encode_float32",
    "two_words_to_32bit_float",
]

_LAZY = {
    "ModbusConfig": "doover.hardware.modbus.config",
    "ManyModbusConfig": "doover.hardware.modbus.config",
    "AsyncModbusInterface": "doover.hardware.modbus._async",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError("module 'doover.hardware.modbus' has no attribute {!r}".format(name))
    return getattr(importlib.import_module(module), name)
