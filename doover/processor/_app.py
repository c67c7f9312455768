"""``Application``: the base class of a cloud processor.

Subclass it and override the hooks you need; each may be ``def`` or ``async def``. In an
app with any ``async def`` hook, ``self.api`` methods and ``set_tag`` are awaitable; a sync
app never touches asyncio. Everything an invocation learns (identity, config, tags,
invoking channel, organisation, connection data) is reset at the start of the next one, so
one module-level instance may serve any number of warm invocations.
"""

import datetime
import functools
import logging
from typing import Any, Optional

from .._done import Done, maybe_awaitable
from ..exceptions import DooverError

__all__ = ["Application", "HOOK_NAMES"]

log = logging.getLogger("doover.processor")

HOOK_NAMES = (
    "setup", "close", "pre_hook_filter", "post_setup_filter", "on_message_create",
    "on_aggregate_update", "on_schedule", "on_deployment", "on_ingestion_endpoint",
    "on_manual_invoke", "on_alarm_trigger",
)

_PER_INVOCATION = (
    "agent_id", "app_key", "app_id", "display_name", "organisation_id", "subscription_id",
    "schedule_id", "ingestion_id", "event_type", "lambda_request_id", "lambda_function_name",
    "lambda_function_version", "_config", "received_deployment_config", "proc_config", "tags",
    "tag_manager", "ui", "connection_config", "connection_status", "_payload", "_client",
    "ui_cmds", "notifications",
)


def is_coroutine_function(fn: Any) -> bool:
    """True for ``async def`` functions and methods, checked without importing asyncio/inspect.

    (``doover._hooks`` has the general check; the processor keeps its cold start free of
    asyncio for sync apps.)
    """
    for _ in range(10):
        code = getattr(getattr(fn, "__func__", fn), "__code__", None)
        if code is not None and code.co_flags & 0x80:  # CO_COROUTINE
            return True
        if not hasattr(fn, "__wrapped__"):
            return False
        fn = fn.__wrapped__
    return False


def call_hook(fn: Any, *args: Any) -> Any:
    """Call a user hook; drive a returned awaitable on ``doover._hooks``' per-thread hook loop."""
    result = fn(*args)
    if isinstance(result, Done):  # a base hook's already-complete result
        return result.result
    if hasattr(result, "__await__"):
        from .._hooks import run_awaitable

        return run_awaitable(result)
    return result


class _AsyncFace:
    """Awaitable view of a blocking client: each method runs in the loop's thread pool."""

    def __init__(self, target: Any) -> None:
        self._target = target

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target, name)
        if not callable(attr):
            return attr

        async def call(*args: Any, **kwargs: Any) -> Any:
            import asyncio
            import contextvars

            ctx = contextvars.copy_context()
            loop = asyncio.get_event_loop()
            return await loop.run_in_executor(
                None, functools.partial(ctx.run, attr, *args, **kwargs)
            )

        call.__name__ = name
        call.__doc__ = attr.__doc__
        return call


class _Callable:
    def __init__(self, fn: Any) -> None:
        self.call = fn


class _DefaultNotificationsCls:
    """``Application.notifications_cls`` until a subclass sets its own: reads as
    :class:`doover.notifications.Notifications`, imported on first read (not at cold start)."""

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        from ..notifications import Notifications

        return Notifications


