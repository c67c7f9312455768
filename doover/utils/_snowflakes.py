"""Snowflake ids under the names the platform SDK's utils use."""

import datetime as _dt
from typing import Union

from .._snowflake import DOOVER_EPOCH_MS, SnowflakeType, datetime_to_snowflake, generate_snowflake, snowflake_to_datetime
from ..exceptions import InvalidArgumentError

__all__ = ["DOOVER_EPOCH", "generate_snowflake_id", "generate_snowflake_id_at", "get_datetime_from_snowflake"]

#: the snowflake epoch, 2025-01-01T00:00:00Z, in epoch milliseconds
DOOVER_EPOCH = DOOVER_EPOCH_MS


def _type_bits(type_id: int) -> int:
    if isinstance(type_id, bool) or not isinstance(type_id, int) or not 0 <= type_id <= 15:
        raise InvalidArgumentError("type_id: expected an int 0..15, got {!r}".format(type_id))
    return type_id


def generate_snowflake_id(type_id: int = SnowflakeType.UNKNOWN, region_id: int = 0) -> int:
    """A new, unique snowflake id for now (strictly increasing within the process)."""
    return generate_snowflake(None, _type_bits(type_id), region_id)


def generate_snowflake_id_at(at: _dt.datetime, type_id: int = SnowflakeType.UNKNOWN, region_id: int = 0) -> int:
    """The lowest snowflake id of the millisecond ``at`` (for ``before``/``after`` bounds).

    Naive datetimes are local time, as :meth:`datetime.timestamp` takes them.
    """
    if not isinstance(at, _dt.datetime):
        raise InvalidArgumentError("at: expected a datetime, got {!r}".format(at))
    return datetime_to_snowflake(at) | ((region_id & 0xF) << 18) | (_type_bits(type_id) << 4)


def get_datetime_from_snowflake(snowflake_id: Union[int, str]) -> _dt.datetime:
    """The creation time of ``snowflake_id`` as an aware UTC datetime."""
    return snowflake_to_datetime(snowflake_id)
