"""The client core: configuration, sessions, auth and the one request choke point.

Every HTTP request of the Data API client goes through :meth:`ClientCore._request`, and the
only line that touches the network is :meth:`ClientCore._send`. ``requests`` is imported there,
on the first request, not when ``doover.api`` is imported.
"""

import datetime as _dt
import json
import logging
import os
import threading
import time
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from ..exceptions import (
    APIConnectionError,
    APITimeoutError,
    DecodeError,
    DooverAPIError,
    HTTPError,
    InvalidArgumentError,
    TokenRefreshError,
    error_for_status,
)
from ._auth import TokenState
from ._retry import IDEMPOTENT_METHODS, RetryPolicy, parse_retry_after
from ._transport import build_query, encode_json, encode_multipart, user_agent

if TYPE_CHECKING:  # pragma: no cover
    import requests

__all__ = ["ClientCore", "DEFAULT_BASE_URL", "DEFAULT_TIMEOUT"]

log = logging.getLogger("doover.api")

DEFAULT_BASE_URL = "https://data.doover.com/api"
#: (connect, read) seconds.
DEFAULT_TIMEOUT: Tuple[float, float] = (10.0, 60.0)

_NO_BODY = object()
_MAX_ERROR_TEXT = 500

TimeoutArg = Union[None, float, Tuple[Optional[float], Optional[float]]]


def _normalise_timeout(timeout: TimeoutArg) -> Tuple[Optional[float], Optional[float]]:
    if timeout is None:
        return DEFAULT_TIMEOUT
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool):
        return (float(timeout), float(timeout))
    if isinstance(timeout, tuple) and len(timeout) == 2:
        return timeout  # type: ignore[return-value]
    raise InvalidArgumentError("timeout: expected seconds or a (connect, read) tuple, got {!r}".format(timeout))


