"""Connection status (``doover_connection``) and websocket connection models (§4.11, §4.15)."""

import datetime as _dt
from typing import ClassVar, List, Optional, Tuple

import attrs

from ._base import WireModel
from ._data import ChannelID
from ._enums import ConnectionDisplay, ConnectionStatus, ConnectionType
from ._types import Id

__all__ = [
    "ConnectionConfig",
    "DooverConnectionStatus",
    "ConnectionDetail",
    "ConnectionSubscription",
    "ConnectionSubscriptionLog",
]


def _opt_enum(enum_cls):
    def convert(value):
        return None if value is None else enum_cls(value)

    return convert


@attrs.frozen
class ConnectionConfig(WireModel):
    """How an agent is expected to connect (seconds for intervals).

    On the wire the first five keys are always present (``null`` included); ``display`` only
    when set. ``connection_type`` and ``display`` accept the enum or its string.
    """

    connection_type: Optional[ConnectionType] = attrs.field(default=None, converter=_opt_enum(ConnectionType))
    expected_interval: Optional[float] = None
    offline_after: Optional[float] = None
    sleep_time: Optional[float] = None
    next_wake_time: Optional[float] = None
    display: Optional[ConnectionDisplay] = attrs.field(default=None, converter=_opt_enum(ConnectionDisplay))

    _omit_none_: ClassVar[Tuple[str, ...]] = ("display",)


@attrs.frozen
class DooverConnectionStatus(WireModel):
    """The ``status`` object of the ``doover_connection`` aggregate (times as aware datetimes)."""

    status: ConnectionStatus = attrs.field(converter=ConnectionStatus)
    last_online: Optional[_dt.datetime] = None
    last_ping: Optional[_dt.datetime] = None
    user_agent: Optional[str] = None
    ip: Optional[str] = None
    latency_ms: Optional[int] = None

    _omit_none_: ClassVar[Tuple[str, ...]] = ("user_agent", "ip", "latency_ms", "last_online", "last_ping")


@attrs.frozen(kw_only=True)
class ConnectionSubscription(WireModel):
    """A live websocket subscription to a channel."""

    channel: ChannelID
    subscribed_at: int
    connection_id: Id


@attrs.frozen(kw_only=True)
class ConnectionDetail(WireModel):
    """A websocket session of an agent. ``status`` is an integer whose meaning is undocumented."""

    agent_id: Id
    session_id: Id
    default_session: bool
    address: str
    status: int
    subscriptions: List[ConnectionSubscription] = attrs.field(factory=list)
    last_ping: Optional[int] = None
    latency: Optional[float] = None

    _omit_none_: ClassVar[Tuple[str, ...]] = ("last_ping", "latency")


@attrs.frozen(kw_only=True)
class ConnectionSubscriptionLog(WireModel):
    """A past websocket subscription (``unsubscribed_at`` None while still open)."""

    channel: ChannelID
    connection_id: Id
    subscribed_at: Optional[int] = None
    unsubscribed_at: Optional[int] = None

    _omit_none_: ClassVar[Tuple[str, ...]] = ("subscribed_at", "unsubscribed_at")
