"""Multi-agent reads (#20, #21): one channel name across several agents.

Messages (data-api.md §9.1 item 1, decided as doover-js describes the platform): results
are **newest first** across all the requested agents, ``after < id < before`` (exclusive), at
most ``limit`` in total (default 50, at most 1000) and at most ``agent_message_limit`` per
agent. When the page is full, ``next`` is the id of its last (oldest) message: pass it back as
``before`` to continue (doover's ``iter_multi_agent_messages`` walks this way; pydoover's
iterator assumes oldest-first pages and is known to lose messages either way). With both
bounds given, ``before - after`` may span at most two days (400 otherwise); with either
bound missing there is no span limit. ``field_name`` filters as in single-channel lists.

Aggregates: one entry per requested agent, in request order, with the empty aggregate for
agents that have none; ``field_name`` projects ``data`` onto those top-level keys.
Every requested agent must be accessible to the token (403 naming the first that is not).
"""

from typing import List

from ._aggregates import get_aggregate
from ._fields import parse_bound, parse_id, path_channel, query_fields
from ._http import ApiError, Request, Response
from ._messages import DEFAULT_LIMIT, MAX_LIMIT, parse_limit, select_messages
from ._wire import message_from_row

__all__ = ["MAX_SPAN", "ROUTES"]

#: ``before - after`` may be at most two days, in snowflake units (ms << 22).
MAX_SPAN = 172800000 << 22


def _agents(req: Request) -> List[int]:
    raw = req.query_list("agent_id")
    if not raw:
        raise ApiError(400, "agent_id: required (repeat it for each agent)")
    agents = []  # type: List[int]
    for value in raw:
        agent_id = parse_id(value, "agent_id")
        req.principal.check_agent(agent_id)
        if agent_id not in agents:
            agents.append(agent_id)
    return agents


def multi_agent_messages(req: Request) -> Response:
    channel = path_channel(req)
    agents = _agents(req)
    before = parse_bound(req.query_one("before"), "before")
    after = parse_bound(req.query_one("after"), "after")
    if before is not None and after is not None and before - after > MAX_SPAN:
        raise ApiError(400, "before: before - after may span at most 2 days ({} in snowflake units)".format(MAX_SPAN))
    limit = parse_limit(req, DEFAULT_LIMIT, MAX_LIMIT)
    per_agent = req.query_int("agent_message_limit")
    if per_agent is not None and per_agent < 1:
        raise ApiError(400, "agent_message_limit: expected a positive integer, got {}".format(per_agent))
    fields = query_fields(req)
    cap = limit if per_agent is None else min(limit, per_agent)
    rows = []  # type: List[Any]
    with req.app.store.read() as conn:
        for agent_id in agents:
            rows.extend(select_messages(conn, agent_id, channel, before, after, cap, fields))
    rows.sort(key=lambda row: row[2], reverse=True)
    page = rows[:limit]
    body = {
        "results": [message_from_row(row, req.base_url) for row in page],
        "count": len(page),
        "next": str(page[-1][2]) if len(page) == limit else None,
    }  # type: Dict[str, Any]
    return Response.json(body)


def multi_agent_aggregates(req: Request) -> Response:
    channel = path_channel(req)
    agents = _agents(req)
    fields = req.query_list("field_name")
    results = []
    with req.app.store.read() as conn:
        for agent_id in agents:
            aggregate = get_aggregate(conn, agent_id, channel, req.base_url)
            if fields and isinstance(aggregate["data"], dict):
                aggregate["data"] = {k: v for k, v in aggregate["data"].items() if k in fields}
            entry = {"agent_id": str(agent_id)}
            entry.update(aggregate)
            results.append(entry)
    return Response.json({"results": results, "count": len(results)})


ROUTES = [
    ("GET", "/agents/channels/{channel}/messages", multi_agent_messages),
    ("GET", "/agents/channels/{channel}/aggregates", multi_agent_aggregates),
]  # type: List[Any]
