"""RPC over channel messages: handler dispatch (``handle_event``) and the caller side."""

import functools
import logging
import threading
import time
from collections import OrderedDict
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

from ..exceptions import RPCError, RPCTimeoutError
from ..tags._done import call_user, in_async_context
from ._cancel import RPCCancelled, cancel_command, status_is_cancelled
from ._context import RPCContext
from ._events import AGGREGATE, CREATE, ONESHOT, SYNC, UPDATE, Incoming, is_expired, now_ms, read_event, status_of
from ._requests import NOT_GIVEN, Method, _check_method, _Handler, _message_data, _message_id, build_request, handler

__all__ = ["RPCManager", "handler", "DEFAULT_CHANNEL", "NOT_GIVEN", "build_request"]

log = logging.getLogger("doover.rpc")

#: The channel generic RPC uses when none is named.
DEFAULT_CHANNEL = "dv-rpc"

_TERMINAL = ("success", "error")


class RPCManager:
    """Serve and make RPC calls over channel messages.

    ``client`` is a channel client (``create_message``, ``update_message``, and for
    waiting callers ``fetch_message``). ``app_key`` filters requests addressed to other
    apps. ``processor=True`` is for the processor runtime: replies pass
    ``allow_invoking_channel=True`` and the request's ``agent_id``.

    **Serving.** The runtime passes every channel event to :meth:`handle_event`; it
    returns True when the event was for this manager (a request it dispatched or dropped
    as expired, or a reply to one of its own calls).

    **Calling.** :meth:`call` creates the request and waits for a ``success``/``error``
    update, observed through :meth:`handle_event` (from another thread) and by polling
    ``client.fetch_message`` every ``poll_interval`` seconds; ``wait_for_update(channel,
    message_id, timeout) -> data or None`` replaces the polling when given.

    **Cancellation.** A running handler learns of a cancellation from the request's update
    event. A runtime that delivers no update events (the edge runtime) sets
    ``poll_cancellation`` (seconds): then :meth:`RPCContext.wait_cancelled` re-reads the request
    that often, and the request is re-read once before the final reply, so an operator's
    cancellation is never overwritten by ``success``.
    """

    default_channel = DEFAULT_CHANNEL
    #: replies that arrive before their call registered are kept (at most this many)
    UNCLAIMED_LIMIT = 256

    def __init__(
        self,
        client: Any = None,
        app_key: Optional[str] = None,
        *,
        processor: bool = False,
        wait_for_update: Optional[Callable[[str, int, float], Any]] = None,
        poll_interval: float = 0.5,
        clock_ms: Callable[[], int] = now_ms,
        async_mode: Optional[bool] = None,
        poll_cancellation: Optional[float] = None,
    ) -> None:
        self.client = client
        self.poll_cancellation = poll_cancellation
        self.app_key = app_key
        self.processor = processor
        self.wait_for_update = wait_for_update
        self.poll_interval = poll_interval
        self.clock_ms = clock_ms
        self.async_mode = async_mode
        self._handlers: List[_Handler] = []
        self._cond = threading.Condition()
        self._waiting: Dict[int, Any] = {}
        self._unclaimed: "OrderedDict[int, Any]" = OrderedDict()
        self._inflight: Dict[int, RPCContext] = {}  # requests being served, by message id
        self._local = threading.local()  # per-thread client given to handle_event

    # ------------------------------------------------------------------ registration

    _marker = "_doover_rpc"

    def add_handler(self, method: Method, func: Callable[..., Any], channel: Optional[str] = None,
                    parser: Optional[Callable[..., Any]] = None) -> None:
        """Register ``func(ctx, request)`` for ``method`` (a name or compiled regex)."""
        _check_method(method)
        self._handlers.append(_Handler(method, channel, parser, func))

    def register_handlers(self, obj: Any) -> int:
        """Register every ``@handler``-decorated method of ``obj``; returns how many.

        Attributes are inspected statically, so properties are never evaluated.
        """
        import inspect

        count = 0
        for name in dir(obj):
            try:
                static = inspect.getattr_static(obj, name)
            except AttributeError:
                continue
            if isinstance(static, (staticmethod, classmethod)):
                static = static.__func__
            if not inspect.isfunction(static) or not hasattr(static, self._marker):
                continue
            self._register_marked(getattr(obj, name), getattr(static, self._marker))
            count += 1
        return count

    def _register_marked(self, func: Any, spec: Tuple[Any, ...]) -> None:
        method, channel, parser = spec
        self.add_handler(method, func, channel=channel, parser=parser)

    @property
    def channels(self) -> Set[str]:
        """The channels to listen on: each handler's channel, ``dv-rpc`` for channel-less ones."""
        result: Set[str] = set()
        for item in self._handlers:
            result.add(item.channel if item.channel is not None else self.default_channel)
        return result

    def _find(self, channel: Optional[str], method: str) -> Optional[_Handler]:
        rounds = (
            lambda h: h.channel == channel and isinstance(h.method, str),
            lambda h: h.channel == channel and not isinstance(h.method, str),
            lambda h: h.channel is None and isinstance(h.method, str),
            lambda h: h.channel is None and not isinstance(h.method, str),
        )
        for accept in rounds:
            for item in self._handlers:
                if accept(item) and item.matches(method):
                    return item
        return None

    # ------------------------------------------------------------------ dispatch

    def handle_event(self, event: Any, client: Any = None) -> bool:
        """Dispatch one channel event; True if it was a request or reply for this manager.

        Message creates (and one-shots) are requests; message updates may be replies to
        :meth:`call`. Handler errors are logged and answered with an ``error`` status;
        they never propagate. ``client`` overrides ``self.client`` for the replies.
        """
        incoming = event if isinstance(event, Incoming) else read_event(event)
        previous = getattr(self._local, "client", None)
        self._local.client = client
        try:
            if incoming.kind in (CREATE, ONESHOT):
                return self._handle_request(incoming)
            if incoming.kind == UPDATE:
                return self._handle_update(incoming)
            if incoming.kind in (AGGREGATE, SYNC):
                return self._handle_aggregate(incoming)
            return False
        finally:
            self._local.client = previous

    def _handle_aggregate(self, incoming: Incoming) -> bool:
        return False

    def _accepts_channel(self, channel: Optional[str]) -> bool:
        return True

    def _handle_request(self, incoming: Incoming) -> bool:
        data = incoming.data
        if not isinstance(data, dict) or data.get("type") != "rpc":
            return False
        if not self._accepts_channel(incoming.channel_name):
            return False
        method = data.get("method")
        if not isinstance(method, str) or not method:
            return False
        app_key = data.get("app_key")
        if app_key is not None and app_key != self.app_key:
            return False
        if "request" not in data:
            log.info("ignoring malformed RPC %r on %r (message %s): no 'request'", method, incoming.channel_name, incoming.message_id)
            return False
        if is_expired(incoming.message_id, data, self.clock_ms()):
            log.info("dropping expired RPC %r on %r (message %s)", method, incoming.channel_name, incoming.message_id)
            return True
        if status_is_cancelled(status_of(data)):
            log.info("dropping cancelled RPC %r on %r (message %s)", method, incoming.channel_name, incoming.message_id)
            return True
        found = self._find(incoming.channel_name, method)
        if found is None:
            return self._unhandled(incoming, method, data)
        self._run(incoming, method, found, data["request"])
        return True

    def _unhandled(self, incoming: Incoming, method: str, data: Dict[str, Any]) -> bool:
        return False

    def _context(self, incoming: Incoming, method: str, found: _Handler) -> RPCContext:
        return RPCContext(self, incoming, method, found.func)

    def _check(self, ctx: RPCContext, found: _Handler, payload: Any) -> Any:
        """Hook: validate/transform the (parsed) payload; raise RPCError to refuse it."""
        return payload

    def _run(self, incoming: Incoming, method: str, found: _Handler, payload: Any) -> None:
        ctx = self._context(incoming, method, found)
        # Tracked while it runs, so a cancelling update (handle_event) reaches the context.
        tracked = incoming.message_id is not None and incoming.kind != ONESHOT
        if tracked:
            with self._cond:
                self._inflight[incoming.message_id] = ctx
        try:
            if found.parser is not None:
                payload = call_user(found.parser, payload)
            payload = self._check(ctx, found, payload)
            result = call_user(found.func, ctx, payload)
        except RPCCancelled:
            log.info("%s stopped: the command was cancelled", self._describe(ctx))
        except RPCError as exc:
            log.warning("%s refused: %s", self._describe(ctx), exc)
            if not self._cancelled_before_reply(ctx):  # a cancelled command keeps the canceller's status
                self._reply_error(incoming, exc.code, exc.message)
            self._after_failure(ctx, found, payload)
        except Exception as exc:  # noqa: BLE001 - a handler error must not stop the runtime
            log.exception("%s raised", self._describe(ctx))
            if not self._cancelled_before_reply(ctx):
                self._reply_error(incoming, "INTERNAL_ERROR", str(exc))
            self._after_failure(ctx, found, payload)
        else:
            if not self._cancelled_before_reply(ctx):
                self._reply(incoming, {"status": {"code": "success", "message": None},
                                       "response": {} if result is None else result})
            self._after_success(ctx, found, payload)
        finally:
            if tracked:
                with self._cond:
                    self._inflight.pop(incoming.message_id, None)

    def _cancelled_before_reply(self, ctx: RPCContext) -> bool:
        # without update events (poll_cancellation set), re-read the request once: a
        # cancellation written while the handler ran must not be overwritten by the reply
        if self.poll_cancellation is not None and not ctx.cancelled and ctx.can_reply:
            return ctx.check_cancelled()
        return ctx.cancelled

    def _describe(self, ctx: RPCContext) -> str:
        return "RPC handler for {!r} (channel {!r}, message {})".format(ctx.method, ctx.channel_name, ctx.message_id)

    def _after_success(self, ctx: RPCContext, found: _Handler, payload: Any) -> None:
        """Hook run after the success reply."""

    def _after_failure(self, ctx: RPCContext, found: _Handler, payload: Any) -> None:
        """Hook run after an error reply."""

    # ------------------------------------------------------------------ writes

    @property
    def _client(self) -> Any:
        override = getattr(self._local, "client", None)
        client = override if override is not None else self.client
        if client is None:
            raise RPCError("NO_CLIENT", "this manager has no channel client to write with")
        return client

    def _reply(self, incoming: Incoming, data: Dict[str, Any]) -> None:
        """PATCH the request message with ``data`` (never raises; failures are logged)."""
        if incoming.kind == ONESHOT or incoming.message_id is None:
            return
        kwargs: Dict[str, Any] = {}
        if self.processor:
            kwargs["allow_invoking_channel"] = True
            if incoming.agent_id is not None:
                kwargs["agent_id"] = incoming.agent_id
        try:
            self._client.update_message(incoming.channel_name, incoming.message_id, data, **kwargs)
        except Exception:  # noqa: BLE001
            log.exception("could not update RPC message %s on %r", incoming.message_id, incoming.channel_name)

    def _fetch_request(self, incoming: Incoming) -> Any:
        """The request message's current data, read with the client (None if it cannot be read)."""
        fetch = getattr(self._client, "fetch_message", None)
        if fetch is None:
            return None
        kwargs: Dict[str, Any] = {}
        if self.processor and incoming.agent_id is not None:
            kwargs["agent_id"] = incoming.agent_id
        try:
            return _message_data(fetch(incoming.channel_name, incoming.message_id, **kwargs))
        except Exception as exc:  # noqa: BLE001 - a failed check leaves the context as it was
            log.warning("could not re-read RPC message %s on %r: %s", incoming.message_id, incoming.channel_name, exc)
            return None

    def _reply_error(self, incoming: Incoming, code: str, message: Any) -> None:
        self._reply(incoming, {"status": {"code": "error", "message": {"code": code, "message": message}}, "response": {}})

    # ------------------------------------------------------------------ caller side

    def _handle_update(self, incoming: Incoming) -> bool:
        message_id = incoming.message_id
        if message_id is None or status_of(incoming.data).get("code") not in _TERMINAL:
            return False
        status = status_of(incoming.data)
        with self._cond:
            serving = self._inflight.get(message_id)
        if serving is not None:
            if status_is_cancelled(status):
                log.info("%s: the issuer cancelled the command", self._describe(serving))
                serving._mark_cancelled(status)
                return True
            return False
        with self._cond:
            if message_id in self._waiting:
                self._waiting[message_id] = incoming.data
                self._cond.notify_all()
                return True
            self._unclaimed[message_id] = incoming.data
            while len(self._unclaimed) > self.UNCLAIMED_LIMIT:
                self._unclaimed.popitem(last=False)
        return False

    def call(
        self,
        method: str,
        params: Any = None,
        channel: Optional[str] = None,
        app_key: Optional[str] = None,
        timeout: float = 30.0,
        *,
        actor: Any = None,
        reason: Optional[str] = None,
        old_value: Any = NOT_GIVEN,
        expires_after: Any = None,
        retry_of: Optional[str] = None,
        wait_for_response: bool = True,
        agent_id: Optional[int] = None,
    ) -> Any:
        """Send an RPC request on ``channel`` (default ``dv-rpc``) and return the response.

        Raises :class:`~doover.exceptions.RPCError` when the handler replied with an error
        and :class:`~doover.exceptions.RPCTimeoutError` after ``timeout`` seconds. With
        ``wait_for_response=False`` it returns the request's message id at once.
        ``agent_id`` sends to another agent's channel (clients that support it). In async
        code (or with ``async_mode=True``) it returns a coroutine to ``await``; the wait
        then runs in a worker thread.
        """
        args = (method, params, channel or self.default_channel, app_key, timeout,
                actor, reason, old_value, expires_after, retry_of, wait_for_response, agent_id)
        async_mode = self.async_mode if self.async_mode is not None else in_async_context()
        if async_mode:
            return self._call_async(args)
        return self._call(*args)

    async def _call_async(self, args: Tuple[Any, ...]) -> Any:
        import asyncio
        import contextvars

        loop = asyncio.get_event_loop()
        context = contextvars.copy_context()
        return await loop.run_in_executor(None, functools.partial(context.run, self._call, *args))

    def _call(self, method: str, params: Any, channel: str, app_key: Optional[str], timeout: float, actor: Any,
              reason: Optional[str], old_value: Any, expires_after: Any, retry_of: Optional[str],
              wait_for_response: bool, agent_id: Optional[int]) -> Any:
        data = build_request(method, params, app_key, actor, reason, old_value, expires_after, retry_of)
        kwargs = {"agent_id": agent_id} if agent_id is not None else {}
        message_id = _message_id(self._client.create_message(channel, data, **kwargs))
        if not wait_for_response:
            return message_id
        reply = self._wait(channel, message_id, timeout, agent_id)
        if reply is None:
            raise RPCTimeoutError(method, timeout)
        status = status_of(reply)
        if status_is_cancelled(status):
            raise RPCCancelled(method)
        if status.get("code") == "error":
            error = status.get("message")
            if isinstance(error, dict):
                raise RPCError(str(error.get("code", "UNKNOWN")), error.get("message", ""))
            raise RPCError("UNKNOWN", error if error is not None else "")
        return reply.get("response", {})

    def _wait(self, channel: str, message_id: int, timeout: float, agent_id: Optional[int]) -> Optional[Dict[str, Any]]:
        with self._cond:
            early = self._unclaimed.pop(message_id, None)
            if early is not None:
                return early
            self._waiting[message_id] = None
        try:
            if self.wait_for_update is not None:
                reply = self.wait_for_update(channel, message_id, timeout)
                if reply is not None and not isinstance(reply, dict):
                    reply = _message_data(reply)
                if isinstance(reply, dict) and status_of(reply).get("code") in _TERMINAL:
                    return reply
                with self._cond:
                    return self._waiting.get(message_id)
            return self._poll(channel, message_id, timeout, agent_id)
        finally:
            with self._cond:
                self._waiting.pop(message_id, None)

    def _poll(self, channel: str, message_id: int, timeout: float, agent_id: Optional[int]) -> Optional[Dict[str, Any]]:
        deadline = time.monotonic() + timeout
        fetch = getattr(self._client, "fetch_message", None)
        kwargs = {"agent_id": agent_id} if agent_id is not None else {}
        while True:
            with self._cond:
                reply = self._waiting.get(message_id)
            if reply is not None:
                return reply
            if fetch is not None:
                try:
                    data = _message_data(fetch(channel, message_id, **kwargs))
                except Exception as exc:  # noqa: BLE001 - keep waiting; report at debug level
                    log.debug("polling RPC message %s on %r failed: %s", message_id, channel, exc)
                else:
                    if status_of(data).get("code") in _TERMINAL:
                        return data
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            with self._cond:
                if self._waiting.get(message_id) is None:
                    self._cond.wait(min(self.poll_interval, remaining))

    def cancel(self, message_id: int, channel: Optional[str] = None, cancelled_by: Any = None,
               agent_id: Optional[int] = None) -> None:
        """Cancel a command sent on ``channel`` (default ``dv-rpc``), as the Doover site does.

        Patches the request message to status ``error`` with ``{"info": "Command
        cancelled", "cancelled_at": <ms>, "cancelled_by": cancelled_by}``; a waiting
        :meth:`call` raises :class:`RPCCancelled` and the handler's context is marked.
        """
        cancel_command(self._client, message_id, channel or self.default_channel, cancelled_by,
                       agent_id=agent_id, cancelled_at=self.clock_ms())

    @staticmethod
    def fire_and_forget(client: Any, agent_id: Optional[int], channel: str, method: str, params: Any = None) -> int:
        """Send an RPC request to ``agent_id``'s ``channel`` without waiting; returns its id.

        ``agent_id=None`` means the client's own agent.
        """
        data = build_request(method, params)
        kwargs = {"agent_id": agent_id} if agent_id is not None else {}
        return _message_id(client.create_message(channel, data, **kwargs))

