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
* Each committed update evaluates the channel's alarms and emits ``on_aggregate_update``.
"""

import sqlite3
from typing import Any, Dict, List, Sequence

from .._merge import apply_update
from ._agents import organisation_of
from ._attachments import delete_blobs, store_files
from ._channels import ensure_channel
from ._events import aggregate_update_event
from ._fields import as_object, path_agent, path_channel
from ._http import ApiError, Request, Response, UploadedFile
from ._store import Tx, dump_json, load_json
from ._wire import EMPTY_AGGREGATE, aggregate_json, now_ms

__all__ = ["get_aggregate", "update_aggregate", "check_replace_paths", "ROUTES"]


def get_aggregate(conn: sqlite3.Connection, agent_id: int, channel: str, base_url: str) -> Dict[str, Any]:
    row = conn.execute(
        "SELECT data, attachments, last_updated FROM aggregates WHERE agent_id = ? AND channel = ?",
        (agent_id, channel),
    ).fetchone()
    if row is None:
        return dict(EMPTY_AGGREGATE, data={}, attachments=[])
    return aggregate_json(agent_id, channel, load_json(row[0]), load_json(row[1], []), row[2], base_url)


def check_replace_paths(paths: Sequence[Any], field: str = "replace") -> List[str]:
    """Validate dotted ``replace`` paths; ``field`` names them in errors."""
    checked = []
    for path in paths:
        where = field
        if not isinstance(path, str) or not path or any(not part for part in path.split(".")):
            raise ApiError(400, "{}: expected a dotted path such as 'state.children.my_app', got {!r}".format(where, path))
        checked.append(path)
    return checked


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
    hooks: bool = True
) -> Dict[str, Any]:
    """Merge (or with ``replace_data`` replace) an aggregate; returns the new Aggregate."""
    ensure_channel(tx, agent_id, channel)
    row = tx.execute(
        "SELECT data, attachments FROM aggregates WHERE agent_id = ? AND channel = ?", (agent_id, channel)
    ).fetchone()
    current = load_json(row[0]) if row else {}
    metas = load_json(row[1], []) if row else []
    new_data = apply_update(current, body, replace=replace_paths, replace_data=replace_data)
    if not isinstance(new_data, dict):
        new_data = {}
    if clear_attachments:
        delete_blobs(tx, agent_id, channel, None)
        metas = []
    metas = metas + store_files(tx, agent_id, channel, None, files)
    stamp = now_ms()
    tx.execute(
        "INSERT INTO aggregates (agent_id, channel, data, attachments, last_updated) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (agent_id, channel) DO UPDATE SET data = excluded.data, "
        "attachments = excluded.attachments, last_updated = excluded.last_updated",
        (agent_id, channel, dump_json(new_data), dump_json(metas), stamp),
    )
    aggregate = aggregate_json(agent_id, channel, new_data, metas, stamp, base_url)
    if log_update:
        from ._messages import insert_message

        insert_message(tx, agent_id, channel, body, author_id=author_id, base_url=base_url, hooks=hooks)
    if hooks:
        from ._alarms import evaluate_alarms

        evaluate_alarms(tx, agent_id, channel, new_data)
        tx.emit(
            aggregate_update_event(
                agent_id,
                channel,
                organisation_of(tx.conn, agent_id),
                author_id,
                aggregate,
                body,
                replace_data,
                list(replace_paths),
            )
        )
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
