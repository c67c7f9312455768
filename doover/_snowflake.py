"""Doover snowflake ids: 64-bit ids that encode their creation time.

Bit layout (most significant first)::

    63..22  42 bits  milliseconds since the Doover epoch (2025-01-01T00:00:00Z)
    21..18   4 bits  region id
    17..8   10 bits  instance id
     7..4    4 bits  type id (2 = message, 9 = attachment, ...)
     3..0    4 bits  sequence

Ids are decimal strings on the wire and ints in Python. This module is stdlib-only so the
emulator, the outbox and the processor's pre-hook path can use it without importing attrs.
"""

import datetime as _dt
import os
import random
import threading
import time
from typing import Optional, Union

__all__ = [
    "DOOVER_EPOCH_MS",
    "SnowflakeType",
    "generate_snowflake",
    "snowflake_to_ms",
    "snowflake_to_datetime",
    "datetime_to_snowflake",
    "ms_to_snowflake",
    "to_snowflake_bound",
    "snowflake_parts",
]

#: 2025-01-01T00:00:00Z in epoch milliseconds.
DOOVER_EPOCH_MS = 1735689600000

_TIME_SHIFT = 22
_REGION_SHIFT = 18
_INSTANCE_SHIFT = 8
_TYPE_SHIFT = 4
_MAX_MS = (1 << 42) - 1


class SnowflakeType:
    """Type ids carried in bits 7..4 of a snowflake."""

    UNKNOWN = 0
    AGENT = 1
    MESSAGE = 2
    CHANNEL = 3
    WSS_SESSION = 4
    PROCESSOR_SCHEDULE = 5
    TOKEN = 6
    NOTIFICATION_ENDPOINT = 7
    NOTIFICATION_SUBSCRIPTION = 8
    ATTACHMENT = 9
    ALARM = 10
    ONE_SHOT_MESSAGE = 11


class _Generator:
    """Monotonic per-process generator: never hands out the same id twice.

    Sixteen sequence values fit in one millisecond; a seventeenth id in the same
    millisecond borrows the next millisecond, so ids stay unique and increasing while the
    encoded time drifts by at most a few ms under bursts.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_ms = -1
        self._seq = 0
        self._instance = random.SystemRandom().randrange(1 << 10)
        self._pid = os.getpid()

    def next(self, ts_ms: Optional[int], type_id: int, region: int) -> int:
        with self._lock:
            if os.getpid() != self._pid:  # forked child: pick a fresh instance id
                self._pid = os.getpid()
                self._instance = random.SystemRandom().randrange(1 << 10)
                self._last_ms = -1
            if ts_ms is not None:
                # An explicit time is honoured exactly; the sequence still keeps ids apart.
                rel = ts_ms - DOOVER_EPOCH_MS
                self._seq = (self._seq + 1) & 0xF
                seq = self._seq
            else:
                rel = int(time.time() * 1000) - DOOVER_EPOCH_MS
                if rel <= self._last_ms:
                    if self._seq == 0xF:
                        self._last_ms += 1
                        self._seq = 0
                    else:
                        self._seq += 1
                    rel = self._last_ms
                else:
                    self._last_ms = rel
                    self._seq = 0
                seq = self._seq
            instance = self._instance
        if not 0 <= rel <= _MAX_MS:
            raise ValueError("time {} ms is outside the snowflake range".format(rel + DOOVER_EPOCH_MS))
        return (
            (rel << _TIME_SHIFT)
            | ((region & 0xF) << _REGION_SHIFT)
            | ((instance & 0x3FF) << _INSTANCE_SHIFT)
            | ((type_id & 0xF) << _TYPE_SHIFT)
            | (seq & 0xF)
        )


_GENERATOR = _Generator()


def generate_snowflake(
    ts_ms: Optional[int] = None,
    type_id: int = SnowflakeType.MESSAGE,
    region: int = 0,
) -> int:
    """Mint a new snowflake id.

    Args:
        ts_ms: the time to encode, in epoch milliseconds; default now. Ids minted without
            ``ts_ms`` are strictly increasing within a process.
        type_id: a :class:`SnowflakeType` value (default: message).
        region: the region id (0-15).
    """
    return _GENERATOR.next(ts_ms, type_id, region)


def snowflake_to_ms(snowflake: Union[int, str]) -> int:
    """The creation time encoded in ``snowflake``, in epoch milliseconds."""
    return (int(snowflake) >> _TIME_SHIFT) + DOOVER_EPOCH_MS


def snowflake_to_datetime(snowflake: Union[int, str]) -> _dt.datetime:
    """The creation time encoded in ``snowflake``, as an aware UTC datetime."""
    ms = snowflake_to_ms(snowflake)
    return _dt.datetime.fromtimestamp(ms / 1000.0, tz=_dt.timezone.utc).replace(
        microsecond=(ms % 1000) * 1000
    )


def ms_to_snowflake(ms: int) -> int:
    """The lowest snowflake of millisecond ``ms``: ``(ms - epoch) << 22``, low bits zero."""
    return (int(ms) - DOOVER_EPOCH_MS) << _TIME_SHIFT


def datetime_to_snowflake(when: _dt.datetime) -> int:
    """The lowest snowflake at ``when``, for use as a ``before``/``after`` query bound.

    Naive datetimes are taken as local time, as :meth:`datetime.timestamp` does. Times
    before 2025 give negative numbers, which the server treats as "before everything".
    """
    ms = int(round(when.timestamp() * 1000))
    return ms_to_snowflake(ms)


def to_snowflake_bound(value: Union[None, int, str, _dt.datetime]) -> Optional[int]:
    """Normalise a ``before``/``after`` argument: datetimes convert, ints pass through."""
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        return datetime_to_snowflake(value)
    if isinstance(value, bool):
        raise TypeError("expected a snowflake int or a datetime, got bool")
    return int(value)


def snowflake_parts(snowflake: Union[int, str]) -> dict:
    """Split a snowflake into its fields (for debugging and tests)."""
    value = int(snowflake)
    return {
        "timestamp_ms": snowflake_to_ms(value),
        "region": (value >> _REGION_SHIFT) & 0xF,
        "instance": (value >> _INSTANCE_SHIFT) & 0x3FF,
        "type": (value >> _TYPE_SHIFT) & 0xF,
        "sequence": value & 0xF,
    }
