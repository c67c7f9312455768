"""Building the typed event of an invocation from its ``op`` and ``d`` (models: ``doover.models``).

A malformed ``d`` raises :class:`~doover.exceptions.InvalidEventError` naming the path
(``d: could not decode MessageCreateEvent: required field missing @ $.message.author_id``).
"""

import json
from typing import Any, Callable

from ..exceptions import DecodeError, InvalidEventError

__all__ = ["OPS", "build_event", "default_ingestion_parser"]

#: op -> the doover.models event class name; the handler is the method named like the op
OPS = {
    "on_message_create": "MessageCreateEvent",
    "on_aggregate_update": "AggregateUpdateEvent",
    "on_deployment": "DeploymentEvent",
    "on_schedule": "ScheduleEvent",
    "on_ingestion_endpoint": "IngestionEndpointEvent",
    "on_manual_invoke": "ManualInvokeEvent",
    "on_alarm_trigger": "AlarmTriggerEvent",
}


def default_ingestion_parser(payload: str) -> Any:
    """Base64-decode then JSON-parse an ingestion body."""
    import base64

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
    from .. import models

    cls = getattr(models, OPS[op])
    try:
        if op == "on_ingestion_endpoint":
            if "payload" not in d:
                raise InvalidEventError("d.payload: required field is missing")
            return cls.from_dict(d, payload=parse_ingestion(d["payload"]))
        return cls.from_dict(d)
    except DecodeError as exc:
        raise InvalidEventError("d: {}".format(exc)) from exc
