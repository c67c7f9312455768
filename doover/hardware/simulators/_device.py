"""The server side of the Modbus protocol: a request PDU in, a response PDU out.

Implements FC01 to FC06, FC15 and FC16 against a :class:`RegisterMap`, with the exception
responses a conforming device gives: 1 for an unknown function, 2 for an undefined address,
3 for a malformed request or a count out of range.
"""

import struct
from typing import Optional

from ..modbus._pdu import (
    MAX_READ_BITS,
    MAX_READ_REGISTERS,
    MAX_WRITE_BITS,
    MAX_WRITE_REGISTERS,
    RegisterType,
    pack_bits,
    unpack_bits,
)
from ._registers import IllegalAddress, RegisterMap

__all__ = ["handle_request"]

_READS = {
    1: (RegisterType.COIL, MAX_READ_BITS),
    2: (RegisterType.DISCRETE_INPUT, MAX_READ_BITS),
    3: (RegisterType.HOLDING_REGISTER, MAX_READ_REGISTERS),
    4: (RegisterType.INPUT_REGISTER, MAX_READ_REGISTERS),
}


def _exception(function: int, code: int) -> bytes:
    return bytes((function | 0x80, code))


def handle_request(registers: RegisterMap, slave_id: int, pdu: bytes) -> Optional[bytes]:
    """Apply ``pdu`` to slave ``slave_id`` and return the response PDU.

    Slave 0 (broadcast) applies writes to every slave and returns ``None`` (no answer). A
    slave id that is not in the map also returns ``None``: nobody is there to answer.
    """
    if not pdu:
        return None
    with registers.lock:
        if slave_id == 0:
            for sid in list(registers.slaves):
                _handle(registers, sid, pdu)
            return None
        if slave_id not in registers.slaves:
            return None
        return _handle(registers, slave_id, pdu)


def _handle(registers: RegisterMap, slave_id: int, pdu: bytes) -> bytes:
    function, data = pdu[0], pdu[1:]
    slave = registers.slaves[slave_id]
    try:
        if function in _READS:
            kind, limit = _READS[function]
            if len(data) != 4:
                return _exception(function, 3)
            address, count = struct.unpack(">HH", data)
            if not 1 <= count <= limit:
                return _exception(function, 3)
            if address + count > 0x10000:
                return _exception(function, 2)
            values = slave.read(kind, address, count)
            if kind.is_bit:
                packed = pack_bits(values)
                return bytes((function, len(packed))) + packed
            return bytes((function, 2 * count)) + struct.pack(">{}H".format(count), *values)
        if function == 5:
            if len(data) != 4:
                return _exception(function, 3)
            address, value = struct.unpack(">HH", data)
            if value not in (0x0000, 0xFF00):
                return _exception(function, 3)
            slave.write(RegisterType.COIL, address, [1 if value else 0])
            return pdu
        if function == 6:
            if len(data) != 4:
                return _exception(function, 3)
            address, value = struct.unpack(">HH", data)
            slave.write(RegisterType.HOLDING_REGISTER, address, [value])
            return pdu
        if function in (15, 16):
            if len(data) < 5:
                return _exception(function, 3)
            address, count, byte_count = struct.unpack(">HHB", data[:5])
            payload = data[5:]
            if function == 15:
                if not 1 <= count <= MAX_WRITE_BITS or byte_count != (count + 7) // 8 or len(payload) != byte_count:
                    return _exception(function, 3)
                values = unpack_bits(payload, count)
                kind = RegisterType.COIL
            else:
                if not 1 <= count <= MAX_WRITE_REGISTERS or byte_count != 2 * count or len(payload) != byte_count:
                    return _exception(function, 3)
                values = list(struct.unpack(">{}H".format(count), payload))
                kind = RegisterType.HOLDING_REGISTER
            if address + count > 0x10000:
                return _exception(function, 2)
            slave.write(kind, address, values)
            return bytes((function,)) + struct.pack(">HH", address, count)
    except IllegalAddress:
        return _exception(function, 2)
    except Exception:  # a register function of time that raised: the device failed
        return _exception(function, 4)
    return _exception(function, 1)