class ClientCore:
    """Configuration, sessions, token handling and the request choke point of DataClient."""

    def __init__(
        self,
        base_url: Optional[str] = None,
        *,
        token: Optional[str] = None,
        agent_id: Optional[int] = None,
        organisation_id: Optional[int] = None,
        client_id: Optional[str] = None,
        client_secret: Optional[str] = None,
        token_expires: Union[None, float, _dt.datetime] = None,
        timeout: TimeoutArg = DEFAULT_TIMEOUT,
        retry: Union[None, bool, int, RetryPolicy] = None,
        compress: Union[bool, str, None] = True,
        compress_level: int = 6,
        session_factory: Optional[Callable[[], "requests.Session"]] = None,
        user_agent: Optional[str] = None,
        sleep: Optional[Callable[[float], None]] = None,
        data_base_url: Optional[str] = None,
    ) -> None:
        if base_url and data_base_url and base_url.rstrip("/") != data_base_url.rstrip("/"):
            raise InvalidArgumentError("base_url and data_base_url disagree; pass only one")
        base = base_url or data_base_url or os.environ.get("DOOVER_DATA_ENDPOINT") or DEFAULT_BASE_URL
        #: The Data API root, without a trailing slash.
        self.base_url: str = base.rstrip("/")
        #: Default agent for agent-scoped calls (overridden per call).
        self.agent_id: Optional[int] = int(agent_id) if agent_id else None
        #: Default ``X-Doover-Organisation`` (overridden per call; 0/None sends none).
        self.organisation_id: Optional[int] = int(organisation_id) if organisation_id else None
        #: (connect, read) timeouts in seconds for every request.
        self.timeout = _normalise_timeout(timeout)
        #: The :class:`RetryPolicy` in use.
        self.retry: RetryPolicy = RetryPolicy.from_arg(retry)
        #: Whether JSON bodies of 50 bytes or more are gzip-compressed.
        self.compress: bool = bool(compress)
        self.compress_level = int(compress_level)
        #: Whether ``ping_connection_at`` looks up the public IP when none is given.
        self.lookup_ip: bool = False
        self._auth = TokenState(token, token_expires, client_id, client_secret)
        self._session_factory = session_factory
        self._user_agent = user_agent
        self._sleep: Callable[[float], None] = time.sleep if sleep is None else sleep
        self._local = threading.local()
        self._sessions: List[Any] = []
        self._sessions_lock = threading.Lock()
        self._requests: Any = None

    # ------------------------------------------------------------------ public plumbing

    @property
    def token(self) -> Optional[str]:
        """The current bearer token (None before the first client-credentials fetch)."""
        return self._auth.token

    def set_token(self, token: str, expires: Union[None, float, _dt.datetime] = None) -> None:
        """Use ``token`` from now on; its expiry comes from ``expires`` or its JWT ``exp``."""
        with self._auth.lock:
            exp = expires.timestamp() if isinstance(expires, _dt.datetime) else expires
            self._auth.set(token, None if exp is None else float(exp))

    def close(self) -> None:
        """Close every session this client opened (any thread). The client stays usable."""
        with self._sessions_lock:
            sessions, self._sessions = self._sessions, []
            self._local = threading.local()
        for session in sessions:
            try:
                session.close()
            except Exception:  # closing is best effort
                log.debug("error closing a session", exc_info=True)

    def __enter__(self) -> "ClientCore":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return "<{} base_url={!r} agent_id={!r} organisation_id={!r}>".format(
            type(self).__name__, self.base_url, self.agent_id, self.organisation_id
        )

    # ------------------------------------------------------------------ extension points

    def _resolve_agent_id(self, agent_id: Optional[int]) -> int:
        """The agent a call acts on: the given one, else the client's default.

        ``0``/``""``/None count as not given. Subclasses (ProcessorDataClient) override this.
        """
        if agent_id:
            return int(agent_id)
        if self.agent_id:
            return int(self.agent_id)
        raise InvalidArgumentError(
            "agent_id: no agent given and the client has no default agent_id "
            "(pass agent_id=... to the call or to the client)"
        )

    def _before_write(
        self,
        kind: str,
        channel_name: str,
        data: Any,
        *,
        agent_id: int,
        allow_invoking_channel: bool = False,
    ) -> None:
        """Hook called before every channel write (``kind`` is ``"create_message"``,
        ``"update_message"`` or ``"update_channel_aggregate"``). No-op here; subclasses
        (ProcessorDataClient) use it for the invoking-channel guard."""

    # ------------------------------------------------------------------ sessions

    def _import_requests(self) -> Any:
        if self._requests is None:
            import requests

            self._requests = requests
        return self._requests

    def _session(self) -> Any:
        session = getattr(self._local, "session", None)
        if session is None:
            requests = self._import_requests()
            session = self._session_factory() if self._session_factory else requests.Session()
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    def _same_origin(self, url: str) -> bool:
        """Whether ``url`` is on the Data API's scheme, host and port (credentials may go there)."""
        from urllib.parse import urlsplit

        mine, theirs = urlsplit(self.base_url), urlsplit(url)
        return (mine.scheme, mine.netloc.lower()) == (theirs.scheme, theirs.netloc.lower())

    def _ua(self) -> str:
        if self._user_agent is None:
            self._user_agent = user_agent(self._import_requests().__version__)
        return self._user_agent

    # ------------------------------------------------------------------ auth

    def _ensure_token(self) -> str:
        auth = self._auth
        if not auth.needs_refresh():
            return auth.token  # type: ignore[return-value]
        with auth.lock:
            if not auth.needs_refresh():
                return auth.token  # type: ignore[return-value]
            if not auth.can_refresh:
                if auth.token:  # expired, but nothing better to send: let the server judge
                    return auth.token
                raise TokenRefreshError(
                    "no token: pass token=... or client_id/client_secret to the client"
                )
            return self._fetch_token()

    def _fetch_token(self) -> str:
        """Client-credentials grant against ``{base_url}/oauth2/token`` (caller holds the lock)."""
        from urllib.parse import urlencode

        body = urlencode([("grant_type", "client_credentials"), ("scope", "")]).encode("ascii")
        headers = {
            "Authorization": self._auth.basic_auth_header(),
            "Content-Type": "application/x-www-form-urlencoded",
        }
        try:
            answer = self._request(
                "POST", "/oauth2/token", raw_body=body, headers=headers, auth=False, idempotent=True
            )
            return self._auth.accept(answer)
        except HTTPError as exc:
            raise TokenRefreshError(
                "token refresh failed: HTTP {} from {}: {}".format(exc.status, exc.url, exc.message)
            ) from exc
        except (ValueError, DooverAPIError) as exc:
            raise TokenRefreshError("token refresh failed: {}".format(exc)) from exc

    # ------------------------------------------------------------------ the choke point

    def _request(
        self,
        method: str,
        path: str = "",
        *,
        params: Optional[Sequence[Tuple[str, Any]]] = None,
        json: Any = _NO_BODY,
        files: Optional[Sequence[Any]] = None,
        raw_body: Optional[bytes] = None,
        headers: Optional[Dict[str, str]] = None,
        organisation_id: Optional[int] = None,
        idempotent: Optional[bool] = None,
        expect: str = "json",
        url: Optional[str] = None,
        auth: bool = True,
    ) -> Any:
        """Send one logical call and return its decoded answer.

        ``json`` is sent as JSON (gzip per the client's settings), or as the ``json_payload``
        part of a multipart body when ``files`` is a list (even an empty one). The body is
        encoded once; retries resend the same bytes. ``expect`` is ``"json"`` (None for an
        empty body), ``"bytes"`` or ``"text"``. ``idempotent`` overrides the method's default
        for the retry decision.
        """
        method = method.upper()
        target = (url or self.base_url + path) + build_query(params)
        send_headers = {"User-Agent": self._ua(), "Accept": "application/json" if expect == "json" else "*/*"}
        body: Optional[bytes] = raw_body
        if files is not None:
            body, extra = encode_multipart({} if json is _NO_BODY else json, files)
            send_headers.update(extra)
        elif json is not _NO_BODY:
            body, extra = encode_json(json, self.compress, self.compress_level)
            send_headers.update(extra)
        if headers:
            send_headers.update(headers)
        if auth:
            org = organisation_id or self.organisation_id
            if org:
                send_headers["X-Doover-Organisation"] = str(int(org))
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        policy = self.retry
        retries = 0
        refreshed = False
        while True:
            if auth:
                send_headers["Authorization"] = "Bearer " + self._ensure_token()
            started = time.monotonic()
            try:
                response = self._send(method, target, body, send_headers)
            except DooverAPIError as err:
                connect_failed = isinstance(err, _ConnectFailed)
                public = err.public if isinstance(err, _ConnectFailed) else err
                if retries < policy.total and policy.should_retry_error(connect_failed, idempotent):
                    retries += 1
                    delay = policy.backoff(retries)
                    log.warning(
                        "retrying %s %s after %s (retry %d/%d) in %.2fs",
                        method, target, type(public).__name__, retries, policy.total, delay,
                    )
                    self._sleep(delay)
                    continue
                raise public from err.__cause__
            status = response.status_code
            log.debug("%s %s -> %d in %.1f ms", method, target, status, (time.monotonic() - started) * 1000)
            if 200 <= status < 300:
                return self._decode(response, expect, method, target)
            error = self._error(response, method, target)
            if (
                status == 401
                and auth
                and not refreshed
                and self._auth.can_refresh
            ):
                refreshed = True  # the token may have been revoked early: fetch one and try once more
                with self._auth.lock:
                    self._auth.set(None)
                continue
            if retries < policy.total and policy.should_retry_status(status, idempotent):
                delay = policy.delay(retries + 1, getattr(error, "retry_after", None) or _retry_after(response))
                if delay is not None:
                    retries += 1
                    log.warning(
                        "retrying %s %s after HTTP %d (retry %d/%d) in %.2fs",
                        method, target, status, retries, policy.total, delay,
                    )
                    response.close()
                    self._sleep(delay)
                    continue
            raise error

    def _send(self, method: str, url: str, body: Optional[bytes], headers: Dict[str, str]) -> Any:
        """The only call that touches the network. Maps transport failures to doover errors."""
        session = self._session()
        exceptions = self._requests.exceptions
        try:
            return session.request(
                method, url, data=body, headers=headers, timeout=self.timeout, allow_redirects=True
            )
        except exceptions.ConnectTimeout as exc:
            raise _ConnectFailed(APITimeoutError("connect timed out", url, method)) from exc
        except exceptions.Timeout as exc:
            raise APITimeoutError("read timed out", url, method) from exc
        except exceptions.ConnectionError as exc:
            err = APIConnectionError(_describe(exc), url, method)
            if _is_connect_failure(exc):
                raise _ConnectFailed(err) from exc
            raise err from exc
        except (exceptions.InvalidURL, exceptions.MissingSchema, exceptions.InvalidSchema) as exc:
            raise InvalidArgumentError("bad URL {!r}: {}".format(url, exc)) from exc
        except exceptions.RequestException as exc:
            raise APIConnectionError(_describe(exc), url, method) from exc

    def _decode(self, response: Any, expect: str, method: str, url: str) -> Any:
        content = response.content
        if expect == "bytes":
            return content
        if expect == "text":
            return response.text
        if not content:
            return None
        try:
            return json.loads(content)
        except ValueError as exc:
            raise DecodeError(
                "{} {} answered {} with a body that is not JSON: {!r}".format(
                    method, url, response.status_code, content[:80]
                ),
                path="$",
            ) from exc

    def _error(self, response: Any, method: str, url: str) -> HTTPError:
        text = self._auth.redact(response.text or "")
        message = ""
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            for key in ("message", "error", "detail"):
                if isinstance(parsed.get(key), str):
                    message = parsed[key]
                    break
        if not message:
            message = text[:_MAX_ERROR_TEXT] or (response.reason or "")
        return error_for_status(
            response.status_code,
            url=url,
            method=method,
            message=message,
            body=text,
            retry_after=_retry_after(response),
        )


class _ConnectFailed(DooverAPIError):
    """Internal marker: the request never reached the server (safe to retry any method)."""

    def __init__(self, public: DooverAPIError) -> None:
        self.public = public
        super().__init__(str(public))


def _retry_after(response: Any) -> Optional[float]:
    return parse_retry_after(response.headers.get("Retry-After"))


def _describe(exc: BaseException) -> str:
    reason = exc.args[0] if exc.args else exc
    reason = getattr(reason, "reason", reason)
    text = str(reason) or type(exc).__name__
    return "connection failed: {}".format(text)


def _is_connect_failure(exc: BaseException) -> bool:
    """True when the connection was never established (refused, DNS, TLS handshake)."""
    try:
        from urllib3.exceptions import NewConnectionError
    except ImportError:  # pragma: no cover
        return False
    seen = set()
    current: Any = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (NewConnectionError, ConnectionRefusedError)):
            return True
        reason = getattr(current, "reason", None)
        if reason is None and getattr(current, "args", None):
            reason = current.args[0] if isinstance(current.args[0], BaseException) else None
        current = reason or current.__cause__ or current.__context__
    return False
