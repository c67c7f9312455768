"""Modbus serial checksums: CRC-16 (RTU) and LRC (ASCII).

The client side builds and checks its frames with minimalmodbus; these functions are for
code that has to do it without an ``Instrument``: the device simulator and the tests.
"""

from typing import List

__all__ = ["crc16", "lrc", "append_crc", "crc_ok"]


def _build_table() -> List[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _build_table()


def crc16(data: bytes) -> int:
    """CRC-16/MODBUS of ``data`` (polynomial 0xA001 reflected, initial value 0xFFFF)."""
    crc = 0xFFFF
    for byte in data:
        crc = (crc >> 8) ^ _TABLE[(crc ^ byte) & 0xFF]
    return crc


def append_crc(data: bytes) -> bytes:
    """``data`` followed by its CRC, low byte first, as RTU frames carry it."""
    crc = crc16(data)
    return bytes(data) + bytes((crc & 0xFF, crc >> 8))


def crc_ok(frame: bytes) -> bool:
    """True if the last two bytes of ``frame`` are the CRC of the rest."""
    return len(frame) >= 3 and append_crc(frame[:-2]) == bytes(frame)


def lrc(data: bytes) -> int:
    """Longitudinal redundancy check of Modbus ASCII: two's complement of the byte sum."""
    return (-sum(data)) & 0xFF
