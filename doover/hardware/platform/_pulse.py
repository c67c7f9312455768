"""``PulseCounter``: counts edges on a digital input and measures their rate.

Differences from the platform's SDK, on purpose:

* the rate decays: :meth:`PulseCounter.get_pulses_per_minute` counts pulses in the
  ``rate_window_secs`` before **now** (not before the last pulse), so it falls to 0 when
  pulses stop; while the counter has run for less than the window, the time it has run (at
  least 1 s) is the denominator, so the first minutes are not under-reported;
* no 0.2 s start-up grace period (our backends send no spurious first edge);
* the callback has the same five arguments on both paths, live pulses and stored events:
  ``callback(pin, di_value, dt_secs, count, edge)``;
* only timestamps inside the rate window are kept, so memory does not grow forever.
"""

import logging
import threading
import time
import warnings
from typing import Any, Callable, List, Optional

from ._pins import check_edge

__all__ = ["PulseCounter"]

log = logging.getLogger("doover.hardware.platform")


class PulseCounter:
    """Counts pulses on DI ``pin``; usually made by ``PlatformInterface.get_new_pulse_counter``.

    ``callback(pin, di_value, dt_secs, count, edge)`` (``def`` or ``async def``) runs for each
    pulse, through the interface's delivery function. ``count`` and ``pulse_timestamps``
    (epoch seconds, within the rate window) are public, as in the platform's SDK.
    """

    def __init__(self, plt_iface: Any, pin: int, edge: str = "rising", callback: Optional[Callable[..., Any]] = None,
                 rate_window_secs: float = 60, auto_start: bool = True,
                 clock: Optional[Callable[[], float]] = None) -> None:
        self.platform_iface = plt_iface
        self.pin = pin
        self.edge = check_edge(edge)
        self.callback = callback
        self.rate_window_secs = rate_window_secs
        self.count = 0
        self.pulse_timestamps: List[float] = []
        self._clock = clock or getattr(getattr(plt_iface, "backend", None), "clock", None) or time.time
        self.start_time = self._clock()
        self._lock = threading.Lock()
        self._listener: Any = None
        self.receiving_pulses = False
        self.receiving_events = False
        if auto_start:
            self.start_listener_pulses()

    def start_listener_pulses(self) -> None:
        """Start counting live pulses from the backend."""
        if self._listener is not None:
            return
        self.receiving_pulses = True
        self.start_time = self._clock()
        self._listener = self.platform_iface.start_di_pulse_listener(
            self.pin, self.receive_pulse, edge=self.edge, start_count=self.count, deliver=False
        )

    def start_listener(self) -> None:
        """Deprecated name of :meth:`start_listener_pulses`."""
        warnings.warn("start_listener is deprecated; use start_listener_pulses", DeprecationWarning, stacklevel=2)
        self.start_listener_pulses()

    def stop(self) -> None:
        """Stop counting live pulses."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.cancel()
        self.receiving_pulses = False

    def receive_pulse(self, di: int, di_value: bool, dt_secs: float, counter: int, edge: str) -> None:
        """Count one live pulse and run the callback."""
        now = self._clock()
        with self._lock:
            self.count += 1
            self.pulse_timestamps.append(now)
            self._prune(now)
            count = self.count
        self._notify(di_value, dt_secs, count, edge)

    def _notify(self, di_value: bool, dt_secs: float, count: int, edge: str) -> None:
        if self.callback is not None:
            self.platform_iface.deliver(self.callback, self.pin, di_value, dt_secs, count, edge)

    def update_events(self) -> None:
        """Count events stored by the platform (edges seen while this app was not running)."""
        self.receiving_events = True
        _, events = self.platform_iface.fetch_di_events(self.pin, self.edge, include_system_events=True)
        self.receive_events(events)

    def receive_events(self, events: Any) -> None:
        """Count stored edge events (``DI_R``/``DI_F``); other events go to :meth:`handle_system_event`."""
        if not isinstance(events, list):
            events = [events]
        for event in events:
            if event.event not in ("DI_R", "DI_F"):
                self.handle_system_event(event)
                continue
            timestamp = event.time / 1000.0
            with self._lock:
                last = self.pulse_timestamps[-1] if self.pulse_timestamps else None
                if last is not None and timestamp <= last + 0.01:
                    continue  # already counted
                self.count += 1
                self.pulse_timestamps.append(timestamp)
                self._prune(self._clock())
                count = self.count
            self._notify(event.event == "DI_R", timestamp - last if last is not None else 0.0, count,
                         "rising" if event.event == "DI_R" else "falling")

    def add_existing_events(self, time_stamps: List[float]) -> None:
        """Add pulses known by their timestamps (epoch seconds)."""
        with self._lock:
            self.pulse_timestamps.extend(sorted(time_stamps))
            self.count += len(time_stamps)
            self._prune(self._clock())

    def handle_system_event(self, event: Any) -> None:
        """Called for non-edge events while counting stored events; override to react."""

    def _prune(self, now: float) -> None:
        cutoff = now - self.rate_window_secs
        while self.pulse_timestamps and self.pulse_timestamps[0] <= cutoff:
            self.pulse_timestamps.pop(0)

    def get_pulses_in_window(self) -> List[float]:
        """Timestamps of the pulses in the last ``rate_window_secs``."""
        now = self._clock()
        with self._lock:
            return [t for t in self.pulse_timestamps if now - self.rate_window_secs < t <= now]

    def get_pulses_per_minute(self) -> float:
        """Pulses per minute over the last ``rate_window_secs`` (or since start, if shorter; at least 1 s)."""
        pulses = self.get_pulses_in_window()
        elapsed = self._clock() - self.start_time
        window = min(float(self.rate_window_secs), max(elapsed, 1.0))
        return len(pulses) * 60.0 / window

    def set_rate_window(self, rate_window_secs: float) -> None:
        """Change the rate window (seconds)."""
        self.rate_window_secs = rate_window_secs

    def get_rate_window(self) -> float:
        """The rate window in seconds."""
        return self.rate_window_secs

    def set_counter(self, counter: int) -> None:
        """Set the pulse count (e.g. restored from a saved total)."""
        with self._lock:
            self.count = counter

    def get_counter(self) -> int:
        """The pulse count."""
        return self.count
