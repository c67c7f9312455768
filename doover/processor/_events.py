"""The six processor event payloads (the ``d`` object of an invocation), parsed strictly.

Each event keeps the untouched ``d`` dict as ``raw``. A missing or malformed field raises
:class:`~doover.exceptions.InvalidEventError` naming the path (``d.message.id: expected an
integer, got "x"``).
"""

import base64
import datetime
import json
from typing import Any, Callable, Dict, List, Optional

import attrs

from .._snowflake import snowflake_to_ms
from ..exceptions import InvalidEventError

__all__ = [
    "ChannelID",
    "EventMessage",
    "EventAggregate",
    "MessageCreateEvent",
    "AggregateUpdateEvent",
    "DeploymentEvent",
    "ScheduleEvent",
    "IngestionEndpointEvent",
    "ManualInvokeEvent",
    "OPS",
    "build_event",
]

_MISSING = object()


def _get(d: Any, key: str, path: str, default: Any = _MISSING) -> Any:
    if not isinstance(d, dict):
        raise InvalidEventError("{}: expected an object, got {}".format(path, type(d).__name__))
    if key not in d:
        if default is _MISSING:
            raise InvalidEventError("{}.{}: required field is missing".format(path, key))
        return default
    return d[key]


def _int(value: Any, path: str) -> int:
    try:
        if isinstance(value, bool):
            raise ValueError
        return int(value)
    except (TypeError, ValueError) as exc:
        raise InvalidEventError("{}: expected an integer, got {!r}".format(path, value)) from exc


@attrs.frozen(kw_only=True)
class ChannelID:
    """A channel: the owning agent and the channel name."""

    agent_id: int
    name: str


@attrs.frozen(kw_only=True)
class EventMessage:
    """The message carried by a message-create event."""

    id: int
    author_id: int
    channel: ChannelID
    data: Any
    attachments: List[Any] = attrs.field(factory=list)

    @property
    def timestamp(self) -> datetime.datetime:
        """Creation time, from the snowflake id (UTC)."""
        return datetime.datetime.fromtimestamp(
            snowflake_to_ms(self.id) / 1000.0, tz=datetime.timezone.utc
        )


@attrs.frozen(kw_only=True)
class EventAggregate:
    """An aggregate as delivered in an aggregate-update event."""

    data: Any
    attachments: List[Any] = attrs.field(factory=list)
    last_updated: Optional[datetime.datetime] = None


def _channel(value: Any, path: str) -> ChannelID:
    return ChannelID(
        agent_id=_int(_get(value, "agent_id", path), path + ".agent_id"),
        name=str(_get(value, "name", path)),
    )


def _aggregate(value: Any, path: str) -> EventAggregate:
    last = _get(value, "last_updated", path, None)
    return EventAggregate(
        data=_get(value, "data", path),
        attachments=list(_get(value, "attachments", path, None) or []),
        last_updated=None
        if last is None
        else datetime.datetime.fromtimestamp(
            _int(last, path + ".last_updated") / 1000.0, tz=datetime.timezone.utc
        ),
    )


@attrs.frozen(kw_only=True)
class MessageCreateEvent:
    """``on_message_create``: a message landed on a subscribed channel."""

    channel: ChannelID
    message: EventMessage
    raw: Dict[str, Any] = attrs.field(repr=False, eq=False)

    @classmethod
    def from_payload(cls, d: Dict[str, Any]) -> "MessageCreateEvent":
        msg = d["message"] if isinstance(d, dict) and "message" in d else d
        path = "d.message" if msg is not d else "d"
        channel = _channel(_get(msg, "channel", path), path + ".channel")
        message = EventMessage(
            id=_int(_get(msg, "id", path), path + ".id"),
            author_id=_int(_get(msg, "author_id", path), path + ".author_id"),
            channel=channel,
            data=_get(msg, "data", path),
            attachments=list(_get(msg, "attachments", path, None) or []),
        )
        return cls(channel=channel, message=message, raw=d)


