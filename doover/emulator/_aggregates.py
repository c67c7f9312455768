"""Aggregates (endpoints #16-#18): read, merge-patch, replace.

* GET on an aggregate never written (also on a channel that does not exist) answers
  ``{"data": {}, "attachments": [], "last_updated": null}``.
* PATCH: the bare body is merged by RFC 7396 (``null`` deletes, objects recurse, anything
  else replaces); ``replace=a.b`` paths swap that subtree wholesale first (absent or
  ``null`` in the body removes it) via :func:`doover._merge.apply_update`.
* PUT: the body becomes the data.
* ``log_update=true`` also stores the request body (the patch) as a message on the same
  channel; ``suppress_response=true`` answers 204 with no body; ``clear_attachments=true``
  drops existing aggregate attachments before adding the uploaded ones.
* Each committed update evaluates the channel's alarms and emits ``on_aggregate_update``, then
  ``on_alarm_trigger`` for each alarm whose state it changed.
"""

import sqlite3
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .._merge import apply_update
from ._agents import organisation_of
from ._attachments import delete_blobs, store_files
from ._channels import ensure_channel
from ._events import aggregate_update_event, alarm_trigger_event
from ._fields import as_object, path_agent, path_channel
from ._http import ApiError, Request, Response, UploadedFile
from ._store import Tx, dump_json, load_json
from ._wire import EMPTY_AGGREGATE, aggregate_json, now_ms

__all__ = ["load_data", "load_aggregate", "get_aggregate", "update_aggregate", "check_replace_paths", "ROUTES"]


_CHUNK = 400  # SQLite host parameters per IN (...) list, well under the old 999 limit


def load_data(
    conn: sqlite3.Connection, agent_id: int, channel: str, keys: Optional[Sequence[str]] = None
) -> Dict[str, Any]:
    """The aggregate's data (only the top-level ``keys`` asked for, if given), in key order."""
    base = "SELECT key, value FROM aggregate_members WHERE agent_id = ? AND channel = ?"
    if keys is None:
        rows = conn.execute(base + " ORDER BY rowid", (agent_id, channel)).fetchall()
    else:
        rows = []
        wanted = list(dict.fromkeys(keys))
        for i in range(0, len(wanted), _CHUNK):
            part = wanted[i:i + _CHUNK]
            rows.extend(
                conn.execute(
                    base + " AND key IN ({}) ORDER BY rowid".format(",".join("?" * len(part))),
                    [agent_id, channel] + part,
                ).fetchall()
            )
    return {key: load_json(value) for key, value in rows}


def load_aggregate(conn: sqlite3.Connection, agent_id: int, channel: str) -> Optional[Tuple[Dict[str, Any], List[Any], Optional[int]]]:
    """``(data, attachment metadata, last_updated)``, or None if never written."""
    head = conn.execute(
        "SELECT attachments, last_updated FROM aggregates WHERE agent_id = ? AND channel = ?", (agent_id, channel)
    ).fetchone()
    if head is None:
        return None
    return load_data(conn, agent_id, channel), load_json(head[0], []), head[1]


def get_aggregate(conn: sqlite3.Connection, agent_id: int, channel: str, base_url: str) -> Dict[str, Any]:
    """The Aggregate JSON; the empty aggregate if it was never written."""
    loaded = load_aggregate(conn, agent_id, channel)
    if loaded is None:
        return dict(EMPTY_AGGREGATE, data={}, attachments=[])
    return aggregate_json(agent_id, channel, loaded[0], loaded[1], loaded[2], base_url)


def check_replace_paths(paths: Sequence[Any], field: str = "replace") -> List[str]:
    """Validate dotted ``replace`` paths; ``field`` names them in errors."""
    checked = []
    for path in paths:
        if not isinstance(path, str) or not path or any(not part for part in path.split(".")):
            raise ApiError(400, "{}: expected a dotted path such as 'state.children.my_app', got {!r}".format(field, path))
        checked.append(path)
    return checked


def _write_members(tx: Tx, agent_id: int, channel: str, members: Dict[str, Any], gone: Sequence[str]) -> None:
    for key, value in members.items():
        tx.execute(
            "INSERT INTO aggregate_members (agent_id, channel, key, value) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (agent_id, channel, key) DO UPDATE SET value = excluded.value",
            (agent_id, channel, key, dump_json(value)),
        )
    for key in gone:
        tx.execute(
            "DELETE FROM aggregate_members WHERE agent_id = ? AND channel = ? AND key = ?", (agent_id, channel, key)
        )


