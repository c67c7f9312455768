"""Channel, message, aggregate, attachment and timeseries calls of DataClient (§5.1-5.6, 5.11, 5.12).

Every method here acts on one agent: ``agent_id`` is a keyword argument that defaults to the
client's ``agent_id`` (resolved by ``_resolve_agent_id``), and every write passes through the
``_before_write`` hook first.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Union

from ..exceptions import InvalidArgumentError
from .. import models
from ..models._converter import structure
from ..models._types import Id
from ._iterators import MessageIterator
from ._transport import path, snowflake_param

if TYPE_CHECKING:  # pragma: no cover
    from ..models import Aggregate, Attachment, Channel, File, Message, MessageLogEntry, TimeseriesResponse

__all__ = ["ChannelMethods"]

Bound = Union[None, int, _dt.datetime]


def _field_names(value: Union[None, str, Sequence[str]]) -> Optional[List[str]]:
    if value is None:
        return None
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [str(v) for v in value]


def _epoch_ms(value: Union[int, float, _dt.datetime], name: str) -> int:
    if isinstance(value, _dt.datetime):
        return int(round(value.timestamp() * 1000))
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidArgumentError("{}: expected epoch ms or a datetime, got {!r}".format(name, value))
    return int(value)


def _check_files(files: Optional[Sequence[Any]]) -> Optional[List[Any]]:
    if files is None:
        return None
    out = list(files)
    for index, item in enumerate(out):
        if not (hasattr(item, "filename") and hasattr(item, "data")):
            raise InvalidArgumentError(
                "files[{}]: expected a doover.models.File, got {}".format(index, type(item).__name__)
            )
    return out


def id_from(body: Any, key: str = "id") -> int:
    """The snowflake ``body[key]`` as an int (DecodeError when absent or malformed)."""
    return structure(body.get(key) if isinstance(body, dict) else body, Id)


def _empty_to_none(body: Any) -> Any:
    return None if body in (None, {}, "") else body


class ChannelMethods:
    """Agent-scoped calls. Mixed into DataClient; relies on ClientCore for I/O."""

    # ------------------------------------------------------------------ channels

    def list_channels(
        self,
        include_aggregate: bool = True,
        include_daily_summaries: bool = True,
        *,
        agent_id: Optional[int] = None,
        organisation_id: Optional[int] = None,
    ) -> List[Channel]:
        """``GET /agents/{agent_id}/channels``: every channel of the agent."""
        body = self._request(
            "GET",
            path("agents", self._resolve_agent_id(agent_id), "channels"),
            params=[("include_aggregate", bool(include_aggregate)), ("include_daily_summaries", bool(include_daily_summaries))],
            organisation_id=organisation_id,
        )
        return structure(body or [], List[models.Channel])

    def fetch_channel(
        self,
        channel_name: str,
        include_aggregate: bool = True,
        *,
        agent_id: Optional[int] = None,
        organisation_id: Optional[int] = None,
    ) -> Channel:
        """``GET /agents/{agent_id}/channels/{channel}``. A missing channel raises NotFoundError."""
        body = self._request(
            "GET",
            path("agents", self._resolve_agent_id(agent_id), "channels", channel_name),
            params=[("include_aggregate", bool(include_aggregate))],
            organisation_id=organisation_id,
        )
        return structure(body, models.Channel)

    def create_channel(
        self,
        channel_name: str,
        is_private: bool = False,
        message_schema: Optional[Dict[str, Any]] = None,
        aggregate_schema: Optional[Dict[str, Any]] = None,
        *,
        agent_id: Optional[int] = None,
        organisation_id: Optional[int] = None,
    ) -> int:
        """``POST /agents/{agent_id}/channels/{channel}``; returns the new channel's id."""
        payload = _channel_settings(is_private, message_schema, aggregate_schema)
        body = self._request(
            "POST",
            path("agents", self._resolve_agent_id(agent_id), "channels", channel_name),
            json=payload,
            organisation_id=organisation_id,
        )
        return id_from(body)

    def put_channel(
        self,
        channel_name: str,
        is_private: bool,
        message_schema: Optional[Dict[str, Any]] = None,
        aggregate_schema: Optional[Dict[str, Any]] = None,
        *,
        agent_id: Optional[int] = None,
        organisation_id: Optional[int] = None,
    ) -> Channel:
        """``PUT /agents/{agent_id}/channels/{channel}``: create or replace the channel's settings."""
        payload = _channel_settings(is_private, message_schema, aggregate_schema)
        body = self._request(
            "PUT",
            path("agents", self._resolve_agent_id(agent_id), "channels", channel_name),
            json=payload,
            organisation_id=organisation_id,
        )
        return structure(body, models.Channel)

    def list_data_series(
        self,
        field_name: str,
        before: Bound = None,
        after: Bound = None,
        limit: Optional[int] = None,
        *,
        agent_id: Optional[int] = None,
        organisation_id: Optional[int] = None,
    ) -> Dict[str, Any]:
        """``GET /agents/{agent_id}/data_series``; the server's JSON object as is (its shape
        is not documented, so it is not modelled)."""
        return self._request(
            "GET",
            path("agents", self._resolve_agent_id(agent_id), "data_series"),
            params=[
                ("field_name", field_name),
                ("before", snowflake_param(before)),
                ("after", snowflake_param(after)),
                ("limit", limit),
            ],
            organisation_id=organisation_id,
        )

    # ------------------------------------------------------------------ messages

    def list_messages(
        self,
        channel_name: str,
        before: Bound = None,
        after: Bound = None,
        limit: Optional[int] = None,
        field_names: Union[None, str, Sequence[str]] = None,
        *,
        agent_id: Optional[int] = None,
        organisation_id: Optional[int] = None,
    ) -> List[Message]:
        """``GET .../messages``: newest first. ``before``/``after`` are exclusive bounds
        (snowflake ids or datetimes)."""
        body = self._request(
            "GET",
            path("agents", self._resolve_agent_id(agent_id), "channels", channel_name, "messages"),
            params=[
                ("before", snowflake_param(before)),
                ("after", snowflake_param(after)),
                ("limit", limit),
                ("field_name", _field_names(field_names)),
            ],
            organisation_id=organisation_id,
        )
        return structure(body or [], List[models.Message])

    def iter_messages(
        self,
        channel_name: str,
        before: Bound = None,
        after: Bound = None,
        field_names: Union[None, str, Sequence[str]] = None,
        page_size: int = 50,
        *,
        agent_id: Optional[int] = None,
        organisation_id: Optional[int] = None,
    ) -> MessageIterator:
        """Every message between the bounds, newest to oldest, fetched ``page_size`` at a time.

        Returns a lazy iterator (no request until iterated) with ``.collect()``.
        """
        return MessageIterator(
            self,
            channel_name,
            agent_id=self._resolve_agent_id(agent_id),
            before=snowflake_param(before),
            after=snowflake_param(after),
            field_names=_field_names(field_names),
            page_size=page_size,
            organisation_id=organisation_id,
        )

    def fetch_message(
        self,
        channel_name: str,
        message_id: int,
        *,
        agent_id: Optional[int] = None,
        organisation_id: Optional[int] = None,
    ) -> Message:
        """``GET .../messages/{message_id}``. An unknown id raises NotFoundError."""
        body = self._request(
            "GET",
            path("agents", self._resolve_agent_id(agent_id), "channels", channel_name, "messages", int(message_id)),
            organisation_id=organisation_id,
        )
        return structure(body, models.Message)

    def fetch_message_logs(
        self,
        channel_name: str,
        message_id: int,
        *,
        agent_id: Optional[int] = None,
        organisation_id: Optional[int] = None,
    ) -> List[MessageLogEntry]:
        """``GET .../messages/{message_id}/logs``: processor invocation log lines."""
        body = self._request(
            "GET",
            path("agents", self._resolve_agent_id(agent_id), "channels", channel_name, "messages", int(message_id), "logs"),
            organisation_id=organisation_id,
        )
        return structure(body or [], List[models.MessageLogEntry])

    def create_message(
        self,
        channel_name: str,
        data: Any,
        timestamp: Union[None, int, float, _dt.datetime] = None,
        files: Optional[Sequence[File]] = None,
        *,
        message_id: Optional[int] = None,
        ts: Union[None, int, float, _dt.datetime] = None,
        agent_id: Optional[int] = None,
        organisation_id: Optional[int] = None,
        allow_invoking_channel: bool = False,
    ) -> Message:
        """Publish a message; returns it as stored.

        ``timestamp`` (alias ``ts``: epoch ms or a datetime) sets the message time. With
        ``message_id`` (a snowflake, e.g. from :func:`doover.models.generate_snowflake`) the
        message is created under that id (``POST .../messages/{message_id}``), which makes the
        call idempotent and therefore retried after 5xx and connection errors. ``files`` turns
        the request into a multipart upload. ``allow_invoking_channel`` is used by
        ProcessorDataClient's anti-recursion guard.
        """
        if timestamp is not None and ts is not None:
            raise InvalidArgumentError("timestamp and ts are the same argument; pass one")
        when = timestamp if timestamp is not None else ts
        resolved = self._resolve_agent_id(agent_id)
        self._before_write(
            "create_message", channel_name, data, agent_id=resolved, allow_invoking_channel=allow_invoking_channel
        )
        payload: Dict[str, Any] = {"data": data}
        if when is not None:
            payload["ts"] = _epoch_ms(when, "timestamp")
        segments: List[Any] = ["agents", resolved, "channels", channel_name, "messages"]
        if message_id is not None:
            segments.append(int(message_id))
        body = self._request(
            "POST",
            path(*segments),
            json=payload,
            files=_check_files(files),
            organisation_id=organisation_id,
            idempotent=message_id is not None,
        )
        return structure(body, models.Message)

    def update_message(
        self,
        channel_name: str,
        message_id: int,
        data: Any,
        replace_data: bool = False,
        files: Optional[Sequence[File]] = None,
        suppress_response: bool = False,
        clear_attachments: bool = False,
        *,
        agent_id: Optional[int] = None,
        organisation_id: Optional[int] = None,
        allow_invoking_channel: bool = False,
    ) -> Optional[Message]:
        """Merge-patch a message's data (``PATCH``), or replace it (``PUT``, ``replace_data``).

        Returns the updated message, or None with ``suppress_response`` or an empty answer.
        """
        resolved = self._resolve_agent_id(agent_id)
        self._before_write(
            "update_message", channel_name, data, agent_id=resolved, allow_invoking_channel=allow_invoking_channel
        )
        body = self._request(
            "PUT" if replace_data else "PATCH",
            path("agents", resolved, "channels", channel_name, "messages", int(message_id)),
            params=[
                ("suppress_response", True if suppress_response else None),
                ("clear_attachments", True if clear_attachments else None),
            ],
            json={"data": data},
            files=_check_files(files),
            organisation_id=organisation_id,
        )
        body = _empty_to_none(body)
        if suppress_response or body is None:
            return None
        return structure(body, models.Message)

    def delete_message(
        self,
        channel_name: str,
        message_id: int,
        *,
        agent_id: Optional[int] = None,
        organisation_id: Optional[int] = None,
    ) -> None:
        """``DELETE .../messages/{message_id}``."""
        self._request(
            "DELETE",
            path("agents", self._resolve_agent_id(agent_id), "channels", channel_name, "messages", int(message_id)),
            organisation_id=organisation_id,
        )

    def fetch_message_attachment(
        self, attachment: Union[Attachment, str], *, organisation_id: Optional[int] = None
    ) -> bytes:
        """Download an attachment (an :class:`Attachment` or its absolute URL) as bytes.

        Redirects (to S3) are followed. The token and organisation header are sent only when the
        URL is on the Data API's own host; a redirect to another host never receives them.
        """
        url = attachment if isinstance(attachment, str) else attachment.url
        return self._request(
            "GET", url=url, expect="bytes", organisation_id=organisation_id, auth=self._same_origin(url)
        )

    def fetch_timeseries(
        self,
        channel_name: str,
        field_names: Union[str, Sequence[str]],
        before: Bound = None,
        after: Bound = None,
        limit: Optional[int] = None,
        *,
        agent_id: Optional[int] = None,
        organisation_id: Optional[int] = None,
    ) -> TimeseriesResponse:
        """``GET .../messages/timeseries``: values of ``field_names`` (at least one) over time."""
        names = _field_names(field_names)
        if not names:
            raise InvalidArgumentError("field_names: expected at least one field name")
        body = self._request(
            "GET",
            path("agents", self._resolve_agent_id(agent_id), "channels", channel_name, "messages", "timeseries"),
            params=[
                ("field_name", names),
                ("before", snowflake_param(before)),
                ("after", snowflake_param(after)),
                ("limit", limit),
            ],
            organisation_id=organisation_id,
        )
        return structure(body, models.TimeseriesResponse)

    # ------------------------------------------------------------------ aggregates

    def fetch_channel_aggregate(
        self, channel_name: str, *, agent_id: Optional[int] = None, organisation_id: Optional[int] = None
    ) -> Aggregate:
        """``GET .../aggregate``: the channel's current aggregate."""
        body = self._request(
            "GET",
            path("agents", self._resolve_agent_id(agent_id), "channels", channel_name, "aggregate"),
            organisation_id=organisation_id,
        )
        return structure(body, models.Aggregate)

    def update_channel_aggregate(
        self,
        channel_name: str,
        data: Dict[str, Any],
        replace_data: bool = False,
        files: Optional[Sequence[File]] = None,
        suppress_response: bool = False,
        clear_attachments: bool = False,
        log_update: bool = False,
        replace_keys: Optional[Sequence[str]] = None,
        return_aggregate: bool = True,
        *,
        agent_id: Optional[int] = None,
        organisation_id: Optional[int] = None,
        allow_invoking_channel: bool = False,
    ) -> Optional[Aggregate]:
        """Merge-patch the aggregate (``PATCH``; ``null`` deletes a key) or replace it (``PUT``).

        ``replace_keys`` lists dotted paths whose subtrees are replaced wholesale;
        ``log_update`` also records the update as a message. Returns the new aggregate, or
        None when ``suppress_response``/``return_aggregate=False`` or the answer is empty.
        """
        resolved = self._resolve_agent_id(agent_id)
        self._before_write(
            "update_channel_aggregate",
            channel_name,
            data,
            agent_id=resolved,
            allow_invoking_channel=allow_invoking_channel,
        )
        suppress = suppress_response or not return_aggregate
        body = self._request(
            "PUT" if replace_data else "PATCH",
            path("agents", resolved, "channels", channel_name, "aggregate"),
            params=[
                ("suppress_response", True if suppress else None),
                ("clear_attachments", True if clear_attachments else None),
                ("log_update", True if log_update else None),
                ("replace", list(replace_keys) if replace_keys else None),
            ],
            json=data,
            files=_check_files(files),
            organisation_id=organisation_id,
        )
        body = _empty_to_none(body)
        if suppress or body is None:
            return None
        return structure(body, models.Aggregate)

    def fetch_channel_aggregate_attachment(
        self,
        channel_name: str,
        attachment_id: int,
        *,
        agent_id: Optional[int] = None,
        organisation_id: Optional[int] = None,
    ) -> bytes:
        """``GET .../aggregate/attachments/{attachment_id}``: the raw bytes."""
        return self._request(
            "GET",
            path("agents", self._resolve_agent_id(agent_id), "channels", channel_name, "aggregate", "attachments", attachment_id),
            expect="bytes",
            organisation_id=organisation_id,
        )


def _channel_settings(
    is_private: bool, message_schema: Optional[Dict[str, Any]], aggregate_schema: Optional[Dict[str, Any]]
) -> Dict[str, Any]:
    """The body of create/put channel: ``is_private`` always, each schema only when given."""
    payload: Dict[str, Any] = {"is_private": bool(is_private)}
    if message_schema is not None:
        payload["message_schema"] = message_schema
    if aggregate_schema is not None:
        payload["aggregate_schema"] = aggregate_schema
    return payload
