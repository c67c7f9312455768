"""WSS connection introspection (#33-#37).

The emulator has no websocket gateway, so nothing is ever connected: the list endpoints
answer ``[]`` (after checking their parameters like the platform would) and
``GET /connections/{id}`` answers 404. Device connectivity is reported through the
``doover_connection`` channel instead, which is an ordinary channel here (data-api.md §5.11).
"""

import json

from ._fields import parse_bound, parse_id, path_agent, path_channel
from ._http import ApiError, Request, Response

__all__ = ["ROUTES"]


def _paging(req: Request) -> None:
    parse_bound(req.query_one("before"), "before")
    parse_bound(req.query_one("after"), "after")
    limit = req.query_int("limit")
    if limit is not None and limit < 1:
        raise ApiError(400, "limit: expected a positive integer, got {}".format(limit))


def list_connections(req: Request) -> Response:
    path_agent(req)
    return Response.json([])


def fetch_connection(req: Request) -> Response:
    connection_id = parse_id(req.params["connection_id"], "connection_id")
    raise ApiError(404, "connection {} not found (the emulator has no websocket connections)".format(connection_id))


def connection_history(req: Request) -> Response:
    path_agent(req)
    req.query_bool("default_connection")
    _paging(req)
    return Response.json([])


def subscription_history(req: Request) -> Response:
    path_agent(req)
    raw = req.query_one("channel")
    if raw is not None:
        try:
            channel = json.loads(raw)
        except ValueError:
            raise ApiError(400, "channel: expected JSON {\"agent_id\": \"...\", \"name\": \"...\"}") from None
        if not isinstance(channel, dict) or "agent_id" not in channel or not isinstance(channel.get("name"), str):
            raise ApiError(400, "channel: expected JSON {\"agent_id\": \"...\", \"name\": \"...\"}")
        req.principal.check_agent(parse_id(channel["agent_id"], "channel.agent_id"))
    _paging(req)
    return Response.json([])


def channel_subscriptions(req: Request) -> Response:
    path_agent(req)
    path_channel(req)
    return Response.json([])


ROUTES = [
    ("GET", "/agents/{agent_id}/wss_connections", list_connections),
    ("GET", "/connections/{connection_id}", fetch_connection),
    ("GET", "/agents/{agent_id}/wss_connections/history", connection_history),
    ("GET", "/agents/{agent_id}/wss_connections/subscriptions/history", subscription_history),
    ("GET", "/agents/{agent_id}/channels/{channel}/subscriptions", channel_subscriptions),
]  # type: List[Any]
