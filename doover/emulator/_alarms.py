"""Alarms (endpoints #27-#32): CRUD, and evaluation against the channel's aggregate.

An alarm watches ``key`` (a dotted path into the aggregate data) with ``operator`` (``eq``,
``ge``, ``gt``, ``le``, ``lt``) against ``value``. Its ``state`` is ``NoData`` when the key is
missing or not comparable, ``Alarm`` when the condition holds and ``OK`` otherwise;
``entered_state_ts`` (epoch ms) changes when the state does. It is evaluated on create, on
PUT/PATCH, and after every aggregate update that runs hooks. Disabled alarms keep their
state. A state change caused by an aggregate update is reported to listeners as
``on_alarm_trigger`` (after that update's ``on_aggregate_update``); one caused by creating or
editing the alarm is not. ``expiry_mins`` is stored and returned; the emulator does not act on it.
PATCH changes only the fields given; ``"expiry_mins": null`` clears the expiry.
"""

import sqlite3
from typing import Any, Dict, List, Tuple

from .._snowflake import SnowflakeType, generate_snowflake
from ._channels import ensure_channel
from ._fields import as_bool, as_number, as_object, as_str, path_agent, path_channel, path_id
from ._http import ApiError, Request, Response
from ._store import Tx, dump_json, load_json
from ._wire import MISSING, get_path, now_ms

__all__ = ["list_alarms", "evaluate_alarms", "OPERATORS", "ROUTES"]

OPERATORS = ("eq", "ge", "gt", "le", "lt")


def _check(body: Dict[str, Any], partial: bool) -> Dict[str, Any]:
    as_object(body, "body")
    out = {}  # type: Dict[str, Any]
    for required in ("name", "key", "operator", "value"):
        if not partial and required not in body:
            raise ApiError(400, "{}: required".format(required))
    if "name" in body:
        out["name"] = as_str(body["name"], "name", allow_empty=False)
    if "key" in body:
        out["key"] = as_str(body["key"], "key", allow_empty=False)
    if "description" in body:
        out["description"] = as_str(body["description"], "description")
    if "enabled" in body:
        out["enabled"] = as_bool(body["enabled"], "enabled")
    if "operator" in body:
        if body["operator"] not in OPERATORS:
            raise ApiError(400, "operator: expected one of {}, got {!r}".format(", ".join(OPERATORS), body["operator"]))
        out["operator"] = body["operator"]
    if "value" in body:
        if body["value"] is None:
            raise ApiError(400, "value: expected a JSON value to compare against, got null")
        out["value"] = body["value"]
    if "expiry_mins" in body:
        out["expiry_mins"] = None if body["expiry_mins"] is None else as_number(body["expiry_mins"], "expiry_mins")
    return out


def _compare(operator: str, actual: Any, threshold: Any) -> Any:
    if operator == "eq":
        return actual == threshold
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (actual, threshold))
    strings = isinstance(actual, str) and isinstance(threshold, str)
    if not (numbers or strings):
        return None
    if operator == "gt":
        return actual > threshold
    if operator == "ge":
        return actual >= threshold
    if operator == "lt":
        return actual < threshold
    return actual <= threshold


def _state_for(alarm: Dict[str, Any], data: Any) -> str:
    actual = get_path(data, alarm["key"])
    if actual is MISSING:
        return "NoData"
    result = _compare(alarm["operator"], actual, alarm["value"])
    if result is None:
        return "NoData"
    return "Alarm" if result else "OK"


def _apply_state(alarm: Dict[str, Any], data: Any) -> bool:
    if not alarm.get("enabled", True):
        return False
    state = _state_for(alarm, data)
    if state != alarm.get("state"):
        alarm["state"] = state
        alarm["entered_state_ts"] = now_ms()
        return True
    return False


def _aggregate_data(conn: sqlite3.Connection, agent_id: int, channel: str) -> Any:
    from ._aggregates import load_data

    return load_data(conn, agent_id, channel)


def _render(alarm_id: int, body: Dict[str, Any]) -> Dict[str, Any]:
    alarm = {"id": str(alarm_id)}
    for key in ("name", "description", "enabled", "key", "operator", "value", "state", "entered_state_ts"):
        alarm[key] = body.get(key)
    alarm["expiry_mins"] = body.get("expiry_mins")
    return alarm


def list_alarms(conn: sqlite3.Connection, agent_id: int, channel: str) -> List[Dict[str, Any]]:
    rows = conn.execute(
        "SELECT id, body FROM alarms WHERE agent_id = ? AND channel = ? ORDER BY id", (agent_id, channel)
    ).fetchall()
    return [_render(row[0], load_json(row[1])) for row in rows]


