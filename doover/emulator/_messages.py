"""Messages (endpoints #6-#13): create, list, fetch, update, delete, logs.

Decisions where data-api.md §9.1 leaves things open:

* ids are minted from ``ts`` (or the time of receipt) with the §3 layout, type 2;
* lists are newest first; ``before``/``after`` are exclusive bounds; ``limit`` defaults to
  :data:`DEFAULT_LIMIT` and may be at most :data:`MAX_LIMIT` (more is a 400, never a silent
  cap, so a short page always means the range is exhausted);
* ``field_name`` keeps the messages whose ``data`` has at least one of the named (dotted)
  paths; ``data`` is returned whole;
* a list on a channel that does not exist is ``[]``; a single message that does not exist
  (or was deleted, or outlived its ``ttl``) is 404, also for PATCH/PUT/DELETE;
* ``POST .../messages/{id}`` with an id that exists: identical ``data`` returns the stored
  message (200, nothing changes: the outbox's retries are idempotent); different ``data``
  is 409. A new message answers 201.
"""

import json
import random
import sqlite3
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .._merge import merge_patch
from .._snowflake import DOOVER_EPOCH_MS, generate_snowflake
from ._agents import organisation_of
from ._attachments import delete_blobs, store_files
from ._channels import ensure_channel
from ._events import message_create_event, message_update_event
from ._fields import (
    MAX_ID,
    as_int,
    as_object,
    parse_bound,
    path_agent,
    path_channel,
    path_id,
    query_fields,
)
from ._http import ApiError, Request, Response, UploadedFile
from ._store import Tx, dump_json, load_json
from ._wire import MISSING, get_path, message_from_row, message_json, now_ms

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "insert_message",
    "update_message",
    "delete_message",
    "get_message",
    "select_messages",
    "parse_limit",
    "ROUTES",
]

#: Page size when ``limit`` is not given.
DEFAULT_LIMIT = 50
#: The largest ``limit`` accepted; more is a 400.
MAX_LIMIT = 1000

_random = random.SystemRandom()
_MAX_TS = DOOVER_EPOCH_MS + (1 << 42) - 1
_COLUMNS = "agent_id, channel, id, author_id, data, attachments"


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def check_ts(value: Any, field: str = "ts") -> int:
    ts = as_int(value, field)
    if not DOOVER_EPOCH_MS <= ts <= _MAX_TS:
        raise ApiError(
            400, "{}: expected epoch milliseconds at or after 2025-01-01T00:00:00Z ({}), got {}".format(
                field, DOOVER_EPOCH_MS, ts
            )
        )
    return ts


def _row(conn: sqlite3.Connection, agent_id: int, channel: str, message_id: int) -> Optional[Tuple[Any, ...]]:
    return conn.execute(
        "SELECT {}, expires_ms FROM messages WHERE agent_id = ? AND channel = ? AND id = ?".format(_COLUMNS),
        (agent_id, channel, message_id),
    ).fetchone()


def _alive(row: Optional[Tuple[Any, ...]]) -> bool:
    return row is not None and (row[6] is None or row[6] > now_ms())


def get_message(conn: sqlite3.Connection, agent_id: int, channel: str, message_id: int, base_url: str) -> Dict[str, Any]:
    row = _row(conn, agent_id, channel, message_id)
    if not _alive(row):
        raise ApiError(404, "message {} not found in {}/{}".format(message_id, agent_id, channel))
    return message_from_row(row, base_url)


def insert_message(
    tx: Tx,
    agent_id: int,
    channel: str,
    data: Any,
    *,
    author_id: int,
    base_url: str,
    ts_ms: Optional[int] = None,
    message_id: Optional[int] = None,
    files: Sequence[UploadedFile] = (),
    ttl_s: Optional[int] = None,
    hooks: bool = True
) -> Tuple[Dict[str, Any], bool]:
    """Store a message; returns ``(message, created)`` (``created`` False: idempotent re-send)."""
    ensure_channel(tx, agent_id, channel)
    if message_id is not None:
        existing = _row(tx.conn, agent_id, channel, message_id)
        if _alive(existing):
            if _canonical(load_json(existing[4])) == _canonical(data):
                return message_from_row(existing, base_url), False
            raise ApiError(
                409,
                "message_id: message {} already exists in {}/{} with different data".format(
                    message_id, agent_id, channel
                ),
            )
        if existing is not None:  # expired: the id is free again
            _purge(tx, agent_id, channel, message_id)
    else:
        for attempt in range(64):
            candidate = generate_snowflake(ts_ms=ts_ms)
            if attempt:  # same millisecond taken: vary the instance and sequence bits
                candidate = (candidate & ~0x3FF0F) | (_random.getrandbits(10) << 8) | _random.getrandbits(4)
            if _row(tx.conn, agent_id, channel, candidate) is None:
                message_id = candidate
                break
        else:  # pragma: no cover - 64 collisions in one millisecond of one channel
            raise ApiError(409, "ts: too many messages at {} in {}/{}".format(ts_ms, agent_id, channel))
    metas = store_files(tx, agent_id, channel, message_id, files)
    expires = None if ttl_s is None else now_ms() + ttl_s * 1000
    tx.execute(
        "INSERT INTO messages (agent_id, channel, id, author_id, data, attachments, expires_ms) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (agent_id, channel, message_id, author_id, dump_json(data), dump_json(metas), expires),
    )
    message = message_json(agent_id, channel, message_id, author_id, data, metas, base_url)
    if channel == "notifications":
        from ._notifications import record_notification

        record_notification(tx, agent_id, message, fan_out=hooks)
    if hooks:
        tx.emit(message_create_event(agent_id, channel, organisation_of(tx.conn, agent_id), message))
    return message, True


