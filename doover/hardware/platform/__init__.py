"""Board I/O for edge apps: :class:`PlatformInterface` over pluggable backends.

Backends: :class:`SimulatedBoard` (the default: a Doovit-like board you drive from code) and
:class:`ModbusIOBackend` (Modbus I/O modules through a ModbusInterface). Write your own by
subclassing :class:`PlatformBackend`; whatever it does not override raises
:class:`~doover.exceptions.NotSupportedError` naming the backend.
"""

from ._backend import PlatformBackend
from ._interface import PlatformInterface, PulseListener
from ._modbus_io import ModbusIOBackend
from ._pulse import PulseCounter
from ._simulated import SimulatedBoard
from ._types import DIConfig, DIReading, EventDetail, IoChannel, IoDetails, IoDevice, Location, SleepLogEntry

#: The platform SDK's name for :class:`EventDetail`.
Event = EventDetail

__all__ = [
    "PlatformInterface",
    "AsyncPlatformInterface",
    "PulseCounter",
    "PulseListener",
    "PlatformBackend",
    "SimulatedBoard",
    "ModbusIOBackend",
    "Location",
    "Event",
    "EventDetail",
    "IoChannel",
    "IoDevice",
    "IoDetails",
    "DIConfig",
    "DIReading",
    "SleepLogEntry",
]


def __getattr__(name: str):
    if name == "AsyncPlatformInterface":
        from ._async import AsyncPlatformInterface

        return AsyncPlatformInterface
    raise AttributeError("module 'doover.hardware.platform' has no attribute {!r}".format(name))
