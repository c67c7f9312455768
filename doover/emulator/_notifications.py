"""Notifications (#38-#51): endpoints, subscriptions, and the ``notifications`` channel.

Sending a notification is creating a message on the agent's ``notifications`` channel. The
emulator stores that message like any other and keeps a record (see
:meth:`Emulator.notifications`) with the severity by **name** (``Trace``, ``Debug``, ``Info``,
``Warn``, ``Critical``; given as an integer 3-7 or a case-insensitive name; absent means
``Info``), the title (default: the agent's display name), the topic and the subscriptions it
was fanned out to (severity at or below the notification's, topic matched by the
subscription's ``topic_filter`` or ``*``). A payload that does not parse is not rejected:
like the platform, the record's message is then the raw JSON text.

Subscriptions created without ``endpoint_id`` are "default" subscriptions: one per default
endpoint of the subscriber (or one with no endpoint when it has none).
"""

import json
import sqlite3
from typing import Any, Dict, List, Optional

from .._snowflake import SnowflakeType, generate_snowflake
from ._agents import display_name_of
from ._fields import as_bool, as_int, as_object, as_str, as_str_list, parse_id, path_agent, path_id
from ._http import ApiError, Request, Response
from ._store import Tx, dump_json, load_json

__all__ = ["SEVERITIES", "TYPES", "severity_name", "record_notification", "ROUTES"]

SEVERITIES = {"Trace": 3, "Debug": 4, "Info": 5, "Warn": 6, "Critical": 7}
TYPES = {"Email": 1, "Sms": 2, "WebPush": 3, "Http": 4, "Placeholder": 5, "FirebasePush": 6}
_SEVERITY_BY_VALUE = {v: k for k, v in SEVERITIES.items()}
_ALIASES = {"warning": "Warn"}


