"""``ProcessorDataClient``: the Data API client a processor sees as ``self.api``.

Every method takes ``agent_id`` / ``organisation_id`` as optional keywords that default to
the invocation's agent and organisation. Writes to the channel that invoked the processor
(``create_message``, ``update_channel_aggregate``, ``update_message``, batch creates) raise
:class:`~doover.exceptions.InvokingChannelError` unless ``allow_invoking_channel=True``
(logged at WARNING). On ``tag_values`` a write scoped to this app's key is allowed.

``requests`` is imported on the first request, never before. All requests go through
:meth:`ProcessorDataClient.request`.
"""

import datetime
import json
import logging
import os
import platform
from typing import Any, Dict, List, Optional

from .._version import __version__
from ..exceptions import (
    APIConnectionError,
    APITimeoutError,
    DecodeError,
    DooverError,
    InvokingChannelError,
    error_for_status,
)

__all__ = ["ProcessorDataClient", "DEFAULT_BASE_URL", "base_url_from_env"]

log = logging.getLogger("doover.processor.api")

DEFAULT_BASE_URL = "https://data.doover.com/api"


def base_url_from_env() -> str:
    """``$DOOVER_DATA_ENDPOINT`` or, when unset or empty, the Doover cloud."""
    return (os.environ.get("DOOVER_DATA_ENDPOINT") or DEFAULT_BASE_URL).rstrip("/")


