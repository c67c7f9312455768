"""``DeviceAgentInterface``: the edge app's path to the cloud, over HTTP, with a durable outbox.

There is no gRPC sidecar: the interface talks to the Data API with the device's token.

* **Writes** (``create_message``, ``update_message``, ``update_channel_aggregate``) go to the
  :class:`~doover.docker._outbox.Outbox` first and return at once; a sender thread drains it
  in order, backing off while the cloud is unreachable. Messages get a client snowflake id
  and are created with ``POST .../messages/{id}``, so a resend never duplicates.
* **Aggregate cache:** the app's own writes update a local copy at once, so
  ``fetch_channel_aggregate`` right after an update sees it, online or not.
* **Subscriptions** are polled (aggregate, and messages after a cursor) every
  ``poll_interval`` seconds on a background thread. Events are *queued*; they run when the
  owner calls :meth:`DeviceAgentInterface.dispatch_pending` (the ``Application`` does it on the
  main loop thread between iterations), never concurrently with ``main_loop``.
"""

import copy
import logging
import queue
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Union

from .._hooks import call_hook
from .._merge import apply_update
from .._snowflake import generate_snowflake, to_snowflake_bound
from ..exceptions import APIConnectionError, HTTPError, NotFoundError, NotSupportedError, ServerError
from ._cloud import CloudLink
from ._events import (
    AggregateUpdateEvent, ChannelSyncEvent, EventType, MessageCreateEvent, event_filter,
    make_aggregate, make_message, validate_payload,
)
from ._outbox import AGGREGATE, MESSAGE, MESSAGE_UPDATE, Outbox

__all__ = ["DeviceAgentInterface"]

log = logging.getLogger("doover.docker.device_agent")

#: statuses after which an outbox item is retried (the rest of 4xx means "never accepted")
_RETRY_STATUSES = {401, 403, 408, 425, 429}


