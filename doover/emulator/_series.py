"""Timeseries (#15) and data series (#5): field history read out of messages.

* ``GET .../messages/timeseries?field_name=a&field_name=b.c``: one point per message that
  has at least one of the fields, newest first, ``{"value": ..., "message_id": "..."}``.
  With one ``field_name`` the value is that field's value; with several it is an object
  ``{field_name: value}`` of the fields the message has. ``before``/``after`` are exclusive;
  ``limit`` defaults to :data:`SERIES_DEFAULT_LIMIT` (at most :data:`SERIES_MAX_LIMIT`).
  With ``paginate=true`` and a full page, ``next`` is the oldest id of the page, to pass
  back as ``before``.
* ``GET /agents/{id}/data_series?field_name=<channel>.<path>``: the same points for one
  field; the first dotted segment names the channel (``tag_values.my_app.level``).
"""

from typing import Any, Dict, List, Sequence, Tuple

from ._fields import parse_bound, path_agent, path_channel, query_fields
from ._http import ApiError, Request, Response
from ._messages import parse_limit, select_messages
from ._store import load_json
from ._wire import MISSING, get_path

__all__ = ["SERIES_DEFAULT_LIMIT", "SERIES_MAX_LIMIT", "ROUTES"]

SERIES_DEFAULT_LIMIT = 1000
SERIES_MAX_LIMIT = 10000


def _points(rows: Sequence[Tuple[Any, ...]], fields: Sequence[str]) -> List[Dict[str, Any]]:
    points = []
    for row in rows:
        data = load_json(row[4])
        if len(fields) == 1:
            value = get_path(data, fields[0])
        else:
            found = {f: get_path(data, f) for f in fields}
            value = {f: v for f, v in found.items() if v is not MISSING}
        points.append({"value": value, "message_id": str(row[2])})
    return points


def _series(req: Request, agent_id: int, channel: str, fields: List[str]) -> Dict[str, Any]:
    before = parse_bound(req.query_one("before"), "before")
    after = parse_bound(req.query_one("after"), "after")
    limit = parse_limit(req, SERIES_DEFAULT_LIMIT, SERIES_MAX_LIMIT)
    paginate = req.query_bool("paginate")
    with req.app.store.read() as conn:
        rows = select_messages(conn, agent_id, channel, before, after, limit, fields)
    result = {"count": len(rows), "results": _points(rows, fields)}  # type: Dict[str, Any]
    next_cursor = None  # type: Optional[str]
    if paginate and len(rows) == limit:
        next_cursor = str(rows[-1][2])
    if paginate:
        result["next"] = next_cursor
    return result


def fetch_timeseries(req: Request) -> Response:
    agent_id = path_agent(req)
    channel = path_channel(req)
    fields = query_fields(req)
    if not fields:
        raise ApiError(400, "field_name: required (at least one)")
    return Response.json(_series(req, agent_id, channel, fields))


def list_data_series(req: Request) -> Response:
    agent_id = path_agent(req)
    name = req.query_one("field_name")
    if not name:
        raise ApiError(400, "field_name: required (one '<channel>.<field path>')")
    channel, _, path = name.partition(".")
    if not channel or not path or any(not part for part in path.split(".")):
        raise ApiError(400, "field_name: expected '<channel>.<field path>', e.g. 'tag_values.my_app.level', got {!r}".format(name))
    result = _series(req, agent_id, channel, [path])
    result["field_name"] = name
    return Response.json(result)


ROUTES = [
    ("GET", "/agents/{agent_id}/channels/{channel}/messages/timeseries", fetch_timeseries),
    ("GET", "/agents/{agent_id}/data_series", list_data_series),
]  # type: List[Any]
