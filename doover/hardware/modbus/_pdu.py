"""Modbus protocol data units (PDUs): requests built, responses checked and decoded, once.

A PDU is the function code plus its data, the part of a Modbus frame that does not depend
on the transport. RTU and ASCII wrap it with a slave address and a CRC or LRC; Modbus TCP
wraps it with an MBAP header. Every transport in this package sends the bytes built here
and hands the answer back to :func:`decode_response`.

Arguments are checked here, before anything is sent, and bad ones raise
:class:`~doover.exceptions.ModbusArgumentError` naming the argument and the allowed range.
"""

import enum
import struct
from typing import Any, Callable, List, Sequence, Union

from ...exceptions import ModbusArgumentError, ModbusDeviceError, ModbusFrameError

__all__ = [
    "RegisterType",
    "register_type",
    "Request",
    "read_request",
    "write_single_register_request",
    "write_single_coil_request",
    "write_registers_request",
    "write_coils_request",
    "decode_response",
    "check_slave",
    "pack_bits",
    "unpack_bits",
    "response_pdu_length",
    "MAX_READ_BITS",
    "MAX_READ_REGISTERS",
    "MAX_WRITE_BITS",
    "MAX_WRITE_REGISTERS",
]

#: Largest counts the Modbus Application Protocol allows per function code.
MAX_READ_BITS = 2000  # FC01, FC02
MAX_READ_REGISTERS = 125  # FC03, FC04
MAX_WRITE_BITS = 1968  # FC15
MAX_WRITE_REGISTERS = 123  # FC16


class RegisterType(enum.IntEnum):
    """The four Modbus data tables, numbered as the platform's public apps number them.

    ``1`` coil, ``2`` discrete input, ``3`` input register, ``4`` holding register. Names
    (``"coil"``, ``"discrete"``, ``"input"``, ``"holding"``) are accepted wherever a
    register type is, see :func:`register_type`.
    """

    COIL = 1
    DISCRETE_INPUT = 2
    INPUT_REGISTER = 3
    HOLDING_REGISTER = 4

    @property
    def is_bit(self) -> bool:
        """True for coils and discrete inputs (one bit per address)."""
        return self in (RegisterType.COIL, RegisterType.DISCRETE_INPUT)

    @property
    def writable(self) -> bool:
        """True for coils and holding registers (the tables a master may write)."""
        return self in (RegisterType.COIL, RegisterType.HOLDING_REGISTER)

    @property
    def read_function(self) -> int:
        """The function code that reads this table (FC01 to FC04)."""
        return _READ_FUNCTION[self]


_READ_FUNCTION = {
    RegisterType.COIL: 1,
    RegisterType.DISCRETE_INPUT: 2,
    RegisterType.HOLDING_REGISTER: 3,
    RegisterType.INPUT_REGISTER: 4,
}

_NAMES = {
    "coil": RegisterType.COIL,
    "coils": RegisterType.COIL,
    "discrete": RegisterType.DISCRETE_INPUT,
    "discrete_input": RegisterType.DISCRETE_INPUT,
    "discrete_inputs": RegisterType.DISCRETE_INPUT,
    "input": RegisterType.INPUT_REGISTER,
    "input_register": RegisterType.INPUT_REGISTER,
    "input_registers": RegisterType.INPUT_REGISTER,
    "holding": RegisterType.HOLDING_REGISTER,
    "holding_register": RegisterType.HOLDING_REGISTER,
    "holding_registers": RegisterType.HOLDING_REGISTER,
}


def register_type(value: Union[int, str, RegisterType]) -> RegisterType:
    """Turn a register type given as a name or an integer code into a :class:`RegisterType`.

    Names are case-insensitive and may use spaces, dashes or underscores
    (``"Holding Register"``, ``"discrete-input"``). Integer codes are ``1`` coil, ``2``
    discrete input, ``3`` input register, ``4`` holding register.
    """
    if isinstance(value, RegisterType):
        return value
    if isinstance(value, bool):
        raise ModbusArgumentError(
            "register_type: expected 1..4 or a name (coil, discrete, input, holding), got {!r}".format(value)
        )
    if isinstance(value, int):
        if 1 <= value <= 4:
            return RegisterType(value)
    elif isinstance(value, str):
        key = value.strip().lower().replace(" ", "_").replace("-", "_")
        if key.isdigit() and 1 <= int(key) <= 4:
            return RegisterType(int(key))
        if key in _NAMES:
            return _NAMES[key]
    raise ModbusArgumentError(
        "register_type: expected 1 (coil), 2 (discrete input), 3 (input register), "
        "4 (holding register) or one of the names coil, discrete, input, holding; got {!r}".format(value)
    )


