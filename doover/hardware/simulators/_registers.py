"""Register banks of simulated Modbus devices, loadable from JSON.

A :class:`RegisterMap` holds one :class:`SlaveRegisters` per slave id. Each has four banks
(coils, discrete inputs, input registers, holding registers) of *defined* addresses;
reading or writing an address that is not defined answers with exception 2 (illegal data
address), as a real device does. A register's value may be a function of time, evaluated
on every read (``fn(t)``, ``t`` in seconds since the map was created).

JSON shape (``{"slaves": {...}}``, or a single slave's banks at the top level)::

    {"slaves": {"1": {"holding": {"0": 100, "10": [1, 2, 3], "20-29": 0},
                      "input": {"0": 5},
                      "coils": {"0": [1, 0, 1]},
                      "discrete": {"0": [0, 1]}}}}

Keys are start addresses (``"10": [1, 2, 3]`` defines 10, 11 and 12) or inclusive ranges
filled with one value (``"20-29": 0``). Bank names are those register types accept
(``holding``, ``input``, ``coil``/``coils``, ``discrete``, or ``1``..``4``).
"""

import json
import threading
import time
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Union

from ...exceptions import ModbusArgumentError
from ..modbus._pdu import RegisterType, register_type

__all__ = ["SlaveRegisters", "RegisterMap", "IllegalAddress"]

Value = Union[int, Callable[[float], Any]]


class IllegalAddress(Exception):
    """An address the simulated device does not have (answered with exception 2)."""


def _word(value: Any) -> int:
    number = int(round(float(value)))
    return number & 0xFFFF


