"""Command expiry and cancellation: reading them from a request message, writing a cancel.

A command may carry ``expires_after`` (ms after its creation, which the snowflake ``id``
encodes). A command is cancelled by patching its message to a terminal ``error`` status
whose ``message`` carries the marker the Doover site writes::

    {"status": {"code": "error",
                "message": {"info": "Command cancelled", "cancelled_at": 1787812081613,
                            "cancelled_by": {"id": "7", "name": "Ops"}}}}

Readers also accept the older spellings: ``info`` (or a bare string ``message``) of
"command cancelled" / "command canceled" in any case, or just one of the two
``cancelled_*`` keys.
"""

import datetime as _dt
import re
from typing import Any, Dict, Optional

from ..exceptions import InvalidArgumentError, RPCError
from ._events import expires_at_ms, is_expired, now_ms

__all__ = [
    "RPCCancelled",
    "status_is_cancelled",
    "command_is_cancelled",
    "command_expires_at",
    "command_is_expired",
    "cancel_status",
    "cancel_command",
]

_CANCELLED_TEXT = re.compile(r"^command cancell?ed$", re.IGNORECASE)

#: The ``info`` text of a cancellation doover writes.
CANCELLED_INFO = "Command cancelled"


class RPCCancelled(RPCError):
    """The command was cancelled by whoever issued it (code ``CANCELLED``).

    A caller waiting on :meth:`RPCManager.call` gets it when the request is cancelled
    before a reply; a handler raises it through :meth:`RPCContext.raise_if_cancelled`
    to stop, and the manager then writes nothing more to the request.
    """

    def __init__(self, method: str) -> None:
        self.method = method
        RPCError.__init__(self, "CANCELLED", "RPC call {!r} was cancelled by the caller".format(method))

    def __reduce__(self):
        return (type(self), (self.method,))


def status_is_cancelled(status: Any) -> bool:
    """True if an RPC ``status`` object marks the command as cancelled by its issuer."""
    if not isinstance(status, dict) or status.get("code") != "error" or "message" not in status:
        return False
    body = status["message"]
    if isinstance(body, str):
        return _CANCELLED_TEXT.match(body.strip()) is not None
    if not isinstance(body, dict):
        return False
    if "cancelled_at" in body or "cancelled_by" in body:
        return True
    info = body.get("info")
    return isinstance(info, str) and _CANCELLED_TEXT.match(info.strip()) is not None


def _parts(message: Any) -> "tuple":
    """``(id or None, data)`` of a ``doover.models.Message`` or a wire message dict."""
    if isinstance(message, dict):
        return message.get("id"), message.get("data")
    if hasattr(message, "data"):
        return getattr(message, "id", None), message.data
    raise InvalidArgumentError(
        "message: expected a doover.models.Message or a message dict with 'id' and 'data', got {!r}".format(
            type(message).__name__)
    )


def _int_id(value: Any) -> Optional[int]:
    try:
        return None if value is None or isinstance(value, bool) else int(value)
    except (TypeError, ValueError):
        return None


def command_is_cancelled(message: Any) -> bool:
    """True if the request ``message`` (a Message or message dict) has been cancelled."""
    _id, data = _parts(message)
    return status_is_cancelled(data.get("status") if isinstance(data, dict) else None)


def command_expires_at(message: Any) -> Optional[_dt.datetime]:
    """When the command expires (its creation time + ``expires_after`` ms), or None if never.

    The creation time is the one the message id encodes; aware UTC.
    """
    message_id, data = _parts(message)
    ms = expires_at_ms(_int_id(message_id), data)
    if ms is None:
        return None
    return _dt.datetime.fromtimestamp(ms / 1000.0, tz=_dt.timezone.utc)


def command_is_expired(message: Any, now: Optional[int] = None) -> bool:
    """True once the command's expiry has passed (``now`` in epoch ms, default the clock)."""
    message_id, data = _parts(message)
    return is_expired(_int_id(message_id), data, now)


def cancel_status(cancelled_by: Any = None, cancelled_at: Optional[int] = None) -> Dict[str, Any]:
    """The message patch that cancels a command (``cancelled_at`` in epoch ms, default now)."""
    body: Dict[str, Any] = {"info": CANCELLED_INFO, "cancelled_at": now_ms() if cancelled_at is None else int(cancelled_at)}
    if cancelled_by is not None:
        body["cancelled_by"] = cancelled_by
    return {"status": {"code": "error", "message": body}}


def cancel_command(client: Any, message_id: int, channel: str = "dv-rpc", cancelled_by: Any = None, *,
                   agent_id: Optional[int] = None, cancelled_at: Optional[int] = None) -> None:
    """Cancel the command ``message_id`` on ``channel`` through any channel client.

    Writes the cancellation the Doover site writes (see :meth:`RPCManager.cancel`);
    ``cancelled_by`` is audit data such as ``{"id": "7", "name": "Ops"}``; ``cancelled_at``
    is epoch ms (default now). ``agent_id`` targets another agent's channel.
    """
    kwargs = {"agent_id": agent_id} if agent_id is not None else {}
    client.update_message(channel, int(message_id), cancel_status(cancelled_by, cancelled_at), **kwargs)
