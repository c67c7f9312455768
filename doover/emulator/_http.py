"""Requests and responses as the emulator's handlers see them.

The server (``_server.py``) turns bytes on a socket into a :class:`Request` and writes a
:class:`Response` back; handlers never touch sockets. Every deterministic failure is an
:class:`ApiError` carrying the status and the ``{"message": ...}`` text the client sees.
"""

import json
from typing import Any, Dict, List, Optional, Sequence, Tuple
from urllib.parse import parse_qs

__all__ = ["ApiError", "Request", "Response", "UploadedFile", "dumps"]


class ApiError(Exception):
    """A deterministic error answer: ``status`` with JSON ``{"message": message, ...}``."""

    def __init__(self, status: int, message: str, headers: Sequence[Tuple[str, str]] = (), **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = list(headers)
        self.extra = extra

    def response(self) -> "Response":
        body = {"message": self.message}
        body.update(self.extra)
        resp = Response.json(body, status=self.status)
        resp.headers.extend(self.headers)
        return resp


def dumps(value: Any) -> bytes:
    """Compact JSON bytes, as the emulator sends them."""
    return json.dumps(value, separators=(",", ":"), allow_nan=False).encode("utf-8")


def _reject_constant(name: str) -> Any:
    raise ValueError("{} is not valid JSON".format(name))


def loads(raw: bytes, what: str = "body") -> Any:
    """Parse JSON bytes strictly (no NaN/Infinity); a 400 naming ``what`` on failure."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, "{}: expected UTF-8 encoded JSON ({})".format(what, exc)) from exc
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except ValueError as exc:
        raise ApiError(400, "{}: invalid JSON ({})".format(what, exc)) from exc


class UploadedFile:
    """One non-``json_payload`` part of a multipart upload: an attachment."""

    __slots__ = ("field_name", "filename", "content_type", "data")

    def __init__(self, field_name: str, filename: str, content_type: Optional[str], data: bytes) -> None:
        self.field_name = field_name
        self.filename = filename
        self.content_type = content_type
        self.data = data

    def __repr__(self) -> str:
        return "UploadedFile({!r}, {!r}, {!r}, {} bytes)".format(
            self.field_name, self.filename, self.content_type, len(self.data)
        )


class Response:
    """Status, headers and body bytes. Content-Length is always set by the server."""

    __slots__ = ("status", "body", "content_type", "headers")

    def __init__(self, status: int = 200, body: bytes = b"", content_type: Optional[str] = None) -> None:
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = []  # type: List[Tuple[str, str]]

    @classmethod
    def json(cls, value: Any, status: int = 200) -> "Response":
        return cls(status, dumps(value), "application/json")

    @classmethod
    def empty(cls, status: int = 204) -> "Response":
        """A no-content answer; the server sends ``Content-Length: 0`` (data-api.md §1.5)."""
        return cls(status, b"", None)


class Request:
    """A parsed request. ``params`` are the decoded path placeholders of the matched route."""

    def __init__(
        self,
        method: str,
        path: str,
        query_string: str,
        headers: Any,
        body: bytes,
        gzip: bool,
        base_url: str,
        app: Any = None,
    ) -> None:
        #: the :class:`~doover.emulator.Emulator` serving the request
        self.app = app
        self.method = method
        self.path = path
        self.query_string = query_string
        self.headers = headers
        self.body = body
        self.gzip = gzip
        self.base_url = base_url
        self.params = {}  # type: Dict[str, str]
        self.principal = None  # type: Any
        self.route = None  # type: Any
        self._query = None  # type: Optional[Dict[str, List[str]]]
        self._payload = None  # type: Optional[Tuple[Any, List[UploadedFile]]]

    # ------------------------------------------------------------------ headers
    def header(self, name: str, default: Optional[str] = None) -> Optional[str]:
        value = self.headers.get(name)
        return default if value is None else value

    @property
    def content_type(self) -> str:
        return (self.header("Content-Type") or "").strip()

    # ------------------------------------------------------------------ query
    @property
    def query(self) -> Dict[str, List[str]]:
        if self._query is None:
            try:
                self._query = parse_qs(self.query_string, keep_blank_values=True, strict_parsing=False)
            except ValueError as exc:  # pragma: no cover - parse_qs is lenient
                raise ApiError(400, "query string: {}".format(exc)) from exc
        return self._query

    def query_list(self, name: str) -> List[str]:
        return list(self.query.get(name, []))

    def query_one(self, name: str) -> Optional[str]:
        values = self.query.get(name)
        if not values:
            return None
        if len(values) > 1:
            raise ApiError(400, "{}: expected one value, got {}".format(name, len(values)))
        return values[0]

    def query_bool(self, name: str, default: bool = False) -> bool:
        value = self.query_one(name)
        if value is None:
            return default
        lowered = value.lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
        raise ApiError(400, "{}: expected true or false, got {!r}".format(name, value))

    def query_int(self, name: str, default: Optional[int] = None) -> Optional[int]:
        value = self.query_one(name)
        if value is None or value == "":
            return default
        try:
            return int(value, 10)
        except ValueError:
            raise ApiError(400, "{}: expected an integer, got {!r}".format(name, value)) from None

    # ------------------------------------------------------------------ body
    def json(self, required: bool = True) -> Any:
        """The JSON body (or the ``json_payload`` part of a multipart body)."""
        value, _files = self.payload(required=required)
        return value

    def payload(self, required: bool = True) -> Tuple[Any, List[UploadedFile]]:
        """``(json_value, files)`` from a JSON or ``multipart/form-data`` body."""
        if self._payload is None:
            if self.content_type.lower().startswith("multipart/"):
                from ._multipart import parse_multipart

                value, files = parse_multipart(self.content_type, self.body)
                self._payload = (value, files)
            elif not self.body.strip():
                self._payload = (None, [])
            else:
                self._payload = (loads(self.body), [])
        value, files = self._payload
        if value is None and required:
            raise ApiError(400, "body: expected a JSON body")
        return value, files
