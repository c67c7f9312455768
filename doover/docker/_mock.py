"""``MockDeviceAgentInterface``: an in-memory device agent for apps' own test suites."""

import asyncio
import copy
import functools
import threading
from types import SimpleNamespace
from typing import Any, Callable, Dict, List, Optional, Sequence

from .. import _hooks
from .._hooks import call_hook
from .._merge import apply_update
from .._snowflake import generate_snowflake
from ..exceptions import NotFoundError
from ._events import (
    AggregateUpdateEvent, ChannelSyncEvent, EventType, MessageCreateEvent, event_filter,
    make_aggregate, validate_payload,
)

__all__ = ["MockDeviceAgentInterface"]


class _Done:
    """An awaitable that is already resolved (no "never awaited" warning when dropped)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __await__(self) -> Any:
        if False:  # pragma: no cover - makes this a generator
            yield None
        return self.value


def _in_user_coroutine() -> bool:
    """True inside a running event loop that is not doover's own hook loop for this thread."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return False
    return loop is not getattr(_hooks._local, "loop", None)


def _awaitable_in_coroutines(method: Callable) -> Callable:
    """The call runs at once; called from a coroutine of the user's own (a test written for
    the platform SDK does ``await agent.update_channel_aggregate(...)``), its result comes
    back as an awaitable, as the SDK's async mock returns it."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = method(self, *args, **kwargs)
        return _Done(result) if _in_user_coroutine() else result

    return wrapper


class MockDeviceAgentInterface:
    """A device agent with no network, for tests.

    * every message is kept (:attr:`messages`, ``{channel: [message, ...]}`` oldest first)
      and ``create_message`` returns a real snowflake id;
    * aggregates are deep-merged (RFC 7396, ``replace_keys``, ``replace_data``) into
      :attr:`aggregates` (``{channel: data}``);
    * callbacks work: registering one queues a ``ChannelSyncEvent``; writes queue
      ``AggregateUpdateEvent``/``MessageCreateEvent``; :meth:`dispatch_pending` runs them
      (the ``Application`` calls it between loop iterations, as with the real interface);
    * :meth:`inject_message` and :meth:`inject_aggregate` simulate writes from elsewhere.

    It is always "online" and has an empty outbox.

    Called from plain code (and from doover's runtime) the methods return values. Called
    from a coroutine of your own (an ``async def`` test, as the platform SDK's tests are
    written), the I/O methods (``create_message``, ``update_channel_aggregate``,
    ``fetch_channel_aggregate``, ``list_messages``, ``wait_for_channels_sync``, ...) still run
    at once but return an awaitable of their result, so ``await agent.create_message(...)``
    works there. Errors are raised at the call either way.
    """

    def __init__(self, app_key: Optional[str] = None, agent_id: Any = 1) -> None:
        self.app_key = app_key
        self.agent_id = agent_id
        self.aggregates: Dict[str, Any] = {}
        self.messages: Dict[str, List[Any]] = {}
        self._callbacks: Dict[str, List] = {}
        self._events: List = []
        self._lock = threading.RLock()

    # state
    def get_is_dda_available(self) -> bool:
        """Always True."""
        return True

    get_is_dda_online = get_is_dda_available
    get_has_dda_been_online = get_is_dda_available

    def has_persistent_connection(self) -> bool:
        """Always False (as the HTTP interface)."""
        return False

    def health_check(self) -> bool:
        """Always True."""
        return True

    @_awaitable_in_coroutines
    def wait_until_healthy(self, timeout: float = 10, stop: Any = None) -> bool:
        """Always True, at once."""
        return True

    def start(self) -> None:
        """Nothing to start."""

    # writes
    @_awaitable_in_coroutines
    def create_message(self, channel_name: str, data: Any, files: Any = None, timestamp: Any = None) -> int:
        """Store a message; returns its new snowflake id."""
        validate_payload(data, "create_message data")
        ts_ms = int(timestamp.timestamp() * 1000) if timestamp is not None else None
        mid = generate_snowflake(ts_ms)
        msg = SimpleNamespace(id=mid, author_id=self.agent_id, data=copy.deepcopy(data), attachments=[],
                              channel=SimpleNamespace(agent_id=self.agent_id, name=channel_name))
        with self._lock:
            self.messages.setdefault(channel_name, []).append(msg)
        self._queue(channel_name, MessageCreateEvent(channel_name, msg))
        return mid

    @_awaitable_in_coroutines
    def update_message(self, channel_name: str, message_id: int, data: Any, files: Any = None,
                       replace_data: bool = False, clear_attachments: bool = False) -> Any:
        """Merge-patch (or replace) a stored message's data; ``NotFoundError`` if unknown."""
        validate_payload(data, "update_message data")
        msg = self.fetch_message(channel_name, message_id)
        msg.data = apply_update(msg.data, data, (), replace_data)
        return msg

    @_awaitable_in_coroutines
    def update_channel_aggregate(self, channel_name: str, data: Any, files: Any = None,
                                 clear_attachments: bool = False, replace_data: bool = False,
                                 max_age_secs: Any = None, return_aggregate: bool = True,
                                 replace_keys: Optional[Sequence[str]] = None) -> Any:
        """Deep-merge ``data`` into the channel's aggregate."""
        validate_payload(data, "update_channel_aggregate data")
        with self._lock:
            new = apply_update(self.aggregates.get(channel_name, {}), data, list(replace_keys or []), replace_data)
            self.aggregates[channel_name] = new
        self._queue(channel_name, AggregateUpdateEvent(channel_name, make_aggregate(copy.deepcopy(new)), data))
        return make_aggregate(copy.deepcopy(new)) if return_aggregate else None

    @_awaitable_in_coroutines
    def send_oneshot_message(self, channel_name: str, data: Any, timestamp: Any = None) -> bool:
        """Stored like a message; True."""
        self.create_message(channel_name, data)
        return True

    inject_message = create_message
    inject_aggregate = update_channel_aggregate

    # reads
    @_awaitable_in_coroutines
    def fetch_channel_aggregate(self, channel_name: str) -> Any:
        """A copy of the stored aggregate; ``NotFoundError`` if the channel has none."""
        with self._lock:
            if channel_name not in self.aggregates:
                raise NotFoundError(404, channel_name, "GET", "no aggregate for channel {!r}".format(channel_name))
            return make_aggregate(copy.deepcopy(self.aggregates[channel_name]))

    @_awaitable_in_coroutines
    def get_channel_aggregate(self, channel_name: str) -> Any:
        """Legacy: the aggregate's data."""
        return self.fetch_channel_aggregate(channel_name).data

    @_awaitable_in_coroutines
    def fetch_message(self, channel_name: str, message_id: int) -> Any:
        """A stored message; ``NotFoundError`` if unknown."""
        for msg in self.messages.get(channel_name, []):
            if msg.id == int(message_id):
                return msg
        raise NotFoundError(404, channel_name, "GET", "no message {} on {!r}".format(message_id, channel_name))

    @_awaitable_in_coroutines
    def list_messages(self, channel_name: str, before: Any = None, after: Any = None,
                      limit: Optional[int] = None, field_names: Any = None) -> List[Any]:
        """Stored messages, newest first, filtered by id bounds."""
        from .._snowflake import to_snowflake_bound

        lo, hi = to_snowflake_bound(after), to_snowflake_bound(before)
        out = [m for m in reversed(self.messages.get(channel_name, []))
               if (lo is None or m.id > lo) and (hi is None or m.id < hi)]
        return out[:limit] if limit else out

    @_awaitable_in_coroutines
    def list_channels(self, include_aggregate: bool = False) -> List[Any]:
        """Every channel with a message or an aggregate."""
        names = sorted(set(self.messages) | set(self.aggregates))
        return [SimpleNamespace(name=n, aggregate=make_aggregate(copy.deepcopy(self.aggregates.get(n, {})))
                                if include_aggregate else None) for n in names]

    # subscriptions
    def add_event_callback(self, channel_name: str, callback: Callable, events: Any = EventType.ALL, **_ignored) -> None:
        """Register ``callback(event)``; queues a ``ChannelSyncEvent`` for it."""
        flt = event_filter(events)
        self._callbacks.setdefault(channel_name, []).append((callback, flt))
        if EventType.CHANNEL_SYNC in flt:
            agg = make_aggregate(copy.deepcopy(self.aggregates.get(channel_name, {})))
            self._events.append((callback, ChannelSyncEvent(channel_name, agg)))

    def add_subscription(self, channel_name: str, callback: Callable) -> None:
        """Legacy ``callback(channel_name, aggregate_data)``."""
        self.add_event_callback(channel_name, lambda e: callback(e.channel_name, e.aggregate.data),
                                [EventType.CHANNEL_SYNC, EventType.AGGREGATE_UPDATE])

    subscribe_to_channel = add_subscription

    def is_channel_synced(self, channel_name: str) -> bool:
        """True once a callback is registered."""
        return channel_name in self._callbacks

    @_awaitable_in_coroutines
    def wait_for_channels_sync(self, channel_names: Sequence[str], timeout: float = 5, inter_wait: float = 0.2) -> bool:
        """True if every channel has a callback."""
        names = [channel_names] if isinstance(channel_names, str) else channel_names
        return all(n in self._callbacks for n in names)

    wait_for_channels_sync_async = wait_for_channels_sync

    def _queue(self, channel: str, event: Any) -> None:
        for callback, flt in list(self._callbacks.get(channel, [])):
            if event.event_type in flt:
                self._events.append((callback, event))

    def pending_events(self) -> int:
        """Events waiting for :meth:`dispatch_pending`."""
        return len(self._events)

    def dispatch_pending(self, limit: Optional[int] = None) -> int:
        """Run queued callbacks in order; returns how many ran."""
        ran = 0
        while self._events and (limit is None or ran < limit):
            callback, event = self._events.pop(0)
            call_hook(callback, event)
            ran += 1
        return ran

    # outbox-shaped API
    def outbox_depth(self) -> int:
        """Always 0."""
        return 0

    @_awaitable_in_coroutines
    def flush(self, timeout: Optional[float] = None) -> bool:
        """Always True."""
        return True

    def close(self, flush_timeout: float = 0.0) -> None:
        """Nothing to close."""
