"""Multi-agent reads and batch mutations of DataClient (data-api.md §5.7, §5.8)."""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, Dict, Optional, Sequence, Union

from ..exceptions import InvalidArgumentError
from .. import models
from ..models._converter import structure, unstructure
from ._channels import _field_names
from ._iterators import MultiAgentMessageIterator
from ._transport import path, snowflake_param

if TYPE_CHECKING:  # pragma: no cover
    from ..models import BatchAggregateResponse, BatchMessageResponse, BatchMutationItem, BatchMutationResponse

__all__ = ["MultiAgentMethods"]

Bound = Union[None, int, _dt.datetime]


def _batch_body(items: Sequence[BatchMutationItem], call: str) -> Dict[str, Any]:
    items = list(items)
    if not 1 <= len(items) <= models.MAX_BATCH_MUTATIONS:
        raise InvalidArgumentError(
            "{}: items: expected 1 to {} items, got {}".format(call, models.MAX_BATCH_MUTATIONS, len(items))
        )
    for index, item in enumerate(items):
        if not isinstance(item, models.BatchMutationItem):
            raise InvalidArgumentError(
                "{}: items[{}]: expected a BatchMutationItem, got {}".format(call, index, type(item).__name__)
            )
    return {"items": unstructure(items)}


class MultiAgentMethods:
    """Calls spanning several agents. Mixed into DataClient."""

    # ------------------------------------------------------------------ multi-agent reads

    def fetch_multi_agent_messages(
        self,
        channel_name: str,
        agent_ids: Sequence[int],
        before: Bound = None,
        after: Bound = None,
        limit: Optional[int] = None,
        agent_message_limit: Optional[int] = None,
        field_names: Union[None, str, Sequence[str]] = None,
        *,
        organisation_id: Optional[int] = None,
    ) -> BatchMessageResponse:
        """``GET /agents/channels/{channel}/messages`` for several agents (``before - after``
        may span at most 2 days)."""
        if not agent_ids:
            raise InvalidArgumentError("agent_ids: expected at least one agent id")
        body = self._request(
            "GET",
            path("agents", "channels", channel_name, "messages"),
            params=[
                ("agent_id", [int(a) for a in agent_ids]),
                ("before", snowflake_param(before)),
                ("after", snowflake_param(after)),
                ("limit", limit),
                ("agent_message_limit", agent_message_limit),
                ("field_name", _field_names(field_names)),
            ],
            organisation_id=organisation_id,
        )
        return structure(body, models.BatchMessageResponse)

    def iter_multi_agent_messages(
        self,
        channel_name: str,
        agent_ids: Sequence[int],
        before: Bound = None,
        after: Bound = None,
        agent_message_limit: Optional[int] = None,
        field_names: Union[None, str, Sequence[str]] = None,
        page_size: int = 50,
        *,
        organisation_id: Optional[int] = None,
    ) -> MultiAgentMessageIterator:
        """Every message of the agents between the bounds, newest first, each exactly once
        (2-day windows when both bounds are given). Lazy; has ``.collect()``."""
        if not agent_ids:
            raise InvalidArgumentError("agent_ids: expected at least one agent id")
        return MultiAgentMessageIterator(
            self,
            channel_name,
            agent_ids,
            before=snowflake_param(before),
            after=snowflake_param(after),
            agent_message_limit=agent_message_limit,
            field_names=_field_names(field_names),
            page_size=page_size,
            organisation_id=organisation_id,
        )

    def fetch_multi_agent_aggregates(
        self, channel_name: str, agent_ids: Sequence[int], *, organisation_id: Optional[int] = None
    ) -> BatchAggregateResponse:
        """``GET /agents/channels/{channel}/aggregates`` for several agents."""
        if not agent_ids:
            raise InvalidArgumentError("agent_ids: expected at least one agent id")
        body = self._request(
            "GET",
            path("agents", "channels", channel_name, "aggregates"),
            params=[("agent_id", [int(a) for a in agent_ids])],
            organisation_id=organisation_id,
        )
        return structure(body, models.BatchAggregateResponse)

    # ------------------------------------------------------------------ batches

    def batch_create_messages(
        self, items: Sequence[BatchMutationItem], *, organisation_id: Optional[int] = None
    ) -> BatchMutationResponse:
        """``POST /agents/messages``: create 1..50 messages across agents and channels.

        Retried after 5xx/connection errors only when every item carries a ``message_id``.
        """
        body = _batch_body(items, "batch_create_messages")
        idempotent = all(item.message_id is not None for item in items)
        answer = self._request(
            "POST", "/agents/messages", json=body, organisation_id=organisation_id, idempotent=idempotent
        )
        return structure(answer, models.BatchMutationResponse)

    def batch_update_messages(
        self,
        items: Sequence[BatchMutationItem],
        replace_data: bool = False,
        *,
        organisation_id: Optional[int] = None,
    ) -> BatchMutationResponse:
        """``PATCH /agents/messages`` (merge) or ``PUT`` (``replace_data``): 1..50 items."""
        body = _batch_body(items, "batch_update_messages")
        answer = self._request(
            "PUT" if replace_data else "PATCH", "/agents/messages", json=body, organisation_id=organisation_id
        )
        return structure(answer, models.BatchMutationResponse)

    def batch_delete_messages(
        self, items: Sequence[BatchMutationItem], *, organisation_id: Optional[int] = None
    ) -> BatchMutationResponse:
        """``DELETE /agents/messages`` with a JSON body: 1..50 items."""
        body = _batch_body(items, "batch_delete_messages")
        answer = self._request("DELETE", "/agents/messages", json=body, organisation_id=organisation_id)
        return structure(answer, models.BatchMutationResponse)

    def batch_update_aggregates(
        self, items: Sequence[BatchMutationItem], *, organisation_id: Optional[int] = None
    ) -> BatchMutationResponse:
        """``PATCH /agents/aggregates``: merge-patch 1..50 aggregates across agents."""
        body = _batch_body(items, "batch_update_aggregates")
        answer = self._request("PATCH", "/agents/aggregates", json=body, organisation_id=organisation_id)
        return structure(answer, models.BatchMutationResponse)

