"""What a tag commit sends, as data: the runtime decides how to send it."""

from typing import Any, Dict, Optional

__all__ = ["CommitPlan", "TAG_CHANNEL"]

#: The channel all tags live on.
TAG_CHANNEL = "tag_values"


class CommitPlan:
    """The writes one tag commit needs, on channel ``tag_values``.

    * ``aggregate_patch``: a merge patch for the ``tag_values`` aggregate (only changed
      paths, ``None`` deleting), or ``None``;
    * ``log_message``: the data of one message that records tag history, or ``None``;
    * ``live_message``: the data of one one-shot message for watched live tags (edge),
      or ``None``;
    * ``max_age_secs``: how long the edge device agent may hold the aggregate update
      (3 while a portal user has the app open, else 900); ``None`` in processors.

    A processor runtime can put ``log_message`` in the same batch as its invocation
    summary; an edge runtime writes the parts to its outbox. :meth:`execute` sends them
    through any channel client.
    """

    __slots__ = ("aggregate_patch", "log_message", "live_message", "max_age_secs", "channel_name")

    def __init__(
        self,
        aggregate_patch: Optional[Dict[str, Any]] = None,
        log_message: Optional[Dict[str, Any]] = None,
        live_message: Optional[Dict[str, Any]] = None,
        max_age_secs: Optional[int] = None,
        channel_name: str = TAG_CHANNEL,
    ) -> None:
        self.aggregate_patch = aggregate_patch
        self.log_message = log_message
        self.live_message = live_message
        self.max_age_secs = max_age_secs
        self.channel_name = channel_name

    def __bool__(self) -> bool:
        return bool(self.aggregate_patch or self.log_message or self.live_message)

    def __eq__(self, other: Any) -> bool:
        if not isinstance(other, CommitPlan):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.__slots__)

    def __repr__(self) -> str:
        return "CommitPlan(aggregate_patch={!r}, log_message={!r}, live_message={!r}, max_age_secs={!r})".format(
            self.aggregate_patch, self.log_message, self.live_message, self.max_age_secs
        )

    def execute(self, client: Any) -> None:
        """Send the plan through a channel client, in order: aggregate, log, live.

        ``client`` needs ``update_channel_aggregate(channel, data, ...)`` and
        ``create_message(channel, data)``; for live tags also
        ``send_oneshot_message(channel, data)`` (skipped when the client has none).
        """
        if self.aggregate_patch:
            kwargs: Dict[str, Any] = {}
            if self.max_age_secs is not None:
                kwargs["max_age_secs"] = self.max_age_secs
            client.update_channel_aggregate(self.channel_name, self.aggregate_patch, **kwargs)
        if self.log_message:
            client.create_message(self.channel_name, self.log_message)
        if self.live_message:
            send = getattr(client, "send_oneshot_message", None)
            if send is not None:
                send(self.channel_name, self.live_message)
