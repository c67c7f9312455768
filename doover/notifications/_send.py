"""What the processor and edge ``send_notification`` share: the checked channel body of a
plain notification, ``event=`` to topic, and model bodies. Each app keeps its own way of
posting (a processor through its Data API client, an edge app through its outbox).
"""

import sys
from typing import Any, Dict, Optional

from ..exceptions import DooverError, InvalidArgumentError
from ..models._topics import NotificationTopic, coerce_policy

__all__ = ["model_body", "plain_body", "resolve_topic", "severity_number"]


def model_body(message: Any, **ignored: Any) -> Optional[Dict[str, Any]]:
    """The channel body of ``message`` if it is a :class:`doover.models.Notification`, else None.

    ``ignored`` are the other arguments the caller was given: with a model they would be
    silently dropped, so any that is set is refused, naming it.
    """
    # a model instance exists only once its module was imported; checking sys.modules keeps
    # attrs out of a processor that sends plain strings
    module = sys.modules.get("doover.models._notification")
    if module is None or not isinstance(message, module.Notification):
        return None
    given = sorted(name for name, value in ignored.items() if value is not None)
    if given:
        raise InvalidArgumentError(
            "{}: not used when message is a doover.models.Notification (it carries its own "
            "title, severity and topic); set them on the model instead".format(", ".join(given))
        )
    return message.to_dict()


def resolve_topic(app_key: Optional[str], topic: Any, event: Any, policy: Any) -> Any:
    """``topic``, or the canonical topic of ``event`` for ``app_key`` under ``policy``."""
    member = coerce_policy(policy, "notification_policy")
    if event is None:
        return topic
    if topic is not None:
        raise InvalidArgumentError(
            "topic, event: give one or the other, not both (event={!r} builds the canonical topic "
            "dev/applications/<policy>/<app_key>/<event> itself)".format(event)
        )
    if not app_key:
        raise DooverError(
            "event={!r}: the canonical topic needs the app key, which is not known yet (a processor "
            "learns it at setup, after pre_hook_filter; an edge app from app_key= or APP_KEY)".format(event)
        )
    return NotificationTopic.application(app_key, event, member)


#: severity names (case-insensitive) and the platform's aliases -> the number on the wire
SEVERITIES = {
    "trace": 3, "debug": 4, "info": 5, "warn": 6, "warning": 6,
    "critical": 7, "error": 7, "err": 7, "fatal": 7, "crit": 7,
}


def severity_number(value: Any) -> int:
    """The wire number (3..7) of ``value``: an int 3..7 (a ``NotificationSeverity`` is one) or a
    name. Anything else is an :class:`InvalidArgumentError`: out of range, the server would
    store the body as raw text and no subscriber would be notified."""
    if isinstance(value, bool):
        raise InvalidArgumentError("severity: expected 3..7 or a name, got {!r}".format(value))
    if isinstance(value, int) and 3 <= value <= 7:
        return int(value)
    if isinstance(value, str) and value.strip().lower() in SEVERITIES:
        return SEVERITIES[value.strip().lower()]
    raise InvalidArgumentError(
        "severity: expected an integer 3..7 or one of {}, got {!r}".format(", ".join(sorted(SEVERITIES)), value))


def plain_body(message: Any, title: Any, severity: Any, topic: Any) -> Dict[str, Any]:
    """The ``notifications`` channel body of a text notification, every argument checked."""
    if not isinstance(message, str) or not message.strip():
        raise InvalidArgumentError("message: expected a non-empty string, got {!r}".format(message))
    for name, value in (("title", title), ("topic", topic)):
        if value is not None and not isinstance(value, str):
            raise InvalidArgumentError("{}: expected a string or None, got {!r}".format(name, value))
    body: Dict[str, Any] = {"message": message}
    if title is not None:
        body["title"] = title
    if severity is not None:
        body["severity"] = severity_number(severity)
    if topic is not None:
        body["topic"] = str(topic)
    return body