class DeviceAgentInterface:
    """The device agent over HTTP: messages, aggregates, subscriptions, online state.

    Args:
        app_key: this app's key (used by the Application for tags).
        agent_id: the device's agent id.
        base_url: the Data API root.
        token: the device's bearer token.
        outbox: an :class:`Outbox`, or the path of its sqlite file (default in memory).
        poll_interval: seconds between subscription polls.
        max_backoff: the longest wait between send attempts while the cloud is down.
        client: an injected :class:`doover.api.DataClient` for the device (optional).
    """

    def __init__(
        self,
        app_key: Optional[str] = None,
        agent_id: Any = None,
        base_url: Optional[str] = None,
        token: Optional[str] = None,
        outbox: Union[Outbox, str, None] = None,
        poll_interval: float = 2.0,
        max_backoff: float = 30.0,
        client: Any = None,
    ) -> None:
        self.app_key = app_key
        self.poll_interval = poll_interval
        self.max_backoff = max_backoff
        self.cloud = CloudLink(base_url or "", token, agent_id, client=client)
        self.outbox = outbox if isinstance(outbox, Outbox) else Outbox(outbox or ":memory:")
        self._lock = threading.RLock()
        self._cache: Dict[str, Any] = {}  # channel -> aggregate data, own writes applied
        self._remote: Dict[str, Any] = {}  # channel -> last aggregate data seen from the cloud
        self._callbacks: Dict[str, List] = {}  # channel -> [(callback, events)]
        self._synced: Set[str] = set()
        self._cursors: Dict[str, Optional[int]] = {}
        self._events: "queue.SimpleQueue" = queue.SimpleQueue()
        self._stop = threading.Event()
        self._wake_poller = threading.Event()
        self._sender: Optional[threading.Thread] = None
        self._poller: Optional[threading.Thread] = None
        self.is_dda_available = False
        self.is_dda_online = False
        self.has_dda_been_online = False
        self.sent = 0

    # ------------------------------------------------------------------ identity and state

    @property
    def agent_id(self) -> Any:
        """The device's agent id (also set from the deployment config's ``AGENT_ID``)."""
        return self.cloud.agent_id

    @agent_id.setter
    def agent_id(self, value: Any) -> None:
        self.cloud.agent_id = value

    def _mark(self, online: bool) -> None:
        self.is_dda_available = online
        self.is_dda_online = online
        if online:
            self.has_dda_been_online = True

    def get_is_dda_available(self) -> bool:
        """True if the last call to the cloud got an answer."""
        return self.is_dda_available

    def get_is_dda_online(self) -> bool:
        """True if the last call to the cloud got an answer (same as available over HTTP)."""
        return self.is_dda_online

    def get_has_dda_been_online(self) -> bool:
        """True once any call to the cloud has succeeded in this process."""
        return self.has_dda_been_online

    def has_persistent_connection(self) -> bool:
        """False: this interface polls; there is no persistent stream."""
        return False

    def health_check(self) -> bool:
        """One probe of the cloud: True if the Data API answered (any status below 500)."""
        try:
            self.cloud.fetch_aggregate("deployment_config")
        except NotFoundError:
            pass
        except (APIConnectionError, ServerError):
            self._mark(False)
            return False
        except HTTPError:
            pass
        self._mark(True)
        return True

    def wait_until_healthy(self, timeout: float = 10, stop: Optional[threading.Event] = None) -> bool:
        """Probe about once a second until the cloud answers or ``timeout`` seconds pass."""
        deadline = time.monotonic() + timeout
        stop = stop or self._stop
        while True:
            if self.health_check():
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0 or stop.wait(min(1.0, remaining)):
                return False

    # ------------------------------------------------------------------ writes (queued)

    def create_message(self, channel_name: str, data: Any, files: Any = None, timestamp: Any = None) -> int:
        """Queue a new message; returns its (client-generated) snowflake id at once."""
        if files:
            raise NotSupportedError("create_message: attachments (files=) are not supported by the HTTP device agent")
        validate_payload(data, "create_message data")
        ts_ms = None
        if timestamp is not None:
            ts_ms = int(timestamp.timestamp() * 1000)
        message_id = generate_snowflake(ts_ms)
        self.outbox.put_message(channel_name, data, message_id, ts_ms)
        self._ensure_sender()
        return message_id

    def update_message(
        self,
        channel_name: str,
        message_id: int,
        data: Any,
        files: Any = None,
        replace_data: bool = False,
        clear_attachments: bool = False,
    ) -> None:
        """Queue a merge patch (or, with ``replace_data``, a replacement) of a message's data."""
        if files or clear_attachments:
            raise NotSupportedError("update_message: attachments are not supported by the HTTP device agent")
        validate_payload(data, "update_message data")
        self.outbox.put_message_update(channel_name, int(message_id), data, replace_data)
        self._ensure_sender()

    def update_channel_aggregate(
        self,
        channel_name: str,
        data: Any,
        files: Any = None,
        clear_attachments: bool = False,
        replace_data: bool = False,
        max_age_secs: Optional[float] = None,
        return_aggregate: bool = True,
        replace_keys: Optional[Sequence[str]] = None,
    ) -> Any:
        """Queue an aggregate patch and apply it to the local cache.

        ``max_age_secs`` is how long the patch may wait in the outbox (merging with later
        ones) before it is sent; ``None``/0 sends as soon as possible. Returns the
        aggregate as now known locally, or ``None`` with ``return_aggregate=False``.
        """
        if files or clear_attachments:
            raise NotSupportedError("update_channel_aggregate: attachments are not supported by the HTTP device agent")
        validate_payload(data, "update_channel_aggregate data")
        paths = list(replace_keys or [])
        with self._lock:
            self.outbox.put_aggregate(channel_name, data, paths, replace_data, max_age_secs)
            self._cache[channel_name] = apply_update(self._cache.get(channel_name, {}), data, paths, replace_data)
            current = copy.deepcopy(self._cache[channel_name])
        self._ensure_sender()
        return make_aggregate(current) if return_aggregate else None

    def send_oneshot_message(self, channel_name: str, data: Any, timestamp: Any = None) -> bool:
        """Best effort, not queued: create the message now; False (never raises) if that fails."""
        try:
            self.cloud.create_message(channel_name, generate_snowflake(), data, None)
        except Exception as exc:  # noqa: BLE001 - documented: never raises
            log.warning("one-shot message on %r not sent: %s", channel_name, exc)
            return False
        return True

    # ------------------------------------------------------------------ reads

    def fetch_channel_aggregate(self, channel_name: str) -> Any:
        """The channel's aggregate: from the cloud when reachable (with queued writes applied on
        top), else the local cache. Raises ``NotFoundError`` for an unknown channel online,
        and the connection error offline when nothing is cached."""
        with self._lock:
            if channel_name in self._synced and channel_name in self._cache:
                return make_aggregate(copy.deepcopy(self._cache[channel_name]))
        queued = self.outbox.aggregate_items(channel_name)  # before the fetch: see pending_aggregate
        try:
            raw = self.cloud.fetch_aggregate(channel_name)
        except (APIConnectionError, ServerError):
            self._mark(False)
            with self._lock:
                if channel_name in self._cache:
                    return make_aggregate(copy.deepcopy(self._cache[channel_name]))
            raise
        self._mark(True)
        data = raw.get("data") if isinstance(raw.get("data"), dict) else {}
        with self._lock:
            self._remote[channel_name] = data
            self._cache[channel_name] = self.outbox.pending_aggregate(channel_name, data, queued)
            current = copy.deepcopy(self._cache[channel_name])
        return make_aggregate(current, raw.get("attachments"), raw.get("last_updated"))

    def fetch_message(self, channel_name: str, message_id: int) -> Any:
        """One message by id (from the cloud)."""
        return make_message(self.cloud.fetch_message(channel_name, int(message_id)), channel_name, self.agent_id)

    def list_messages(
        self,
        channel_name: str,
        before: Any = None,
        after: Any = None,
        limit: Optional[int] = None,
        field_names: Union[str, Sequence[str], None] = None,
    ) -> List[Any]:
        """Messages of a channel, newest first; ``before``/``after`` take a snowflake or datetime."""
        if isinstance(field_names, str):
            field_names = [f.strip() for f in field_names.split(",") if f.strip()]
        raw = self.cloud.list_messages(
            channel_name, to_snowflake_bound(before), to_snowflake_bound(after), limit, field_names or ()
        )
        return [make_message(m, channel_name, self.agent_id) for m in raw]

    def list_channels(self, include_aggregate: bool = False) -> List[Any]:
        """The agent's channels, each with ``name`` (and ``aggregate`` if asked)."""
        from types import SimpleNamespace

        out = []
        for raw in self.cloud.list_channels(include_aggregate):
            agg = raw.get("aggregate")
            out.append(SimpleNamespace(
                name=raw.get("name"),
                aggregate=make_aggregate(agg.get("data"), agg.get("attachments"), agg.get("last_updated"))
                if include_aggregate and isinstance(agg, dict) else None,
            ))
        return out

    def fetch_turn_token(self) -> Any:
        """TURN credentials for camera WebRTC (``POST /turn/token``), as returned."""
        return self.cloud.fetch_turn_token()

    # ------------------------------------------------------------------ subscriptions

    def add_event_callback(self, channel_name: str, callback: Callable, events: Any = EventType.ALL, **_ignored) -> None:
        """Call ``callback(event)`` for events on the channel (see ``doover.docker._events``).

        Callbacks may be ``def`` or ``async def``; they run when :meth:`dispatch_pending` is
        called. A ``ChannelSyncEvent`` is queued once, at the channel's first poll.
        """
        flt = event_filter(events)
        with self._lock:
            self._callbacks.setdefault(channel_name, []).append((callback, flt))
        self._ensure_poller()
        self._wake_poller.set()

    def add_subscription(self, channel_name: str, callback: Callable) -> None:
        """Legacy: ``callback(channel_name, aggregate_data)`` on sync and on every aggregate update."""

        def legacy(event: Any) -> Any:
            return callback(event.channel_name, event.aggregate.data)

        self.add_event_callback(channel_name, legacy, [EventType.CHANNEL_SYNC, EventType.AGGREGATE_UPDATE])

    subscribe_to_channel = add_subscription

    def is_channel_synced(self, channel_name: str) -> bool:
        """True once the channel's first poll finished (even if it failed)."""
        return channel_name in self._synced

    def wait_for_channels_sync(self, channel_names: Sequence[str], timeout: float = 5, inter_wait: float = 0.2) -> bool:
        """Wait until every channel has a callback and finished its first poll."""
        if isinstance(channel_names, str):
            channel_names = [channel_names]
        deadline = time.monotonic() + timeout
        while True:
            if all(c in self._callbacks and c in self._synced for c in channel_names):
                return True
            if time.monotonic() >= deadline:
                return False
            self._wake_poller.set()
            time.sleep(inter_wait)

    wait_for_channels_sync_async = wait_for_channels_sync

    def pending_events(self) -> int:
        """How many events wait for :meth:`dispatch_pending`."""
        return self._events.qsize()

    def dispatch_pending(self, limit: Optional[int] = None) -> int:
        """Run queued callbacks on this thread, in arrival order; returns how many ran.

        A callback that raises is logged and does not stop the others.
        """
        ran = 0
        while limit is None or ran < limit:
            try:
                callback, event = self._events.get_nowait()
            except queue.Empty:
                break
            try:
                call_hook(callback, event)
            except Exception:  # noqa: BLE001 - a user callback must not kill the loop
                log.exception("callback %r for %r failed", callback, event)
            ran += 1
        return ran

    def _queue_event(self, channel: str, event: Any) -> None:
        for callback, flt in list(self._callbacks.get(channel, [])):
            if event.event_type in flt:
                self._events.put((callback, event))

    def _ensure_poller(self) -> None:
        with self._lock:
            if self._poller is None or not self._poller.is_alive():
                self._stop.clear()
                self._poller = threading.Thread(target=self._poll_loop, name="doover-poller", daemon=True)
                self._poller.start()

    def _poll_loop(self) -> None:
        while not self._stop.is_set():
            for channel in list(self._callbacks):
                if self._stop.is_set():
                    break
                try:
                    self.poll_channel(channel)
                except Exception:  # noqa: BLE001 - keep polling
                    log.debug("poll of %r failed", channel, exc_info=True)
            self._wake_poller.wait(self.poll_interval)
            self._wake_poller.clear()

    def poll_channel(self, channel: str) -> None:
        """Poll one channel once: sync on the first call, then aggregate and new messages."""
        first = channel not in self._synced
        queued = self.outbox.aggregate_items(channel)  # before the fetch: see Outbox.pending_aggregate
        try:
            try:
                raw = self.cloud.fetch_aggregate(channel)
            except NotFoundError:
                raw = {"data": {}}
            self._mark(True)
        except (APIConnectionError, ServerError):
            self._mark(False)
            self._synced.add(channel)  # as the reference: synced even when the seed failed
            raise
        data = raw.get("data") if isinstance(raw.get("data"), dict) else {}
        with self._lock:
            previous = self._remote.get(channel)
            self._remote[channel] = data
            self._cache[channel] = self.outbox.pending_aggregate(channel, data, queued)
            agg = make_aggregate(copy.deepcopy(self._cache[channel]), raw.get("attachments"), raw.get("last_updated"))
        if first or channel not in self._cursors:
            newest = self.cloud.list_messages(channel, limit=1)
            self._cursors[channel] = int(newest[0]["id"]) if newest else generate_snowflake() - 1
            self._synced.add(channel)
            self._queue_event(channel, ChannelSyncEvent(channel, agg))
            return
        if previous is not None and previous != data:
            self._queue_event(channel, AggregateUpdateEvent(channel, agg, data))
        if not any(EventType.MESSAGE_CREATE in flt for _, flt in self._callbacks.get(channel, [])):
            return
        new = self.cloud.list_messages(channel, after=self._cursors[channel], limit=100)
        for raw_msg in sorted(new, key=lambda m: int(m["id"])):
            msg = make_message(raw_msg, channel, self.agent_id)
            self._cursors[channel] = max(self._cursors[channel] or 0, msg.id)
            self._queue_event(channel, MessageCreateEvent(channel, msg))

    # ------------------------------------------------------------------ the sender

    def _ensure_sender(self) -> None:
        with self._lock:
            if self._sender is None or not self._sender.is_alive():
                self._stop.clear()
                self._sender = threading.Thread(target=self._send_loop, name="doover-outbox", daemon=True)
                self._sender.start()

    def start(self) -> None:
        """Start the sender (items left in the outbox by an earlier process go out)."""
        self._ensure_sender()

    def _send_loop(self) -> None:
        backoff = 0.0
        while not self._stop.is_set():
            item = self.outbox.next_due()
            if item is None:
                wait = self.outbox.seconds_until_due()
                self.outbox.wait_changed(5.0 if wait is None else min(max(wait, 0.01), 5.0), self._stop)
                continue
            try:
                self._send(item)
            except Exception as exc:  # noqa: BLE001 - classified below
                self.outbox.release(item.seq)
                retry = isinstance(exc, (APIConnectionError, ServerError)) or (
                    isinstance(exc, HTTPError) and exc.status in _RETRY_STATUSES
                )
                if not retry:
                    log.error("outbox: %r rejected by the server, dropped: %s", item, exc)
                    self.outbox.ack(item.seq)
                    continue
                self._mark(False)
                backoff = min(self.max_backoff, max(0.1, backoff * 2 or 0.2))
                log.info("outbox: cloud unreachable (%s); retrying in %.1f s", exc, backoff)
                self._stop.wait(backoff)
                continue
            backoff = 0.0
            self._mark(True)
            self.outbox.ack(item.seq)
            self.sent += 1

    def _send(self, item: Any) -> None:
        if item.kind == MESSAGE:
            try:
                self.cloud.create_message(item.channel, item.message_id, item.body, item.ts_ms)
            except HTTPError as exc:
                if exc.status != 409:  # 409: already created by an earlier attempt
                    raise
        elif item.kind == MESSAGE_UPDATE:
            self.cloud.update_message(item.channel, item.message_id, item.body, item.replace_data)
        elif item.kind == AGGREGATE:
            self.cloud.update_aggregate(item.channel, item.body, item.replace_paths, item.replace_data)

    def outbox_depth(self) -> int:
        """Writes queued and not yet accepted by the cloud."""
        return self.outbox.depth()

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Send everything queued now (ignoring ``max_age_secs``); True if the outbox emptied."""
        self.outbox.flush_due()
        if self.outbox.depth():
            self._ensure_sender()
        return self.outbox.wait_empty(timeout)

    def close(self, flush_timeout: float = 0.0) -> None:
        """Stop the threads (after trying to flush for ``flush_timeout`` s) and close the outbox."""
        if flush_timeout:
            self.flush(flush_timeout)
        self._stop.set()
        self._wake_poller.set()
        self.outbox.wake()
        for thread in (self._sender, self._poller):
            if thread is not None and thread is not threading.current_thread():
                thread.join(5.0)
        self.outbox.close()

    # ------------------------------------------------------------------ legacy names

    def get_channel_aggregate(self, channel_name: str) -> Any:
        """Legacy: the aggregate's data dict."""
        return self.fetch_channel_aggregate(channel_name).data

    def publish_to_channel(self, channel_name: str, data: Any, record_log: bool = True, max_age: Any = None) -> None:
        """Legacy: a dict updates the aggregate (and, with ``record_log``, is also a message);
        a string becomes a message ``{"message": text}``."""
        if isinstance(data, str):
            self.create_message(channel_name, {"message": data})
            return
        self.update_channel_aggregate(channel_name, data, max_age_secs=max_age, return_aggregate=False)
        if record_log:
            self.create_message(channel_name, data)

    get_turn_token = fetch_turn_token
