"""Attachments: bytes stored with a message or an aggregate, served back by URL (#14, #19).

An uploaded part becomes an Attachment ``{filename, content_type, size, url}``. The stored
metadata carries the attachment's snowflake id (type 9); the ``url`` is built when the
message or aggregate is rendered, from the base URL the request came in on, so URLs stay
right after a restart on another port. The download answers the bytes directly (200) with
the upload's Content-Type.
"""

from typing import Any, Dict, List, Optional, Sequence

from .._snowflake import SnowflakeType, generate_snowflake
from ._fields import path_agent, path_channel, path_id
from ._http import ApiError, Request, Response, UploadedFile
from ._store import Tx

__all__ = ["store_files", "delete_blobs", "ROUTES"]


def store_files(
    tx: Tx, agent_id: int, channel: str, message_id: Optional[int], files: Sequence[UploadedFile]
) -> List[Dict[str, Any]]:
    """Store uploaded parts; returns their metadata (``id``, ``filename``, ``content_type``, ``size``)."""
    metas = []
    for upload in files:
        attachment_id = generate_snowflake(type_id=SnowflakeType.ATTACHMENT)
        tx.execute(
            "INSERT INTO blobs (id, agent_id, channel, message_id, content_type, data) VALUES (?, ?, ?, ?, ?, ?)",
            (attachment_id, agent_id, channel, message_id, upload.content_type, upload.data),
        )
        metas.append(
            {
                "id": attachment_id,
                "filename": upload.filename,
                "content_type": upload.content_type,
                "size": len(upload.data),
            }
        )
    return metas


def delete_blobs(tx: Tx, agent_id: int, channel: str, message_id: Optional[int]) -> None:
    """Drop the stored bytes of a message's (or, with ``None``, the aggregate's) attachments."""
    if message_id is None:
        tx.execute(
            "DELETE FROM blobs WHERE agent_id = ? AND channel = ? AND message_id IS NULL", (agent_id, channel)
        )
    else:
        tx.execute(
            "DELETE FROM blobs WHERE agent_id = ? AND channel = ? AND message_id = ?",
            (agent_id, channel, message_id),
        )


def _serve(req: Request, message_id: Optional[int]) -> Response:
    agent_id = path_agent(req)
    channel = path_channel(req)
    attachment_id = path_id(req, "attachment_id")
    with req.app.store.read() as conn:
        if message_id is None:
            row = conn.execute(
                "SELECT content_type, data FROM blobs WHERE id = ? AND agent_id = ? AND channel = ? "
                "AND message_id IS NULL",
                (attachment_id, agent_id, channel),
            ).fetchone()
        else:
            row = conn.execute(
                "SELECT content_type, data FROM blobs WHERE id = ? AND agent_id = ? AND channel = ? "
                "AND message_id = ?",
                (attachment_id, agent_id, channel, message_id),
            ).fetchone()
    if row is None:
        raise ApiError(404, "attachment {} not found".format(attachment_id))
    return Response(200, bytes(row[1]), row[0] or "application/octet-stream")


def fetch_message_attachment(req: Request) -> Response:
    return _serve(req, path_id(req, "message_id"))


def fetch_aggregate_attachment(req: Request) -> Response:
    return _serve(req, None)


ROUTES = [
    (
        "GET",
        "/agents/{agent_id}/channels/{channel}/messages/{message_id}/attachments/{attachment_id}",
        fetch_message_attachment,
    ),
    ("GET", "/agents/{agent_id}/channels/{channel}/aggregate/attachments/{attachment_id}", fetch_aggregate_attachment),
]  # type: List[Any]
