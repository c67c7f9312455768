"""Multi-agent reads and batch mutations (data-api.md §4.7, §4.8, §5.8)."""

import datetime as _dt
from typing import Any, ClassVar, Dict, List, Optional, Tuple, Union

import attrs

from ._base import WireModel
from ._data import Aggregate, Attachment, Message
from ._types import Id

__all__ = [
    "MAX_BATCH_MUTATIONS",
    "BatchMessageResponse",
    "AgentAggregate",
    "BatchAggregateResponse",
    "BatchMutationItem",
    "BatchMutationResult",
    "BatchMutationResponse",
]

#: The server accepts 1 to 50 items per batch call.
MAX_BATCH_MUTATIONS = 50


@attrs.frozen(kw_only=True)
class BatchMessageResponse(WireModel):
    """One page of ``GET /agents/channels/{channel}/messages`` (several agents at once)."""

    results: List[Message]
    count: int
    next: Optional[Id] = None
    next_cursors: Optional[Dict[str, Any]] = None
    at_limit_agent_ids: Optional[List[Id]] = None

    _omit_none_: ClassVar[Tuple[str, ...]] = ("next", "next_cursors", "at_limit_agent_ids")


@attrs.frozen(kw_only=True)
class AgentAggregate(WireModel):
    """One agent's aggregate in a multi-agent read: the aggregate flattened with ``agent_id``."""

    agent_id: Id
    data: Any
    attachments: List[Attachment] = attrs.field(factory=list)
    last_updated: Optional[_dt.datetime] = None

    @property
    def aggregate(self) -> Aggregate:
        """The same values as an :class:`Aggregate`."""
        return Aggregate(data=self.data, attachments=list(self.attachments), last_updated=self.last_updated)


@attrs.frozen(kw_only=True)
class BatchAggregateResponse(WireModel):
    """Result of ``fetch_multi_agent_aggregates``."""

    results: List[AgentAggregate]
    count: int


def _ts_to_ms(value: Union[None, int, _dt.datetime]) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        return int(round(value.timestamp() * 1000))
    if isinstance(value, bool):
        raise TypeError("BatchMutationItem.timestamp: expected epoch ms or a datetime, got bool")
    return int(value)


def _opt_int(value: Any) -> Optional[int]:
    return None if value is None else int(value)


@attrs.frozen
class BatchMutationItem(WireModel):
    """One entry of a batch call. Each item names its own agent and channel.

    ``message_id`` is required for updates and deletes; on a create it makes the create
    idempotent. ``timestamp`` (epoch ms or a datetime) travels as ``ts``; ``ttl`` is seconds;
    ``replace`` lists dotted paths replaced wholesale (aggregates only). Unset keys are not sent.
    """

    agent_id: Id = attrs.field(converter=int)
    channel_name: str
    data: Optional[Any] = None
    message_id: Optional[Id] = attrs.field(default=None, converter=_opt_int)
    timestamp: Optional[int] = attrs.field(default=None, converter=_ts_to_ms, metadata={"wire": "ts"})
    ttl: Optional[int] = None
    replace: Optional[List[str]] = None
    suppress_hooks: Optional[bool] = None

    _omit_none_: ClassVar[Tuple[str, ...]] = (
        "data",
        "message_id",
        "timestamp",
        "ttl",
        "replace",
        "suppress_hooks",
    )


@attrs.frozen(kw_only=True)
class BatchMutationResult(WireModel):
    """The outcome of one batch item (``error`` is set when ``success`` is false)."""

    agent_id: Id
    channel_name: str
    success: bool
    message_id: Optional[Id] = None
    error: Optional[str] = None

    _omit_none_: ClassVar[Tuple[str, ...]] = ("message_id", "error")


@attrs.frozen(kw_only=True)
class BatchMutationResponse(WireModel):
    """Result of a batch call: per-item results in request order (partial success allowed)."""

    items: List[BatchMutationResult]
    count: int
    succeeded: int
    failed: int
