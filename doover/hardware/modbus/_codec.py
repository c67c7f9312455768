"""Typed values in pairs of 16-bit registers: 32-bit integers and IEEE-754 floats.

Devices disagree on order, so both are explicit:

* ``word_order="big"``: the first register holds the high 16 bits (``ABCD``, the Modbus
  convention); ``"little"``: the first register holds the low 16 bits (``CDAB``).
* ``byte_order="big"``: each register is sent high byte first (normal Modbus); ``"little"``:
  the two bytes inside each register are swapped (``BADC`` / ``DCBA``).
"""

import math
import struct
from typing import Any, List, Sequence

from ...exceptions import ModbusArgumentError

__all__ = [
    "decode_int32",
    "decode_uint32",
    "decode_float32",
    "encode_int32",
    "encode_uint32",
    "encode_float32",
    "decode_values",
    "two_words_to_32bit_float",
]


def _check_order(name: str, value: str) -> str:
    if value not in ("big", "little"):
        raise ModbusArgumentError("{}: expected 'big' or 'little', got {!r}".format(name, value))
    return value


def _to_bytes(registers: Sequence[Any], word_order: str, byte_order: str) -> bytes:
    _check_order("word_order", word_order)
    _check_order("byte_order", byte_order)
    words = list(registers)
    if len(words) != 2:
        raise ModbusArgumentError("registers: expected exactly 2 registers, got {}".format(len(words)))
    for word in words:
        if isinstance(word, bool) or not isinstance(word, int) or not 0 <= word <= 0xFFFF:
            raise ModbusArgumentError("registers: expected values 0..65535, got {!r}".format(word))
    if word_order == "little":
        words.reverse()
    packed = b"".join(struct.pack(">H" if byte_order == "big" else "<H", word) for word in words)
    return packed


def _from_bytes(data: bytes, word_order: str, byte_order: str) -> List[int]:
    _check_order("word_order", word_order)
    _check_order("byte_order", byte_order)
    fmt = ">H" if byte_order == "big" else "<H"
    words = [struct.unpack(fmt, data[0:2])[0], struct.unpack(fmt, data[2:4])[0]]
    if word_order == "little":
        words.reverse()
    return words


def decode_int32(registers: Sequence[int], word_order: str = "big", byte_order: str = "big") -> int:
    """Two registers as a signed 32-bit integer. ``decode_int32([0xFFFF, 0xFFFE]) == -2``."""
    return struct.unpack(">i", _to_bytes(registers, word_order, byte_order))[0]


def decode_uint32(registers: Sequence[int], word_order: str = "big", byte_order: str = "big") -> int:
    """Two registers as an unsigned 32-bit integer. ``decode_uint32([1, 0]) == 65536``."""
    return struct.unpack(">I", _to_bytes(registers, word_order, byte_order))[0]


def decode_float32(registers: Sequence[int], word_order: str = "big", byte_order: str = "big") -> float:
    """Two registers as an IEEE-754 single-precision float. ``decode_float32([0x4048, 0xF5C3])`` is about 3.14."""
    return struct.unpack(">f", _to_bytes(registers, word_order, byte_order))[0]


def encode_int32(value: int, word_order: str = "big", byte_order: str = "big") -> List[int]:
    """A signed 32-bit integer as two registers (the inverse of :func:`decode_int32`)."""
    if isinstance(value, bool) or not isinstance(value, int) or not -(2 ** 31) <= value < 2 ** 31:
        raise ModbusArgumentError("value: expected an integer -2147483648..2147483647, got {!r}".format(value))
    return _from_bytes(struct.pack(">i", value), word_order, byte_order)


def encode_uint32(value: int, word_order: str = "big", byte_order: str = "big") -> List[int]:
    """An unsigned 32-bit integer as two registers (the inverse of :func:`decode_uint32`)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2 ** 32:
        raise ModbusArgumentError("value: expected an integer 0..4294967295, got {!r}".format(value))
    return _from_bytes(struct.pack(">I", value), word_order, byte_order)


def encode_float32(value: float, word_order: str = "big", byte_order: str = "big") -> List[int]:
    """A float as two registers in IEEE-754 single precision (the inverse of :func:`decode_float32`)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ModbusArgumentError("value: expected a number, got {!r}".format(value))
    if math.isfinite(value) and abs(value) > 3.4028234663852886e38:
        raise ModbusArgumentError("value: {!r} does not fit a 32-bit float".format(value))
    return _from_bytes(struct.pack(">f", value), word_order, byte_order)


_DECODERS = {"int32": decode_int32, "uint32": decode_uint32, "float32": decode_float32}


def decode_values(registers: Sequence[int], kind: str, word_order: str = "big", byte_order: str = "big") -> List[Any]:
    """Decode consecutive register pairs as ``kind`` (``int32``, ``uint32`` or ``float32``)."""
    if kind not in _DECODERS:
        raise ModbusArgumentError("kind: expected int32, uint32 or float32, got {!r}".format(kind))
    words = list(registers)
    if len(words) % 2:
        raise ModbusArgumentError("registers: expected an even number of registers, got {}".format(len(words)))
    decode = _DECODERS[kind]
    return [decode(words[index:index + 2], word_order, byte_order) for index in range(0, len(words), 2)]


def two_words_to_32bit_float(word1: int, word2: int, swap: bool = False) -> int:
    """Compatibility helper with the platform SDK's name and its actual behaviour.

    Despite the name it does **not** produce a float: it returns the integer
    ``word1 + word2 * 65536`` (``word1`` is the low word), or with ``swap=True``
    ``word2 + word1 * 65536``. New code should use :func:`decode_uint32` or
    :func:`decode_float32` with an explicit ``word_order``.
    """
    if swap:
        word1, word2 = word2, word1
    return word1 + word2 * 65536
