"""Channel events delivered to device-agent callbacks, and the payload rules for writes.

Events are plain objects with the attributes the platform SDK's events have:

* :class:`ChannelSyncEvent` (``channel_name``, ``aggregate``): once per channel at start;
* :class:`AggregateUpdateEvent` (``channel_name``, ``aggregate``, ``request_data``): the
  aggregate changed (``aggregate`` is the full new aggregate, ``request_data`` what changed);
* :class:`MessageCreateEvent` (``channel_name``, ``message``): a new message.

``aggregate`` objects have ``data``, ``attachments`` and ``last_updated``; ``message``
objects have ``id``, ``author_id``, ``channel``, ``data``, ``attachments`` and
``timestamp``.
"""

import re
from types import SimpleNamespace
from typing import Any, FrozenSet, Iterable, Optional, Union

from .._snowflake import snowflake_to_datetime
from ..exceptions import PayloadError

__all__ = [
    "EventType",
    "ChannelSyncEvent",
    "AggregateUpdateEvent",
    "MessageCreateEvent",
    "PayloadError",
    "validate_payload",
    "make_aggregate",
    "make_message",
    "event_filter",
]

_KEY = re.compile(r"^[a-zA-Z0-9_-]+$")


class EventType:
    """Names for the ``events`` filter of ``add_event_callback``."""

    MESSAGE_CREATE = "message_create"
    MESSAGE_UPDATE = "message_update"
    AGGREGATE_UPDATE = "aggregate_update"
    ONESHOT_MESSAGE = "oneshot_message"
    CHANNEL_SYNC = "channel_sync"
    ALL = "all"


_ALL = frozenset(
    [EventType.MESSAGE_CREATE, EventType.MESSAGE_UPDATE, EventType.AGGREGATE_UPDATE,
     EventType.ONESHOT_MESSAGE, EventType.CHANNEL_SYNC]
)


def event_filter(events: Union[str, Iterable[str], None]) -> FrozenSet[str]:
    """Normalise an ``events=`` argument (a name, names, or ``"all"``) to a set of names."""
    if events is None or events == EventType.ALL:
        return _ALL
    names = [events] if isinstance(events, str) else list(events)
    out = set()
    for name in names:
        name = getattr(name, "name", name)
        name = str(name).lower()
        if name == EventType.ALL:
            return _ALL
        if name not in _ALL:
            raise ValueError("events: unknown event type {!r}; expected one of {}".format(name, sorted(_ALL)))
        out.add(name)
    return frozenset(out)


class ChannelSyncEvent:
    """The channel's aggregate as first seen at start (``channel_name``, ``aggregate``)."""

    event_type = EventType.CHANNEL_SYNC

    def __init__(self, channel_name: str, aggregate: Any) -> None:
        self.channel_name = channel_name
        self.aggregate = aggregate

    def __repr__(self) -> str:
        return "ChannelSyncEvent({!r}, {!r})".format(self.channel_name, self.aggregate.data)


class AggregateUpdateEvent:
    """The aggregate changed (``channel_name``, ``aggregate``, ``request_data``)."""

    event_type = EventType.AGGREGATE_UPDATE

    def __init__(self, channel_name: str, aggregate: Any, request_data: Any = None) -> None:
        self.channel_name = channel_name
        self.aggregate = aggregate
        self.request_data = request_data

    def __repr__(self) -> str:
        return "AggregateUpdateEvent({!r}, {!r})".format(self.channel_name, self.aggregate.data)


class MessageCreateEvent:
    """A message was created on the channel (``channel_name``, ``message``)."""

    event_type = EventType.MESSAGE_CREATE

    def __init__(self, channel_name: str, message: Any) -> None:
        self.channel_name = channel_name
        self.message = message

    def __repr__(self) -> str:
        return "MessageCreateEvent({!r}, id={})".format(self.channel_name, self.message.id)


def make_aggregate(data: Any, attachments: Any = None, last_updated: Optional[int] = None) -> SimpleNamespace:
    """An aggregate object with ``data``, ``attachments`` and ``last_updated``."""
    return SimpleNamespace(data=data, attachments=list(attachments or []), last_updated=last_updated)


def make_message(raw: Any, channel_name: str = "", agent_id: Any = None) -> SimpleNamespace:
    """A message object from a Data API message JSON (ids given as strings become ints)."""
    raw = raw or {}
    inner = raw.get("message") if isinstance(raw.get("message"), dict) else raw
    mid = int(inner.get("id", 0) or 0)
    chan = inner.get("channel") or {"agent_id": agent_id, "name": channel_name}
    author = inner.get("author_id")
    return SimpleNamespace(
        id=mid,
        author_id=int(author) if author not in (None, "") else None,
        channel=SimpleNamespace(agent_id=chan.get("agent_id"), name=chan.get("name", channel_name)),
        data=inner.get("data"),
        attachments=list(inner.get("attachments") or []),
        timestamp=snowflake_to_datetime(mid) if mid else None,
    )


def validate_payload(data: Any, what: str = "data") -> None:
    """Raise :class:`PayloadError` unless ``data`` is an object whose keys all match ``^[a-zA-Z0-9_-]+$``."""
    if not isinstance(data, dict):
        raise PayloadError("{}: expected a JSON object at the top level, got {}".format(what, type(data).__name__))
    _check(data, what)


def _check(value: Any, path: str) -> None:
    if isinstance(value, dict):
        for key, sub in value.items():
            if not isinstance(key, str) or not _KEY.match(key):
                raise PayloadError(
                    "{}: invalid key {!r}; keys must be strings of letters, digits, '_' or '-'".format(path, key)
                )
            _check(sub, "{}.{}".format(path, key))
    elif isinstance(value, (list, tuple)):
        for i, sub in enumerate(value):
            _check(sub, "{}[{}]".format(path, i))
    elif value is not None and not isinstance(value, (str, int, float, bool)):
        raise PayloadError("{}: {} is not JSON-serialisable".format(path, type(value).__name__))
