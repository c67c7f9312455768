"""Listener events: what the emulator tells :meth:`Emulator.add_listener` callbacks.

Each event is a plain dict, built after a write and delivered after its commit::

    {"op": "on_message_create" | "on_message_update" | "on_aggregate_update" | "on_alarm_trigger",
     "agent_id": <int>, "channel": <str>, "organisation_id": <str>,
     "d": {...}}

``d`` has the shape of the processor event payload of the same name (data-api.md §4.16,
processor.md §1.4), so a processor host can wrap it in an SNS envelope unchanged.
"""

from typing import Any, Dict, List, Optional

from ._wire import channel_json

__all__ = ["message_create_event", "message_update_event", "aggregate_update_event", "alarm_trigger_event"]


def _envelope(op: str, agent_id: int, channel: str, organisation_id: int, d: Dict[str, Any]) -> Dict[str, Any]:
    return {
        "op": op,
        "agent_id": agent_id,
        "channel": channel,
        "organisation_id": str(organisation_id),
        "d": d,
    }


def message_create_event(agent_id: int, channel: str, organisation_id: int, message: Dict[str, Any]) -> Dict[str, Any]:
    return _envelope(
        "on_message_create",
        agent_id,
        channel,
        organisation_id,
        {
            "organisation_id": str(organisation_id),
            "owner_id": str(agent_id),
            "channel_name": channel,
            "author_id": message["author_id"],
            "channel": channel_json(agent_id, channel),
            "message": message,
        },
    )


def message_update_event(
    agent_id: int,
    channel: str,
    organisation_id: int,
    author_id: int,
    message: Dict[str, Any],
    patch: Any,
    replace_data: bool,
) -> Dict[str, Any]:
    return _envelope(
        "on_message_update",
        agent_id,
        channel,
        organisation_id,
        {
            "organisation_id": str(organisation_id),
            "author_id": str(author_id),
            "channel": channel_json(agent_id, channel),
            "message": message,
            "request_data": {"data": patch},
            "replace_data": replace_data,
        },
    )


def aggregate_update_event(
    agent_id: int,
    channel: str,
    organisation_id: int,
    author_id: int,
    aggregate: Dict[str, Any],
    patch: Any,
    replace_data: bool,
    replace_paths: Optional[List[str]] = None,
) -> Dict[str, Any]:
    d = {
        "organisation_id": str(organisation_id),
        "author_id": str(author_id),
        "channel": channel_json(agent_id, channel),
        "aggregate": aggregate,
        "request_data": {"data": patch},
        "replace_data": replace_data,
    }  # type: Dict[str, Any]
    if replace_paths:
        d["replace"] = list(replace_paths)
    return _envelope("on_aggregate_update", agent_id, channel, organisation_id, d)


def alarm_trigger_event(
    agent_id: int,
    channel: str,
    organisation_id: int,
    alarm: Dict[str, Any],
    old_state: str,
    aggregate: Dict[str, Any],
    patch: Any,
) -> Dict[str, Any]:
    """An alarm of ``channel`` went from ``old_state`` to ``alarm["state"]`` on the aggregate
    update ``patch`` that left ``aggregate``."""
    d = {
        "organisation_id": str(organisation_id),
        "channel": channel_json(agent_id, channel),
        "alarm": alarm,
        "old_state": old_state,
        "new_state": alarm["state"],
        "aggregate": aggregate,
        "request_data": {"data": patch},
    }  # type: Dict[str, Any]
    return _envelope("on_alarm_trigger", agent_id, channel, organisation_id, d)
