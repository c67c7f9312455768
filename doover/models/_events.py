"""Typed events delivered to processors (processor.md §1.4) and edge apps (edge.md §3.4).

Build them with ``Event.from_dict(d)`` from the event body (``d`` of a processor invocation,
or the JSON of an edge channel event). Each keeps the dict it came from in ``raw``, an escape
hatch for fields the model does not name. Malformed bodies raise
:class:`doover.exceptions.DecodeError` naming the path.

Each class is built the first time it is used (``from doover.models import ScheduleEvent``
goes through this module's ``__getattr__``): an attrs class costs about a millisecond to
create, and a processor cold start needs only the class of its own event.
"""

import threading
from typing import Any, Callable, ClassVar, Dict, Optional, Type, TypeVar, Union

import attrs

from ._base import WireModel
from ._types import Id

__all__ = [
    "MessageCreateEvent",
    "OneShotMessage",
    "MessageUpdateEvent",
    "AggregateUpdateEvent",
    "ChannelSyncEvent",
    "DeploymentEvent",
    "ScheduleEvent",
    "IngestionEndpointEvent",
    "ManualInvokeEvent",
    "AlarmTriggerEvent",
]

E = TypeVar("E", bound="_Event")

_BUILDERS: Dict[str, Callable[[], type]] = {}
_BUILD_LOCK = threading.RLock()


def _builder(fn: Callable[[], type]) -> Callable[[], type]:
    _BUILDERS[fn.__name__[len("_build_"):]] = fn
    return fn


def _get(name: str) -> type:
    """The event class ``name``, built once (thread-safely) on first use."""
    cls = globals().get(name)
    if cls is None:
        with _BUILD_LOCK:
            cls = globals().get(name)
            if cls is None:
                cls = _BUILDERS[name]()
                cls.__module__ = __name__
                cls.__qualname__ = name
                globals()[name] = cls
    return cls


def __getattr__(name: str) -> Any:
    if name in _BUILDERS:
        return _get(name)
    raise AttributeError("module {!r} has no attribute {!r}".format(__name__, name))


def __dir__() -> Any:
    return sorted(set(globals()) | set(__all__))


def _raw_field() -> Any:
    return attrs.field(default=None, eq=False, repr=False, metadata={"omit": True})


class _Event(WireModel):
    __slots__ = ()

    @classmethod
    def from_dict(cls: Type[E], data: Any) -> E:
        """Build the event from its JSON body, with the wire rules of :mod:`doover.models`.

        Decoded by :mod:`doover.models._eventwire` (no cattrs: a processor that rejects the
        event in ``pre_hook_filter`` never imports the converter). Same instances and the
        same :class:`~doover.exceptions.DecodeError` messages and paths as ``structure``.
        """
        from ._eventwire import decode

        event = decode(data, cls)
        object.__setattr__(event, "raw", data)
        return event


def _as_aggregate_shape(value: Any) -> Any:
    # request_data is normally Aggregate-shaped ({"data": patch}); accept a bare patch too.
    if isinstance(value, dict) and "data" not in value:
        return {"data": value}
    return value


@_builder
def _build_MessageCreateEvent() -> type:
    from ._data import ChannelID, Message

    @attrs.frozen(kw_only=True)
    class MessageCreateEvent(_Event):
        """A message was created. ``channel`` is the message's channel.

        Accepts both layouts: ``{"message": {...}, ...}`` and the message itself as the body.
        """

        channel: ChannelID
        message: Message
        raw: Optional[Dict[str, Any]] = _raw_field()

        @classmethod
        def _wire_in(cls, data: Any) -> Any:
            if not isinstance(data, dict):
                return data
            message = data["message"] if isinstance(data.get("message"), dict) else data
            return {"channel": message.get("channel") if isinstance(message, dict) else None, "message": message}

    return MessageCreateEvent