def _ms(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return int(value.timestamp() * 1000)
    return value


_BOUND: List[Any] = []


def _bound_data_client_class() -> Any:
    """A DataClient subclass whose agent default and write guard come from the processor."""
    if not _BOUND:
        from ..api import DataClient

        class _InvocationDataClient(DataClient):  # type: ignore[misc, valid-type]
            _processor: "ProcessorDataClient"

            def _resolve_agent_id(self, agent_id: Optional[int]) -> int:
                return self._processor._agent(agent_id)

            def _before_write(self, kind: str, channel_name: str, data: Any, *, agent_id: int,
                              allow_invoking_channel: bool = False) -> None:
                self._processor.check_write(channel_name, data, allow_invoking_channel)

        _BOUND.append(_InvocationDataClient)
    return _BOUND[0]


class ProcessorDataClient:
    """Blocking Data API client bound to one processor invocation.

    ``agent_id``, ``organisation_id``, ``app_key`` and ``invoking_channel`` are set by the
    runtime; ``lookup_ip`` (default False) makes ``ping_connection_at`` ask a public service
    for the IP when none is given.
    """

    is_processor_v2 = True

    def __init__(
        self,
        base_url: Optional[str] = None,
        token: Optional[str] = None,
        session: Any = None,
        timeout: float = 30.0,
    ) -> None:
        self.base_url = (base_url or base_url_from_env()).rstrip("/")
        self.token = token
        self.agent_id: Optional[int] = None
        self.organisation_id: Optional[int] = None
        self.app_key: Optional[str] = None
        self.invoking_channel: Optional[str] = None
        self.lookup_ip = False
        self.timeout = timeout
        self._session = session
        self.request_count = 0

    # ------------------------------------------------------------------ the rest of the API

    def __getattr__(self, name: str) -> Any:
        """Every other :class:`doover.api.DataClient` method (``list_channels``,
        ``fetch_timeseries``, alarms, notifications, batches, ...), on a DataClient bound to
        this invocation: same base URL, token and organisation, ``agent_id`` defaulting to the
        processor's agent, and channel writes going through :meth:`check_write`."""
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._data_client(), name)

    def _data_client(self) -> Any:
        full = self.__dict__.get("_full")
        if full is None or full.token != self.token:
            full = _bound_data_client_class()(
                self.base_url, token=self.token, agent_id=self.agent_id,
                organisation_id=self.organisation_id,
            )
            full._processor = self
            self.__dict__["_full"] = full
        return full

    @property
    def has_persistent_connection(self) -> bool:
        """Processors never hold a connection open."""
        return False

    # ------------------------------------------------------------------ transport

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: Optional[Dict[str, Any]] = None,
        organisation_id: Optional[int] = None,
    ) -> Any:
        """Send one request and return the decoded JSON body (None when empty)."""
        if self._session is None:
            import requests  # first request only: keeps cold start and pre-hook skips cheap

            self._session = requests.Session()
        headers = {
            "User-Agent": "doover-sync/{} Python/{}".format(
                __version__, platform.python_version()
            )
        }
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        org = organisation_id or self.organisation_id
        if org:
            headers["X-Doover-Organisation"] = str(org)
        data = None
        if json_body is not None:
            data = json.dumps(json_body, separators=(",", ":")).encode("utf-8")
            headers["Content-Type"] = "application/json"
        query = None
        if params:
            query = {
                k: ("true" if v is True else "false" if v is False else v)
                for k, v in params.items()
                if v is not None
            }
        url = self.base_url + path
        self.request_count += 1
        import requests

        try:
            resp = self._session.request(
                method, url, data=data, params=query, headers=headers, timeout=self.timeout
            )
        except requests.Timeout as exc:
            raise APITimeoutError("{} {} timed out; is the Data API reachable?".format(method, url)) from exc
        except requests.ConnectionError as exc:
            raise APIConnectionError("{} {} failed: {}".format(method, url, exc)) from exc
        if resp.status_code >= 400:
            raise error_for_status(resp.status_code, url, method, "", resp.text)
        if not resp.content:
            return None
        try:
            return resp.json()
        except ValueError as exc:
            raise DecodeError(
                "{} {}: expected a JSON body, got {!r}".format(method, url, resp.text[:80])
            ) from exc

    def close(self) -> None:
        """Close the HTTP session (a new one opens on the next request)."""
        if self._session is not None:
            self._session.close()
            self._session = None

    # ------------------------------------------------------------------ guards

    def _agent(self, agent_id: Optional[int]) -> int:
        agent = agent_id or self.agent_id
        if not agent:
            raise InvokingChannelError(
                "agent_id: no agent given and the processor has no agent yet (before setup)"
            )
        return int(agent)

    def check_write(self, channel_name: str, data: Any, allow_invoking_channel: bool) -> None:
        """Apply the anti-recursion rule to a write of ``data`` to ``channel_name``."""
        if not self.invoking_channel or channel_name != self.invoking_channel:
            return
        if allow_invoking_channel:
            log.warning(
                "Publishing to invoking channel %r with allow_invoking_channel=True", channel_name
            )
            return
        if channel_name != "tag_values":
            raise InvokingChannelError(
                "Cannot publish to the invoking channel {!r}; pass allow_invoking_channel=True "
                "if this cannot loop".format(channel_name)
            )
        keys = list(data) if isinstance(data, dict) else [data]
        if any(key != self.app_key for key in keys):
            raise InvokingChannelError(
                "Cannot publish to tag_values outside the scope of app {!r} without "
                "allow_invoking_channel=True (keys: {})".format(self.app_key, sorted(map(str, keys)))
            )

    # ------------------------------------------------------------------ processors

    def fetch_subscription_info(self, subscription_id: str) -> Dict[str, Any]:
        """``GET /processors/subscriptions/{id}`` (the raw ARN goes in the path)."""
        return self.request("GET", "/processors/subscriptions/" + str(subscription_id))

    def fetch_schedule_info(self, schedule_id: Any) -> Dict[str, Any]:
        """``GET /processors/schedules/{id}``."""
        return self.request("GET", "/processors/schedules/" + str(schedule_id))

    # ------------------------------------------------------------------ writes

    def create_message(
        self, channel_name: str, data: Any, *, ts: Any = None, allow_invoking_channel: bool = False,
        agent_id: Optional[int] = None, organisation_id: Optional[int] = None,
    ) -> Any:
        """``POST /agents/{agent}/channels/{name}/messages`` with ``{"data": ...}``."""
        self.check_write(channel_name, data, allow_invoking_channel)
        body: Dict[str, Any] = {"data": data}
        if ts is not None:
            body["ts"] = _ms(ts)
        return self.request(
            "POST",
            "/agents/{}/channels/{}/messages".format(self._agent(agent_id), channel_name),
            json_body=body,
            organisation_id=organisation_id,
        )

    def update_message(
        self, channel_name: str, message_id: Any, data: Any, *, replace_data: bool = False,
        allow_invoking_channel: bool = False, agent_id: Optional[int] = None,
        organisation_id: Optional[int] = None,
    ) -> Any:
        """``PATCH`` (merge) or, with ``replace_data``, ``PUT`` a message's data."""
        self.check_write(channel_name, data, allow_invoking_channel)
        return self.request(
            "PUT" if replace_data else "PATCH",
            "/agents/{}/channels/{}/messages/{}".format(
                self._agent(agent_id), channel_name, message_id
            ),
            json_body={"data": data},
            organisation_id=organisation_id,
        )

    def update_channel_aggregate(
        self, channel_name: str, data: Any, *, replace_data: bool = False,
        replace_keys: Optional[List[str]] = None, suppress_response: bool = False,
        allow_invoking_channel: bool = False, agent_id: Optional[int] = None,
        organisation_id: Optional[int] = None,
    ) -> Any:
        """``PATCH`` (merge) or, with ``replace_data``, ``PUT`` a channel aggregate (bare body).

        ``replace_keys`` are dotted paths the server replaces instead of deep-merging.
        """
        self.check_write(channel_name, data, allow_invoking_channel)
        params: Dict[str, Any] = {}
        if suppress_response:
            params["suppress_response"] = True
        if replace_keys:
            params["replace"] = list(replace_keys)
        return self.request(
            "PUT" if replace_data else "PATCH",
            "/agents/{}/channels/{}/aggregate".format(self._agent(agent_id), channel_name),
            json_body=data,
            params=params or None,
            organisation_id=organisation_id,
        )

    def batch_create_messages(
        self, items: List[Dict[str, Any]], *, allow_invoking_channel: bool = False,
        organisation_id: Optional[int] = None,
    ) -> Any:
        """``POST /agents/messages`` with ``{"items": [...]}`` (1 to 50 items).

        Each item is ``{"channel_name", "data", ["agent_id"], ["ts"]}``; ``agent_id`` defaults to
        the processor's agent and is sent as a string.
        """
        if not 1 <= len(items) <= 50:
            raise DooverError("items: expected 1 to 50 batch items, got {}".format(len(items)))
        out = []
        for item in items:
            self.check_write(item["channel_name"], item["data"], allow_invoking_channel)
            entry = {"agent_id": str(self._agent(item.get("agent_id"))),
                     "channel_name": item["channel_name"], "data": item["data"]}
            if item.get("ts") is not None:
                entry["ts"] = _ms(item["ts"])
            out.append(entry)
        return self.request(
            "POST", "/agents/messages", json_body={"items": out}, organisation_id=organisation_id
        )

    # ------------------------------------------------------------------ connection

    def ping_connection_at(
        self, online_at: datetime.datetime, connection_status: str, determination: str, *,
        ping_at: Optional[datetime.datetime] = None, user_agent: Optional[str] = None,
        ip_address: Optional[str] = None, agent_id: Optional[int] = None,
        organisation_id: Optional[int] = None,
    ) -> None:
        """Write a connection ping to ``doover_connection`` (message + aggregate merge)."""
        if ip_address is None and self.lookup_ip:
            import requests

            ip_address = requests.get("https://checkip.amazonaws.com", timeout=5).text.strip()
        payload = {
            "status": {
                "status": str(connection_status),
                "last_online": _ms(online_at),
                "last_ping": _ms(ping_at or datetime.datetime.now(datetime.timezone.utc)),
                "user_agent": user_agent or "doover-processor",
                "ip": ip_address,
            },
            "determination": str(determination),
        }
        self.create_message("doover_connection", payload, agent_id=agent_id,
                            organisation_id=organisation_id)
        self.update_channel_aggregate("doover_connection", payload, agent_id=agent_id,
                                      organisation_id=organisation_id)

    def update_connection_config(
        self, config: Dict[str, Any], *, agent_id: Optional[int] = None,
        organisation_id: Optional[int] = None,
    ) -> None:
        """Publish ``{"config": config}`` to ``doover_connection`` (message + aggregate merge)."""
        payload = {"config": dict(config)}
        self.create_message("doover_connection", payload, agent_id=agent_id,
                            organisation_id=organisation_id)
        self.update_channel_aggregate("doover_connection", payload, agent_id=agent_id,
                                      organisation_id=organisation_id)
