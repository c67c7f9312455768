"""Channels, messages, aggregates, attachments, logs and timeseries (data-api.md §4.1-4.6, 4.10)."""

import datetime as _dt
import os
from typing import Any, ClassVar, Dict, Iterator, List, Optional, Tuple

import attrs

from .._snowflake import snowflake_to_datetime
from ._base import WireModel
from ._types import Id

__all__ = [
    "ChannelID",
    "Attachment",
    "File",
    "Message",
    "Aggregate",
    "Channel",
    "MessageLogEntry",
    "DataPoint",
    "TimeseriesResponse",
]


@attrs.frozen
class ChannelID(WireModel):
    """A channel's address: the owning agent and the channel name."""

    agent_id: Id = attrs.field(converter=int)
    name: str


@attrs.frozen(kw_only=True)
class Attachment(WireModel):
    """A file attached to a message or aggregate. ``url`` is absolute; download it with
    ``DataClient.fetch_message_attachment``."""

    filename: str
    size: int
    url: str
    content_type: Optional[str] = None

    @property
    def attachment_id(self) -> Optional[str]:
        """The last path segment of ``url`` (the attachment id), if any."""
        tail = self.url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
        return tail or None


def _default_size(data: bytes, size: Optional[int]) -> int:
    return len(data) if size is None else int(size)


@attrs.frozen
class File:
    """A file to upload (``files=[...]``) or a downloaded attachment.

    ``File(filename, content_type, size, data)`` matches the platform SDK's order; ``size``
    defaults to ``len(data)``. Only ``filename``, ``content_type`` and ``data`` are sent.
    ``data`` may be bytes, a binary file object (``io.BytesIO``, an open file: read from its
    current position when the File is made) or a str (sent UTF-8 encoded); it is kept as bytes.
    """

    filename: str
    content_type: Optional[str] = "application/octet-stream"
    size: Optional[int] = None
    data: bytes = b""

    def __attrs_post_init__(self) -> None:
        data: Any = self.data
        if isinstance(data, str):
            data = data.encode("utf-8")
        elif not isinstance(data, (bytes, bytearray, memoryview)) and callable(getattr(data, "read", None)):
            data = data.read()
            if not isinstance(data, (bytes, bytearray, memoryview)):
                raise TypeError("File.data: the file object's read() returned {}, expected bytes (open it in "
                                "binary mode)".format(type(data).__name__))
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError("File.data: expected bytes, a binary file object or str, got {}".format(
                type(self.data).__name__))
        object.__setattr__(self, "data", bytes(data))
        object.__setattr__(self, "size", _default_size(self.data, self.size))

    @classmethod
    def from_path(cls, path: str, content_type: Optional[str] = None, filename: Optional[str] = None) -> "File":
        """Read ``path`` into a File, guessing the content type from its name."""
        import mimetypes  # here, not at the top: it imports urllib.parse and ipaddress

        with open(path, "rb") as fh:
            data = fh.read()
        name = filename or os.path.basename(path)
        ctype = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        return cls(name, ctype, len(data), data)


@attrs.frozen(kw_only=True)
class Message(WireModel):
    """A channel message. ``timestamp`` is derived from the snowflake ``id``."""

    id: Id
    author_id: Id
    channel: ChannelID
    data: Any
    attachments: List[Attachment] = attrs.field(factory=list)

    @property
    def timestamp(self) -> _dt.datetime:
        """The creation time encoded in ``id`` (aware, UTC)."""
        return snowflake_to_datetime(self.id)


@attrs.frozen(kw_only=True)
class Aggregate(WireModel):
    """A channel's aggregate: one merge-patched JSON document plus attachments.

    ``last_updated`` is an aware UTC datetime (epoch ms on the wire) or None.
    """

    data: Any
    attachments: List[Attachment] = attrs.field(factory=list)
    last_updated: Optional[_dt.datetime] = None


@attrs.frozen(kw_only=True)
class Channel(WireModel):
    """A channel, optionally with its aggregate (``aggregate`` is None when absent or empty)."""

    name: str
    owner_id: Id
    is_private: bool = False
    aggregate_schema: Optional[Dict[str, Any]] = None
    message_schema: Optional[Dict[str, Any]] = None
    aggregate: Optional[Aggregate] = None
    alarms_enabled: Optional[bool] = None
    daily_message_summaries: Optional[List[Any]] = None
    id: Optional[Id] = None

    _omit_none_: ClassVar[Tuple[str, ...]] = ("aggregate", "alarms_enabled", "daily_message_summaries", "id")

    @classmethod
    def _wire_in(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("aggregate"):
            data = dict(data)
            data["aggregate"] = None
        return data


@attrs.frozen
class MessageLogEntry(WireModel):
    """One processor-invocation log line. ``timestamp`` (epoch ms) and ``type`` are required;
    every other key is kept in ``fields`` and readable with ``entry["key"]`` / ``entry.get``."""

    timestamp: int
    type: str
    fields: Dict[str, Any] = attrs.field(factory=dict)

    @property
    def message(self) -> Any:
        return self.fields.get("message")

    @property
    def level(self) -> Optional[str]:
        return self.fields.get("level")

    @property
    def logger(self) -> Optional[str]:
        return self.fields.get("logger")

    @property
    def request_id(self) -> Optional[str]:
        return self.fields.get("requestId")

    @property
    def record(self) -> Optional[Dict[str, Any]]:
        return self.fields.get("record")

    def get(self, key: str, default: Any = None) -> Any:
        return self.to_dict().get(key, default)

    def __getitem__(self, key: str) -> Any:
        return self.to_dict()[key]

    def __contains__(self, key: object) -> bool:
        return key in ("timestamp", "type") or key in self.fields

    def __iter__(self) -> Iterator[str]:
        return iter(self.to_dict())


@attrs.frozen(kw_only=True)
class DataPoint(WireModel):
    """One timeseries value; its time is the time encoded in ``message_id``."""

    value: Any
    message_id: Id

    @property
    def timestamp(self) -> _dt.datetime:
        return snowflake_to_datetime(self.message_id)


@attrs.frozen(kw_only=True)
class TimeseriesResponse(WireModel):
    """Result of ``fetch_timeseries``: ``count`` points in ``results`` and an optional
    ``next`` cursor (pass it back as ``before``)."""

    count: int
    results: List[DataPoint]
    next: Optional[Id] = None

    _omit_none_: ClassVar[Tuple[str, ...]] = ("next",)