class Application:
    """A cloud processor. Override hooks; ``run_app(app, event, context)`` drives one invocation.

    Class attributes: ``config_cls`` (a schema class, instantiated per invocation),
    ``tags_cls`` and ``ui_cls`` (built per invocation as ``cls(app_key, tag_manager, config)``
    and ``cls(config, tags, app_key)``), ``notifications_cls`` (a
    :class:`~doover.notifications.Notifications` subclass, built per invocation at setup as
    ``self.notifications = cls(app_key, app)``; None before setup), ``raise_on_error``
    (re-raise a failure after the summary is published, so Lambda's own retry applies).
    """

    config_cls: Any = None
    tags_cls: Any = None
    ui_cls: Any = None
    notifications_cls: Any = _DefaultNotificationsCls()
    raise_on_error = False

    def __init__(self) -> None:
        self._proc_config: Any = None
        self._http_session: Any = None
        self._record_tag_update = True
        #: objects with ``handle_event(event, client)`` (UI commands, RPC); run on message-create
        self.ui_manager: Any = None
        self.rpc: Any = None
        self._reset_invocation()

    # ------------------------------------------------------------------ state

    def _reset_invocation(self) -> None:
        for name in _PER_INVOCATION:
            setattr(self, name, None)

    @property
    def config(self) -> Any:
        """This invocation's config: a ``config_cls`` instance loaded from the deployment config.

        Loaded after the token upgrade. Before that (in ``pre_hook_filter``) it is an
        instance of ``config_cls`` that nothing was loaded into (defaults only), built on
        first access, as with the platform's SDK; without a ``config_cls`` it is None until
        setup, then a read-only view of the deployment config.
        """
        value = self._config
        if value is None and self.config_cls is not None:
            value = self._config = self.config_cls()
        return value

    @config.setter
    def config(self, value: Any) -> None:
        self._config = value

    @property
    def proc_config(self) -> Any:
        """This invocation's :class:`~doover.processor.config.ProcessorConfig` (``dv_proc_config``).

        Loaded after the token upgrade; before that (in ``pre_hook_filter``) and between
        invocations it holds the defaults, as with the platform's SDK, built on first access
        (so a cold start that never reads it does not load the config machinery).
        """
        value = self._proc_config
        if value is None:
            from .config import ProcessorConfig

            value = self._proc_config = ProcessorConfig.from_deployment(None)
        return value

    @proc_config.setter
    def proc_config(self, value: Any) -> None:
        self._proc_config = value

    @property
    def is_async(self) -> bool:
        """True when any hook is ``async def``."""
        return any(is_coroutine_function(getattr(self, name, None)) for name in HOOK_NAMES)

    @property
    def api(self) -> Any:
        """The :class:`ProcessorDataClient` of this invocation (awaitable face in async apps)."""
        client = self._client
        if client is None:
            raise DooverError("api: the Data API client exists only during an invocation")
        return _AsyncFace(client) if self.is_async else client

    # ------------------------------------------------------------------ hooks

    def setup(self) -> Any:
        """Called after framework setup and before ``post_setup_filter``."""
        return maybe_awaitable(None)

    def close(self) -> Any:
        """Called at the end of a completed invocation, after the tag commit."""
        return maybe_awaitable(None)

    def pre_hook_filter(self, event: Any) -> bool:
        """Return falsy to skip ``event`` before any network call (no config or tags yet)."""
        return maybe_awaitable(True)

    def post_setup_filter(self, event: Any) -> bool:
        """Return falsy to skip ``event`` after setup (config, tags and api are ready)."""
        return maybe_awaitable(True)

    def on_message_create(self, event: Any) -> Any:
        """A message landed on a subscribed channel."""
        return maybe_awaitable(None)

    def on_aggregate_update(self, event: Any) -> Any:
        """A subscribed channel's aggregate changed."""
        return maybe_awaitable(None)

    def on_schedule(self, event: Any) -> Any:
        """A schedule fired."""
        return maybe_awaitable(None)

    def on_deployment(self, event: Any) -> Any:
        """The app was deployed."""
        return maybe_awaitable(None)

    def on_ingestion_endpoint(self, event: Any) -> Any:
        """An HTTP request hit the ingestion endpoint; ``event.payload`` is parsed."""
        return maybe_awaitable(None)

    def on_manual_invoke(self, event: Any) -> Any:
        """The processor was invoked by hand."""
        return maybe_awaitable(None)

    def on_alarm_trigger(self, event: Any) -> Any:
        """An alarm on a subscribed channel changed state (any transition, ``AlarmPending``
        and ``NoData`` included); writes to the alarm's channel follow the anti-recursion rules."""
        return maybe_awaitable(None)

    def parse_ingestion_event_payload(self, payload: str) -> Any:
        """Turn the base64 ingestion body into ``event.payload`` (default: base64 then JSON)."""
        from ._events import default_ingestion_parser

        return default_ingestion_parser(payload)

    # ------------------------------------------------------------------ tags

    def _store(self) -> Any:
        if self.tag_manager is None:
            raise DooverError("tags: the tag manager exists only after setup (not in pre_hook_filter)")
        return self.tag_manager

    def get_tag(self, key: str, default: Any = None, app_key: Optional[str] = None) -> Any:
        """Tag ``key`` of this app (or of ``app_key``), or ``default``."""
        return self._store().get_tag(key, default, app_key=app_key)

    def set_tag(self, key: str, value: Any, app_key: Optional[str] = None, log: bool = False) -> Any:
        """Buffer a tag write, committed at the end of the invocation (``None`` deletes).

        Returns an already-complete awaitable: ``await`` it in an async app or ignore it.
        """
        return self._store().set_tag(key, value, app_key, log=log)

    # ------------------------------------------------------------------ helpers

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        client = self._client
        if client is None:
            raise DooverError("{}: available only during an invocation".format(method))
        if self.is_async:
            return getattr(_AsyncFace(client), method)(*args, **kwargs)
        return getattr(client, method)(*args, **kwargs)

    def _blocking(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        # run a blocking helper directly (sync app) or as an awaitable in the thread pool
        if self.is_async:
            return _AsyncFace(_Callable(fn)).call(*args, **kwargs)
        return fn(*args, **kwargs)

    def fetch_channel(self, channel_name: str, agent_id: Optional[int] = None) -> Any:
        """The channel (with its aggregate) of this agent or ``agent_id``."""
        return self._call("fetch_channel", channel_name, agent_id=agent_id)

    def publish(self, channel_name: str, data: Any, **kwargs: Any) -> Any:
        """Create a message on ``channel_name`` (anti-recursion rules apply)."""
        return self._call("create_message", channel_name, data, **kwargs)

    def send_notification(
        self, message: Any, *, title: Optional[str] = None, severity: Any = None,
        topic: Optional[str] = None, event: Optional[str] = None,
        notification_policy: Any = "default", agent_id: Optional[int] = None,
    ) -> Any:
        """Post a notification to the ``notifications`` channel (validated before sending).

        ``message`` is the text, or a :class:`doover.models.Notification` (which carries its
        own title, severity and topic). ``event`` (not with ``topic``) sends on the canonical
        topic ``dev/applications/<notification_policy>/<app_key>/<event>``; declaring the
        notification on :attr:`notifications_cls` is usually better. Returns the created
        message (an awaitable of it in an async app).
        """
        from ..notifications._send import model_body, plain_body, resolve_topic

        body = model_body(message, title=title, severity=severity, topic=topic, event=event)
        if body is None:
            body = plain_body(message, title, severity, resolve_topic(self.app_key, topic, event, notification_policy))
        return self._call("create_message", "notifications", body, agent_id=agent_id)

    def ping_connection(
        self, online_at: Optional[datetime.datetime] = None,
        connection_status: str = "PeriodicUnknown",
        offline_at: Optional[datetime.datetime] = None,
    ) -> Any:
        """Report this agent online at ``online_at`` (default now), deciding Online/Offline.

        The threshold is ``offline_at - online_at`` when given, else the connection config's
        ``offline_after`` (3600 s when absent or null).
        """
        return self._blocking(self._ping_connection, online_at, connection_status, offline_at)

    def _ping_connection(self, online_at: Any, connection_status: str, offline_at: Any) -> Any:
        client = self._client
        if client is None:
            raise DooverError("ping_connection: available only during an invocation")
        now = datetime.datetime.now(datetime.timezone.utc)
        online_at = online_at or now
        config = self.connection_config if isinstance(self.connection_config, dict) else {}
        if offline_at is not None:
            offline_after = int((offline_at - online_at).total_seconds())
        else:
            stored = config.get("offline_after")
            offline_after = 3600 if stored is None else stored
        determination = "Offline" if (now - online_at).total_seconds() > offline_after else "Online"
        if offline_at is not None and config and config.get("offline_after") != offline_after:
            config = dict(config, offline_after=offline_after)
            self.connection_config = config
            client.update_connection_config(config)
        return client.ping_connection_at( online_at, connection_status, determination,
            user_agent="doover-processor,app_key={}".format(self.app_key),
        )