@_builder
def _build_OneShotMessage() -> type:
    MessageCreateEvent = _get("MessageCreateEvent")

    @attrs.frozen(kw_only=True)
    class OneShotMessage(MessageCreateEvent):
        """A one-shot (not persisted) message on an edge channel; also a MessageCreateEvent."""

    return OneShotMessage


@_builder
def _build_MessageUpdateEvent() -> type:
    from ._data import ChannelID, Message

    @attrs.frozen(kw_only=True)
    class MessageUpdateEvent(_Event):
        """A message was updated (edge only). ``request_data`` is the patch that was applied."""

        channel: ChannelID
        message: Message
        author_id: Optional[Id] = None
        organisation_id: Optional[Id] = None
        request_data: Any = attrs.field(factory=dict)
        raw: Optional[Dict[str, Any]] = _raw_field()

    return MessageUpdateEvent


@_builder
def _build_AggregateUpdateEvent() -> type:
    from ._data import Aggregate, ChannelID

    @attrs.frozen(kw_only=True)
    class AggregateUpdateEvent(_Event):
        """An aggregate changed. ``aggregate`` is the state after the update; ``request_data``
        the patch that was sent (both Aggregate-shaped)."""

        channel: ChannelID
        aggregate: Aggregate
        request_data: Aggregate
        author_id: Optional[Id] = None
        organisation_id: Optional[Id] = None
        raw: Optional[Dict[str, Any]] = _raw_field()

        @classmethod
        def _wire_in(cls, data: Any) -> Any:
            if isinstance(data, dict) and "request_data" in data:
                data = dict(data)
                data["request_data"] = _as_aggregate_shape(data["request_data"])
            return data

    return AggregateUpdateEvent


@_builder
def _build_ChannelSyncEvent() -> type:
    from ._data import Aggregate, ChannelID

    @attrs.frozen(kw_only=True)
    class ChannelSyncEvent(_Event):
        """The initial aggregate of a channel, delivered once when an edge app subscribes."""

        aggregate: Aggregate
        channel: Optional[ChannelID] = None
        raw: Optional[Dict[str, Any]] = _raw_field()

    return ChannelSyncEvent


@_builder
def _build_DeploymentEvent() -> type:
    @attrs.frozen(kw_only=True)
    class DeploymentEvent(_Event):
        """The app was deployed (or redeployed) to an agent."""

        agent_id: Id
        app_id: Id
        app_install_id: Id
        app_key: str
        app_display_name: str
        organisation_id: Optional[Id] = None
        raw: Optional[Dict[str, Any]] = _raw_field()

    return DeploymentEvent


@_builder
def _build_ScheduleEvent() -> type:
    @attrs.frozen(kw_only=True)
    class ScheduleEvent(_Event):
        """A schedule fired. ``schedule_id`` is an int when it is a decimal id, else the string."""

        schedule_id: Union[int, str]
        organisation_id: Optional[Id] = None
        raw: Optional[Dict[str, Any]] = _raw_field()

        @classmethod
        def _wire_in(cls, data: Any) -> Any:
            if isinstance(data, dict) and isinstance(data.get("schedule_id"), str):
                text = data["schedule_id"].strip()
                if text.isdigit():
                    data = dict(data)
                    data["schedule_id"] = int(text)
            return data

    return ScheduleEvent


@_builder
def _build_IngestionEndpointEvent() -> type:
    @attrs.frozen(kw_only=True)
    class IngestionEndpointEvent(_Event):
        """An HTTP ingestion endpoint was called. ``payload`` is the parsed body: the processor
        framework decodes ``d.payload`` (base64) and passes the result to :meth:`from_dict`."""

        ingestion_id: Id
        agent_id: Id
        organisation_id: Id
        payload: Any
        invocation_url: Optional[str] = None
        content_type: Optional[str] = None
        raw: Optional[Dict[str, Any]] = _raw_field()

        _NO_PAYLOAD: ClassVar[object] = object()

        @classmethod
        def from_dict(cls, data: Any, payload: Any = _NO_PAYLOAD) -> "IngestionEndpointEvent":  # type: ignore[override]
            """Build from ``d``; ``payload`` replaces ``d["payload"]`` when given (already parsed)."""
            event = super().from_dict(data)
            if payload is not cls._NO_PAYLOAD:
                object.__setattr__(event, "payload", payload)
            return event

    return IngestionEndpointEvent