def update_message(
    tx: Tx,
    agent_id: int,
    channel: str,
    message_id: int,
    data: Any,
    *,
    author_id: int,
    base_url: str,
    replace_data: bool = False,
    files: Sequence[UploadedFile] = (),
    clear_attachments: bool = False,
    hooks: bool = True
) -> Dict[str, Any]:
    """PATCH (RFC 7396 deep merge into ``data``) or PUT (``replace_data``) a message."""
    row = _row(tx.conn, agent_id, channel, message_id)
    if not _alive(row):
        raise ApiError(404, "message {} not found in {}/{}".format(message_id, agent_id, channel))
    stored = load_json(row[4])
    new_data = data if replace_data else merge_patch(stored, data)
    metas = load_json(row[5], [])
    if clear_attachments:
        delete_blobs(tx, agent_id, channel, message_id)
        metas = []
    metas = metas + store_files(tx, agent_id, channel, message_id, files)
    tx.execute(
        "UPDATE messages SET data = ?, attachments = ? WHERE agent_id = ? AND channel = ? AND id = ?",
        (dump_json(new_data), dump_json(metas), agent_id, channel, message_id),
    )
    message = message_json(agent_id, channel, message_id, row[3], new_data, metas, base_url)
    if hooks:
        tx.emit(
            message_update_event(
                agent_id, channel, organisation_of(tx.conn, agent_id), author_id, message, data, replace_data
            )
        )
    return message


def _purge(tx: Tx, agent_id: int, channel: str, message_id: int) -> None:
    delete_blobs(tx, agent_id, channel, message_id)
    tx.execute(
        "DELETE FROM message_logs WHERE agent_id = ? AND channel = ? AND message_id = ?",
        (agent_id, channel, message_id),
    )
    tx.execute("DELETE FROM messages WHERE agent_id = ? AND channel = ? AND id = ?", (agent_id, channel, message_id))


def delete_message(tx: Tx, agent_id: int, channel: str, message_id: int) -> None:
    if not _alive(_row(tx.conn, agent_id, channel, message_id)):
        raise ApiError(404, "message {} not found in {}/{}".format(message_id, agent_id, channel))
    _purge(tx, agent_id, channel, message_id)


def has_any_field(data: Any, fields: Sequence[str]) -> bool:
    return any(get_path(data, f) is not MISSING for f in fields)


def select_messages(
    conn: sqlite3.Connection,
    agent_id: int,
    channel: str,
    before: Optional[int],
    after: Optional[int],
    limit: int,
    fields: Sequence[str] = (),
) -> List[Tuple[Any, ...]]:
    """Rows with ``after < id < before``, newest first, at most ``limit`` (-1: all),
    keeping only those whose data has one of ``fields`` when given."""
    if before is not None and before <= 1:
        return []
    if after is not None and after >= MAX_ID:
        return []
    where = ["agent_id = ?", "channel = ?", "(expires_ms IS NULL OR expires_ms > ?)"]
    params = [agent_id, channel, now_ms()]  # type: List[Any]
    if before is not None and before <= MAX_ID:
        where.append("id < ?")
        params.append(before)
    if after is not None and after >= 0:
        where.append("id > ?")
        params.append(after)
    sql = "SELECT {} FROM messages WHERE {} ORDER BY id DESC".format(_COLUMNS, " AND ".join(where))
    if not fields:
        return conn.execute(sql + " LIMIT ?", params + [limit]).fetchall()
    picked = []
    cursor = conn.execute(sql, params)
    while limit < 0 or len(picked) < limit:
        batch = cursor.fetchmany(200)
        if not batch:
            break
        for row in batch:
            if has_any_field(load_json(row[4]), fields):
                picked.append(row)
                if len(picked) == limit:
                    break
    cursor.close()
    return picked


def parse_limit(req: Request, default: int = DEFAULT_LIMIT, maximum: int = MAX_LIMIT, name: str = "limit") -> int:
    limit = req.query_int(name, default)
    if limit is None or limit < 1 or limit > maximum:
        raise ApiError(400, "{}: expected an integer from 1 to {}, got {}".format(name, maximum, limit))
    return limit


def _bounds(req: Request) -> Tuple[Optional[int], Optional[int]]:
    return parse_bound(req.query_one("before"), "before"), parse_bound(req.query_one("after"), "after")


