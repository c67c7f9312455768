"""Typed reads and writes (32-bit integers and floats) layered on the register calls."""

from typing import Any, List, Optional, Sequence, Union

from ...exceptions import ModbusArgumentError
from . import _codec

__all__ = ["TypedAccessMixin"]


class TypedAccessMixin:
    """``read_int32``/``read_uint32``/``read_float32`` and their writes, for ModbusInterface.

    Each value spans two registers; ``count`` is the number of values. ``word_order`` and
    ``byte_order`` are explained in :mod:`doover.hardware.modbus` (``"big"`` is the Modbus
    convention: high word first, high byte first).
    """

    def _read_typed(
        self, kind: str, modbus_id: int, start_address: int, count: int, register_type: Any, word_order: str,
        byte_order: str, bus_id: str, bus: Any, retries: Optional[int],
    ) -> Any:
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ModbusArgumentError("count: expected a number of values >= 1, got {!r}".format(count))
        words = self.read_registers(  # type: ignore[attr-defined]
            bus_id=bus_id, modbus_id=modbus_id, start_address=start_address, num_registers=2 * count,
            register_type=register_type, bus=bus, retries=retries,
        )
        if words is None:  # lenient mode
            return None
        values = _codec.decode_values(words, kind, word_order, byte_order)
        return values[0] if count == 1 else values

    def read_int32(
        self, modbus_id: int = 1, start_address: int = 0, count: int = 1, register_type: Any = 4,
        word_order: str = "big", byte_order: str = "big", bus_id: str = "default", bus: Any = None,
        retries: Optional[int] = None,
    ) -> Any:
        """Read ``count`` signed 32-bit integers (an int for one, a list for several)."""
        return self._read_typed("int32", modbus_id, start_address, count, register_type, word_order, byte_order,
                                bus_id, bus, retries)

    def read_uint32(
        self, modbus_id: int = 1, start_address: int = 0, count: int = 1, register_type: Any = 4,
        word_order: str = "big", byte_order: str = "big", bus_id: str = "default", bus: Any = None,
        retries: Optional[int] = None,
    ) -> Any:
        """Read ``count`` unsigned 32-bit integers (an int for one, a list for several)."""
        return self._read_typed("uint32", modbus_id, start_address, count, register_type, word_order, byte_order,
                                bus_id, bus, retries)

    def read_float32(
        self, modbus_id: int = 1, start_address: int = 0, count: int = 1, register_type: Any = 4,
        word_order: str = "big", byte_order: str = "big", bus_id: str = "default", bus: Any = None,
        retries: Optional[int] = None,
    ) -> Any:
        """Read ``count`` IEEE-754 floats (a float for one, a list for several)."""
        return self._read_typed("float32", modbus_id, start_address, count, register_type, word_order, byte_order,
                                bus_id, bus, retries)

    def _write_typed(
        self, encode: Any, modbus_id: int, start_address: int, values: Union[Any, Sequence[Any]], word_order: str,
        byte_order: str, bus_id: str, bus: Any, retries: Optional[int],
    ) -> bool:
        items = list(values) if isinstance(values, (list, tuple)) else [values]
        words: List[int] = []
        for value in items:
            words.extend(encode(value, word_order, byte_order))
        return self.write_registers(  # type: ignore[attr-defined]
            bus_id=bus_id, modbus_id=modbus_id, start_address=start_address, values=words, register_type=4,
            bus=bus, retries=retries,
        )

    def write_int32(
        self, modbus_id: int = 1, start_address: int = 0, values: Any = 0, word_order: str = "big",
        byte_order: str = "big", bus_id: str = "default", bus: Any = None, retries: Optional[int] = None,
    ) -> bool:
        """Write one or more signed 32-bit integers to holding registers (FC16)."""
        return self._write_typed(_codec.encode_int32, modbus_id, start_address, values, word_order, byte_order,
                                 bus_id, bus, retries)

    def write_uint32(
        self, modbus_id: int = 1, start_address: int = 0, values: Any = 0, word_order: str = "big",
        byte_order: str = "big", bus_id: str = "default", bus: Any = None, retries: Optional[int] = None,
    ) -> bool:
        """Write one or more unsigned 32-bit integers to holding registers (FC16)."""
        return self._write_typed(_codec.encode_uint32, modbus_id, start_address, values, word_order, byte_order,
                                 bus_id, bus, retries)

    def write_float32(
        self, modbus_id: int = 1, start_address: int = 0, values: Any = 0.0, word_order: str = "big",
        byte_order: str = "big", bus_id: str = "default", bus: Any = None, retries: Optional[int] = None,
    ) -> bool:
        """Write one or more IEEE-754 floats to holding registers (FC16)."""
        return self._write_typed(_codec.encode_float32, modbus_id, start_address, values, word_order, byte_order,
                                 bus_id, bus, retries)
