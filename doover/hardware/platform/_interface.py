"""``PlatformInterface``: the board I/O face of an edge app, over a pluggable backend."""

import logging
import threading
from typing import Any, Callable, List, Optional, Tuple

from ..._hooks import call_hook
from ...exceptions import InvalidArgumentError
from . import _pins
from ._backend import PlatformBackend
from ._pulse import PulseCounter
from ._types import DIConfig, DIReading, EventDetail, IoDetails, Location, SleepLogEntry

__all__ = ["PlatformInterface", "PulseListener"]

log = logging.getLogger("doover.hardware.platform")


class PulseListener:
    """Handle of :meth:`PlatformInterface.start_di_pulse_listener`; ``cancel()`` stops it."""

    def __init__(self, remove: Callable[[], None]) -> None:
        self._remove = remove
        self.cancelled = False

    def cancel(self) -> None:
        """Stop listening."""
        if not self.cancelled:
            self.cancelled = True
            self._remove()


class PlatformInterface:
    """Digital and analog I/O, power and system information, with the platform SDK's names.

    Args:
        app_key, plt_uri, service_name: accepted for compatibility with the platform SDK's
            constructor (which talked to a gRPC sidecar); ignored.
        backend: where the I/O goes: a :class:`SimulatedBoard` (the default), a
            :class:`ModbusIOBackend`, or your own :class:`PlatformBackend` subclass.
        deliver: ``deliver(callback, *args)`` runs pulse callbacks; the default calls them at
            once on the thread that saw the edge. The edge runtime passes one that queues the
            call onto the app's main thread.

    Pins follow the SDK's conventions: ``fetch_di(0)``, ``fetch_di(0, 1)``, ``fetch_di([0, 1])``;
    one result comes back as a scalar, several as a list. ``set_*``/``schedule_*`` apply one
    value to every listed pin, or take one value per pin. Bad arguments raise
    :class:`~doover.exceptions.InvalidArgumentError` (also a ``ValueError``); calls the
    backend cannot serve raise :class:`~doover.exceptions.NotSupportedError`.
    """

    def __init__(self, app_key: Optional[str] = None, plt_uri: Optional[str] = None,
                 service_name: Optional[str] = None, *, backend: Optional[PlatformBackend] = None,
                 deliver: Optional[Callable[..., Any]] = None) -> None:
        if backend is None:
            from ._simulated import SimulatedBoard

            backend = SimulatedBoard()
        self.app_key = app_key
        self.backend = backend
        self._deliver = deliver or call_hook
        self._lock = threading.Lock()
        self.pulse_counter_listeners: List[PulseListener] = []

    def set_delivery(self, deliver: Callable[..., Any]) -> None:
        """Set how pulse callbacks are run: ``deliver(callback, *args)``."""
        self._deliver = deliver

    def deliver(self, callback: Callable[..., Any], *args: Any) -> None:
        """Run ``callback(*args)`` through the delivery function."""
        self._deliver(callback, *args)

    def setup(self) -> None:
        """Nothing to prepare (kept for compatibility)."""

    def close(self) -> None:
        """Stop pulse listeners and release the backend."""
        with self._lock:
            listeners, self.pulse_counter_listeners = self.pulse_counter_listeners, []
        for listener in listeners:
            listener.cancel()
        self.backend.close()

    def test_comms(self, message: str = "Comms Check Message") -> str:
        """Echo ``message``."""
        return message

    # ------------------------------------------------------------------ digital and analog I/O

    def fetch_di(self, *di: Any) -> Any:
        """Digital input levels: a bool for one pin, a list for several."""
        return _pins.unwrap(self.backend.read_di(_pins.cast_pins(di, "di")))

    def fetch_di_readings(self, *di: Any) -> List[DIReading]:
        """Levels plus hardware pulse counts where the backend has them (always a list)."""
        return self.backend.read_di_readings(_pins.cast_pins(di, "di"))

    def fetch_ai(self, *ai: Any) -> Any:
        """Analog input values (units per channel, see ``fetch_io_details``)."""
        return _pins.unwrap(self.backend.read_ai(_pins.cast_pins(ai, "ai")))

    def fetch_do(self, *do: Any) -> Any:
        """Current digital output states."""
        return _pins.unwrap(self.backend.read_do(_pins.cast_pins(do, "do")))

    def fetch_do_current(self, *do: Any) -> Any:
        """Current through digital outputs, in amps."""
        return _pins.unwrap(self.backend.read_do_current(_pins.cast_pins(do, "do")))

    def fetch_ao(self, *ao: Any) -> Any:
        """Current analog output values."""
        return _pins.unwrap(self.backend.read_ao(_pins.cast_pins(ao, "ao")))

    def set_do(self, do: Any, value: Any) -> Any:
        """Set digital outputs; returns the values set (a bool for one pin)."""
        pins = _pins.cast_pins(do, "do")
        values = _pins.broadcast(pins, _pins.cast_do_values(value), "Digital output")
        return _pins.unwrap(self.backend.write_do(pins, values))

    def set_ao(self, ao: Any, value: Any) -> Any:
        """Set analog outputs; returns the values set."""
        pins = _pins.cast_pins(ao, "ao")
        values = _pins.broadcast(pins, _pins.cast_ao_values(value), "Analogue output")
        return _pins.unwrap(self.backend.write_ao(pins, values))

    def schedule_do(self, do: Any, value: Any, in_secs: int) -> Any:
        """Set digital outputs ``in_secs`` (an int >= 0) seconds from now."""
        in_secs = _pins.check_in_secs(in_secs)
        pins = _pins.cast_pins(do, "do")
        values = _pins.broadcast(pins, _pins.cast_do_values(value), "Digital output")
        return _pins.unwrap(self.backend.schedule_do(pins, values, in_secs))

    def schedule_ao(self, ao: Any, value: Any, in_secs: int) -> Any:
        """Set analog outputs ``in_secs`` (an int >= 0) seconds from now."""
        in_secs = _pins.check_in_secs(in_secs)
        pins = _pins.cast_pins(ao, "ao")
        values = _pins.broadcast(pins, _pins.cast_ao_values(value), "Analogue output")
        return _pins.unwrap(self.backend.schedule_ao(pins, values, in_secs))

    # ------------------------------------------------------------------ system

    def fetch_system_voltage(self) -> float:
        """Supply voltage in volts."""
        return self.backend.system_voltage()

    def fetch_system_power(self) -> float:
        """System power in watts."""
        return self.backend.system_power()

    def fetch_system_temperature(self) -> float:
        """System temperature in °C."""
        return self.backend.system_temperature()

    def fetch_location(self) -> Optional[Location]:
        """The position fix, or ``None`` without a fix."""
        return self.backend.location()

    def fetch_io_table(self) -> dict:
        """``{"DI": [...], "DO": [...], "AI": [...], "AO": [...]}`` of flat channel numbers."""
        return self.backend.io_details().io_table()

    def fetch_io_details(self) -> IoDetails:
        """Devices and their channels, in flat-channel order."""
        return self.backend.io_details()

    def fetch_events(self, events_from: int = 0) -> Any:
        """Stored events from an event id or an epoch-ms time (one event unwrapped, as in the SDK)."""
        return _pins.unwrap(self.backend.events(int(events_from)))

    def fetch_di_events(self, di_pin: int, edge: str, include_system_events: bool = False,
                        events_from: int = 0) -> Tuple[bool, List[EventDetail]]:
        """``(events_synced, events)`` for edges on ``di_pin`` (``edge``: rising, falling, both)."""
        edge = _pins.check_edge(edge)
        return self.backend.di_events(int(di_pin), edge in ("rising", "both"), edge in ("falling", "both"),
                                      bool(include_system_events), int(events_from))

    def fetch_di_config(self, pin: int) -> DIConfig:
        """A digital input's configuration."""
        return self.backend.di_config(int(pin))

    def set_di_config(self, pin: int, pnp_mode: Optional[bool] = None, irq_edge: Optional[str] = None,
                      debounce_ms: Optional[int] = None, wake_on_event: Optional[bool] = None) -> DIConfig:
        """Change a digital input's configuration; only the arguments given change."""
        changes = {}
        if pnp_mode is not None:
            changes["pnp_mode"] = bool(pnp_mode)
        if irq_edge is not None:
            changes["irq_edge"] = _pins.check_edge(irq_edge)
        if debounce_ms is not None:
            if isinstance(debounce_ms, bool) or not isinstance(debounce_ms, int) or debounce_ms < 0:
                raise InvalidArgumentError("debounce_ms: expected an integer >= 0, got {!r}".format(debounce_ms))
            changes["debounce_ms"] = debounce_ms
        if wake_on_event is not None:
            changes["wake_on_event"] = bool(wake_on_event)
        return self.backend.set_di_config(int(pin), changes)

    def fetch_immunity_seconds(self) -> int:
        """Seconds during which shutdown requests are ignored."""
        return self.backend.immunity_seconds()

    def set_immunity_seconds(self, immunity_secs: int) -> int:
        """Set the shutdown immunity in seconds."""
        return self.backend.set_immunity_seconds(_non_negative_int("immunity_secs", immunity_secs))

    def fetch_wake_on_voltage(self) -> float:
        """Wake-on-voltage threshold in volts (<= 0: disabled)."""
        return self.backend.wake_on_voltage()

    def set_wake_on_voltage(self, voltage: Optional[float]) -> float:
        """Set the wake-on-voltage threshold (``None`` or <= 0 disables it)."""
        if voltage is not None and (isinstance(voltage, bool) or not isinstance(voltage, (int, float))):
            raise InvalidArgumentError("voltage: expected a number or None, got {!r}".format(voltage))
        return self.backend.set_wake_on_voltage(voltage)

    def fetch_wake_reason(self) -> str:
        """Why the device last woke (``rpc``, ``button``, ``voltage``, ...; ``""`` if never)."""
        return self.backend.wake_reason()

    def fetch_sleep_log(self, since: int = 0) -> List[SleepLogEntry]:
        """Snapshots recorded while asleep, at or after ``since`` (epoch ms), oldest first."""
        return self.backend.sleep_log(int(since))

    def fetch_sleep_log_interval(self) -> int:
        """Seconds between sleep snapshots (0: disabled)."""
        return self.backend.sleep_log_interval()

    def set_sleep_log_interval(self, interval_secs: int) -> int:
        """Set the seconds between sleep snapshots (0 disables)."""
        return self.backend.set_sleep_log_interval(_non_negative_int("interval_secs", interval_secs))

    def schedule_startup(self, time_secs: int) -> int:
        """Ask the board to power the device on in ``time_secs`` seconds; echoes it."""
        return self.backend.schedule_startup(_non_negative_int("time_secs", time_secs))

    def schedule_shutdown(self, time_secs: int) -> int:
        """Ask the board to power the device off in ``time_secs`` seconds; echoes it."""
        return self.backend.schedule_shutdown(_non_negative_int("time_secs", time_secs))

    def reboot(self) -> bool:
        """Reboot the device (apps should use the shutdown protocol instead)."""
        return self.backend.reboot()

    def shutdown(self) -> bool:
        """Shut the device down (apps should use the shutdown protocol instead)."""
        return self.backend.shutdown()

    def sync_rtc(self) -> bool:
        """Sync the board's real-time clock."""
        return self.backend.sync_rtc()

    # ------------------------------------------------------------------ pulses

    def start_di_pulse_listener(self, di: int, callback: Callable[..., Any], edge: str = "rising",
                                start_count: int = 0, deliver: bool = True) -> PulseListener:
        """Call ``callback(di, di_value, dt_secs, count, edge)`` for every ``edge`` on DI ``di``.

        ``count`` starts after ``start_count``. Returns a handle whose ``cancel()`` stops it.
        """
        edge = _pins.check_edge(edge)
        state = {"count": int(start_count)}
        lock = threading.Lock()

        def on_edge(pin: int, value: bool, dt_secs: float, timestamp: float) -> None:
            with lock:
                state["count"] += 1
                count = state["count"]
            args = (pin, value, dt_secs, count, "rising" if value else "falling")
            if deliver:
                self.deliver(callback, *args)
            else:
                callback(*args)

        listener = PulseListener(self.backend.add_edge_listener(int(di), edge, on_edge))
        with self._lock:
            self.pulse_counter_listeners.append(listener)
        return listener

    def get_new_pulse_counter(self, di: int, edge: str = "rising", callback: Optional[Callable[..., Any]] = None,
                              rate_window_secs: float = 20, auto_start: bool = True) -> PulseCounter:
        """A :class:`PulseCounter` on DI ``di``; ``callback(pin, di_value, dt_secs, count, edge)``."""
        return PulseCounter(self, di, edge=edge, callback=callback, rate_window_secs=rate_window_secs,
                            auto_start=auto_start)

    def get_new_event_counter(self, di: int, edge: str = "rising", callback: Optional[Callable[..., Any]] = None,
                              rate_window_secs: float = 20, auto_collect: bool = True) -> PulseCounter:
        """A :class:`PulseCounter` fed from stored events (collected now if ``auto_collect``)."""
        counter = PulseCounter(self, di, edge=edge, callback=callback, rate_window_secs=rate_window_secs,
                               auto_start=False)
        if auto_collect:
            counter.update_events()
        return counter


def _non_negative_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidArgumentError("{}: expected an integer >= 0, got {!r}".format(name, value))
    return value
