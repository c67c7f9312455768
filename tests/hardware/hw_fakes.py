"""A fake serial port that records what is written and answers from a script.

Used through ``ModbusInterface(port_factory=...)``. Each write is looked up in
``responses`` (request bytes -> answer bytes, or a callable(request) -> answer); an unknown
request gets no answer (the read returns nothing, as a silent device would).
"""

import threading
from typing import Callable, Dict, List, Optional, Union

Answer = Union[bytes, Callable[[bytes], bytes]]


class FakeSerial:
    def __init__(self, responses: Optional[Dict[bytes, Answer]] = None, default: Optional[Answer] = None) -> None:
        self.responses = dict(responses or {})
        self.default = default
        self.written: List[bytes] = []
        self.is_open = True
        self.port = "fake0"
        self.baudrate = 9600
        self.timeout = 0.05
        self._pending = b""
        self.resets = 0
        self.fail_writes: Optional[Exception] = None
        self.lock = threading.Lock()

    def open(self) -> None:
        self.is_open = True

    def close(self) -> None:
        self.is_open = False

    def reset_input_buffer(self) -> None:
        self.resets += 1
        self._pending = b""

    def reset_output_buffer(self) -> None:
        pass

    def flush(self) -> None:
        pass

    def write(self, data: bytes) -> int:
        if self.fail_writes is not None:
            raise self.fail_writes
        data = bytes(data)
        self.written.append(data)
        answer = self.responses.get(data, self.default)
        if callable(answer):
            answer = answer(data)
        self._pending += answer or b""
        return len(data)

    def read(self, size: int = 1) -> bytes:
        out, self._pending = self._pending[:size], self._pending[size:]
        return out


def crc(frame: bytes) -> bytes:
    """``frame`` with its Modbus CRC appended (independent of the code under test)."""
    value = 0xFFFF
    for byte in frame:
        value ^= byte
        for _ in range(8):
            value = (value >> 1) ^ 0xA001 if value & 1 else value >> 1
    return bytes(frame) + bytes((value & 0xFF, value >> 8))
