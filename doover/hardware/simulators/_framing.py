"""Server-side framers: split a byte stream into requests and wrap the answers.

Three framings, on any transport (pseudo-terminal or TCP):

* ``rtu``: slave address + PDU + CRC. A request's length follows from its function code
  (8 bytes for FC01..FC06, 9 + byte count for FC15/FC16); a frame with another function
  code ends at a pause in the stream. A frame with a bad CRC is dropped (no answer), and
  the buffer with it, as a device on a noisy line would.
* ``ascii``: ``:`` + hex(address, PDU, LRC) + CR LF.
* ``tcp``: Modbus TCP, an MBAP header (transaction id, protocol 0, length, unit id) + PDU.
"""

import struct
from typing import Any, List, Optional, Tuple

from ...exceptions import ModbusArgumentError
from ..modbus._checksum import append_crc, crc_ok, lrc

__all__ = ["make_framer", "FRAMINGS"]

FRAMINGS = ("rtu", "ascii", "tcp")

#: A request: (slave id, request PDU, context the framer needs to answer).
Frame = Tuple[int, bytes, Any]


class _RtuFramer:
    def __init__(self) -> None:
        self.buffer = b""

    def feed(self, data: bytes) -> List[Frame]:
        self.buffer += data
        frames: List[Frame] = []
        while len(self.buffer) >= 2:
            function = self.buffer[1]
            if function in (1, 2, 3, 4, 5, 6):
                size: Optional[int] = 8
            elif function in (15, 16):
                size = 9 + self.buffer[6] if len(self.buffer) >= 7 else None
                if size is None:
                    break
            else:
                break  # unknown length: wait for a pause (see idle)
            if len(self.buffer) < size:
                break
            frame, self.buffer = self.buffer[:size], self.buffer[size:]
            if crc_ok(frame):
                frames.append((frame[0], frame[1:-2], None))
            else:
                self.buffer = b""  # out of step: drop everything, resynchronise on silence
        return frames

    def idle(self) -> List[Frame]:
        frame, self.buffer = self.buffer, b""
        if len(frame) >= 4 and crc_ok(frame):
            return [(frame[0], frame[1:-2], None)]
        return []

    def wrap(self, slave: int, pdu: bytes, context: Any, corrupt: bool = False) -> bytes:
        frame = append_crc(bytes((slave,)) + pdu)
        if corrupt:
            frame = frame[:-1] + bytes((frame[-1] ^ 0x5A,))
        return frame


class _AsciiFramer:
    def __init__(self) -> None:
        self.buffer = b""

    def feed(self, data: bytes) -> List[Frame]:
        self.buffer += data
        frames: List[Frame] = []
        while b"\r\n" in self.buffer:
            line, self.buffer = self.buffer.split(b"\r\n", 1)
            start = line.rfind(b":")
            if start < 0:
                continue
            try:
                body = bytes.fromhex(line[start + 1:].decode("ascii"))
            except ValueError:
                continue
            if len(body) < 3 or lrc(body[:-1]) != body[-1]:
                continue
            frames.append((body[0], body[1:-1], None))
        return frames

    def idle(self) -> List[Frame]:
        return []

    def wrap(self, slave: int, pdu: bytes, context: Any, corrupt: bool = False) -> bytes:
        body = bytes((slave,)) + pdu
        check = lrc(body) ^ (0x5A if corrupt else 0)
        return b":" + (body + bytes((check,))).hex().upper().encode("ascii") + b"\r\n"


class _MbapFramer:
    def __init__(self) -> None:
        self.buffer = b""

    def feed(self, data: bytes) -> List[Frame]:
        self.buffer += data
        frames: List[Frame] = []
        while len(self.buffer) >= 7:
            tid, protocol, length, unit = struct.unpack(">HHHB", self.buffer[:7])
            if protocol != 0 or not 2 <= length <= 254:
                self.buffer = b""
                break
            if len(self.buffer) < 6 + length:
                break
            pdu = self.buffer[7:6 + length]
            self.buffer = self.buffer[6 + length:]
            frames.append((unit, pdu, tid))
        return frames

    def idle(self) -> List[Frame]:
        return []

    def wrap(self, slave: int, pdu: bytes, context: Any, corrupt: bool = False) -> bytes:
        return struct.pack(">HHHB", context, 1 if corrupt else 0, len(pdu) + 1, slave) + pdu


def make_framer(framing: str) -> Any:
    """A fresh framer for ``rtu``, ``ascii`` or ``tcp``."""
    if framing == "rtu":
        return _RtuFramer()
    if framing == "ascii":
        return _AsciiFramer()
    if framing == "tcp":
        return _MbapFramer()
    raise ModbusArgumentError("framing: expected one of {}, got {!r}".format(", ".join(FRAMINGS), framing))
