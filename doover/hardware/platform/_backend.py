"""The backend protocol behind :class:`PlatformInterface`.

A backend serves normalised calls (pins already flattened, values broadcast). Every method
here raises :class:`~doover.exceptions.NotSupportedError` naming the backend and the method;
a backend overrides what it can serve.
"""

from typing import Any, Callable, Dict, List, Optional, Tuple

from ...exceptions import NotSupportedError
from ._types import DIConfig, DIReading, EventDetail, IoDetails, Location, SleepLogEntry

__all__ = ["PlatformBackend", "EdgeListener"]

#: ``listener(pin, value, dt_secs, timestamp)`` for every edge on a digital input.
EdgeListener = Callable[[int, bool, float, float], None]


class PlatformBackend:
    """Base class of platform I/O backends. ``name`` appears in error messages."""

    name = "base"

    def _unsupported(self, method: str) -> NotSupportedError:
        return NotSupportedError("the {} platform backend cannot {}".format(self.name, method))

    def read_di(self, pins: List[int]) -> List[bool]:
        raise self._unsupported("fetch_di")

    def read_di_readings(self, pins: List[int]) -> List[DIReading]:
        return [DIReading(pin=pin, value=value) for pin, value in zip(pins, self.read_di(pins))]

    def read_ai(self, pins: List[int]) -> List[float]:
        raise self._unsupported("fetch_ai")

    def read_do(self, pins: List[int]) -> List[bool]:
        raise self._unsupported("fetch_do")

    def read_do_current(self, pins: List[int]) -> List[float]:
        raise self._unsupported("fetch_do_current")

    def read_ao(self, pins: List[int]) -> List[float]:
        raise self._unsupported("fetch_ao")

    def write_do(self, pins: List[int], values: List[bool]) -> List[bool]:
        raise self._unsupported("set_do")

    def write_ao(self, pins: List[int], values: List[float]) -> List[float]:
        raise self._unsupported("set_ao")

    def schedule_do(self, pins: List[int], values: List[bool], in_secs: int) -> List[bool]:
        raise self._unsupported("schedule_do")

    def schedule_ao(self, pins: List[int], values: List[float], in_secs: int) -> List[float]:
        raise self._unsupported("schedule_ao")

    def system_voltage(self) -> float:
        raise self._unsupported("fetch_system_voltage")

    def system_power(self) -> float:
        raise self._unsupported("fetch_system_power")

    def system_temperature(self) -> float:
        raise self._unsupported("fetch_system_temperature")

    def location(self) -> Optional[Location]:
        raise self._unsupported("fetch_location")

    def io_details(self) -> IoDetails:
        raise self._unsupported("fetch_io_details")

    def events(self, events_from: int) -> List[EventDetail]:
        raise self._unsupported("fetch_events")

    def di_events(self, pin: int, rising: bool, falling: bool, include_system: bool,
                  events_from: int) -> Tuple[bool, List[EventDetail]]:
        raise self._unsupported("fetch_di_events")

    def di_config(self, pin: int) -> DIConfig:
        raise self._unsupported("fetch_di_config")

    def set_di_config(self, pin: int, changes: Dict[str, Any]) -> DIConfig:
        raise self._unsupported("set_di_config")

    def immunity_seconds(self) -> int:
        raise self._unsupported("fetch_immunity_seconds")

    def set_immunity_seconds(self, secs: int) -> int:
        raise self._unsupported("set_immunity_seconds")

    def wake_on_voltage(self) -> float:
        raise self._unsupported("fetch_wake_on_voltage")

    def set_wake_on_voltage(self, voltage: Optional[float]) -> float:
        raise self._unsupported("set_wake_on_voltage")

    def wake_reason(self) -> str:
        raise self._unsupported("fetch_wake_reason")

    def sleep_log(self, since: int) -> List[SleepLogEntry]:
        raise self._unsupported("fetch_sleep_log")

    def sleep_log_interval(self) -> int:
        raise self._unsupported("fetch_sleep_log_interval")

    def set_sleep_log_interval(self, secs: int) -> int:
        raise self._unsupported("set_sleep_log_interval")

    def schedule_startup(self, time_secs: int) -> int:
        raise self._unsupported("schedule_startup")

    def schedule_shutdown(self, time_secs: int) -> int:
        raise self._unsupported("schedule_shutdown")

    def reboot(self) -> bool:
        raise self._unsupported("reboot")

    def shutdown(self) -> bool:
        raise self._unsupported("shutdown")

    def sync_rtc(self) -> bool:
        raise self._unsupported("sync_rtc")

    def add_edge_listener(self, pin: int, edge: str, listener: EdgeListener) -> Callable[[], None]:
        """Call ``listener`` on each ``edge`` of DI ``pin``; returns a function that removes it."""
        raise self._unsupported("count pulses (get_new_pulse_counter)")

    def close(self) -> None:
        """Release resources (timers, threads)."""