class SlaveRegisters:
    """The four banks of one simulated device."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self.banks: Dict[RegisterType, Dict[int, Value]] = {kind: {} for kind in RegisterType}

    def set(self, kind: Any, address: int, value: Union[Value, Iterable[Any]]) -> None:
        """Define ``address`` (and following, for a list) in bank ``kind`` with ``value``."""
        bank = self.banks[register_type(kind)]
        if isinstance(value, (list, tuple)):
            for offset, item in enumerate(value):
                self._store(bank, kind, address + offset, item)
        else:
            self._store(bank, kind, address, value)

    def _store(self, bank: Dict[int, Value], kind: Any, address: int, value: Any) -> None:
        if not 0 <= address <= 0xFFFF:
            raise ModbusArgumentError("address: expected 0..65535, got {}".format(address))
        if callable(value):
            bank[address] = value
        elif register_type(kind).is_bit:
            bank[address] = 1 if value else 0
        else:
            bank[address] = _word(value)

    def get(self, kind: Any, address: int) -> int:
        """The current value at ``address`` (evaluating a function of time)."""
        return self.read(kind, address, 1)[0]

    def read(self, kind: Any, address: int, count: int) -> List[int]:
        """Values of ``count`` addresses from ``address``; :class:`IllegalAddress` if any is undefined."""
        kind = register_type(kind)
        bank = self.banks[kind]
        out = []
        now = self._clock()
        for addr in range(address, address + count):
            if addr not in bank:
                raise IllegalAddress(addr)
            value = bank[addr]
            if callable(value):
                value = value(now)
                value = (1 if value else 0) if kind.is_bit else _word(value)
            out.append(value)
        return out

    def write(self, kind: Any, address: int, values: List[int]) -> None:
        """Write values to defined addresses; :class:`IllegalAddress` if any is undefined."""
        kind = register_type(kind)
        bank = self.banks[kind]
        for addr in range(address, address + len(values)):
            if addr not in bank:
                raise IllegalAddress(addr)
        for offset, value in enumerate(values):
            bank[address + offset] = (1 if value else 0) if kind.is_bit else _word(value)

    def to_dict(self) -> Dict[str, Dict[str, int]]:
        """Current values as a JSON-able dict (functions evaluated now)."""
        names = {
            RegisterType.COIL: "coils",
            RegisterType.DISCRETE_INPUT: "discrete",
            RegisterType.INPUT_REGISTER: "input",
            RegisterType.HOLDING_REGISTER: "holding",
        }
        return {
            names[kind]: {str(addr): self.get(kind, addr) for addr in sorted(bank)}
            for kind, bank in self.banks.items()
            if bank
        }


class RegisterMap:
    """Simulated devices by slave id. Thread-safe: the simulator and tests share it."""

    def __init__(self, clock: Optional[Callable[[], float]] = None) -> None:
        start = time.monotonic()
        self._clock = clock or (lambda: time.monotonic() - start)
        self.slaves: Dict[int, SlaveRegisters] = {}
        self.lock = threading.RLock()

    def slave(self, slave_id: int) -> SlaveRegisters:
        """The banks of ``slave_id``, created empty if needed."""
        if isinstance(slave_id, bool) or not isinstance(slave_id, int) or not 1 <= slave_id <= 247:
            raise ModbusArgumentError("slave: expected 1..247, got {!r}".format(slave_id))
        with self.lock:
            if slave_id not in self.slaves:
                self.slaves[slave_id] = SlaveRegisters(self._clock)
            return self.slaves[slave_id]

    def set(self, slave_id: int, kind: Any, address: int, value: Any) -> None:
        """Shorthand for ``slave(slave_id).set(kind, address, value)``."""
        with self.lock:
            self.slave(slave_id).set(kind, address, value)

    def get(self, slave_id: int, kind: Any, address: int) -> int:
        """Shorthand for ``slave(slave_id).get(kind, address)``."""
        with self.lock:
            return self.slaves[slave_id].get(kind, address)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], default_slave: int = 1) -> "RegisterMap":
        """Build a map from the JSON shape described in the module docstring."""
        result = cls()
        if not isinstance(data, Mapping):
            raise ModbusArgumentError("register map: expected a JSON object, got {!r}".format(type(data).__name__))
        slaves = data.get("slaves") if "slaves" in data else {str(default_slave): data}
        if not isinstance(slaves, Mapping):
            raise ModbusArgumentError("register map: 'slaves' must be an object of slave id -> banks")
        for slave_key, banks in slaves.items():
            where = "register map: slaves.{}".format(slave_key)
            try:
                slave_id = int(slave_key)
            except ValueError:
                raise ModbusArgumentError("{}: slave id must be an integer 1..247".format(where)) from None
            slave = result.slave(slave_id)
            if not isinstance(banks, Mapping):
                raise ModbusArgumentError("{}: expected an object of banks".format(where))
            for bank_name, entries in banks.items():
                try:
                    kind = register_type(bank_name)
                except ModbusArgumentError as exc:
                    raise ModbusArgumentError("{}.{}: {}".format(where, bank_name, exc)) from None
                if not isinstance(entries, Mapping):
                    raise ModbusArgumentError("{}.{}: expected an object of address -> value".format(where, bank_name))
                for key, value in entries.items():
                    _load_entry(slave, kind, str(key), value, "{}.{}.{}".format(where, bank_name, key))
        return result

    @classmethod
    def from_json_file(cls, path: str, default_slave: int = 1) -> "RegisterMap":
        """Load a map from a JSON file (see :meth:`from_dict`)."""
        try:
            with open(path, "r", encoding="utf-8") as handle:
                data = json.load(handle)
        except OSError as exc:
            raise ModbusArgumentError("register map {}: {}".format(path, exc.strerror or exc)) from exc
        except ValueError as exc:
            raise ModbusArgumentError("register map {}: not valid JSON: {}".format(path, exc)) from exc
        return cls.from_dict(data, default_slave=default_slave)

    def to_dict(self) -> Dict[str, Any]:
        """Current contents in the JSON shape (functions evaluated now)."""
        with self.lock:
            return {"slaves": {str(sid): regs.to_dict() for sid, regs in sorted(self.slaves.items())}}


def _load_entry(slave: SlaveRegisters, kind: RegisterType, key: str, value: Any, where: str) -> None:
    try:
        if "-" in key:
            low_text, high_text = key.split("-", 1)
            low, high = int(low_text), int(high_text)
            if high < low:
                raise ValueError(key)
            if isinstance(value, (list, tuple)):
                raise ModbusArgumentError("{}: a range takes one value, not a list".format(where))
            slave.set(kind, low, [value] * (high - low + 1))
            return
        address = int(key)
    except ValueError:
        raise ModbusArgumentError("{}: expected an address or a range such as 0-9".format(where)) from None
    values = value if isinstance(value, (list, tuple)) else [value]
    for item in values:
        if isinstance(item, bool) or not isinstance(item, (int, float)):
            if not (kind.is_bit and isinstance(item, bool)):
                raise ModbusArgumentError("{}: expected numbers, got {!r}".format(where, item))
    slave.set(kind, address, list(values))
