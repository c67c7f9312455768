"""Notification endpoints, subscriptions and the ``Notification`` value object (§4.12, §5.12)."""

from typing import Any, ClassVar, Dict, List, Optional, Tuple, Union

import attrs

from ..exceptions import InvalidArgumentError
from ._base import WireModel
from ._enums import NotificationSeverity, NotificationType
from ._types import Id

__all__ = [
    "NotificationEndpoint",
    "NotificationSubscriptionEndpoint",
    "NotificationSubscription",
    "AgentNotificationResponse",
    "Notification",
    "coerce_severity",
    "coerce_notification_type",
]

SeverityLike = Union[NotificationSeverity, int, str]


def coerce_severity(value: Any, field: str = "severity") -> NotificationSeverity:
    """Turn the enum, an int 3..7 or a (case-insensitive) name or alias into a severity."""
    if isinstance(value, bool):
        value = repr(value)
    try:
        return NotificationSeverity(value)
    except (ValueError, TypeError):
        raise InvalidArgumentError(
            "{}: expected a NotificationSeverity, an int 3..7 or one of {} "
            "(or warning/error/err/fatal/crit), got {!r}".format(
                field, "/".join(m.name for m in NotificationSeverity), value
            )
        ) from None


def coerce_notification_type(value: Any, field: str = "type") -> NotificationType:
    """Turn the enum, its int or its (case-insensitive) name into a NotificationType."""
    if isinstance(value, bool):
        value = repr(value)
    try:
        return NotificationType(value)
    except (ValueError, TypeError):
        raise InvalidArgumentError(
            "{}: expected a NotificationType or one of {}, got {!r}".format(
                field, "/".join(m.name for m in NotificationType), value
            )
        ) from None


@attrs.frozen(kw_only=True)
class NotificationEndpoint(WireModel):
    """Where notifications are delivered (email, SMS, web push, HTTP, ...)."""

    id: Id
    agent_id: Id
    type: NotificationType
    name: str
    default: bool
    extra_data: Dict[str, Any] = attrs.field(factory=dict)
    priority: Optional[int] = None

    _omit_none_: ClassVar[Tuple[str, ...]] = ("priority",)


@attrs.frozen(kw_only=True)
class NotificationSubscriptionEndpoint(WireModel):
    """An endpoint as listed inside a subscription."""

    id: Id
    name: str
    default: bool


@attrs.frozen(kw_only=True)
class NotificationSubscription(WireModel):
    """``subscriber`` follows the notifications of ``subscribed_to`` at or above ``severity``."""

    id: Id
    subscriber: Id
    subscribed_to: Id
    severity: NotificationSeverity
    topic_filter: List[str] = attrs.field(factory=list)
    endpoints: List[NotificationSubscriptionEndpoint] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class AgentNotificationResponse(WireModel):
    """Result of ``fetch_notifications``."""

    subscriptions: List[NotificationSubscription]
    subscribers: List[NotificationSubscription]
    endpoints: List[NotificationEndpoint]


def _check_message(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, str):
        raise InvalidArgumentError(
            "message: expected a non-empty str, got {}".format(type(value).__name__)
        )
    if not value.strip():
        raise InvalidArgumentError("message: expected a non-empty str, got an empty string")


def _check_opt_str(instance: Any, attribute: Any, value: Any) -> None:
    if value is not None and not isinstance(value, str):
        raise InvalidArgumentError(
            "{}: expected a str or None, got {}".format(attribute.name, type(value).__name__)
        )


def _opt_severity(value: Any) -> Optional[NotificationSeverity]:
    return None if value is None else coerce_severity(value)


@attrs.frozen
class Notification:
    """A notification for an agent's ``notifications`` channel, validated when built.

    ``message`` must be a non-empty str; ``title`` and ``topic`` are str or None; ``severity``
    accepts the enum, an int 3..7, a case-insensitive name, or the aliases ``warning`` (Warn)
    and ``error``/``err``/``fatal``/``crit`` (Critical). Bad values raise
    :class:`~doover.exceptions.InvalidArgumentError` here, not later on a subscriber's phone.
    """

    NOTIFICATIONS_CHANNEL: ClassVar[str] = "notifications"

    message: str = attrs.field(validator=_check_message)
    title: Optional[str] = attrs.field(default=None, validator=_check_opt_str)
    severity: Optional[NotificationSeverity] = attrs.field(default=None, converter=_opt_severity)
    topic: Optional[str] = attrs.field(default=None, validator=_check_opt_str)

    def to_dict(self) -> Dict[str, Any]:
        """The ``data`` of the channel message: unset keys left out, severity as its integer."""
        out: Dict[str, Any] = {"message": self.message}
        if self.title is not None:
            out["title"] = self.title
        if self.severity is not None:
            out["severity"] = int(self.severity)
        if self.topic is not None:
            out["topic"] = self.topic
        return out

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "Notification":
        """Build from a channel message's ``data`` (validates like the constructor)."""
        if not isinstance(data, dict):
            raise InvalidArgumentError("notification: expected an object, got {}".format(type(data).__name__))
        return cls(data.get("message"), data.get("title"), data.get("severity"), data.get("topic"))