def severity_name(value: Any, field: str = "severity") -> str:
    """A severity given as an integer (3-7) or a name, as its canonical name."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value in _SEVERITY_BY_VALUE:
            return _SEVERITY_BY_VALUE[value]
    elif isinstance(value, str):
        lowered = value.lower()
        for name in SEVERITIES:
            if name.lower() == lowered:
                return name
        if lowered in _ALIASES:
            return _ALIASES[lowered]
        if value.isdigit() and int(value) in _SEVERITY_BY_VALUE:
            return _SEVERITY_BY_VALUE[int(value)]
    raise ApiError(400, "{}: expected one of {} or an integer 3-7, got {!r}".format(field, ", ".join(SEVERITIES), value))


def _type_name(value: Any) -> str:
    if isinstance(value, str):
        for name in TYPES:
            if name.lower() == value.lower():
                return name
    raise ApiError(400, "type: expected one of {} (by name), got {!r}".format(", ".join(TYPES), value))


def _topic_matches(filters: List[str], topic: Optional[str]) -> bool:
    return "*" in filters or (topic is not None and topic in filters)


def record_notification(tx: Tx, agent_id: int, message: Dict[str, Any], fan_out: bool = True) -> Dict[str, Any]:
    data = message["data"]
    record = {"message_id": message["id"], "agent_id": str(agent_id), "valid": True}  # type: Dict[str, Any]
    try:
        as_object(data, "data")
        text = as_str(data.get("message"), "message", allow_empty=False)
        severity = severity_name(data["severity"]) if data.get("severity") is not None else "Info"
        title = data.get("title")
        title = display_name_of(tx.conn, agent_id) if title is None else as_str(title, "title")
        topic = data.get("topic")
        topic = None if topic is None else as_str(topic, "topic")
    except ApiError:
        text = json.dumps(data)
        severity, title, topic = "Info", display_name_of(tx.conn, agent_id), None
        record["valid"] = False
    record.update({"message": text, "title": title, "severity": severity, "topic": topic, "delivered_to": []})
    if fan_out:
        for sub_id, subscriber, body in tx.execute(
            "SELECT id, agent_id, body FROM notification_subscriptions WHERE subscribed_to = ? ORDER BY id",
            (agent_id,),
        ).fetchall():
            sub = load_json(body)
            if sub["severity"] <= SEVERITIES[severity] and _topic_matches(sub["topic_filter"], topic):
                record["delivered_to"].append(
                    {
                        "subscription_id": str(sub_id),
                        "subscriber": str(subscriber),
                        "endpoint_ids": [str(e) for e in sub["endpoint_ids"]],
                    }
                )
    tx.execute(
        "INSERT INTO notifications (agent_id, message_id, body) VALUES (?, ?, ?)",
        (agent_id, int(message["id"]), dump_json(record)),
    )
    return record


# ---------------------------------------------------------------------------- rendering


def _endpoint_json(row: Any) -> Dict[str, Any]:
    endpoint_id, agent_id, body = row
    body = load_json(body)
    return {
        "id": str(endpoint_id),
        "agent_id": str(agent_id),
        "type": body["type"],
        "name": body["name"],
        "default": body["default"],
        "extra_data": body["extra_data"],
        "priority": body.get("priority"),
    }


def _endpoints(conn: sqlite3.Connection, agent_id: int, name: Optional[str] = None) -> List[Dict[str, Any]]:
    rows = conn.execute(
        "SELECT id, agent_id, body FROM notification_endpoints WHERE agent_id = ? ORDER BY id", (agent_id,)
    ).fetchall()
    endpoints = [_endpoint_json(row) for row in rows]
    return [e for e in endpoints if name is None or e["name"] == name]


def _subscription_json(conn: sqlite3.Connection, row: Any) -> Dict[str, Any]:
    sub_id, subscriber, body = row
    body = load_json(body)
    endpoints = []
    for endpoint_id in body["endpoint_ids"]:
        found = conn.execute("SELECT body FROM notification_endpoints WHERE id = ?", (endpoint_id,)).fetchone()
        if found:
            endpoint = load_json(found[0])
            endpoints.append({"id": str(endpoint_id), "name": endpoint["name"], "default": endpoint["default"]})
    return {
        "id": str(sub_id),
        "subscriber": str(subscriber),
        "subscribed_to": str(body["subscribed_to"]),
        "severity": _SEVERITY_BY_VALUE[body["severity"]],
        "topic_filter": body["topic_filter"],
        "endpoints": endpoints,
    }


def _subscriptions(conn: sqlite3.Connection, where: str, params: tuple) -> List[Dict[str, Any]]:
    rows = conn.execute(
        "SELECT id, agent_id, body FROM notification_subscriptions WHERE {} ORDER BY id".format(where), params
    ).fetchall()
    return [_subscription_json(conn, row) for row in rows]


def _subscribed_to_filter(req: Request, agent_id: int, defaults_only: bool) -> List[Dict[str, Any]]:
    where, params = "agent_id = ?", [agent_id]  # type: Any
    target = req.query_one("subscribed_to")
    if target:
        where += " AND subscribed_to = ?"
        params.append(parse_id(target, "subscribed_to"))
    if defaults_only:
        where += " AND is_default = 1"
    with req.app.store.read() as conn:
        return _subscriptions(conn, where, tuple(params))


# ---------------------------------------------------------------------------- handlers


def overview(req: Request) -> Response:
    agent_id = path_agent(req)
    with req.app.store.read() as conn:
        return Response.json(
            {
                "subscriptions": _subscriptions(conn, "agent_id = ?", (agent_id,)),
                "subscribers": _subscriptions(conn, "subscribed_to = ?", (agent_id,)),
                "endpoints": _endpoints(conn, agent_id),
            }
        )


def list_endpoints(req: Request) -> Response:
    agent_id = path_agent(req)
    with req.app.store.read() as conn:
        return Response.json({"endpoints": _endpoints(conn, agent_id, req.query_one("name"))})


def _endpoint_fields(body: Dict[str, Any], partial: bool) -> Dict[str, Any]:
    out = {}  # type: Dict[str, Any]
    if not partial:
        for key in ("name", "type"):
            if key not in body:
                raise ApiError(400, "{}: required".format(key))
    if "name" in body:
        out["name"] = as_str(body["name"], "name", allow_empty=False)
    if "type" in body:
        out["type"] = _type_name(body["type"])
    if "extra_data" in body:
        out["extra_data"] = as_object(body["extra_data"], "extra_data")
    if "default" in body:
        out["default"] = as_bool(body["default"], "default")
    if "priority" in body:
        out["priority"] = None if body["priority"] is None else as_int(body["priority"], "priority")
    return out


def create_endpoint(req: Request) -> Response:
    agent_id = path_agent(req)
    fields = _endpoint_fields(as_object(req.json(), "body"), partial=False)
    endpoint = {"extra_data": {}, "default": False, "priority": None}
    endpoint.update(fields)
    endpoint_id = generate_snowflake(type_id=SnowflakeType.NOTIFICATION_ENDPOINT)
    with req.app.store.write() as tx:
        tx.execute(
            "INSERT INTO notification_endpoints (id, agent_id, body) VALUES (?, ?, ?)",
            (endpoint_id, agent_id, dump_json(endpoint)),
        )
    return Response.json({"id": str(endpoint_id)}, status=201)


def _load_endpoint(conn: sqlite3.Connection, agent_id: int, endpoint_id: int) -> Dict[str, Any]:
    row = conn.execute(
        "SELECT body FROM notification_endpoints WHERE id = ? AND agent_id = ?", (endpoint_id, agent_id)
    ).fetchone()
    if row is None:
        raise ApiError(404, "notification endpoint {} not found on agent {}".format(endpoint_id, agent_id))
    return load_json(row[0])


def update_endpoint(req: Request) -> Response:
    agent_id = path_agent(req)
    endpoint_id = path_id(req, "endpoint_id")
    fields = _endpoint_fields(as_object(req.json(), "body"), partial=True)
    with req.app.store.write() as tx:
        endpoint = _load_endpoint(tx.conn, agent_id, endpoint_id)
        endpoint.update(fields)
        tx.execute("UPDATE notification_endpoints SET body = ? WHERE id = ?", (dump_json(endpoint), endpoint_id))
    return Response.empty()


def delete_endpoint(req: Request) -> Response:
    agent_id = path_agent(req)
    endpoint_id = path_id(req, "endpoint_id")
    with req.app.store.write() as tx:
        _load_endpoint(tx.conn, agent_id, endpoint_id)
        tx.execute("DELETE FROM notification_endpoints WHERE id = ?", (endpoint_id,))
    return Response.empty()


def test_endpoint(req: Request) -> Response:
    agent_id = path_agent(req)
    endpoint_id = path_id(req, "endpoint_id")
    with req.app.store.read() as conn:
        _load_endpoint(conn, agent_id, endpoint_id)
    return Response.json({"success": True})


def list_subscriptions(req: Request) -> Response:
    return Response.json({"subscriptions": _subscribed_to_filter(req, path_agent(req), defaults_only=False)})


def list_default_subscriptions(req: Request) -> Response:
    return Response.json({"subscriptions": _subscribed_to_filter(req, path_agent(req), defaults_only=True)})


def create_subscription(req: Request) -> Response:
    agent_id = path_agent(req)
    body = as_object(req.json(), "body")
    if "subscribe_to" not in body:
        raise ApiError(400, "subscribe_to: required (the agent whose notifications to follow)")
    target = parse_id(body["subscribe_to"], "subscribe_to")
    severity = SEVERITIES[severity_name(body["severity"])] if body.get("severity") is not None else SEVERITIES["Info"]
    topics = as_str_list(body["topic_filter"], "topic_filter") if body.get("topic_filter") is not None else ["*"]
    explicit = body.get("endpoint_id")
    created = []
    with req.app.store.write() as tx:
        if explicit is not None:
            endpoint_id = parse_id(explicit, "endpoint_id")
            _load_endpoint(tx.conn, agent_id, endpoint_id)
            groups = [[endpoint_id]]
        else:
            defaults = [int(e["id"]) for e in _endpoints(tx.conn, agent_id) if e["default"]]
            groups = [[e] for e in defaults] or [[]]
        for endpoint_ids in groups:
            sub_id = generate_snowflake(type_id=SnowflakeType.NOTIFICATION_SUBSCRIPTION)
            stored = {"subscribed_to": target, "severity": severity, "topic_filter": topics, "endpoint_ids": endpoint_ids}
            tx.execute(
                "INSERT INTO notification_subscriptions (id, agent_id, subscribed_to, is_default, body) "
                "VALUES (?, ?, ?, ?, ?)",
                (sub_id, agent_id, target, 0 if explicit is not None else 1, dump_json(stored)),
            )
            created.append({"id": str(sub_id), "endpoint_id": str(endpoint_ids[0]) if endpoint_ids else None})
    return Response.json({"subscriptions": created}, status=201)


def _load_subscription(conn: sqlite3.Connection, agent_id: int, sub_id: int) -> Dict[str, Any]:
    row = conn.execute(
        "SELECT body FROM notification_subscriptions WHERE id = ? AND agent_id = ?", (sub_id, agent_id)
    ).fetchone()
    if row is None:
        raise ApiError(404, "notification subscription {} not found on agent {}".format(sub_id, agent_id))
    return load_json(row[0])


def update_subscription(req: Request) -> Response:
    agent_id = path_agent(req)
    sub_id = path_id(req, "subscription_id")
    body = as_object(req.json(), "body")
    with req.app.store.write() as tx:
        sub = _load_subscription(tx.conn, agent_id, sub_id)
        if body.get("severity") is not None:
            sub["severity"] = SEVERITIES[severity_name(body["severity"])]
        if body.get("topic_filter") is not None:
            sub["topic_filter"] = as_str_list(body["topic_filter"], "topic_filter")
        tx.execute("UPDATE notification_subscriptions SET body = ? WHERE id = ?", (dump_json(sub), sub_id))
    return Response.empty()


def delete_subscription(req: Request) -> Response:
    agent_id = path_agent(req)
    sub_id = path_id(req, "subscription_id")
    with req.app.store.write() as tx:
        _load_subscription(tx.conn, agent_id, sub_id)
        tx.execute("DELETE FROM notification_subscriptions WHERE id = ?", (sub_id,))
    return Response.empty()


def delete_default_subscriptions(req: Request) -> Response:
    agent_id = path_agent(req)
    target = path_id(req, "subscribed_to")
    with req.app.store.write() as tx:
        cursor = tx.execute(
            "DELETE FROM notification_subscriptions WHERE agent_id = ? AND subscribed_to = ? AND is_default = 1",
            (agent_id, target),
        )
        if cursor.rowcount == 0:
            raise ApiError(404, "agent {} has no default subscription to agent {}".format(agent_id, target))
    return Response.empty()


def list_subscribers(req: Request) -> Response:
    agent_id = path_agent(req)
    with req.app.store.read() as conn:
        return Response.json({"subscribers": _subscriptions(conn, "subscribed_to = ?", (agent_id,))})


def update_web_push(req: Request) -> Response:
    agent_id = req.principal.default_agent
    if agent_id is None:
        raise ApiError(400, "/agents/me: this token has no agent of its own; use a single-agent token")
    body = as_object(req.json(), "body")
    for key in ("endpoint", "key_p256dh", "key_auth"):
        if key not in body:
            raise ApiError(400, "{}: required".format(key))
        as_str(body[key], key, allow_empty=False)
    if body.get("old_endpoint") is not None:
        as_str(body["old_endpoint"], "old_endpoint")
    if body.get("expires_at") is not None:
        as_int(body["expires_at"], "expires_at")
    with req.app.store.write() as tx:
        tx.execute(
            "INSERT INTO web_push (agent_id, body) VALUES (?, ?) ON CONFLICT (agent_id) DO UPDATE SET body = excluded.body",
            (agent_id, dump_json(body)),
        )
    return Response.empty()


_BASE = "/agents/{agent_id}/notifications"

ROUTES = [
    ("GET", _BASE, overview),
    ("GET", _BASE + "/endpoints", list_endpoints),
    ("POST", _BASE + "/endpoints", create_endpoint),
    ("PATCH", _BASE + "/endpoints/{endpoint_id}", update_endpoint),
    ("DELETE", _BASE + "/endpoints/{endpoint_id}", delete_endpoint),
    ("POST", _BASE + "/endpoints/{endpoint_id}/test", test_endpoint),
    ("GET", _BASE + "/subscriptions", list_subscriptions),
    ("POST", _BASE + "/subscriptions", create_subscription),
    ("PATCH", _BASE + "/subscriptions/{subscription_id}", update_subscription),
    ("DELETE", _BASE + "/subscriptions/{subscription_id}", delete_subscription),
    ("GET", _BASE + "/subscriptions/default", list_default_subscriptions),
    ("DELETE", _BASE + "/subscriptions/default/{subscribed_to}", delete_default_subscriptions),
    ("GET", _BASE + "/subscribers", list_subscribers),
    ("POST", "/agents/me/notifications/update_web_push", update_web_push),
]  # type: List[Any]
