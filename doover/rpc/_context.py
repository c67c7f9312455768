"""What an RPC handler receives besides the request: ``RPCContext``."""

import datetime as _dt
import threading
import time
from typing import TYPE_CHECKING, Any, Dict, Optional

from ..tags._done import DONE, Done, in_async_context
from ._cancel import RPCCancelled, status_is_cancelled
from ._events import Incoming, expires_at_ms, is_expired

if TYPE_CHECKING:  # pragma: no cover
    from ._manager import RPCManager

__all__ = ["RPCContext"]


class RPCContext:
    """The request an RPC handler is serving, and the way to report progress on it.

    Attributes: ``method``, ``message`` (the request message as delivered), ``channel``
    (the message's channel: ``agent_id`` and ``name``), ``channel_name``, ``message_id``,
    and the optional request fields ``actor``, ``reason``, ``old_value``, ``retry_of``,
    ``expires_after`` (ms), ``expires_at`` (aware datetime), ``is_expired``.

    :meth:`acknowledge`, :meth:`defer` and :meth:`progress` patch the request message's
    status at once and return an already-completed awaitable (``await ctx.acknowledge()``
    works in async handlers). For one-shot requests, which cannot be answered, they do
    nothing.

    **Cancellation** is cooperative: the issuer patches the request to a cancelled status
    and nothing interrupts the handler. The manager marks the context when that update
    reaches :meth:`RPCManager.handle_event` (from any thread), and :meth:`check_cancelled`
    re-reads the request message to find out. Once cancelled, ``cancelled`` is True,
    :meth:`raise_if_cancelled` raises :class:`RPCCancelled`, and no status is written to the
    request any more (the canceller's status stands).
    """

    def __init__(self, manager: "RPCManager", incoming: Incoming, method: str, handler: Any = None) -> None:
        self._manager = manager
        self._incoming = incoming
        self.method = method
        self._handler = handler
        self._cancelled = threading.Event()
        self._cancellation: Dict[str, Any] = {}

    # ------------------------------------------------------------------ request

    @property
    def message(self) -> Any:
        """The request message (a ``doover.models.Message`` or the dict it came as)."""
        return self._incoming.message

    @property
    def channel(self) -> Any:
        """The request message's channel (``agent_id``, ``name``)."""
        message = self._incoming.message
        channel = message.get("channel") if isinstance(message, dict) else getattr(message, "channel", None)
        return channel

    @property
    def channel_name(self) -> Optional[str]:
        """The name of the channel the request arrived on."""
        return self._incoming.channel_name

    @property
    def message_id(self) -> Optional[int]:
        """The request message's id (a snowflake)."""
        return self._incoming.message_id

    @property
    def data(self) -> Dict[str, Any]:
        """The whole request message data."""
        data = self._incoming.data
        return data if isinstance(data, dict) else {}

    @property
    def can_reply(self) -> bool:
        """False for one-shot requests, which cannot be answered."""
        return self._incoming.kind != "oneshot" and self._incoming.message_id is not None

    @property
    def actor(self) -> Optional[Dict[str, Any]]:
        """Who issued the command (``{"id", "name", "email"}``), if given."""
        return self.data.get("actor")

    @property
    def reason(self) -> Optional[str]:
        """The audit reason given with the command, if any."""
        return self.data.get("reason")

    @property
    def old_value(self) -> Any:
        """The value the issuer saw before sending the command, if given."""
        return self.data.get("old_value")

    @property
    def retry_of(self) -> Optional[str]:
        """The id of the command this one retries, if any."""
        return self.data.get("retry_of")

    @property
    def expires_after(self) -> Optional[int]:
        """The command's lifetime in ms after its creation, if given."""
        return self.data.get("expires_after")

    @property
    def expires_at(self) -> Optional[_dt.datetime]:
        """When the command expires (aware UTC), or None if it never does."""
        ms = expires_at_ms(self.message_id, self.data)
        if ms is None:
            return None
        return _dt.datetime.fromtimestamp(ms / 1000.0, tz=_dt.timezone.utc)

    @property
    def is_expired(self) -> bool:
        """True once the command's expiry has passed."""
        return is_expired(self.message_id, self.data, self._manager.clock_ms())

    # ------------------------------------------------------------------ cancellation

    @property
    def cancelled(self) -> bool:
        """True once the issuer has cancelled this command (as far as this context knows)."""
        return self._cancelled.is_set()

    @property
    def cancelled_at(self) -> Optional[_dt.datetime]:
        """When the issuer says it cancelled the command (aware UTC), or None.

        None too when the canceller wrote something that is not epoch milliseconds.
        """
        raw = self._cancellation.get("cancelled_at")
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            return None
        try:
            return _dt.datetime.fromtimestamp(raw / 1000.0, tz=_dt.timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None

    @property
    def cancelled_by(self) -> Any:
        """Who cancelled the command, as the canceller wrote it (``{"id", "name", ...}``), or None."""
        return self._cancellation.get("cancelled_by")

    def raise_if_cancelled(self) -> None:
        """Raise :class:`RPCCancelled` if the command has been cancelled.

        A handler calls it between steps; the manager treats the exception as a clean stop
        and writes nothing to the request.
        """
        if self.cancelled:
            raise RPCCancelled(self.method)

    def check_cancelled(self) -> bool:
        """Re-read the request message and return :attr:`cancelled`.

        For runtimes that deliver events between handler calls (a sync handler blocks
        them): this fetches the request with the manager's client (``fetch_message``) and
        marks the context if its status is a cancellation. A failed read is logged and
        leaves the context as it was.
        """
        if not self.cancelled and self.message_id is not None and self.channel_name is not None:
            data = self._manager._fetch_request(self._incoming)
            status = data.get("status") if isinstance(data, dict) else None
            if status_is_cancelled(status):
                self._mark_cancelled(status)
        return self.cancelled

    def wait_cancelled(self, timeout: Optional[float] = None) -> Any:
        """Wait until the command is cancelled; True if it was.

        ``timeout`` in seconds (None waits for ever). The cancellation arrives as an update
        given to the manager, or, where the runtime delivers none (the manager's
        ``poll_cancellation`` is set, as on the edge), by re-reading the request that often.
        In async code it returns a coroutine to ``await``, which waits without blocking the loop.
        """
        if in_async_context():
            return self._wait_cancelled_async(timeout)
        poll = self._manager.poll_cancellation
        if poll is None:
            return self._cancelled.wait(timeout)
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.check_cancelled():  # no update events here: re-read the request
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return False
            self._cancelled.wait(poll if left is None else min(poll, left))
        return True

    async def _wait_cancelled_async(self, timeout: Optional[float]) -> bool:
        import asyncio

        poll = self._manager.poll_cancellation
        deadline = None if timeout is None else time.monotonic() + timeout
        next_read = time.monotonic()
        while not self._cancelled.is_set():
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                return False
            if poll is not None and now >= next_read:
                await asyncio.get_event_loop().run_in_executor(None, self.check_cancelled)
                next_read = time.monotonic() + poll
                continue
            await asyncio.sleep(0.02)
        return True

    def _mark_cancelled(self, status: Any = None) -> None:
        if isinstance(status, dict) and isinstance(status.get("message"), dict):
            self._cancellation = dict(status["message"])
        self._cancelled.set()

    # ------------------------------------------------------------------ replies

    def acknowledge(self) -> Done:
        """Tell the issuer the command arrived: status ``acknowledged`` with a timestamp."""
        if self.can_reply and not self.cancelled:
            now = self._manager.clock_ms()
            self._manager._reply(self._incoming, {"status": {"code": "acknowledged", "message": {"timestamp": now}}})
        return DONE

    def defer(self, seconds: float) -> Done:
        """Tell the issuer the command will be acted on in ``seconds``: status ``deferred``."""
        if self.can_reply and not self.cancelled:
            now = self._manager.clock_ms()
            until = now + int(round(float(seconds) * 1000))
            self._manager._reply(self._incoming, {"status": {"code": "deferred", "message": {"until": until, "at": now}}})
        return DONE

    def progress(self, text: Optional[str] = None, **fields: Any) -> Done:
        """Report progress on a long command: status ``pending`` with ``fields`` (+ ``text``)."""
        if self.can_reply and not self.cancelled:
            message: Dict[str, Any] = dict(fields)
            if text is not None:
                message["text"] = str(text)
            self._manager._reply(self._incoming, {"status": {"code": "pending", "message": message}})
        return DONE

    def __repr__(self) -> str:
        return "{}(method={!r}, channel={!r}, message_id={!r})".format(
            type(self).__name__, self.method, self.channel_name, self.message_id
        )
