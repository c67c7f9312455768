"""Reading channel events (models or plain dicts) for RPC and UI dispatch.

Runtimes deliver :mod:`doover.models` events (``MessageCreateEvent``, ``OneShotMessage``,
``MessageUpdateEvent``, ``AggregateUpdateEvent``, ``ChannelSyncEvent``). Plain dicts in the
wire shapes of processor.md §1.4 and edge.md §3.4 are accepted too (tests, tools). This
module turns either into one small record, without importing the models.
"""

import time
from typing import Any, Dict, Optional

from .._snowflake import snowflake_to_ms

__all__ = ["Incoming", "read_event", "expires_at_ms", "is_expired", "now_ms"]

CREATE = "create"
ONESHOT = "oneshot"
UPDATE = "update"
AGGREGATE = "aggregate"
SYNC = "sync"
OTHER = "other"

_KINDS_BY_CLASS = {
    "OneShotMessage": ONESHOT,
    "MessageCreateEvent": CREATE,
    "MessageUpdateEvent": UPDATE,
    "AggregateUpdateEvent": AGGREGATE,
    "ChannelSyncEvent": SYNC,
}


def now_ms() -> int:
    """Current time in epoch milliseconds."""
    return int(time.time() * 1000)


class Incoming:
    """One event, reduced to what dispatch needs.

    ``kind`` is ``create``, ``oneshot``, ``update``, ``aggregate``, ``sync`` or ``other``;
    ``message`` is the original message object or dict (what handlers see as
    ``ctx.message``); ``data`` the message data (or aggregate data).
    """

    __slots__ = ("kind", "channel_name", "agent_id", "message_id", "data", "message", "event")

    def __init__(self, kind: str, channel_name: Optional[str], agent_id: Any, message_id: Optional[int],
                 data: Any, message: Any, event: Any) -> None:
        self.kind = kind
        self.channel_name = channel_name
        self.agent_id = agent_id
        self.message_id = message_id
        self.data = data
        self.message = message
        self.event = event


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _int_or_none(value: Any) -> Optional[int]:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _kind_of(event: Any) -> str:
    for cls in type(event).__mro__:
        kind = _KINDS_BY_CLASS.get(cls.__name__)
        if kind is not None:
            return kind
    if isinstance(event, dict):
        if "aggregate" in event:
            return AGGREGATE if "request_data" in event else SYNC
        if event.get("oneshot") is True:
            return ONESHOT
        if "request_data" in event and "message" in event:
            return UPDATE
        if "message" in event or "id" in event:
            return CREATE
    return OTHER


def read_event(event: Any) -> Incoming:
    """Reduce an event (model or dict) to an :class:`Incoming` record."""
    kind = _kind_of(event)
    if kind in (AGGREGATE, SYNC):
        aggregate = _get(event, "aggregate")
        data = _get(aggregate, "data", aggregate if isinstance(aggregate, dict) else None)
        if isinstance(aggregate, dict) and "data" in aggregate:
            data = aggregate["data"]
        channel = _get(event, "channel")
        return Incoming(kind, _get(channel, "name"), _get(channel, "agent_id"), None, data, None, event)
    if kind == OTHER:
        return Incoming(OTHER, None, None, None, None, None, event)
    message = _get(event, "message")
    if message is None and isinstance(event, dict):
        message = event  # processor layout: ``d`` itself is the message
    channel = _get(message, "channel") or _get(event, "channel")
    return Incoming(
        kind,
        _get(channel, "name"),
        _get(channel, "agent_id"),
        _int_or_none(_get(message, "id")),
        _get(message, "data"),
        message,
        event,
    )


def expires_at_ms(message_id: Optional[int], data: Any) -> Optional[int]:
    """Epoch ms when a command expires (snowflake time + ``expires_after``), or None."""
    if not isinstance(data, dict) or message_id is None:
        return None
    after = data.get("expires_after")
    if isinstance(after, bool) or not isinstance(after, (int, float)):
        return None
    return snowflake_to_ms(message_id) + int(after)


def is_expired(message_id: Optional[int], data: Any, now: Optional[int] = None) -> bool:
    """True if the command's expiry has passed."""
    expires = expires_at_ms(message_id, data)
    if expires is None:
        return False
    return (now_ms() if now is None else now) >= expires


def status_of(data: Any) -> Dict[str, Any]:
    """The ``status`` object of an RPC message (``{}`` if absent or malformed)."""
    status = data.get("status") if isinstance(data, dict) else None
    return status if isinstance(status, dict) else {}
