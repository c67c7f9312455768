"""Channels (endpoints #1-#4): listing, fetching, creating and replacing settings.

Channels are created implicitly by the first message or aggregate write (data-api.md §5.1),
so :func:`ensure_channel` is called by every writer. ``POST`` on an existing channel is a
get-or-create: it answers the existing id and leaves its settings alone; ``PUT`` replaces
the settings.
"""

import sqlite3
from typing import Any, Dict, List, Sequence

from .._snowflake import DOOVER_EPOCH_MS, SnowflakeType, generate_snowflake
from ._fields import as_bool, as_object, path_agent, path_channel
from ._http import ApiError, Request, Response
from ._store import Tx, dump_json, load_json
from ._wire import aggregate_json, now_ms

__all__ = ["ensure_channel", "channel_exists", "render_channel", "ROUTES"]

_DAY_MS = 86400000


def ensure_channel(tx: Tx, agent_id: int, name: str) -> int:
    """The channel's id, creating the channel (default settings) if it does not exist."""
    row = tx.execute("SELECT id FROM channels WHERE agent_id = ? AND name = ?", (agent_id, name)).fetchone()
    if row:
        return int(row[0])
    channel_id = generate_snowflake(type_id=SnowflakeType.CHANNEL)
    tx.execute("INSERT INTO channels (agent_id, name, id) VALUES (?, ?, ?)", (agent_id, name, channel_id))
    return channel_id


def channel_exists(conn: sqlite3.Connection, agent_id: int, name: str) -> bool:
    row = conn.execute("SELECT 1 FROM channels WHERE agent_id = ? AND name = ?", (agent_id, name)).fetchone()
    return row is not None


def _daily_summaries(conn: sqlite3.Connection, agent_id: int, name: str) -> List[Dict[str, Any]]:
    """Message counts per UTC day, newest day first (at most 30 days)."""
    import datetime as _dt

    rows = conn.execute(
        "SELECT ((id >> 22) + ?) / ? AS day, COUNT(*) FROM messages "
        "WHERE agent_id = ? AND channel = ? AND (expires_ms IS NULL OR expires_ms > ?) "
        "GROUP BY day ORDER BY day DESC LIMIT 30",
        (DOOVER_EPOCH_MS, _DAY_MS, agent_id, name, now_ms()),
    ).fetchall()
    result = []
    for day, count in rows:
        date = _dt.datetime.fromtimestamp(day * 86400, tz=_dt.timezone.utc).date()
        result.append({"date": date.isoformat(), "message_count": count})
    return result


def render_channel(
    conn: sqlite3.Connection,
    row: Sequence[Any],
    base_url: str,
    include_aggregate: bool = True,
    include_daily_summaries: bool = False,
) -> Dict[str, Any]:
    """A Channel object (§4.5) from a ``channels`` row."""
    from ._alarms import list_alarms

    agent_id, name, channel_id, is_private, message_schema, aggregate_schema = row
    channel = {
        "id": str(channel_id),
        "name": name,
        "owner_id": str(agent_id),
        "is_private": bool(is_private),
        "aggregate_schema": load_json(aggregate_schema),
        "message_schema": load_json(message_schema),
        "alarms_enabled": True,
        "alarms": list_alarms(conn, agent_id, name),
    }  # type: Dict[str, Any]
    if include_aggregate:
        from ._aggregates import load_aggregate

        agg = load_aggregate(conn, agent_id, name)
        channel["aggregate"] = None if agg is None else aggregate_json(agent_id, name, agg[0], agg[1], agg[2], base_url)
    if include_daily_summaries:
        channel["daily_message_summaries"] = _daily_summaries(conn, agent_id, name)
    return channel


_COLUMNS = "agent_id, name, id, is_private, message_schema, aggregate_schema"


def _settings(req: Request, put: bool) -> Dict[str, Any]:
    body = req.json(required=put)
    if body is None:
        return {"is_private": False}
    as_object(body, "body")
    settings = {}  # type: Dict[str, Any]
    if "is_private" in body:
        settings["is_private"] = as_bool(body["is_private"], "is_private")
    elif put:
        raise ApiError(400, "is_private: required")
    for key in ("message_schema", "aggregate_schema"):
        if key in body:
            value = body[key]
            if value is not None and not isinstance(value, dict):
                raise ApiError(400, "{}: expected a JSON Schema object or null".format(key))
            settings[key] = value
    return settings


def list_channels(req: Request) -> Response:
    agent_id = path_agent(req)
    include_aggregate = req.query_bool("include_aggregate", True)
    include_daily = req.query_bool("include_daily_summaries", True)
    with req.app.store.read() as conn:
        rows = conn.execute(
            "SELECT {} FROM channels WHERE agent_id = ? ORDER BY name".format(_COLUMNS), (agent_id,)
        ).fetchall()
        result = [render_channel(conn, row, req.base_url, include_aggregate, include_daily) for row in rows]
    return Response.json(result)


def fetch_channel(req: Request) -> Response:
    agent_id = path_agent(req)
    name = path_channel(req)
    include_aggregate = req.query_bool("include_aggregate", True)
    with req.app.store.read() as conn:
        row = conn.execute(
            "SELECT {} FROM channels WHERE agent_id = ? AND name = ?".format(_COLUMNS), (agent_id, name)
        ).fetchone()
        if row is None:
            raise ApiError(404, "channel {!r} not found on agent {}".format(name, agent_id))
        return Response.json(render_channel(conn, row, req.base_url, include_aggregate, False))


def _write_settings(tx: Tx, agent_id: int, name: str, settings: Dict[str, Any]) -> None:
    if "is_private" in settings:
        tx.execute(
            "UPDATE channels SET is_private = ? WHERE agent_id = ? AND name = ?",
            (1 if settings["is_private"] else 0, agent_id, name),
        )
    for key in ("message_schema", "aggregate_schema"):
        if key in settings:
            value = settings[key]
            tx.execute(
                "UPDATE channels SET {} = ? WHERE agent_id = ? AND name = ?".format(key),
                (None if value is None else dump_json(value), agent_id, name),
            )


def create_channel(req: Request) -> Response:
    agent_id = path_agent(req)
    name = path_channel(req)
    settings = _settings(req, put=False)
    with req.app.store.write() as tx:
        existed = channel_exists(tx.conn, agent_id, name)
        channel_id = ensure_channel(tx, agent_id, name)
        if not existed:
            _write_settings(tx, agent_id, name, settings)
    return Response.json({"id": str(channel_id)}, status=200 if existed else 201)


def put_channel(req: Request) -> Response:
    agent_id = path_agent(req)
    name = path_channel(req)
    settings = _settings(req, put=True)
    settings.setdefault("message_schema", None)
    settings.setdefault("aggregate_schema", None)
    with req.app.store.write() as tx:
        ensure_channel(tx, agent_id, name)
        _write_settings(tx, agent_id, name, settings)
        row = tx.execute(
            "SELECT {} FROM channels WHERE agent_id = ? AND name = ?".format(_COLUMNS), (agent_id, name)
        ).fetchone()
        return Response.json(render_channel(tx.conn, row, req.base_url, True, False))


ROUTES = [
    ("GET", "/agents/{agent_id}/channels", list_channels),
    ("GET", "/agents/{agent_id}/channels/{channel}", fetch_channel),
    ("POST", "/agents/{agent_id}/channels/{channel}", create_channel),
    ("PUT", "/agents/{agent_id}/channels/{channel}", put_channel),
]  # type: List[Any]