# ---------------------------------------------------------------------------- handlers


def list_messages(req: Request) -> Response:
    agent_id = path_agent(req)
    channel = path_channel(req)
    before, after = _bounds(req)
    limit = parse_limit(req)
    fields = query_fields(req)
    with req.app.store.read() as conn:
        rows = select_messages(conn, agent_id, channel, before, after, limit, fields)
    return Response.json([message_from_row(row, req.base_url) for row in rows])


def _create_body(req: Request) -> Tuple[Any, Optional[int], Optional[int], List[UploadedFile]]:
    body, files = req.payload()
    as_object(body, "body")
    if "data" not in body:
        raise ApiError(400, "data: required (the message payload)")
    ts = body.get("ts")
    ts = None if ts is None else check_ts(ts)
    ttl = body.get("ttl")
    ttl = None if ttl is None else as_int(ttl, "ttl", minimum=1)
    return body["data"], ts, ttl, files


def create_message(req: Request) -> Response:
    agent_id = path_agent(req)
    channel = path_channel(req)
    message_id = path_id(req, "message_id") if "message_id" in req.params else None
    data, ts, ttl, files = _create_body(req)
    with req.app.store.write() as tx:
        message, created = insert_message(
            tx,
            agent_id,
            channel,
            data,
            author_id=req.principal.subject,
            base_url=req.base_url,
            ts_ms=ts,
            message_id=message_id,
            files=files,
            ttl_s=ttl,
        )
    return Response.json(message, status=201 if created else 200)


def fetch_message(req: Request) -> Response:
    agent_id = path_agent(req)
    channel = path_channel(req)
    message_id = path_id(req, "message_id")
    with req.app.store.read() as conn:
        return Response.json(get_message(conn, agent_id, channel, message_id, req.base_url))


def _update(req: Request, replace_data: bool) -> Response:
    agent_id = path_agent(req)
    channel = path_channel(req)
    message_id = path_id(req, "message_id")
    suppress = req.query_bool("suppress_response")
    clear = req.query_bool("clear_attachments")
    body, files = req.payload()
    as_object(body, "body")
    if "data" not in body:
        raise ApiError(400, "data: required (message updates are wrapped in {\"data\": ...})")
    with req.app.store.write() as tx:
        message = update_message(
            tx,
            agent_id,
            channel,
            message_id,
            body["data"],
            author_id=req.principal.subject,
            base_url=req.base_url,
            replace_data=replace_data,
            files=files,
            clear_attachments=clear,
        )
    return Response.empty() if suppress else Response.json(message)


def patch_message(req: Request) -> Response:
    return _update(req, replace_data=False)


def put_message(req: Request) -> Response:
    return _update(req, replace_data=True)


def remove_message(req: Request) -> Response:
    agent_id = path_agent(req)
    channel = path_channel(req)
    message_id = path_id(req, "message_id")
    with req.app.store.write() as tx:
        delete_message(tx, agent_id, channel, message_id)
    return Response.empty()


def fetch_message_logs(req: Request) -> Response:
    agent_id = path_agent(req)
    channel = path_channel(req)
    message_id = path_id(req, "message_id")
    with req.app.store.read() as conn:
        get_message(conn, agent_id, channel, message_id, req.base_url)
        rows = conn.execute(
            "SELECT entry FROM message_logs WHERE agent_id = ? AND channel = ? AND message_id = ? ORDER BY seq",
            (agent_id, channel, message_id),
        ).fetchall()
    return Response.json([load_json(row[0]) for row in rows])


def add_logs(tx: Tx, agent_id: int, channel: str, message_id: int, entries: Sequence[Dict[str, Any]]) -> None:
    """Attach processor log lines (MessageLogEntry dicts) to a stored message."""
    if not _alive(_row(tx.conn, agent_id, channel, message_id)):
        raise KeyError("message {} not found in {}/{}".format(message_id, agent_id, channel))
    row = tx.execute(
        "SELECT COALESCE(MAX(seq), 0) FROM message_logs WHERE agent_id = ? AND channel = ? AND message_id = ?",
        (agent_id, channel, message_id),
    ).fetchone()
    seq = int(row[0])
    for entry in entries:
        seq += 1
        tx.execute(
            "INSERT INTO message_logs (agent_id, channel, message_id, seq, entry) VALUES (?, ?, ?, ?, ?)",
            (agent_id, channel, message_id, seq, dump_json(entry)),
        )


_BASE = "/agents/{agent_id}/channels/{channel}/messages"

ROUTES = [
    ("GET", _BASE, list_messages),
    ("POST", _BASE, create_message),
    ("POST", _BASE + "/{message_id}", create_message),
    ("GET", _BASE + "/{message_id}", fetch_message),
    ("PATCH", _BASE + "/{message_id}", patch_message),
    ("PUT", _BASE + "/{message_id}", put_message),
    ("DELETE", _BASE + "/{message_id}", remove_message),
    ("GET", _BASE + "/{message_id}/logs", fetch_message_logs),
]  # type: List[Any]
