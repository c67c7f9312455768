"""Config elements for the Modbus I/O backend: Modbus I/O modules in an app's deployment config.

::

    from doover import config
    from doover.hardware.platform.config import ModbusIOConfig

    class AppConfig(config.Schema):
        io_modules = ModbusIOConfig()

    backend = ModbusIOBackend.from_config(modbus, cfg.io_modules)

Each item has ``name``, ``modbus_id``, ``bus_id`` and the sections ``di``, ``do``, ``ai``, ``ao``
(``count``, ``start_address``, ``register_type``, and for analog sections ``raw_min``,
``raw_max``, ``min``, ``max``, ``units``, ``signed``), as described in
:mod:`doover.hardware.platform._modbus_io`.
"""

from typing import Any

from ...config import Array, Boolean, Enum, Integer, Number, Object, String

__all__ = ["ModbusIOChannels", "ModbusIOModule", "ModbusIOConfig"]

_DEFAULT_TYPE = {"DI": "discrete", "DO": "coil", "AI": "input", "AO": "holding"}


class ModbusIOChannels(Object):
    """One section of a module: which registers hold its channels and how analog values scale."""

    count = Integer("Count", default=0, minimum=0, maximum=2000)
    start_address = Integer("Start Address", default=0, minimum=0, maximum=65535)
    register_type = Enum("Register Type", choices=["coil", "discrete", "input", "holding"], default="holding")
    raw_min = Number("Raw Min", default=0.0)
    raw_max = Number("Raw Max", default=1.0)
    min = Number("Min", default=None, required=False)
    max = Number("Max", default=None, required=False)
    units = String("Units", default=None, required=False)
    signed = Boolean("Signed", default=False)

    def __init__(self, display_name: str, kind: str = "AI", **kwargs: Any) -> None:
        kwargs.setdefault("register_type__default", _DEFAULT_TYPE[kind])
        kwargs.setdefault("default", {})
        super().__init__(display_name, **kwargs)


class ModbusIOModule(Object):
    """One Modbus I/O module."""

    name = String("Name", default="module")
    modbus_id = Integer("Modbus ID", default=1, minimum=0, maximum=255)
    bus_id = String("Bus ID", default="default")
    di = ModbusIOChannels("DI", kind="DI", name="di")
    do = ModbusIOChannels("DO", kind="DO", name="do")
    ai = ModbusIOChannels("AI", kind="AI", name="ai")
    ao = ModbusIOChannels("AO", kind="AO", name="ao")

    def __init__(self, display_name: str = "Modbus IO Module", **kwargs: Any) -> None:
        super().__init__(display_name, **kwargs)


class ModbusIOConfig(Array):
    """The Modbus I/O modules of the device, in flat-channel order."""

    def __init__(self, display_name: str = "Modbus IO Modules", **kwargs: Any) -> None:
        kwargs.setdefault("element", ModbusIOModule("Modbus IO Module"))
        super().__init__(display_name, **kwargs)
