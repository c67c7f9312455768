"""``ModbusConfig`` and ``ManyModbusConfig``: Modbus buses in an app's deployment config.

Put one on the app's config Schema under the attribute name ``modbus_config``; the
:class:`~doover.hardware.modbus.ModbusInterface` of the app reads its buses from there::

    from doover import config
    from doover.docker.modbus import ModbusConfig

    class MyConfig(config.Schema):
        modbus_config = ModbusConfig()

The exported JSON keys match the platform SDK's: ``bus_type``, ``name``, ``serial_port``,
``serial_baud``, ``serial_method``, ``serial_data_bits``, ``serial_parity``,
``serial_stop_bits``, ``serial_timeout``, ``tcp_uri``, ``tcp_timeout``. In Python the
children are ``type``, ``serial_bits`` and ``serial_stop`` as there.
"""

from typing import Any

from ...config import Array, Enum, Integer, Number, Object, String

__all__ = ["ModbusConfig", "ManyModbusConfig"]


class ModbusConfig(Object):
    """One Modbus bus: serial (RTU/ASCII, ``serial_*`` fields) or TCP (``tcp_uri``, ``tcp_timeout``).

    ``serial_port`` may also be a pyserial URL such as ``socket://host:port`` for an
    RTU-over-TCP gateway. Defaults are the platform SDK's (``/dev/ttyAMA0``, 9600 baud, RTU,
    8N1, 0.3 s).
    """

    type = Enum("Bus Type", choices=["serial", "tcp"], default="serial")
    name = String("Name", default="default")
    serial_port = String("Serial Port", default="/dev/ttyAMA0")
    serial_baud = Integer("Serial Baud", default=9600)
    serial_method = Enum("Serial Method", choices=["rtu", "ascii", "socket", "tls"], default="rtu")
    serial_bits = Integer("Serial Data Bits", default=8)
    serial_parity = Enum("Serial Parity", choices=["None", "Even", "Odd"], default="None")
    serial_stop = Integer("Serial Stop Bits", default=1)
    serial_timeout = Number("Serial Timeout", default=0.3)
    tcp_uri = String("TCP URI", default="127.0.0.1:5000")
    tcp_timeout = Number("TCP Timeout", default=2.0)

    def __init__(self, display_name: str = "Modbus Config", **kwargs: Any) -> None:
        super().__init__(display_name, **kwargs)


class ManyModbusConfig(Array):
    """Several Modbus buses: an array of :class:`ModbusConfig`.

    The interface names each bus by its ``name`` field (a repeated name gets ``_<index>``
    appended) and also by its index (``"0"``, ``"1"``, ...); pass that as ``bus_id``.
    """

    def __init__(self, display_name: str = "Modbus Config", **kwargs: Any) -> None:
        kwargs.setdefault("element", ModbusConfig("Modbus Instance Config"))
        super().__init__(display_name, **kwargs)