@attrs.frozen(kw_only=True)
class AggregateUpdateEvent:
    """``on_aggregate_update``: a subscribed channel's aggregate changed."""

    author_id: Any
    organisation_id: Any
    channel: ChannelID
    aggregate: EventAggregate
    request_data: EventAggregate
    raw: Dict[str, Any] = attrs.field(repr=False, eq=False)

    @classmethod
    def from_payload(cls, d: Dict[str, Any]) -> "AggregateUpdateEvent":
        return cls(
            author_id=_get(d, "author_id", "d"),
            organisation_id=_get(d, "organisation_id", "d"),
            channel=_channel(_get(d, "channel", "d"), "d.channel"),
            aggregate=_aggregate(_get(d, "aggregate", "d"), "d.aggregate"),
            request_data=_aggregate(_get(d, "request_data", "d"), "d.request_data"),
            raw=d,
        )


@attrs.frozen(kw_only=True)
class DeploymentEvent:
    """``on_deployment``: the app was deployed (or its config changed)."""

    agent_id: Any
    app_id: Any
    app_install_id: Any
    app_key: Any
    app_display_name: Any
    raw: Dict[str, Any] = attrs.field(repr=False, eq=False)

    @classmethod
    def from_payload(cls, d: Dict[str, Any]) -> "DeploymentEvent":
        names = ("agent_id", "app_id", "app_install_id", "app_key", "app_display_name")
        return cls(raw=d, **{name: _get(d, name, "d") for name in names})


@attrs.frozen(kw_only=True)
class ScheduleEvent:
    """``on_schedule``: a schedule fired."""

    schedule_id: Any
    raw: Dict[str, Any] = attrs.field(repr=False, eq=False)

    @classmethod
    def from_payload(cls, d: Dict[str, Any]) -> "ScheduleEvent":
        return cls(schedule_id=_get(d, "schedule_id", "d"), raw=d)


@attrs.frozen(kw_only=True)
class IngestionEndpointEvent:
    """``on_ingestion_endpoint``: an HTTP request hit the app's ingestion endpoint."""

    ingestion_id: Any
    agent_id: Any
    organisation_id: Any
    payload: Any
    invocation_url: Optional[str] = None
    content_type: Optional[str] = None
    raw: Dict[str, Any] = attrs.field(repr=False, eq=False)

    @classmethod
    def from_payload(
        cls, d: Dict[str, Any], parse: Callable[[str], Any]
    ) -> "IngestionEndpointEvent":
        return cls(
            ingestion_id=_get(d, "ingestion_id", "d"),
            agent_id=_get(d, "agent_id", "d"),
            organisation_id=_get(d, "organisation_id", "d"),
            payload=parse(_get(d, "payload", "d")),
            invocation_url=_get(d, "invocation_url", "d", None),
            content_type=_get(d, "content_type", "d", None),
            raw=d,
        )


@attrs.frozen(kw_only=True)
class ManualInvokeEvent:
    """``on_manual_invoke``: someone invoked the processor by hand."""

    organisation_id: Any
    payload: Any
    raw: Dict[str, Any] = attrs.field(repr=False, eq=False)

    @classmethod
    def from_payload(cls, d: Dict[str, Any]) -> "ManualInvokeEvent":
        return cls(
            organisation_id=_get(d, "organisation_id", "d"),
            payload=_get(d, "payload", "d"),
            raw=d,
        )


#: op -> event class; the handler is the method named like the op
OPS = {
    "on_message_create": MessageCreateEvent,
    "on_aggregate_update": AggregateUpdateEvent,
    "on_deployment": DeploymentEvent,
    "on_schedule": ScheduleEvent,
    "on_ingestion_endpoint": IngestionEndpointEvent,
    "on_manual_invoke": ManualInvokeEvent,
}


def default_ingestion_parser(payload: str) -> Any:
    """Base64-decode then JSON-parse an ingestion body."""
    try:
        return json.loads(base64.b64decode(payload, validate=True).decode("utf-8"))
    except (ValueError, TypeError) as exc:
        raise InvalidEventError(
            "d.payload: expected base64-encoded JSON, got {!r}".format(str(payload)[:60])
        ) from exc


def build_event(op: Any, d: Any, parse_ingestion: Callable[[str], Any]) -> Any:
    """Build the typed event for ``op`` from ``d``."""
    if op not in OPS:
        raise InvalidEventError(
            "op: expected one of {}, got {!r}".format(", ".join(sorted(OPS)), op)
        )
    if not isinstance(d, dict):
        raise InvalidEventError("d: expected an object, got {}".format(type(d).__name__))
    cls = OPS[op]
    if cls is IngestionEndpointEvent:
        return cls.from_payload(d, parse_ingestion)
    return cls.from_payload(d)
