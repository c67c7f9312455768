"""``ProcessorDataClient``: the Data API client a processor sees as ``self.api``.

A :class:`doover.api.DataClient` subclass, so a processor's requests share the one HTTP stack
(retries, gzip, typed models). Two hooks bind it to the invocation:

* ``_resolve_agent_id`` defaults ``agent_id`` to the invocation's agent (and names the
  missing agent before setup);
* ``_before_write`` applies the anti-recursion guard: a write to the channel that invoked the
  processor raises :class:`~doover.exceptions.InvokingChannelError` unless
  ``allow_invoking_channel=True`` (logged at WARNING). On ``tag_values`` a write scoped to
  this app's key is allowed.

``organisation_id`` defaults to the invocation's organisation through the client's own
default. ``requests`` is imported on the first request, never before.
"""

import logging
from typing import Any, Dict, List, Optional, Sequence, Union

from ..api import DataClient
from ..exceptions import DooverError, InvalidArgumentError, InvokingChannelError
from ..models import BatchMutationItem, BatchMutationResponse

__all__ = ["ProcessorDataClient", "DEFAULT_BASE_URL", "base_url_from_env"]

log = logging.getLogger("doover.processor.api")

DEFAULT_BASE_URL = "https://data.doover.com/api"


def base_url_from_env() -> str:
    """``$DOOVER_DATA_ENDPOINT`` or, when unset or empty, the Doover cloud."""
    import os

    return (os.environ.get("DOOVER_DATA_ENDPOINT") or DEFAULT_BASE_URL).rstrip("/")


class ProcessorDataClient(DataClient):
    """Blocking Data API client bound to one processor invocation.

    ``agent_id``, ``organisation_id``, ``app_key`` and ``invoking_channel`` are set by the
    runtime; ``lookup_ip`` (default False) makes ``ping_connection_at`` ask a public service
    for the IP when none is given. ``session`` reuses one ``requests.Session`` (warm Lambda
    containers keep theirs); other keywords go to :class:`doover.api.DataClient`.
    """

    is_processor_v2 = True

    def __init__(
        self,
        base_url: Optional[str] = None,
        token: Optional[str] = None,
        session: Any = None,
        timeout: Any = 30.0,
        **kwargs: Any
    ) -> None:
        if session is not None and kwargs.get("session_factory") is None:
            kwargs["session_factory"] = lambda: session
        super().__init__(base_url or base_url_from_env(), token=token, timeout=timeout, **kwargs)
        #: The app key whose ``tag_values`` subtree this invocation may write.
        self.app_key: Optional[str] = None
        #: The channel that invoked the processor (None for schedules and ingestions).
        self.invoking_channel: Optional[str] = None
        self.lookup_ip = False

    @property
    def has_persistent_connection(self) -> bool:
        """Processors never hold a connection open."""
        return False

    @property
    def http_session(self) -> Any:
        """The ``requests.Session`` this thread used, or None before the first request."""
        return getattr(self._local, "session", None)

    # ------------------------------------------------------------------ hooks

    def _resolve_agent_id(self, agent_id: Optional[int]) -> int:
        agent = agent_id or self.agent_id
        if not agent:
            raise InvalidArgumentError(
                "agent_id: no agent given and the processor has no agent yet (before setup)"
            )
        return int(agent)

    def _before_write(self, kind: str, channel_name: str, data: Any, *, agent_id: int,
                      allow_invoking_channel: bool = False) -> None:
        self.check_write(channel_name, data, allow_invoking_channel)

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
        return self._request("GET", "/processors/subscriptions/" + str(subscription_id), idempotent=True)

    def fetch_schedule_info(self, schedule_id: Any) -> Dict[str, Any]:
        """``GET /processors/schedules/{id}``."""
        return self._request("GET", "/processors/schedules/" + str(schedule_id), idempotent=True)

    # ------------------------------------------------------------------ batch

    def batch_create_messages(  # type: ignore[override]
        self,
        items: Sequence[Union[BatchMutationItem, Dict[str, Any]]],
        *,
        allow_invoking_channel: bool = False,
        organisation_id: Optional[int] = None,
    ) -> BatchMutationResponse:
        """``POST /agents/messages`` (1 to 50 items), each checked by the invoking-channel guard.

        Items are :class:`~doover.models.BatchMutationItem` or dicts
        ``{"channel_name", "data", ["agent_id"], ["ts"]}``; ``agent_id`` defaults to the
        processor's agent.
        """
        if not 1 <= len(items) <= 50:
            raise DooverError("items: expected 1 to 50 batch items, got {}".format(len(items)))
        out: List[BatchMutationItem] = []
        for item in items:
            if isinstance(item, dict):
                item = BatchMutationItem(
                    agent_id=self._resolve_agent_id(item.get("agent_id")),
                    channel_name=item["channel_name"], data=item.get("data"),
                    timestamp=item.get("ts"),
                )
            self.check_write(item.channel_name, item.data, allow_invoking_channel)
            out.append(item)
        return super().batch_create_messages(out, organisation_id=organisation_id)

    # ------------------------------------------------------------------ raw calls

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: Optional[Dict[str, Any]] = None,
        organisation_id: Optional[int] = None,
    ) -> Any:
        """Send one request through the client's choke point; the decoded JSON (None when empty)."""
        kwargs: Dict[str, Any] = {}
        if json_body is not None:
            kwargs["json"] = json_body
        return self._request(
            method, path, params=sorted(params.items()) if params else None,
            organisation_id=organisation_id, **kwargs
        )

    # ------------------------------------------------------------------ connection

    def update_connection_config(  # type: ignore[override]
        self,
        config: Any,
        *,
        agent_id: Optional[int] = None,
        organisation_id: Optional[int] = None,
    ) -> None:
        """Publish ``{"config": config}`` to ``doover_connection`` (message + aggregate merge).

        A dict is sent as given (keys it lacks are left alone by the merge); a
        :class:`~doover.models.ConnectionConfig` goes through :class:`doover.api.DataClient`.
        """
        if isinstance(config, dict):
            self._write_connection({"config": dict(config)}, agent_id, organisation_id)
            return
        super().update_connection_config(config, agent_id=agent_id, organisation_id=organisation_id)
