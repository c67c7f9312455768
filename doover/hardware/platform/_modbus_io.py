"""``ModbusIOBackend``: platform I/O on Modbus RTU/TCP I/O modules.

Each module contributes channels to the flat pin numbering, in the order the modules are
listed (module 0's DIs are DI 0.., then module 1's, ...). A module is a dict::

    {
        "name": "io1", "modbus_id": 1, "bus_id": "default",
        "di": {"count": 8, "start_address": 0, "register_type": "discrete"},   # or "coil"
        "do": {"count": 8, "start_address": 0, "register_type": "coil"},       # or "holding" (0/1)
        "ai": {"count": 4, "start_address": 0, "register_type": "input",       # or "holding"
               "raw_min": 0, "raw_max": 4095, "min": 4.0, "max": 20.0, "units": "mA", "signed": False},
        "ao": {"count": 2, "start_address": 0,                                  # holding registers
               "raw_min": 0, "raw_max": 4095, "min": 0.0, "max": 10.0, "units": "V"},
    }

Every section is optional. Analog values are scaled linearly from ``raw_min..raw_max`` to
``min..max`` (default: no scaling); ``signed`` reads raw values as 16-bit two's complement.
An analog output outside ``min..max`` is refused. Reads of several pins on one module are one
Modbus transaction over the span they cover. Scheduled outputs are written by a timer
thread. Events, pulse counting and system values are not available on I/O modules and raise
:class:`~doover.exceptions.NotSupportedError`.
"""

import threading
from typing import Any, Dict, List, Mapping, Sequence, Tuple

from ...exceptions import InvalidArgumentError
from ..modbus._pdu import RegisterType, register_type
from ._backend import PlatformBackend
from ._types import IoChannel, IoDetails, IoDevice

__all__ = ["ModbusIOBackend"]

_ALLOWED = {
    "DI": (RegisterType.DISCRETE_INPUT, RegisterType.COIL),
    "DO": (RegisterType.COIL, RegisterType.HOLDING_REGISTER),
    "AI": (RegisterType.INPUT_REGISTER, RegisterType.HOLDING_REGISTER),
    "AO": (RegisterType.HOLDING_REGISTER,),
}
_DEFAULT_TYPE = {"DI": "discrete", "DO": "coil", "AI": "input", "AO": "holding"}


class _Section:
    def __init__(self, module: "_Module", kind: str, raw: Mapping[str, Any], where: str) -> None:
        raw = {key: value for key, value in raw.items() if value is not None}  # null: the default
        unknown = set(raw) - {"count", "start_address", "register_type", "raw_min", "raw_max", "min", "max", "units",
                              "signed"}
        if unknown:
            raise InvalidArgumentError("{}: unknown keys {}".format(where, ", ".join(sorted(unknown))))
        self.module = module
        self.kind = kind
        self.count = _int(where + ".count", raw.get("count", 0), 0, 2000)
        self.start = _int(where + ".start_address", raw.get("start_address", 0), 0, 0xFFFF)
        self.type = register_type(raw.get("register_type", _DEFAULT_TYPE[kind]))
        if self.type not in _ALLOWED[kind]:
            raise InvalidArgumentError("{}.register_type: {} cannot be used for {}".format(
                where, self.type.name.lower(), kind))
        self.raw_min = float(raw.get("raw_min", 0.0))
        self.raw_max = float(raw.get("raw_max", 1.0))
        self.min = float(raw.get("min", self.raw_min))
        self.max = float(raw.get("max", self.raw_max))
        if kind in ("AI", "AO") and (self.raw_max == self.raw_min or self.max == self.min):
            raise InvalidArgumentError("{}: raw_min/raw_max and min/max must span a range".format(where))
        self.units = raw.get("units")
        self.signed = bool(raw.get("signed", False))

    def to_engineering(self, raw: int) -> float:
        if self.signed and raw >= 0x8000:
            raw -= 0x10000
        return self.min + (raw - self.raw_min) * (self.max - self.min) / (self.raw_max - self.raw_min)

    def to_raw(self, value: float, pin: int) -> int:
        low, high = min(self.min, self.max), max(self.min, self.max)
        if not low <= value <= high:
            raise InvalidArgumentError("set_ao: value {} for AO {} is outside {}..{}".format(value, pin, low, high))
        raw = int(round(self.raw_min + (value - self.min) * (self.raw_max - self.raw_min) / (self.max - self.min)))
        return raw & 0xFFFF


class _Module:
    def __init__(self, index: int, raw: Mapping[str, Any]) -> None:
        where = "modules[{}]".format(index)
        self.index = index
        self.name = str(raw.get("name", "module{}".format(index)))
        self.modbus_id = _int(where + ".modbus_id", raw.get("modbus_id", 1), 0, 255)
        self.bus_id = str(raw.get("bus_id", "default"))
        self.sections = {
            kind: _Section(self, kind, raw.get(kind.lower()) or {}, "{}.{}".format(where, kind.lower()))
            for kind in ("DI", "DO", "AI", "AO")
        }


