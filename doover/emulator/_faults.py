"""Fault injection: make the next requests fail the way real networks and servers do.

A :class:`Fault` applies to the next ``times`` requests (``None``: until cleared) whose
method and path match. The server consults the plan after it has read a request:

* ``status``: answer that status with ``{"message": ...}`` (and ``Retry-After`` if set);
* ``delay``: wait ``seconds`` (cut short when the emulator stops), then answer normally;
* ``drop``: close the connection without answering.

Faults can also be managed over HTTP, outside the Data API's base path, with an admin
token: ``POST /_emulator/faults`` (body: ``kind``, ``times``, ``method``, ``path``,
``status``, ``retry_after``, ``seconds``, ``message``), ``GET`` and ``DELETE`` on the same
path.
"""

import threading
from typing import Any, Dict, List, Optional

from ..exceptions import InvalidArgumentError
from ._fields import as_int, as_number, as_object, as_str
from ._http import ApiError, Request, Response

__all__ = ["Fault", "FaultPlan", "handle_admin"]

KINDS = ("status", "delay", "drop")


class Fault:
    """One injected fault (see the module docstring)."""

    __slots__ = ("kind", "remaining", "method", "path", "status", "retry_after", "seconds", "message")

    def __init__(
        self,
        kind: str,
        times: Optional[int] = 1,
        method: Optional[str] = None,
        path: Optional[str] = None,
        status: int = 503,
        retry_after: Optional[float] = None,
        seconds: float = 0.0,
        message: Optional[str] = None,
    ) -> None:
        if kind not in KINDS:
            raise InvalidArgumentError("kind: expected one of {}, got {!r}".format(", ".join(KINDS), kind))
        if times is not None and times < 1:
            raise InvalidArgumentError("times: expected a positive count or None, got {!r}".format(times))
        if kind == "status" and not 100 <= status <= 599:
            raise InvalidArgumentError("status: expected an HTTP status code, got {!r}".format(status))
        self.kind = kind
        self.remaining = times
        self.method = method.upper() if method else None
        self.path = path
        self.status = status
        self.retry_after = retry_after
        self.seconds = seconds
        self.message = message

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        if self.path is not None:
            prefix = self.path if self.path.startswith("/api") or self.path.startswith("/_") else "/api" + self.path
            if not path.startswith(prefix):
                return False
        return True

    def to_dict(self) -> Dict[str, Any]:
        return {
            "kind": self.kind,
            "times": self.remaining,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "retry_after": self.retry_after,
            "seconds": self.seconds,
            "message": self.message,
        }

    def __repr__(self) -> str:
        return "Fault({})".format(", ".join("{}={!r}".format(k, v) for k, v in self.to_dict().items()))


class FaultPlan:
    """The pending faults, consumed first-match-first by the request threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults = []  # type: List[Fault]

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults = []

    def pending(self) -> List[Fault]:
        with self._lock:
            return list(self._faults)

    def take(self, method: str, path: str) -> Optional[Fault]:
        """The first matching fault, counted as used (removed when its count runs out)."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    if fault.remaining is not None:
                        fault.remaining -= 1
                        if fault.remaining <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def fault_response(self, fault: Fault) -> Response:
        message = fault.message or "fault injected by the doover emulator: HTTP {}".format(fault.status)
        resp = Response.json({"message": message}, status=fault.status)
        if fault.retry_after is not None:
            value = fault.retry_after
            resp.headers.append(("Retry-After", str(int(value)) if float(value).is_integer() else str(value)))
        return resp


ADMIN_PATH = "/_emulator/faults"


def handle_admin(app: Any, req: Request) -> Response:
    """``/_emulator/faults``: GET lists, POST adds, DELETE clears (admin token required)."""
    from ._auth import bearer_of

    try:
        principal = app._verify(bearer_of(req.header("Authorization")))
        if principal.kind != "admin":
            raise ApiError(403, "fault injection needs an admin token")
        if req.path != ADMIN_PATH:
            raise ApiError(501, "the emulator does not implement {} {}".format(req.method, req.path))
        if req.method == "GET":
            return Response.json({"faults": [f.to_dict() for f in app.faults.pending()]})
        if req.method == "DELETE":
            app.faults.clear()
            return Response.empty()
        if req.method != "POST":
            raise ApiError(501, "the emulator does not implement {} {}".format(req.method, req.path))
        body = as_object(req.json(), "body")
        kwargs = {"kind": as_str(body.get("kind", "status"), "kind")}  # type: Dict[str, Any]
        if "times" in body:
            kwargs["times"] = None if body["times"] is None else as_int(body["times"], "times", minimum=1)
        for key in ("method", "path", "message"):
            if body.get(key) is not None:
                kwargs[key] = as_str(body[key], key)
        if body.get("status") is not None:
            kwargs["status"] = as_int(body["status"], "status", minimum=100, maximum=599)
        for key in ("retry_after", "seconds"):
            if body.get(key) is not None:
                kwargs[key] = as_number(body[key], key)
        try:
            fault = app.faults.add(Fault(**kwargs))
        except ValueError as exc:
            raise ApiError(400, str(exc)) from exc
        return Response.json(fault.to_dict(), status=201)
    except ApiError as exc:
        return exc.response()