def evaluate_alarms(tx: Tx, agent_id: int, channel: str) -> List[Tuple[Dict[str, Any], str]]:
    """Re-evaluate the channel's alarms against its (just updated) aggregate.

    Returns ``(alarm, old_state)`` for each alarm whose state changed, ``alarm`` in its wire
    form (with ``channel_name``) after the change, in alarm id order.
    """
    rows = tx.execute(
        "SELECT id, body FROM alarms WHERE agent_id = ? AND channel = ? ORDER BY id", (agent_id, channel)
    ).fetchall()
    if not rows:
        return []
    data = _aggregate_data(tx.conn, agent_id, channel)
    changed = []  # type: List[Tuple[Dict[str, Any], str]]
    for alarm_id, text in rows:
        alarm = load_json(text)
        old_state = alarm.get("state")
        if _apply_state(alarm, data):
            tx.execute("UPDATE alarms SET body = ? WHERE id = ?", (dump_json(alarm), alarm_id))
            changed.append((dict(_render(alarm_id, alarm), channel_name=channel), old_state))
    return changed


def _load(conn: sqlite3.Connection, agent_id: int, channel: str, alarm_id: int) -> Dict[str, Any]:
    row = conn.execute(
        "SELECT body FROM alarms WHERE id = ? AND agent_id = ? AND channel = ?", (alarm_id, agent_id, channel)
    ).fetchone()
    if row is None:
        raise ApiError(404, "alarm {} not found in {}/{}".format(alarm_id, agent_id, channel))
    return load_json(row[0])


# ---------------------------------------------------------------------------- handlers


def get_alarms(req: Request) -> Response:
    agent_id = path_agent(req)
    channel = path_channel(req)
    with req.app.store.read() as conn:
        return Response.json(list_alarms(conn, agent_id, channel))


def create_alarm(req: Request) -> Response:
    agent_id = path_agent(req)
    channel = path_channel(req)
    fields = _check(req.json(), partial=False)
    alarm = {"description": "", "enabled": True, "expiry_mins": None, "state": "NoData", "entered_state_ts": now_ms()}
    alarm.update(fields)
    alarm_id = generate_snowflake(type_id=SnowflakeType.ALARM)
    with req.app.store.write() as tx:
        ensure_channel(tx, agent_id, channel)
        _apply_state(alarm, _aggregate_data(tx.conn, agent_id, channel))
        tx.execute(
            "INSERT INTO alarms (id, agent_id, channel, body) VALUES (?, ?, ?, ?)",
            (alarm_id, agent_id, channel, dump_json(alarm)),
        )
    return Response.json(_render(alarm_id, alarm), status=201)


def fetch_alarm(req: Request) -> Response:
    agent_id = path_agent(req)
    channel = path_channel(req)
    alarm_id = path_id(req, "alarm_id")
    with req.app.store.read() as conn:
        return Response.json(_render(alarm_id, _load(conn, agent_id, channel, alarm_id)))


def _change(req: Request, partial: bool) -> Response:
    agent_id = path_agent(req)
    channel = path_channel(req)
    alarm_id = path_id(req, "alarm_id")
    fields = _check(req.json(), partial=partial)
    with req.app.store.write() as tx:
        alarm = _load(tx.conn, agent_id, channel, alarm_id)
        if not partial:  # PUT: a full replacement; optional fields fall back to defaults
            for key, default in (("description", ""), ("enabled", True), ("expiry_mins", None)):
                alarm[key] = default
        alarm.update(fields)
        _apply_state(alarm, _aggregate_data(tx.conn, agent_id, channel))
        tx.execute("UPDATE alarms SET body = ? WHERE id = ?", (dump_json(alarm), alarm_id))
    return Response.json(_render(alarm_id, alarm))


def put_alarm(req: Request) -> Response:
    return _change(req, partial=False)


def patch_alarm(req: Request) -> Response:
    return _change(req, partial=True)


def delete_alarm(req: Request) -> Response:
    agent_id = path_agent(req)
    channel = path_channel(req)
    alarm_id = path_id(req, "alarm_id")
    with req.app.store.write() as tx:
        _load(tx.conn, agent_id, channel, alarm_id)
        tx.execute("DELETE FROM alarms WHERE id = ?", (alarm_id,))
    return Response.empty()


_BASE = "/agents/{agent_id}/channels/{channel}/alarms"

ROUTES = [
    ("GET", _BASE, get_alarms),
    ("POST", _BASE, create_alarm),
    ("GET", _BASE + "/{alarm_id}", fetch_alarm),
    ("PUT", _BASE + "/{alarm_id}", put_alarm),
    ("PATCH", _BASE + "/{alarm_id}", patch_alarm),
    ("DELETE", _BASE + "/{alarm_id}", delete_alarm),
]  # type: List[Any]
