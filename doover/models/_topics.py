"""Canonical notification topics: ``dev/applications/<policy>/<app_key>/<event>``.

The platform files any topic an app sends that does not start with ``dev/`` under
``legacy/default/<topic>``; an app that wants its notifications in the structured hierarchy
(where a subscriber can opt out of one event) sends the full canonical topic, built here.
Only ``re`` and ``enum`` are imported, so declaring notifications costs a processor's cold
start nothing worth measuring.
"""

import enum
import re
from typing import Any, Union

from ..exceptions import InvalidArgumentError

__all__ = [
    "NotificationPolicy",
    "NotificationTopic",
    "NotificationTopicFilterMode",
    "TOPIC_SEGMENT_PATTERN",
    "check_topic_segment",
    "coerce_policy",
]

#: What one topic segment (an app key, an event name) may look like: lower case letters and
#: digits first, then also ``.``, ``_`` and ``-``.
TOPIC_SEGMENT_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"

_SEGMENT = re.compile(TOPIC_SEGMENT_PATTERN)


class NotificationPolicy(str, enum.Enum):
    """Whether broad (default) notification subscriptions include an event.

    ``default`` events reach every subscriber who follows the agent; ``opt_in`` events
    (wire value ``"opt-in"``) reach only subscribers who asked for them. The policy is a
    segment of the topic. Accepts the member, its value or its name (``"opt_in"``).
    """

    default = "default"
    opt_in = "opt-in"

    @classmethod
    def _missing_(cls, value: Any) -> Any:
        if isinstance(value, str):
            key = value.strip().lower().replace("_", "-")
            for member in cls:
                if member.value == key:
                    return member
        return None


class NotificationTopicFilterMode(str, enum.Enum):
    """How a subscription's ``topic_filter`` entries are matched against a topic.

    ``exact``: each entry is compared literally (the historical behaviour). ``regex``: each
    entry is a regular expression matched against the whole canonical topic. Entries are
    ORed in both modes.
    """

    exact = "exact"
    regex = "regex"


def check_topic_segment(field: str, value: Any) -> str:
    """Return ``value`` if it is a valid topic segment, else raise InvalidArgumentError naming ``field``."""
    if not isinstance(value, str):
        raise InvalidArgumentError(
            "{}: expected a str matching {}, got {}: {!r}".format(
                field, TOPIC_SEGMENT_PATTERN, type(value).__name__, value
            )
        )
    if _SEGMENT.fullmatch(value) is None:
        raise InvalidArgumentError(
            "{}: expected lower-case letters, digits, '.', '_' or '-', starting with a letter or "
            "digit ({}), got {!r}".format(field, TOPIC_SEGMENT_PATTERN, value)
        )
    return value


def coerce_policy(value: Any, field: str = "policy") -> NotificationPolicy:
    """The :class:`NotificationPolicy` for ``value``, or InvalidArgumentError naming ``field``."""
    try:
        return NotificationPolicy(value)
    except (ValueError, TypeError):
        raise InvalidArgumentError(
            "{}: expected a NotificationPolicy, 'default' or 'opt-in', got {!r}".format(field, value)
        ) from None


class NotificationTopic(str):
    """A validated canonical notification topic; a ``str``, so it goes wherever a topic does.

    Build one with :meth:`application`.
    """

    __slots__ = ()

    @classmethod
    def application(
        cls,
        app_key: str,
        event: str,
        policy: Union[NotificationPolicy, str] = NotificationPolicy.default,
    ) -> "NotificationTopic":
        """``dev/applications/<policy>/<app_key>/<event>``, each segment validated.

        ``app_key`` is the app *install* key (``pump_controller_1``), which makes the topic
        unique per device and install; ``event`` is the stable event name. A bad segment
        raises :class:`~doover.exceptions.InvalidArgumentError` naming it.
        """
        check_topic_segment("app_key", app_key)
        check_topic_segment("event", event)
        member = coerce_policy(policy)
        return cls("dev/applications/{}/{}/{}".format(member.value, app_key, event))