def update_aggregate(
    tx: Tx,
    agent_id: int,
    channel: str,
    body: Any,
    *,
    author_id: int,
    base_url: str,
    replace_paths: Sequence[str] = (),
    replace_data: bool = False,
    files: Sequence[UploadedFile] = (),
    clear_attachments: bool = False,
    log_update: bool = False,
    hooks: bool = True,
    want_result: bool = True
) -> Optional[Dict[str, Any]]:
    """Merge (or with ``replace_data`` replace) an aggregate; returns the new Aggregate
    (``None`` when ``want_result`` is False and nobody needs it).

    The merge is :func:`doover._merge.apply_update` applied to the top-level members the
    update touches (merge patch and ``replace`` paths act per top-level key, so this is
    the whole-document result); untouched members are neither read nor rewritten.
    """
    ensure_channel(tx, agent_id, channel)
    head = tx.execute(
        "SELECT attachments FROM aggregates WHERE agent_id = ? AND channel = ?", (agent_id, channel)
    ).fetchone()
    metas = load_json(head[0], []) if head else []
    if replace_data:
        new_members = apply_update({}, body, replace_data=True)
        tx.execute("DELETE FROM aggregate_members WHERE agent_id = ? AND channel = ?", (agent_id, channel))
        _write_members(tx, agent_id, channel, new_members, ())
    else:
        touched = list(dict.fromkeys(list(body) + [path.split(".", 1)[0] for path in replace_paths]))
        current = load_data(tx.conn, agent_id, channel, touched)
        merged = apply_update(current, body, replace=replace_paths)
        _write_members(
            tx, agent_id, channel, {k: merged[k] for k in touched if k in merged}, [k for k in touched if k not in merged]
        )
    if clear_attachments:
        delete_blobs(tx, agent_id, channel, None)
        metas = []
    metas = metas + store_files(tx, agent_id, channel, None, files)
    stamp = now_ms()
    tx.execute(
        "INSERT INTO aggregates (agent_id, channel, attachments, last_updated) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (agent_id, channel) DO UPDATE SET attachments = excluded.attachments, "
        "last_updated = excluded.last_updated",
        (agent_id, channel, dump_json(metas), stamp),
    )
    if log_update:
        from ._messages import insert_message

        insert_message(tx, agent_id, channel, body, author_id=author_id, base_url=base_url, hooks=hooks)
    data = None  # type: Optional[Dict[str, Any]]
    triggered = []  # type: List[Any]
    if hooks:
        from ._alarms import evaluate_alarms

        triggered = evaluate_alarms(tx, agent_id, channel)
    if want_result or (hooks and tx.listening):
        data = load_data(tx.conn, agent_id, channel)
    aggregate = None if data is None else aggregate_json(agent_id, channel, data, metas, stamp, base_url)
    if hooks and aggregate is not None:
        organisation_id = organisation_of(tx.conn, agent_id)
        tx.emit(
            aggregate_update_event(
                agent_id,
                channel,
                organisation_id,
                author_id,
                aggregate,
                body,
                replace_data,
                list(replace_paths),
            )
        )
        for alarm, old_state in triggered:
            tx.emit(alarm_trigger_event(agent_id, channel, organisation_id, alarm, old_state, aggregate, body))
    return aggregate


# ---------------------------------------------------------------------------- handlers


def fetch_aggregate(req: Request) -> Response:
    agent_id = path_agent(req)
    channel = path_channel(req)
    with req.app.store.read() as conn:
        return Response.json(get_aggregate(conn, agent_id, channel, req.base_url))


def _update(req: Request, replace_data: bool) -> Response:
    agent_id = path_agent(req)
    channel = path_channel(req)
    suppress = req.query_bool("suppress_response")
    clear = req.query_bool("clear_attachments")
    log_update = req.query_bool("log_update")
    replace_paths = check_replace_paths(req.query_list("replace"))
    body, files = req.payload()
    as_object(body, "body")
    with req.app.store.write() as tx:
        aggregate = update_aggregate(
            tx,
            agent_id,
            channel,
            body,
            author_id=req.principal.subject,
            base_url=req.base_url,
            replace_paths=replace_paths,
            replace_data=replace_data,
            files=files,
            clear_attachments=clear,
            log_update=log_update,
            want_result=not suppress,
        )
    return Response.empty() if suppress else Response.json(aggregate)


def patch_aggregate(req: Request) -> Response:
    return _update(req, replace_data=False)


def put_aggregate(req: Request) -> Response:
    return _update(req, replace_data=True)


_BASE = "/agents/{agent_id}/channels/{channel}/aggregate"

ROUTES = [
    ("GET", _BASE, fetch_aggregate),
    ("PATCH", _BASE, patch_aggregate),
    ("PUT", _BASE, put_aggregate),
]  # type: List[Any]
