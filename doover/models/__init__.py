"""Data models of the Doover Data API, processor events and snowflake id helpers.

Every wire model is a frozen attrs class with ``Model.from_dict(json)`` and
``model.to_dict()``; :func:`structure` / :func:`unstructure` do the same for any type
(``structure(data, List[Message])``). One private cattrs converter (built on first use)
applies the wire rules: ids are decimal strings on the wire and ints in Python, times are epoch
milliseconds on the wire and aware UTC datetimes in Python, enums travel as their wire strings,
unknown keys are ignored, and malformed payloads raise :class:`doover.exceptions.DecodeError`
naming the path (``$.results[2].message_id``).

Models:
    ChannelID, Channel, Message, Aggregate, Attachment, File, MessageLogEntry, DataPoint,
    TimeseriesResponse, BatchMessageResponse, AgentAggregate, BatchAggregateResponse,
    BatchMutationItem, BatchMutationResult, BatchMutationResponse, Alarm,
    NotificationEndpoint, NotificationSubscriptionEndpoint, NotificationSubscription,
    AgentNotificationResponse, Notification, SubscriptionInfo, ProcessorTokenResponse,
    TurnCredential, RotatedDeviceToken, ConfirmedDeviceToken, ConnectionConfig,
    DooverConnectionStatus, ConnectionDetail, ConnectionSubscription,
    ConnectionSubscriptionLog.
Enums:
    ConnectionStatus, ConnectionDetermination, ConnectionType, ConnectionDisplay,
    AlarmOperator, AlarmState, NotificationType, NotificationSeverity.
Events:
    MessageCreateEvent, OneShotMessage, MessageUpdateEvent, AggregateUpdateEvent,
    ChannelSyncEvent, DeploymentEvent, ScheduleEvent, IngestionEndpointEvent, ManualInvokeEvent.
"""

from typing import Any, Type, TypeVar

from .._snowflake import (
    DOOVER_EPOCH_MS,
    SnowflakeType,
    datetime_to_snowflake,
    generate_snowflake,
    ms_to_snowflake,
    snowflake_parts,
    snowflake_to_datetime,
    snowflake_to_ms,
    to_snowflake_bound,
)
from ._alarm import Alarm
from ._batch import (
    MAX_BATCH_MUTATIONS,
    AgentAggregate,
    BatchAggregateResponse,
    BatchMessageResponse,
    BatchMutationItem,
    BatchMutationResponse,
    BatchMutationResult,
)
from ._connection import (
    ConnectionConfig,
    ConnectionDetail,
    ConnectionSubscription,
    ConnectionSubscriptionLog,
    DooverConnectionStatus,
)
from ._data import (
    Aggregate,
    Attachment,
    Channel,
    ChannelID,
    DataPoint,
    File,
    Message,
    MessageLogEntry,
    TimeseriesResponse,
)
from ._enums import (
    AlarmOperator,
    AlarmState,
    ConnectionDetermination,
    ConnectionDisplay,
    ConnectionStatus,
    ConnectionType,
    NotificationSeverity,
    NotificationType,
)
from ._events import (
    AggregateUpdateEvent,
    ChannelSyncEvent,
    DeploymentEvent,
    IngestionEndpointEvent,
    ManualInvokeEvent,
    MessageCreateEvent,
    MessageUpdateEvent,
    OneShotMessage,
    ScheduleEvent,
)
from ._notification import (
    AgentNotificationResponse,
    Notification,
    NotificationEndpoint,
    NotificationSubscription,
    NotificationSubscriptionEndpoint,
)
from ._processor import (
    ConfirmedDeviceToken,
    ProcessorTokenResponse,
    RotatedDeviceToken,
    SubscriptionInfo,
    TurnCredential,
)
from ._types import Id

__all__ = [
    # helpers
    "structure",
    "unstructure",
    "Id",
    # snowflakes
    "DOOVER_EPOCH_MS",
    "SnowflakeType",
    "generate_snowflake",
    "snowflake_to_ms",
    "snowflake_to_datetime",
    "datetime_to_snowflake",
    "ms_to_snowflake",
    "to_snowflake_bound",
    "snowflake_parts",
    # data
    "ChannelID",
    "Channel",
    "Message",
    "Aggregate",
    "Attachment",
    "File",
    "MessageLogEntry",
    "DataPoint",
    "TimeseriesResponse",
    "MAX_BATCH_MUTATIONS",
    "BatchMessageResponse",
    "AgentAggregate",
    "BatchAggregateResponse",
    "BatchMutationItem",
    "BatchMutationResult",
    "BatchMutationResponse",
    "Alarm",
    "NotificationEndpoint",
    "NotificationSubscriptionEndpoint",
    "NotificationSubscription",
    "AgentNotificationResponse",
    "Notification",
    "SubscriptionInfo",
    "ProcessorTokenResponse",
    "TurnCredential",
    "RotatedDeviceToken",
    "ConfirmedDeviceToken",
    "ConnectionConfig",
    "DooverConnectionStatus",
    "ConnectionDetail",
    "ConnectionSubscription",
    "ConnectionSubscriptionLog",
    # enums
    "ConnectionStatus",
    "ConnectionDetermination",
    "ConnectionType",
    "ConnectionDisplay",
    "AlarmOperator",
    "AlarmState",
    "NotificationType",
    "NotificationSeverity",
    # events
    "MessageCreateEvent",
    "OneShotMessage",
    "MessageUpdateEvent",
    "AggregateUpdateEvent",
    "ChannelSyncEvent",
    "DeploymentEvent",
    "ScheduleEvent",
    "IngestionEndpointEvent",
    "ManualInvokeEvent",
]

T = TypeVar("T")


def structure(data: Any, cls: Type[T]) -> T:
    """Turn decoded JSON into ``cls`` (a model or a typing generic of models).

    Unknown keys are ignored. Raises :class:`doover.exceptions.DecodeError` whose ``path``
    names the first problem and whose ``problems`` lists them all.
    """
    from ._converter import structure as _structure

    return _structure(data, cls)


def unstructure(obj: Any) -> Any:
    """The JSON-ready wire form of a model (ids as strings, times as epoch ms, enums as strings)."""
    from ._converter import unstructure as _unstructure

    return _unstructure(obj)
