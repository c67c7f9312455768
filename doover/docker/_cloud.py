"""The device agent's link to the Data API: the handful of calls the edge runtime makes.

All are scoped to the device's own agent, sent with the device's bearer token through the
blocking :class:`doover.api.DataClient` choke point (one HTTP stack for the whole SDK).
Each raises the ``doover.exceptions`` error for what went wrong (``APIConnectionError``
when there was no answer, the ``HTTPError`` subclass for the status otherwise) and never
retries: retrying is the outbox sender's job, with its own backoff. The client (and
``requests``) is created on the first call.
"""

import threading
from typing import Any, Dict, List, Optional, Sequence

__all__ = ["CloudLink"]

DEFAULT_DATA_URL = "https://data.doover.com/api"


class CloudLink:
    """Blocking calls to the Data API for one agent, through :class:`doover.api.DataClient`.

    The client is built with retries off (the outbox sender retries, with its own backoff),
    so every call is exactly one attempt.

    Args:
        base_url: the Data API root (``https://data.doover.com/api``; the emulator's
            ``base_url`` in tests).
        token: the device's bearer token.
        agent_id: the device's agent id.
        timeout: seconds for connect and read.
        client: an injected ``DataClient`` (then ``base_url``, ``token``, ``timeout`` are unused).
    """

    def __init__(self, base_url: str, token: Optional[str], agent_id: Any, timeout: float = 10.0, client: Any = None):
        self.base_url = (base_url or DEFAULT_DATA_URL).rstrip("/")
        self.token = token
        self.agent_id = agent_id
        self.timeout = timeout
        self._client = client
        self._lock = threading.Lock()

    @property
    def client(self) -> Any:
        """The ``DataClient`` all calls go through (created on first use)."""
        with self._lock:
            if self._client is None:
                from ..api import DataClient

                self._client = DataClient(
                    self.base_url, token=self.token, retry=False, timeout=(min(5.0, self.timeout), self.timeout)
                )
            return self._client

    def request(self, method: str, path: str, params: Optional[List] = None, body: Any = None) -> Any:
        """Send one request through the client's choke point; the decoded JSON (``None`` when empty)."""
        kwargs: Dict[str, Any] = {"params": params}
        if body is not None:
            kwargs["json"] = body
        return self.client._request(method, path, **kwargs)

    def _chan(self, channel: str) -> str:
        return "/agents/{}/channels/{}".format(self.agent_id, channel)

    # ------------------------------------------------------------------ calls

    def fetch_aggregate(self, channel: str) -> Dict[str, Any]:
        """``GET .../aggregate``: ``{"data", "attachments", "last_updated"}``."""
        return self.request("GET", self._chan(channel) + "/aggregate") or {"data": {}}

    def update_aggregate(
        self, channel: str, body: Any, replace_paths: Sequence[str] = (), replace_data: bool = False
    ) -> None:
        """``PATCH`` (or ``PUT`` with ``replace_data``) ``.../aggregate`` with ``suppress_response``."""
        params: List = [("suppress_response", "true")] + [("replace", p) for p in replace_paths]
        self.request("PUT" if replace_data else "PATCH", self._chan(channel) + "/aggregate", params, body)

    def create_message(self, channel: str, message_id: int, data: Any, ts_ms: Optional[int]) -> Any:
        """``POST .../messages/{message_id}``: create under a client id (idempotent resend)."""
        body: Dict[str, Any] = {"data": data}
        if ts_ms is not None:
            body["ts"] = ts_ms
        return self.request("POST", "{}/messages/{}".format(self._chan(channel), message_id), None, body)

    def update_message(self, channel: str, message_id: int, data: Any, replace_data: bool = False) -> Any:
        """``PATCH`` (``PUT`` with ``replace_data``) ``.../messages/{message_id}``."""
        path = "{}/messages/{}".format(self._chan(channel), message_id)
        return self.request("PUT" if replace_data else "PATCH", path, [("suppress_response", "true")], {"data": data})

    def fetch_message(self, channel: str, message_id: int) -> Any:
        """``GET .../messages/{message_id}``."""
        return self.request("GET", "{}/messages/{}".format(self._chan(channel), message_id))

    def list_messages(
        self,
        channel: str,
        before: Optional[int] = None,
        after: Optional[int] = None,
        limit: Optional[int] = None,
        field_names: Sequence[str] = (),
    ) -> List[Any]:
        """``GET .../messages``: newest first."""
        params: List = []
        if before is not None:
            params.append(("before", str(before)))
        if after is not None:
            params.append(("after", str(after)))
        if limit is not None:
            params.append(("limit", str(limit)))
        params.extend(("field_name", f) for f in field_names)
        return self.request("GET", self._chan(channel) + "/messages", params or None) or []

    def list_channels(self, include_aggregate: bool = False) -> List[Any]:
        """``GET /agents/{agent}/channels``."""
        params = [
            ("include_aggregate", "true" if include_aggregate else "false"),
            ("include_daily_summaries", "false"),
        ]
        return self.request("GET", "/agents/{}/channels".format(self.agent_id), params) or []

    def fetch_turn_token(self) -> Any:
        """``POST /turn/token``."""
        return self.request("POST", "/turn/token", None, {"device_id": str(self.agent_id)})