@_builder
def _build_ManualInvokeEvent() -> type:
    @attrs.frozen(kw_only=True)
    class ManualInvokeEvent(_Event):
        """A processor was invoked by hand; ``payload`` is any JSON."""

        payload: Any
        organisation_id: Optional[Id] = None
        raw: Optional[Dict[str, Any]] = _raw_field()

    return ManualInvokeEvent


# the condition types whose key/operator/value an alarm's top-level fields describe, in the
# order the platform picks its "primary" condition
_PRIMARY_CONDITION_TYPES = ("threshold", "rate", "compare")


def _alarm_with_primary_fields(alarm: Any) -> Any:
    """An alarm body with ``key``/``operator``/``value`` filled from its primary condition when
    the platform left them out (they are derived from ``conditions`` server-side)."""
    if not isinstance(alarm, dict):
        return alarm
    conditions = alarm.get("conditions")
    if (alarm.get("key") is not None and alarm.get("operator") is not None) or not isinstance(conditions, list):
        return alarm
    primary = None
    for kind in _PRIMARY_CONDITION_TYPES:
        primary = next((c for c in conditions if isinstance(c, dict) and c.get("type") == kind), None)
        if primary is not None:
            break
    if primary is None:
        return alarm
    alarm = dict(alarm)
    for name in ("key", "operator"):
        if alarm.get(name) is None and primary.get(name) is not None:
            alarm[name] = primary[name]
    if "value" not in alarm:
        alarm["value"] = primary.get("value")
    return alarm


@_builder
def _build_AlarmTriggerEvent() -> type:
    from ._alarm import Alarm
    from ._data import Aggregate, ChannelID
    from ._enums import AlarmState

    @attrs.frozen(kw_only=True)
    class AlarmTriggerEvent(_Event):
        """An alarm on a subscribed channel changed state (``old_state`` -> ``new_state``).

        Fired for every transition, into and out of ``AlarmPending`` and ``NoData`` too.
        ``channel`` is the alarm's channel, ``alarm`` the alarm after the transition,
        ``aggregate`` the channel's aggregate that was evaluated and ``request_data`` the
        aggregate patch that caused it (both Aggregate-shaped). An alarm described only by
        ``conditions`` gets ``key``/``operator``/``value`` from its first threshold, rate or
        compare condition; the full alarm body stays in ``raw["alarm"]``.
        """

        channel: ChannelID
        alarm: Alarm
        old_state: AlarmState
        new_state: AlarmState
        aggregate: Aggregate
        request_data: Aggregate
        organisation_id: Optional[Id] = None
        raw: Optional[Dict[str, Any]] = _raw_field()

        @classmethod
        def _wire_in(cls, data: Any) -> Any:
            if not isinstance(data, dict):
                return data
            data = dict(data)
            if "request_data" in data:
                data["request_data"] = _as_aggregate_shape(data["request_data"])
            if "alarm" in data:
                data["alarm"] = _alarm_with_primary_fields(data["alarm"])
            return data

        @property
        def is_alarm(self) -> bool:
            """True when the alarm has just entered the (debounced) ``Alarm`` state."""
            return self.new_state is AlarmState.Alarm

        @property
        def is_cleared(self) -> bool:
            """True when the alarm has just gone back to ``OK``."""
            return self.new_state is AlarmState.OK

        @property
        def value(self) -> Any:
            """The aggregate's value at the alarm's dotted ``key`` (None when it is absent)."""
            node = self.aggregate.data
            if not self.alarm.key:
                return None
            for part in self.alarm.key.split("."):
                if not isinstance(node, dict) or part not in node:
                    return None
                node = node[part]
            return node

    return AlarmTriggerEvent
