"""Stored rows -> the JSON shapes of data-api.md §4 (ids as decimal strings)."""

import threading
import time
from typing import Any, Dict, List, Optional, Sequence
from urllib.parse import quote

from ._store import load_json

__all__ = [
    "now_ms",
    "now_us",
    "channel_json",
    "attachment_json",
    "message_json",
    "aggregate_json",
    "EMPTY_AGGREGATE",
    "get_path",
    "MISSING",
]

_last_us = [0]
_us_lock = threading.Lock()


def now_ms() -> int:
    """Wall-clock time in epoch milliseconds."""
    return int(time.time() * 1000)


def now_us() -> int:
    """Wall-clock time in epoch microseconds, strictly increasing within the process."""
    with _us_lock:
        value = int(time.time() * 1000000)
        if value <= _last_us[0]:
            value = _last_us[0] + 1
        _last_us[0] = value
        return value


def channel_json(agent_id: int, name: str) -> Dict[str, str]:
    return {"agent_id": str(agent_id), "name": name}


def attachment_json(meta: Dict[str, Any], url: str) -> Dict[str, Any]:
    return {
        "filename": meta["filename"],
        "content_type": meta.get("content_type"),
        "size": meta["size"],
        "url": url,
    }


def message_attachment_url(base_url: str, agent_id: int, channel: str, message_id: int, attachment_id: int) -> str:
    return "{}/agents/{}/channels/{}/messages/{}/attachments/{}".format(
        base_url, agent_id, quote(channel, safe=""), message_id, attachment_id
    )


def aggregate_attachment_url(base_url: str, agent_id: int, channel: str, attachment_id: int) -> str:
    return "{}/agents/{}/channels/{}/aggregate/attachments/{}".format(
        base_url, agent_id, quote(channel, safe=""), attachment_id
    )


def message_json(
    agent_id: int,
    channel: str,
    message_id: int,
    author_id: int,
    data: Any,
    attachments: Sequence[Dict[str, Any]],
    base_url: str,
) -> Dict[str, Any]:
    return {
        "id": str(message_id),
        "author_id": str(author_id),
        "channel": channel_json(agent_id, channel),
        "data": data,
        "attachments": [
            attachment_json(a, message_attachment_url(base_url, agent_id, channel, message_id, a["id"]))
            for a in attachments
        ],
    }


def message_from_row(row: Sequence[Any], base_url: str) -> Dict[str, Any]:
    """Render a ``(agent_id, channel, id, author_id, data, attachments)`` row."""
    agent_id, channel, message_id, author_id, data, attachments = row[:6]
    return message_json(
        agent_id, channel, message_id, author_id, load_json(data), load_json(attachments, []), base_url
    )


#: What GET on an aggregate that was never written returns.
EMPTY_AGGREGATE = {"data": {}, "attachments": [], "last_updated": None}


def aggregate_json(
    agent_id: int,
    channel: str,
    data: Any,
    attachments: List[Dict[str, Any]],
    last_updated: Optional[int],
    base_url: str,
) -> Dict[str, Any]:
    return {
        "data": data,
        "attachments": [
            attachment_json(a, aggregate_attachment_url(base_url, agent_id, channel, a["id"])) for a in attachments
        ],
        "last_updated": last_updated,
    }


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


#: Returned by :func:`get_path` when the path is absent.
MISSING = _Missing()


def get_path(data: Any, dotted: str) -> Any:
    """The value at a dotted path inside ``data``, or :data:`MISSING`."""
    node = data
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return MISSING
        node = node[part]
    return node
