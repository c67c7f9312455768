"""``AsyncPlatformInterface``: the awaitable face of :class:`PlatformInterface` (thread pool)."""

from ..._asyncshim import make_async
from ._interface import PlatformInterface

__all__ = ["AsyncPlatformInterface"]

AsyncPlatformInterface = make_async(
    PlatformInterface,
    passthrough=(
        "set_delivery", "deliver", "get_new_pulse_counter", "get_new_event_counter", "start_di_pulse_listener",
        "test_comms",
    ),
    name="AsyncPlatformInterface",
    doc="Awaitable PlatformInterface: ``await platform.fetch_ai(0)``. Wrap one with ``AsyncPlatformInterface.wrap(p)``.",
)
