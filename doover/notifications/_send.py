"""What the processor and edge ``send_notification`` share: ``event=`` to topic, model bodies.

Each app keeps its own validation of ``message``/``title``/``severity``/``topic`` and its own
way of posting; this module only decides which topic a notification goes to and turns a
``doover.models.Notification`` into its channel body.
"""

import sys
from typing import Any, Dict, Optional

from ..exceptions import DooverError, InvalidArgumentError
from ..models._topics import NotificationTopic, coerce_policy

__all__ = ["model_body", "resolve_topic"]


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