class Request:
    """One request PDU and what its answer must look like.

    ``function`` is the function code, ``data`` the request data after it, ``response_length``
    the length of a normal response PDU (function code included), and ``decode`` turns the
    response data into the value the caller gets.
    """

    __slots__ = ("function", "data", "response_length", "decode", "echo")

    def __init__(
        self,
        function: int,
        data: bytes,
        response_length: int,
        decode: Callable[[bytes], Any],
        echo: bool = False,
    ) -> None:
        self.function = function
        self.data = data
        self.response_length = response_length
        self.decode = decode
        self.echo = echo

    @property
    def pdu(self) -> bytes:
        """The request PDU: function code then data."""
        return bytes((self.function,)) + self.data

    def __repr__(self) -> str:
        return "Request(function={}, data={})".format(self.function, self.data.hex())


def _check_int(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise ModbusArgumentError("{}: expected an integer {}..{}, got {!r}".format(name, low, high, value))
    if not low <= value <= high:
        raise ModbusArgumentError("{}: expected {}..{}, got {}".format(name, low, high, value))
    return value


def check_slave(modbus_id: Any, write: bool = False, tcp: bool = False) -> int:
    """Check a slave (unit) id and return it as an int.

    Serial buses address slaves 1..247; ``0`` is broadcast and only allowed for writes
    (nobody answers a broadcast). Modbus TCP unit ids may be 0..255: TCP devices usually
    ignore the unit id and gateways use it to route, so every value is passed on.
    """
    if tcp:
        return _check_int("modbus_id", modbus_id, 0, 255)
    if write:
        return _check_int("modbus_id", modbus_id, 0, 247)
    value = _check_int("modbus_id", modbus_id, 0, 247)
    if value == 0:
        raise ModbusArgumentError(
            "modbus_id: 0 is the broadcast address and only allowed for writes; reads need 1..247"
        )
    return value


def _check_span(address: Any, count: Any, max_count: int) -> "tuple":
    address = _check_int("start_address", address, 0, 0xFFFF)
    count = _check_int("count", count, 1, max_count)
    if address + count - 1 > 0xFFFF:
        raise ModbusArgumentError(
            "start_address + count: {} + {} runs past the last address 65535".format(address, count)
        )
    return address, count


def pack_bits(bits: Sequence[Any]) -> bytes:
    """Pack truthy values into bytes, first value in the least significant bit."""
    out = bytearray((len(bits) + 7) // 8)
    for index, bit in enumerate(bits):
        if bit:
            out[index // 8] |= 1 << (index % 8)
    return bytes(out)


def unpack_bits(data: bytes, count: int) -> List[int]:
    """Unpack ``count`` bits (0 or 1) from bytes packed as :func:`pack_bits` does."""
    return [(data[index // 8] >> (index % 8)) & 1 for index in range(count)]


def response_pdu_length(function: int, data: bytes) -> int:
    """Length of the normal response PDU to a request (function code included)."""
    if function in (1, 2):
        return 2 + (struct.unpack(">H", data[2:4])[0] + 7) // 8
    if function in (3, 4):
        return 2 + 2 * struct.unpack(">H", data[2:4])[0]
    return 5


def read_request(kind: Union[int, str, RegisterType], address: Any, count: Any) -> Request:
    """Build a read of ``count`` values of ``kind`` from ``address`` (FC01, FC02, FC03 or FC04)."""
    kind = register_type(kind)
    function = kind.read_function
    address, count = _check_span(address, count, MAX_READ_BITS if kind.is_bit else MAX_READ_REGISTERS)
    data = struct.pack(">HH", address, count)
    if kind.is_bit:
        nbytes = (count + 7) // 8

        def decode(payload: bytes) -> List[int]:
            _check_byte_count(payload, nbytes)
            return unpack_bits(payload[1:], count)

        return Request(function, data, 2 + nbytes, decode)

    def decode_registers(payload: bytes) -> List[int]:
        _check_byte_count(payload, 2 * count)
        return list(struct.unpack(">{}H".format(count), payload[1:]))

    return Request(function, data, 2 + 2 * count, decode_registers)


def _check_byte_count(payload: bytes, expected: int) -> None:
    if not payload or payload[0] != expected or len(payload) != expected + 1:
        raise ModbusFrameError(
            "response byte count {} (with {} data bytes) does not match the {} bytes requested".format(
                payload[0] if payload else None, max(len(payload) - 1, 0), expected
            )
        )


def _register_value(name: str, value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    value = _check_int(name, value, -0x8000, 0xFFFF)
    return value & 0xFFFF


def _echo_decoder(data: bytes) -> Callable[[bytes], bool]:
    def decode(payload: bytes) -> bool:
        if payload != data[:4]:
            raise ModbusFrameError(
                "write confirmation {} does not echo the request {}".format(payload.hex(), data[:4].hex())
            )
        return True

    return decode


def write_single_register_request(address: Any, value: Any) -> Request:
    """Build FC06, Write Single Register. ``value`` is 0..65535 (or -32768..-1, sent as two's complement)."""
    address = _check_int("address", address, 0, 0xFFFF)
    data = struct.pack(">HH", address, _register_value("value", value))
    return Request(6, data, 5, _echo_decoder(data), echo=True)


def write_single_coil_request(address: Any, value: Any) -> Request:
    """Build FC05, Write Single Coil. Any truthy ``value`` switches the coil on (0xFF00)."""
    address = _check_int("address", address, 0, 0xFFFF)
    data = struct.pack(">HH", address, 0xFF00 if value else 0x0000)
    return Request(5, data, 5, _echo_decoder(data), echo=True)


def write_registers_request(address: Any, values: Sequence[Any]) -> Request:
    """Build FC16, Write Multiple Registers (1..123 values, each 0..65535 or -32768..-1)."""
    values = _as_list(values)
    address, count = _check_span(address, len(values) or 0, MAX_WRITE_REGISTERS)
    words = [_register_value("values[{}]".format(index), value) for index, value in enumerate(values)]
    data = struct.pack(">HHB", address, count, 2 * count) + struct.pack(">{}H".format(count), *words)
    return Request(16, data, 5, _echo_decoder(data))


def write_coils_request(address: Any, values: Sequence[Any]) -> Request:
    """Build FC15, Write Multiple Coils (1..1968 values, truthy means on)."""
    values = _as_list(values)
    address, count = _check_span(address, len(values) or 0, MAX_WRITE_BITS)
    packed = pack_bits(values)
    data = struct.pack(">HHB", address, count, len(packed)) + packed
    return Request(15, data, 5, _echo_decoder(data))


def _as_list(values: Any) -> list:
    if values is None:
        return []
    if isinstance(values, (bool, int, float)):
        return [values]
    try:
        return list(values)
    except TypeError:
        raise ModbusArgumentError("values: expected a list of integers, got {!r}".format(values)) from None


def decode_response(request: Request, pdu: bytes) -> Any:
    """Check a response PDU against its request and decode it.

    Raises :class:`ModbusDeviceError` for an exception response, :class:`ModbusFrameError`
    for a response that does not fit the request (function code, length, byte count).
    """
    if not pdu:
        raise ModbusFrameError("empty response PDU")
    function = pdu[0]
    if function == request.function | 0x80:
        if len(pdu) != 2:
            raise ModbusFrameError("exception response of {} bytes, expected 2: {}".format(len(pdu), pdu.hex()))
        raise ModbusDeviceError(pdu[1], "function {} (0x{:02X})".format(request.function, request.function))
    if function != request.function:
        raise ModbusFrameError(
            "response has function code {} but the request was function {}".format(function, request.function)
        )
    if len(pdu) != request.response_length:
        raise ModbusFrameError(
            "response PDU of {} bytes to function {}, expected {}".format(len(pdu), function, request.response_length)
        )
    return request.decode(pdu[1:])
