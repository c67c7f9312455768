"""Batch mutations (#22-#26): up to 50 items, each authorised and applied on its own.

* The body is ``{"items": [...]}`` with 1 to 50 items. The whole request is checked before
  anything runs: a wrong count or a malformed item is a 400 naming the item and field
  (``items[3].agent_id: ...``) and nothing is executed.
* Items then run in request order, each in its own transaction. A failing item does not
  roll back the others (partial success): its result has ``success: false``, an ``error``
  string and the HTTP ``status`` it would have had (403 for an agent the token may not
  touch, 404 for a missing message, 409 for a conflicting id).
* The answer is always 200 with ``{"items", "count", "succeeded", "failed"}``.
* ``suppress_hooks: true`` on an item skips listeners, alarms and notification fan-out.
"""

from typing import Any, Callable, List, Optional

from ._aggregates import check_replace_paths, update_aggregate
from ._fields import as_bool, as_int, as_object, as_str, parse_id
from ._http import ApiError, Request, Response
from ._messages import check_ts, delete_message, insert_message, update_message

__all__ = ["MAX_BATCH", "ROUTES"]

MAX_BATCH = 50


class _Item:
    __slots__ = ("agent_id", "channel", "data", "message_id", "ts", "ttl", "replace", "hooks")

    def __init__(self) -> None:
        self.agent_id = 0
        self.channel = ""
        self.data = None  # type: Any
        self.message_id = None  # type: Optional[int]
        self.ts = None  # type: Optional[int]
        self.ttl = None  # type: Optional[int]
        self.replace = []  # type: List[str]
        self.hooks = True


def _parse(req: Request, kind: str) -> List[_Item]:
    body = as_object(req.json(), "body")
    if "items" not in body:
        raise ApiError(400, "items: required")
    raw = body["items"]
    if not isinstance(raw, list):
        raise ApiError(400, "items: expected an array of 1 to {} items".format(MAX_BATCH))
    if not 1 <= len(raw) <= MAX_BATCH:
        raise ApiError(400, "items: expected 1 to {} items, got {}".format(MAX_BATCH, len(raw)))
    items = []
    for index, entry in enumerate(raw):
        where = "items[{}]".format(index)
        as_object(entry, where)
        item = _Item()
        for key in ("agent_id", "channel_name"):
            if key not in entry:
                raise ApiError(400, "{}.{}: required".format(where, key))
        item.agent_id = parse_id(entry["agent_id"], where + ".agent_id")
        item.channel = as_str(entry["channel_name"], where + ".channel_name", allow_empty=False)
        needs_id = kind in ("update", "delete")
        if needs_id and "message_id" not in entry:
            raise ApiError(400, "{}.message_id: required".format(where))
        if entry.get("message_id") is not None:
            item.message_id = parse_id(entry["message_id"], where + ".message_id")
        if kind != "delete":
            if "data" not in entry:
                raise ApiError(400, "{}.data: required".format(where))
            item.data = entry["data"]
        if kind == "aggregate":
            as_object(item.data, where + ".data")
            item.replace = check_replace_paths(
                [] if entry.get("replace") is None else _list(entry["replace"], where + ".replace"),
                where + ".replace",
            )
        if kind == "create":
            if entry.get("ts") is not None:
                item.ts = check_ts(entry["ts"], where + ".ts")
            if entry.get("ttl") is not None:
                item.ttl = as_int(entry["ttl"], where + ".ttl", minimum=1)
        if entry.get("suppress_hooks") is not None:
            item.hooks = not as_bool(entry["suppress_hooks"], where + ".suppress_hooks")
        items.append(item)
    return items


def _list(value: Any, field: str) -> List[Any]:
    if not isinstance(value, list):
        raise ApiError(400, "{}: expected an array of dotted paths".format(field))
    return value


def _run(req: Request, kind: str, apply: Callable[[Any, _Item], Optional[int]]) -> Response:
    items = _parse(req, kind)
    results = []
    succeeded = 0
    for item in items:
        result = {
            "agent_id": str(item.agent_id),
            "channel_name": item.channel,
            "success": False,
            "error": None,
        }  # type: Dict[str, Any]
        if kind != "aggregate":
            result["message_id"] = None if item.message_id is None else str(item.message_id)
        try:
            req.principal.check_agent(item.agent_id)
            with req.app.store.write() as tx:
                message_id = apply(tx, item)
        except ApiError as exc:
            result["error"] = exc.message
            result["status"] = exc.status
        else:
            result["success"] = True
            if message_id is not None:
                result["message_id"] = str(message_id)
            succeeded += 1
        results.append(result)
    return Response.json(
        {"items": results, "count": len(results), "succeeded": succeeded, "failed": len(results) - succeeded}
    )


def batch_create(req: Request) -> Response:
    def apply(tx: Any, item: _Item) -> Optional[int]:
        message, _created = insert_message(
            tx,
            item.agent_id,
            item.channel,
            item.data,
            author_id=req.principal.subject,
            base_url=req.base_url,
            ts_ms=item.ts,
            message_id=item.message_id,
            ttl_s=item.ttl,
            hooks=item.hooks,
        )
        return int(message["id"])

    return _run(req, "create", apply)


def _batch_update(req: Request, replace_data: bool) -> Response:
    def apply(tx: Any, item: _Item) -> Optional[int]:
        update_message(
            tx,
            item.agent_id,
            item.channel,
            item.message_id,
            item.data,
            author_id=req.principal.subject,
            base_url=req.base_url,
            replace_data=replace_data,
            hooks=item.hooks,
        )
        return item.message_id

    return _run(req, "update", apply)


def batch_patch(req: Request) -> Response:
    return _batch_update(req, replace_data=False)


def batch_put(req: Request) -> Response:
    return _batch_update(req, replace_data=True)


def batch_delete(req: Request) -> Response:
    def apply(tx: Any, item: _Item) -> Optional[int]:
        delete_message(tx, item.agent_id, item.channel, item.message_id)
        return item.message_id

    return _run(req, "delete", apply)


def batch_aggregates(req: Request) -> Response:
    def apply(tx: Any, item: _Item) -> Optional[int]:
        update_aggregate(
            tx,
            item.agent_id,
            item.channel,
            item.data,
            author_id=req.principal.subject,
            base_url=req.base_url,
            replace_paths=item.replace,
            hooks=item.hooks,
            want_result=False,
        )
        return None

    return _run(req, "aggregate", apply)


ROUTES = [
    ("POST", "/agents/messages", batch_create),
    ("PATCH", "/agents/messages", batch_patch),
    ("PUT", "/agents/messages", batch_put),
    ("DELETE", "/agents/messages", batch_delete),
    ("PATCH", "/agents/aggregates", batch_aggregates),
]  # type: List[Any]