def _int(where: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidArgumentError("{}: expected an integer {}..{}, got {!r}".format(where, low, high, value))
    return value


class ModbusIOBackend(PlatformBackend):
    """Platform I/O on Modbus I/O modules, through a :class:`~doover.hardware.modbus.ModbusInterface`."""

    name = "modbus_io"

    def __init__(self, modbus: Any, modules: Sequence[Mapping[str, Any]]) -> None:
        if not isinstance(modules, (list, tuple)) or not modules:
            raise InvalidArgumentError("modules: expected a non-empty list of module dicts")
        self.modbus = modbus
        self.modules = [_Module(index, raw) for index, raw in enumerate(modules)]
        self._pins: Dict[str, List[Tuple[_Section, int]]] = {kind: [] for kind in _ALLOWED}
        for module in self.modules:
            for kind, section in module.sections.items():
                self._pins[kind].extend((section, offset) for offset in range(section.count))
        self._timers: List[threading.Timer] = []
        self._lock = threading.Lock()

    @classmethod
    def from_config(cls, modbus: Any, element: Any) -> "ModbusIOBackend":
        """Build the backend from a loaded :class:`~doover.hardware.platform.config.ModbusIOConfig`."""
        values = getattr(element, "values", None)
        if values is None:
            values = element
        return cls(modbus, list(values))

    def _locate(self, kind: str, pins: List[int], method: str) -> List[Tuple[_Section, int]]:
        table = self._pins[kind]
        out = []
        for pin in pins:
            if not 0 <= pin < len(table):
                raise InvalidArgumentError("{}: pin {} does not exist; the Modbus I/O modules have {} {} pins".format(
                    method, pin, len(table), kind))
            out.append(table[pin])
        return out

    def _read(self, kind: str, pins: List[int], method: str) -> List[int]:
        located = self._locate(kind, pins, method)
        by_section: Dict[int, Tuple[_Section, List[int]]] = {}
        for section, offset in located:
            by_section.setdefault(id(section), (section, []))[1].append(offset)
        raw: Dict[Tuple[int, int], int] = {}
        for section, offsets in by_section.values():
            low, high = min(offsets), max(offsets)
            values = self.modbus.read_registers(
                bus_id=section.module.bus_id, modbus_id=section.module.modbus_id, start_address=section.start + low,
                num_registers=high - low + 1, register_type=int(section.type),
            )
            values = values if isinstance(values, list) else [values]
            for offset in offsets:
                raw[(id(section), offset)] = values[offset - low]
        return [raw[(id(section), offset)] for section, offset in located]

    def read_di(self, pins: List[int]) -> List[bool]:
        return [bool(v) for v in self._read("DI", pins, "fetch_di")]

    def read_do(self, pins: List[int]) -> List[bool]:
        return [bool(v) for v in self._read("DO", pins, "fetch_do")]

    def read_ai(self, pins: List[int]) -> List[float]:
        located = self._locate("AI", pins, "fetch_ai")
        return [section.to_engineering(raw) for (section, _), raw in zip(located, self._read("AI", pins, "fetch_ai"))]

    def read_ao(self, pins: List[int]) -> List[float]:
        located = self._locate("AO", pins, "fetch_ao")
        return [section.to_engineering(raw) for (section, _), raw in zip(located, self._read("AO", pins, "fetch_ao"))]

    def _write(self, kind: str, pins: List[int], raws: List[int], method: str) -> None:
        located = self._locate(kind, pins, method)
        for (section, offset), raw in zip(located, raws):
            module = section.module
            self.modbus.write_single_register(
                modbus_id=module.modbus_id, address=section.start + offset, value=raw,
                register_type=int(section.type), bus_id=module.bus_id,
            )

    def write_do(self, pins: List[int], values: List[bool]) -> List[bool]:
        self._write("DO", pins, [1 if v else 0 for v in values], "set_do")
        return list(values)

    def write_ao(self, pins: List[int], values: List[float]) -> List[float]:
        located = self._locate("AO", pins, "set_ao")
        raws = [section.to_raw(value, pin) for (section, _), value, pin in zip(located, values, pins)]
        self._write("AO", pins, raws, "set_ao")
        return list(values)

    def _schedule(self, in_secs: int, fn: Any, *args: Any) -> None:
        timer = threading.Timer(in_secs, fn, args)
        timer.daemon = True
        with self._lock:
            self._timers = [t for t in self._timers if t.is_alive()] + [timer]
        timer.start()

    def schedule_do(self, pins: List[int], values: List[bool], in_secs: int) -> List[bool]:
        self._locate("DO", pins, "schedule_do")
        self._schedule(in_secs, self.write_do, list(pins), list(values))
        return list(values)

    def schedule_ao(self, pins: List[int], values: List[float], in_secs: int) -> List[float]:
        located = self._locate("AO", pins, "schedule_ao")
        for (section, _), value, pin in zip(located, values, pins):
            section.to_raw(value, pin)  # refuse out-of-range values now, not in the timer
        self._schedule(in_secs, self.write_ao, list(pins), list(values))
        return list(values)

    def io_details(self) -> IoDetails:
        devices = []
        counters = {kind: 0 for kind in _ALLOWED}
        for module in self.modules:
            channels = []
            for kind, section in module.sections.items():
                for offset in range(section.count):
                    channels.append(IoChannel(
                        channel=counters[kind], device_channel=offset, io_type=kind,
                        kind=("current" if section.units == "mA" else "voltage") if kind in ("AI", "AO") else None,
                        units=section.units if kind in ("AI", "AO") else None,
                    ))
                    counters[kind] += 1
            devices.append(IoDevice(module.name, "modbus_io", module.index, False, True, channels))
        return IoDetails(devices=devices)

    def close(self) -> None:
        with self._lock:
            timers, self._timers = self._timers, []
        for timer in timers:
            timer.cancel()
