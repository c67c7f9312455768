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
Notification topics:
    NotificationTopic, NotificationPolicy, NotificationTopicFilterMode.
"""

from typing import Any, Dict, Type, TypeVar

from .._lazy import lazy_exports

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
    # notification topics
    "NotificationPolicy",
    "NotificationTopic",
    "NotificationTopicFilterMode",
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
    "AlarmTriggerEvent",
    # API errors, re-exported from doover.exceptions (pydoover.models has them too)
    "DooverAPIError",
    "HTTPError",
    "BadRequestError",
    "UnauthorizedError",
    "ForbiddenError",
    "NotFoundError",
    "TokenRefreshError",
    "ResourcePermission",
]

T = TypeVar("T")

# Models load on first use, one submodule at a time: code that only needs the events does not
# pay for building the notification, batch or alarm classes.
_LAZY: Dict[str, str] = {}
for _module, _names in {
    # the snowflake helpers live in doover._snowflake (which imports random and threading)
    "doover._snowflake": ("DOOVER_EPOCH_MS", "SnowflakeType", "datetime_to_snowflake", "generate_snowflake",
                          "ms_to_snowflake", "snowflake_parts", "snowflake_to_datetime", "snowflake_to_ms",
                          "to_snowflake_bound"),
    "doover.exceptions": ("BadRequestError", "DooverAPIError", "ForbiddenError", "HTTPError", "NotFoundError",
                          "TokenRefreshError", "UnauthorizedError"),
    "_permission": ("ResourcePermission",),
    "_alarm": ("Alarm",),
    "_batch": ("MAX_BATCH_MUTATIONS", "AgentAggregate", "BatchAggregateResponse", "BatchMessageResponse",
               "BatchMutationItem", "BatchMutationResponse", "BatchMutationResult"),
    "_connection": ("ConnectionConfig", "ConnectionDetail", "ConnectionSubscription", "ConnectionSubscriptionLog",
                    "DooverConnectionStatus"),
    "_data": ("Aggregate", "Attachment", "Channel", "ChannelID", "DataPoint", "File", "Message", "MessageLogEntry",
              "TimeseriesResponse"),
    "_enums": ("AlarmOperator", "AlarmState", "ConnectionDetermination", "ConnectionDisplay", "ConnectionStatus",
               "ConnectionType", "NotificationSeverity", "NotificationType"),
    "_events": ("AggregateUpdateEvent", "AlarmTriggerEvent", "ChannelSyncEvent", "DeploymentEvent",
                "IngestionEndpointEvent", "ManualInvokeEvent", "MessageCreateEvent", "MessageUpdateEvent",
                "OneShotMessage", "ScheduleEvent"),
    "_notification": ("AgentNotificationResponse", "Notification", "NotificationEndpoint", "NotificationSubscription",
                      "NotificationSubscriptionEndpoint"),
    "_processor": ("ConfirmedDeviceToken", "ProcessorTokenResponse", "RotatedDeviceToken", "SubscriptionInfo",
                   "TurnCredential"),
    "_topics": ("NotificationPolicy", "NotificationTopic", "NotificationTopicFilterMode"),
}.items():
    for _name in _names:
        _LAZY[_name] = _module if "." in _module else "." + _module
del _module, _names, _name


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, __all__)


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
