"""The route table: ``(method, path template) -> handler``, and the dispatcher.

Templates are relative to the base path ``/api``. Literal segments win over placeholders at
the same position (``/agents/messages`` before ``/agents/{agent_id}``, ``.../timeseries``
before ``.../{message_id}``, ``.../subscriptions/default`` before
``.../subscriptions/{subscription_id}``). Each route names its auth mode:

* ``bearer``: a valid, unrevoked token that is not an initial processor token;
* ``info``: as ``bearer``, but initial processor tokens are allowed (the handler checks that
  the token belongs to the subscription or schedule asked for);
* ``none``: no bearer token (the OAuth2 token endpoint).

A path that matches no route, or a route without that method, answers 501 naming both.
"""

from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import unquote

from . import (
    _aggregates,
    _alarms,
    _attachments,
    _batch,
    _channels,
    _connections,
    _messages,
    _multi,
    _notifications,
    _processors,
    _series,
    _tokens,
)
from ._auth import REVOCABLE_KINDS, bearer_of
from ._http import ApiError, Request, Response

__all__ = ["BASE_PATH", "Route", "ROUTES", "match", "dispatch"]

BASE_PATH = "/api"

_FAMILIES = (
    _channels,
    _messages,
    _attachments,
    _series,
    _aggregates,
    _multi,
    _batch,
    _alarms,
    _connections,
    _notifications,
    _processors,
    _tokens,
)


class Route:
    __slots__ = ("method", "template", "segments", "handler", "auth", "rank")

    def __init__(self, method: str, template: str, handler: Callable[[Request], Response], auth: str) -> None:
        self.method = method
        self.template = template
        self.segments = template.strip("/").split("/")
        self.handler = handler
        self.auth = auth
        # literal segments first: lower rank wins
        self.rank = tuple(1 if s.startswith("{") else 0 for s in self.segments)

    def bind(self, segments: List[str]) -> Optional[Dict[str, str]]:
        params = {}
        for pattern, value in zip(self.segments, segments):
            if pattern.startswith("{"):
                if not value:
                    return None
                params[pattern[1:-1]] = value
            elif pattern != value:
                return None
        return params

    def __repr__(self) -> str:
        return "Route({} {})".format(self.method, self.template)


def _build() -> List[Route]:
    routes = []
    for family in _FAMILIES:
        for entry in family.ROUTES:
            method, template, handler = entry[:3]
            auth = entry[3] if len(entry) > 3 else "bearer"
            routes.append(Route(method, template, handler, auth))
    return routes


ROUTES = _build()
# routes by (segment count, first segment): every template starts with a literal
_INDEX = {}  # type: Dict[Tuple[int, str], List[Route]]
for _route in ROUTES:
    _INDEX.setdefault((len(_route.segments), _route.segments[0]), []).append(_route)
for _routes in _INDEX.values():
    _routes.sort(key=lambda r: r.rank)


def match(method: str, path: str) -> Tuple[Optional[Route], Dict[str, str], List[str]]:
    """``(route, params, methods_on_path)`` for a path relative to the base path."""
    segments = [unquote(s) for s in path.strip("/").split("/")]
    methods = []  # type: List[str]
    best = None  # type: Optional[Tuple[Route, Dict[str, str]]]
    path_rank = None
    for route in _INDEX.get((len(segments), segments[0]), ()):
        params = route.bind(segments)
        if params is None:
            continue
        if path_rank is None:
            path_rank = route.rank
        elif route.rank != path_rank:
            # a more specific template already matched this path: stop at its rank
            break
        methods.append(route.method)
        if route.method == method and best is None:
            best = (route, params)
    if best is None:
        return None, {}, methods
    return best[0], best[1], methods


def _not_implemented(method: str, full_path: str, methods: List[str]) -> ApiError:
    text = "the emulator does not implement {} {}".format(method, full_path)
    if methods:
        text += " (this path supports {})".format(", ".join(sorted(set(methods))))
    return ApiError(501, text)


def _authenticate(app: Any, req: Request, route: Route) -> None:
    if route.auth == "none":
        return
    principal = app._verify(bearer_of(req.header("Authorization")))
    if principal.kind == "initial" and route.auth != "info":
        raise ApiError(403, "an initial processor token may only call its subscription/schedule info endpoint")
    if principal.kind in REVOCABLE_KINDS and principal.issued_us < app._revocation_floor_us(principal.subject):
        raise ApiError(401, "bearer token revoked: agent {} confirmed a newer token".format(principal.subject))
    org_header = req.header("X-Doover-Organisation")
    if org_header is not None and org_header.strip() not in ("", "0"):
        text = org_header.strip()
        if not text.isdigit():
            raise ApiError(400, "X-Doover-Organisation: expected a decimal organisation id, got {!r}".format(text))
        if principal.organisation_id is not None and int(text) != principal.organisation_id:
            raise ApiError(
                403,
                "X-Doover-Organisation: this token belongs to organisation {}, not {}".format(
                    principal.organisation_id, text
                ),
            )
    req.principal = principal


def dispatch(app: Any, req: Request) -> Response:
    """Route, authenticate and run a request; deterministic errors become JSON 4xx/501."""
    try:
        if req.path != BASE_PATH and not req.path.startswith(BASE_PATH + "/"):
            raise _not_implemented(req.method, req.path, [])
        route, params, methods = match(req.method, req.path[len(BASE_PATH):])
        if route is None:
            raise _not_implemented(req.method, req.path, methods)
        req.route = route
        req.params = params
        _authenticate(app, req, route)
        return route.handler(req)
    except ApiError as exc:
        return exc.response()
