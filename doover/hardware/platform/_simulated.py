"""``SimulatedBoard``: a platform backend with no hardware, for development, demos and tests.

Inputs are driven by you (``set_di``, ``pulse``, ``set_ai``, ``script_ai``,
``random_walk_ai``), outputs can be read back, scheduled outputs apply when their time comes
(on the injectable ``clock``), and every DI edge is stored as an event and fed to pulse
counters. The default layout is a Doovit's: DI 0-3, DO 0-5, AI 0-5, AO 0-1.
"""

import random
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

from ...exceptions import InvalidArgumentError
from ._backend import EdgeListener, PlatformBackend
from ._types import DIConfig, DIReading, EventDetail, IoChannel, IoDetails, IoDevice, Location, SleepLogEntry

__all__ = ["SimulatedBoard"]


class SimulatedBoard(PlatformBackend):
    """A simulated I/O board.

    Args:
        di, do, ai, ao: number of channels of each kind (defaults 4, 6, 6, 2).
        clock: seconds since the epoch (default :func:`time.time`); inject a fake to control
            scheduled outputs and event times.
        seed: seed of the random walks.
        ai_units: units reported for analog inputs (default ``"V"``).
    """

    name = "simulated"

    def __init__(self, di: int = 4, do: int = 6, ai: int = 6, ao: int = 2, clock: Optional[Callable[[], float]] = None,
                 seed: Optional[int] = None, ai_units: str = "V") -> None:
        self.counts = {"DI": di, "DO": do, "AI": ai, "AO": ao}
        self.clock = clock or time.time
        self._start = self.clock()
        self._random = random.Random(seed)
        self._lock = threading.RLock()
        self.ai_units = ai_units
        self._di = [False] * di
        self._do = [False] * do
        self._ao = [0.0] * ao
        self._ai: List[Any] = [0.0] * ai
        self._do_current = [0.0] * do
        self._pulse_totals = [0] * di
        self._last_edge: Dict[int, float] = {}
        self._listeners: List[Tuple[int, str, EdgeListener]] = []
        self._scheduled: List[Tuple[float, str, List[int], List[Any]]] = []
        self._events: List[EventDetail] = []
        self._di_config = {pin: DIConfig(pin=pin) for pin in range(di)}
        self._trains: Dict[int, threading.Event] = {}
        #: System values, settable.
        self.system_voltage_v = 12.4
        self.system_power_w = 3.2
        self.system_temperature_c = 41.5
        self.location_fix: Optional[Location] = None
        self.immunity_secs = 0
        self.wake_on_voltage_v = 0.0
        self.wake_reason_text = ""
        self.sleep_log_entries: List[SleepLogEntry] = []
        self.sleep_log_interval_secs = 0
        #: Power actions requested through the interface: ("reboot",), ("shutdown",),
        #: ("schedule_startup", secs), ("schedule_shutdown", secs), ("sync_rtc",).
        self.power_actions: List[Tuple[Any, ...]] = []

    # ------------------------------------------------------------------ driving inputs

    def _check(self, kind: str, pins: List[int], method: str) -> None:
        count = self.counts[kind]
        for pin in pins:
            if not 0 <= pin < count:
                raise InvalidArgumentError(
                    "{}: pin {} does not exist; the simulated board has {} {}".format(
                        method, pin, kind, "0..{}".format(count - 1) if count else "pins: none"
                    )
                )

    def set_di(self, pin: int, value: bool) -> None:
        """Set a digital input; a change is an edge (event, pulse counters)."""
        self._check("DI", [pin], "set_di")
        with self._lock:
            old, self._di[pin] = self._di[pin], bool(value)
            if old == bool(value):
                return
            now = self.clock()
            last = self._last_edge.get(pin)
            dt = now - last if last is not None else 0.0
            self._last_edge[pin] = now
            if value:
                self._pulse_totals[pin] += 1
            self._record_event("DI_R" if value else "DI_F", pin, "1" if value else "0", now)
            listeners = [fn for p, edge, fn in self._listeners if p == pin and edge in ("both", "rising" if value else "falling")]
        for listener in listeners:
            listener(pin, bool(value), dt, now)

    def pulse(self, pin: int, count: int = 1) -> None:
        """``count`` pulses on DI ``pin`` now: each a rising then a falling edge."""
        for _ in range(count):
            self.set_di(pin, True)
            self.set_di(pin, False)

    def start_pulse_train(self, pin: int, hz: float) -> None:
        """Pulse DI ``pin`` at ``hz`` on a background thread until :meth:`stop_pulse_train`."""
        self._check("DI", [pin], "start_pulse_train")
        if not hz > 0:
            raise InvalidArgumentError("hz: expected a frequency > 0, got {!r}".format(hz))
        self.stop_pulse_train(pin)
        stop = threading.Event()
        self._trains[pin] = stop

        def run() -> None:
            period = 1.0 / hz
            while not stop.wait(period / 2):
                self.set_di(pin, True)
                if stop.wait(period / 2):
                    break
                self.set_di(pin, False)

        threading.Thread(target=run, name="pulse-train-{}".format(pin), daemon=True).start()

    def stop_pulse_train(self, pin: int) -> None:
        """Stop a pulse train started on ``pin`` (if any)."""
        stop = self._trains.pop(pin, None)
        if stop is not None:
            stop.set()

    def set_ai(self, pin: int, value: float) -> None:
        """Fix analog input ``pin`` at ``value``."""
        self._check("AI", [pin], "set_ai")
        self._ai[pin] = float(value)

    def script_ai(self, pin: int, fn: Callable[[float], float]) -> None:
        """Analog input ``pin`` follows ``fn(t)``, ``t`` seconds since the board was created."""
        self._check("AI", [pin], "script_ai")
        self._ai[pin] = ("script", fn)

    def random_walk_ai(self, pin: int, start: float = 0.0, step: float = 0.1, low: Optional[float] = None,
                       high: Optional[float] = None) -> None:
        """Analog input ``pin`` takes a random step of at most ``step`` on every read, within ``low..high``."""
        self._check("AI", [pin], "random_walk_ai")
        self._ai[pin] = ["walk", float(start), float(step), low, high]

    def set_do_current(self, pin: int, amps: float) -> None:
        """Current reported by ``fetch_do_current`` for DO ``pin``."""
        self._check("DO", [pin], "set_do_current")
        self._do_current[pin] = float(amps)

    def add_event(self, event: str, pin: int = 0, value: str = "") -> None:
        """Store a system event (e.g. ``"CM4_ON"``)."""
        with self._lock:
            self._record_event(event, pin, value, self.clock())

    def _record_event(self, event: str, pin: int, value: str, now: float) -> None:
        self._events.append(EventDetail(len(self._events) + 1, event, pin, value, int(now * 1000), True))

    def apply_due(self) -> None:
        """Apply scheduled outputs whose time has come (reads do this for you)."""
        with self._lock:
            now = self.clock()
            due = sorted((item for item in self._scheduled if item[0] <= now), key=lambda item: item[0])
            self._scheduled = [item for item in self._scheduled if item[0] > now]
            for _, kind, pins, values in due:
                target = self._do if kind == "DO" else self._ao
                for pin, value in zip(pins, values):
                    target[pin] = value

    # ------------------------------------------------------------------ backend protocol

    def read_di(self, pins: List[int]) -> List[bool]:
        self._check("DI", pins, "fetch_di")
        return [self._di[pin] for pin in pins]

    def read_di_readings(self, pins: List[int]) -> List[DIReading]:
        self._check("DI", pins, "fetch_di_readings")
        return [DIReading(pin=pin, value=self._di[pin], pulse_count=self._pulse_totals[pin]) for pin in pins]

    def read_ai(self, pins: List[int]) -> List[float]:
        self._check("AI", pins, "fetch_ai")
        with self._lock:
            return [self._ai_value(pin) for pin in pins]

    def _ai_value(self, pin: int) -> float:
        source = self._ai[pin]
        if isinstance(source, tuple):
            return float(source[1](self.clock() - self._start))
        if isinstance(source, list):
            _, value, step, low, high = source
            value += self._random.uniform(-step, step)
            if low is not None:
                value = max(low, value)
            if high is not None:
                value = min(high, value)
            source[1] = value
            return value
        return source

    def read_do(self, pins: List[int]) -> List[bool]:
        self._check("DO", pins, "fetch_do")
        self.apply_due()
        return [self._do[pin] for pin in pins]

    def read_do_current(self, pins: List[int]) -> List[float]:
        self._check("DO", pins, "fetch_do_current")
        return [self._do_current[pin] for pin in pins]

    def read_ao(self, pins: List[int]) -> List[float]:
        self._check("AO", pins, "fetch_ao")
        self.apply_due()
        return [self._ao[pin] for pin in pins]

    def write_do(self, pins: List[int], values: List[bool]) -> List[bool]:
        self._check("DO", pins, "set_do")
        with self._lock:
            for pin, value in zip(pins, values):
                self._do[pin] = value
        return list(values)

    def write_ao(self, pins: List[int], values: List[float]) -> List[float]:
        self._check("AO", pins, "set_ao")
        with self._lock:
            for pin, value in zip(pins, values):
                self._ao[pin] = value
        return list(values)

    def schedule_do(self, pins: List[int], values: List[bool], in_secs: int) -> List[bool]:
        self._check("DO", pins, "schedule_do")
        with self._lock:
            self._scheduled.append((self.clock() + in_secs, "DO", list(pins), list(values)))
        return list(values)

    def schedule_ao(self, pins: List[int], values: List[float], in_secs: int) -> List[float]:
        self._check("AO", pins, "schedule_ao")
        with self._lock:
            self._scheduled.append((self.clock() + in_secs, "AO", list(pins), list(values)))
        return list(values)

    def system_voltage(self) -> float:
        return float(self.system_voltage_v)

    def system_power(self) -> float:
        return float(self.system_power_w)

    def system_temperature(self) -> float:
        return float(self.system_temperature_c)

    def location(self) -> Optional[Location]:
        return self.location_fix

    def io_details(self) -> IoDetails:
        channels = []
        for kind in ("DI", "DO", "AI", "AO"):
            for pin in range(self.counts[kind]):
                channels.append(IoChannel(
                    channel=pin, device_channel=pin, io_type=kind,
                    kind="voltage" if kind in ("AI", "AO") else None,
                    units=self.ai_units if kind == "AI" else ("V" if kind == "AO" else None),
                    supports_events=kind == "DI", supports_pulse_counter=kind == "DI",
                    supports_di_config=kind == "DI", supports_pulse_count=kind == "DI",
                ))
        return IoDetails(devices=[IoDevice("master", "simulated", 0, True, True, channels)])

    def events(self, events_from: int) -> List[EventDetail]:
        with self._lock:
            return [e for e in self._events if e.event_id >= events_from or (events_from > 10 ** 9 and e.time >= events_from)]

    def di_events(self, pin: int, rising: bool, falling: bool, include_system: bool,
                  events_from: int) -> Tuple[bool, List[EventDetail]]:
        self._check("DI", [pin], "fetch_di_events")
        wanted = set((["DI_R"] if rising else []) + (["DI_F"] if falling else []))
        out = []
        for event in self.events(events_from):
            if event.event in wanted and event.pin == pin:
                out.append(event)
            elif include_system and not event.event.startswith("DI_"):
                out.append(event)
        return True, out

    def di_config(self, pin: int) -> DIConfig:
        self._check("DI", [pin], "fetch_di_config")
        return self._di_config[pin]

    def set_di_config(self, pin: int, changes: Dict[str, Any]) -> DIConfig:
        self._check("DI", [pin], "set_di_config")
        config = self._di_config[pin]
        for key, value in changes.items():
            setattr(config, key, value)
        return config

    def immunity_seconds(self) -> int:
        return self.immunity_secs

    def set_immunity_seconds(self, secs: int) -> int:
        self.immunity_secs = secs
        return secs

    def wake_on_voltage(self) -> float:
        return self.wake_on_voltage_v

    def set_wake_on_voltage(self, voltage: Optional[float]) -> float:
        self.wake_on_voltage_v = float(voltage or 0.0)
        return self.wake_on_voltage_v

    def wake_reason(self) -> str:
        return self.wake_reason_text

    def sleep_log(self, since: int) -> List[SleepLogEntry]:
        return [e for e in self.sleep_log_entries if e.timestamp >= since][-100:]

    def sleep_log_interval(self) -> int:
        return self.sleep_log_interval_secs

    def set_sleep_log_interval(self, secs: int) -> int:
        self.sleep_log_interval_secs = secs
        return secs

    def schedule_startup(self, time_secs: int) -> int:
        self.power_actions.append(("schedule_startup", time_secs))
        return time_secs

    def schedule_shutdown(self, time_secs: int) -> int:
        self.power_actions.append(("schedule_shutdown", time_secs))
        return time_secs

    def reboot(self) -> bool:
        self.power_actions.append(("reboot",))
        return True

    def shutdown(self) -> bool:
        self.power_actions.append(("shutdown",))
        return True

    def sync_rtc(self) -> bool:
        self.power_actions.append(("sync_rtc",))
        return True

    def add_edge_listener(self, pin: int, edge: str, listener: EdgeListener) -> Callable[[], None]:
        self._check("DI", [pin], "get_new_pulse_counter")
        entry = (pin, edge, listener)
        with self._lock:
            self._listeners.append(entry)

        def remove() -> None:
            with self._lock:
                if entry in self._listeners:
                    self._listeners.remove(entry)

        return remove

    def close(self) -> None:
        for pin in list(self._trains):
            self.stop_pulse_train(pin)
