"""``Application``: the edge app's lifecycle as a plain ``while`` loop.

Order (the product page's): wait for the cloud (at most ``dda_startup_timeout`` s, then go
on), load the config (the ``deployment_config`` aggregate or ``config_fp``; cached in the
outbox file so a reboot offline still starts), ``setup()``, ready, the loop, shutdown.

The loop runs ``main_loop()`` every ``loop_target_period`` s (``time.monotonic()``; waits on
an event, never a bare sleep), commits tag changes after each iteration, runs queued
subscription callbacks between iterations, logs an exception with its traceback and
retries after ``error_wait_period`` (10 s) while ``/health`` reports unhealthy.

Shutdown starts on SIGTERM/SIGINT (see ``run_app``), on :meth:`Application.request_stop`,
or when the global ``shutdown_at`` tag (epoch seconds) has passed. ``check_can_shutdown()``
returning False defers it (it is asked again every iteration). Then ``on_shutdown_at(dt)``,
a final tag commit, a final UI log entry if ``force_log_on_shutdown``, the outbox flush
(at most ``shutdown_flush_timeout`` s) and ``close()``.
"""

import asyncio
import contextvars
import datetime as _dt
import logging
import queue
import threading
import time
from typing import Any, Dict, Optional

from .._done import maybe_awaitable
from .._hooks import call_hook, close_hook_loop, loop_running, uses_async
from ..exceptions import DooverError
from ..notifications import Notifications
from ._tagstore import TagStore

__all__ = ["Application"]

log = logging.getLogger("doover.docker.app")

_ASYNC_HOOKS = ("setup", "main_loop", "check_can_shutdown", "on_shutdown_at", "close")


class Application:
    """Subclass this and override ``setup()`` and ``main_loop()`` (``def`` or ``async def``).

    Tunables (instance attributes, set them in ``__init__`` or ``setup``):
    ``loop_target_period`` (1 s; ``None``/0: no wait), ``dda_startup_timeout`` (300 s),
    ``error_wait_period`` (10 s), ``force_log_on_shutdown`` (False),
    ``tag_upload_period`` (10 s: how long committed tag changes may wait in the outbox,
    merging, before they are uploaded), ``shutdown_flush_timeout`` (10 s),
    ``overrun_warning_interval`` (6 s).

    ``notifications_cls`` (a :class:`~doover.notifications.Notifications` subclass) is built
    in ``__init__`` as ``self.notifications = cls(app_key, app)``.
    """

    config_cls: Any = None
    tags_cls: Any = None
    ui_cls: Any = None
    notifications_cls: Any = Notifications

    def __init__(
        self,
        app_key: Optional[str] = None,
        device_agent: Any = None,
        platform_iface: Any = None,
        modbus_iface: Any = None,
        name: Optional[str] = None,
        test_mode: bool = False,
        config_fp: Optional[str] = None,
        healthcheck_port: Optional[int] = None,
    ) -> None:
        if device_agent is None:
            from ._mock import MockDeviceAgentInterface

            device_agent = MockDeviceAgentInterface(app_key)
        self.app_key = app_key
        self._agent = device_agent
        self._platform_iface = platform_iface
        self._modbus_iface = modbus_iface
        self.name = name or type(self).__name__
        self.test_mode = test_mode
        self.config_fp = config_fp
        self.healthcheck_port = healthcheck_port
        self.app_display_name = ""
        self._raw_config: Optional[Dict[str, Any]] = None
        self.is_async = uses_async(self, _ASYNC_HOOKS)
        self.loop_target_period: Optional[float] = 1
        self.dda_startup_timeout: float = 300
        self.error_wait_period: float = 10
        self.force_log_on_shutdown = False
        self.tag_upload_period: float = 10
        self.shutdown_flush_timeout: float = 10
        self.overrun_warning_interval: float = 6
        self.clock = time.monotonic
        self.wall_clock = time.time
        self.stop_event: Any = threading.Event()
        self.tag_store = TagStore(device_agent, app_key)
        self.config = self.config_cls() if self.config_cls is not None else {}
        if self.tags_cls is not None:
            tags_cls = self.tags_cls
        else:
            from ..tags import Tags as tags_cls
        self.tags = tags_cls(app_key, self.tag_store.manager, self.config)
        #: the declared notifications (``notifications_cls``), sent on their canonical topics
        self.notifications: Any = (
            self.notifications_cls(app_key, self) if self.notifications_cls is not None else None
        )
        #: the app's UI (built after ``tags.setup()`` when ``ui_cls`` or ``@ui.handler`` methods exist)
        self.ui: Any = None
        #: the :class:`doover.ui.UIManager` serving ``ui_cmds`` (None without a UI)
        self.ui_manager: Any = None
        #: the :class:`doover.rpc.RPCManager` serving ``@rpc.handler`` methods (None without any)
        self.rpc: Any = None
        self._deliveries: Any = queue.Queue()
        self._ready = threading.Event()
        self._done = threading.Event()
        self._shutdown_signal = False
        self._shutdown_at: Optional[float] = None
        self._deferred_logged = False
        self._next_go = threading.Event()
        self._next_done = threading.Event()
        self._started_at = time.monotonic()
        self.iterations = 0
        self.failures = 0
        self.failing = False
        self.last_loop_duration = 0.0
        self.last_tick: Optional[float] = None
        self._last_commit: Optional[float] = None
        self._overrun_since: Optional[float] = None
        self._overrun_logged: Optional[float] = None
        self._health: Any = None
        self.exit_code = 0

    @property
    def device_agent(self) -> Any:
        """The device agent; for an app with ``async def`` hooks, its awaitable face."""
        if self.is_async:
            from ._asyncface import AsyncFace

            return AsyncFace(self._agent)
        return self._agent

    @device_agent.setter
    def device_agent(self, value: Any) -> None:
        self._agent = value
        self.tag_store.device_agent = value

    def _face(self, target: Any, sync_names: Any) -> Any:
        if target is None or not self.is_async:
            return target
        from ._asyncface import AsyncFace

        return AsyncFace(target, sync_names)

    @property
    def platform_iface(self) -> Any:
        """The platform I/O interface; for an app with ``async def`` hooks, its awaitable face."""
        from ._asyncface import PLATFORM_SYNC_NAMES

        return self._face(self._platform_iface, PLATFORM_SYNC_NAMES)

    @platform_iface.setter
    def platform_iface(self, value: Any) -> None:
        self._platform_iface = value

    @property
    def modbus_iface(self) -> Any:
        """The Modbus interface; for an app with ``async def`` hooks, its awaitable face."""
        from ._asyncface import MODBUS_SYNC_NAMES

        return self._face(self._modbus_iface, MODBUS_SYNC_NAMES)

    @modbus_iface.setter
    def modbus_iface(self, value: Any) -> None:
        self._modbus_iface = value

    @property
    def health_port(self) -> Optional[int]:
        """The port the health server is bound to (useful with ``healthcheck_port=0``)."""
        return self._health[0].server_address[1] if self._health is not None else None

    # ------------------------------------------------------------------ hooks (override)

    def setup(self) -> Any:
        """One-time initialisation, after the config is loaded."""
        return maybe_awaitable(None)

    def main_loop(self) -> Any:
        """One iteration of the app's work; called every ``loop_target_period`` seconds."""
        return maybe_awaitable(None)

    def check_can_shutdown(self) -> Any:
        """Return False to defer a requested shutdown (asked again next iteration)."""
        return maybe_awaitable(True)

    def on_shutdown_at(self, dt: _dt.datetime) -> Any:
        """Called once when shutting down; ``dt`` is the shutdown time (UTC)."""
        return maybe_awaitable(None)

    def close(self) -> Any:
        """Release resources; the last hook called."""
        return maybe_awaitable(None)

    def on_message_create(self, event: Any) -> Any:
        """A message on a channel passed to :meth:`subscribe`."""
        return maybe_awaitable(None)

    def on_message_update(self, event: Any) -> Any:
        """Not delivered over HTTP polling (kept for compatibility)."""
        return maybe_awaitable(None)

    def on_oneshot_message(self, event: Any) -> Any:
        """Not delivered over HTTP polling (kept for compatibility)."""
        return maybe_awaitable(None)

    def on_aggregate_update(self, event: Any) -> Any:
        """The aggregate of a channel passed to :meth:`subscribe` changed."""
        return maybe_awaitable(None)

    def on_channel_sync(self, event: Any) -> Any:
        """The first state of a channel passed to :meth:`subscribe`."""
        return maybe_awaitable(None)

    def subscribe(self, channel_name: str, events: Any = "all") -> None:
        """Deliver the channel's events to the ``on_*`` hooks, between loop iterations."""
        self._agent.add_event_callback(channel_name, self._route_event, events)

    def deliver_on_loop(self, callback: Any, *args: Any) -> None:
        """Queue ``callback(*args)`` (``def`` or ``async def``) to run on the loop thread,
        before the next iteration; safe from any thread. ``run_app`` gives this to the
        ``PlatformInterface`` and ``ModbusInterface`` it builds as their delivery function."""
        self._deliveries.put((callback, args))

    def _run_deliveries(self) -> int:
        ran = 0
        while True:
            try:
                callback, args = self._deliveries.get_nowait()
            except queue.Empty:
                return ran
            try:
                call_hook(callback, *args)
            except Exception:  # noqa: BLE001 - a user callback must not kill the loop
                log.exception("%s: callback %r failed", self.name, callback)
            ran += 1

    def _channel_event(self, event: Any) -> Any:
        from ._uiwire import dispatch_channel_event

        return dispatch_channel_event(self, event)

    def _route_event(self, event: Any) -> Any:
        hook = getattr(self, "on_" + event.event_type, None)
        return hook(event) if hook is not None else None

    def send_notification(self, message: Any, title: Optional[str] = None, severity: Any = None,
                          topic: Optional[str] = None, *, event: Optional[str] = None,
                          notification_policy: Any = "default") -> Any:
        """Publish a notification on channel ``notifications``; returns the message id.

        ``message``: the text, or a :class:`doover.models.Notification` (which carries its own
        title, severity and topic). ``severity``: an int, or a name (trace, debug, info,
        warn/warning, critical/error/fatal). ``event`` (not with ``topic``) sends on the
        canonical topic ``dev/applications/<notification_policy>/<app_key>/<event>``.
        """
        from ..notifications._send import model_body, plain_body, resolve_topic

        body = model_body(message, title=title, severity=severity, topic=topic, event=event)
        if body is None:
            body = plain_body(message, title, severity, resolve_topic(self.app_key, topic, event, notification_policy))
        return self.device_agent.create_message("notifications", body)

    # ------------------------------------------------------------------ readiness

    @property
    def is_ready(self) -> bool:
        """True after ``setup()`` succeeded, until shutdown."""
        return self._ready.is_set()

    def wait_until_ready(self, timeout: Optional[float] = None) -> Any:
        """Block until ready (returns bool); inside a running event loop, returns an awaitable."""
        if loop_running():
            return _in_thread(self._ready.wait, timeout)
        return self._ready.wait(timeout)

    def next(self, timeout: Optional[float] = 30) -> Any:
        """Test mode: run exactly one iteration plus its tag commit, and wait for it.

        Blocking when called from plain code, awaitable inside a running event loop.
        """
        if not self.test_mode:
            raise DooverError("Application.next() is only available with test_mode=True")
        self._next_done.clear()
        self._next_go.set()
        if loop_running():
            return _in_thread(self._next_done.wait, timeout)
        return self._next_done.wait(timeout)

    # ------------------------------------------------------------------ device agent wrappers

    def create_message(self, channel_name: str, data: Any, **kwargs: Any) -> int:
        """``device_agent.create_message``."""
        return self.device_agent.create_message(channel_name, data, **kwargs)

    def update_channel_aggregate(self, channel_name: str, data: Any, **kwargs: Any) -> Any:
        """``device_agent.update_channel_aggregate``."""
        return self.device_agent.update_channel_aggregate(channel_name, data, **kwargs)

    def fetch_channel_aggregate(self, channel_name: str) -> Any:
        """``device_agent.fetch_channel_aggregate``."""
        return self.device_agent.fetch_channel_aggregate(channel_name)

    def get_is_dda_online(self) -> bool:
        """Whether the cloud answered the last call."""
        return self.device_agent.get_is_dda_online()

    def get_is_dda_available(self) -> bool:
        """Whether the cloud answered the last call."""
        return self.device_agent.get_is_dda_available()

    def get_has_dda_been_online(self) -> bool:
        """Whether the cloud ever answered."""
        return self.device_agent.get_has_dda_been_online()

    # ------------------------------------------------------------------ tags

    def get_tag(self, key: str, app_key: Optional[str] = None, default: Any = None) -> Any:
        """An app tag (this app's by default)."""
        return self.tag_store.get(key, app_key, default)

    def set_tag(self, key: str, value: Any, app_key: Optional[str] = None, only_if_changed: bool = True,
                log: bool = False) -> Any:
        """Buffer an app tag write; committed after the iteration. Awaitable or not."""
        return self.tag_store.set(key, value, app_key, only_if_changed, log=log)

    def get_global_tag(self, key: str, default: Any = None) -> Any:
        """A top-level tag of ``tag_values``."""
        return self.tag_store.get(key, default=default, global_tag=True)

    def set_global_tag(self, key: str, value: Any, only_if_changed: bool = True, log: bool = False) -> Any:
        """Buffer a top-level tag write."""
        return self.tag_store.set(key, value, only_if_changed=only_if_changed, global_tag=True, log=log)

    def subscribe_to_tag(self, key: str, callback: Any, app_key: Optional[str] = None, global_tag: bool = False) -> None:
        """``callback(key, value)`` when the tag changes in the cloud; one callback per tag."""
        self.tag_store.subscribe(key, callback, app_key, global_tag)

    def request_shutdown(self) -> Any:
        """Set the global ``shutdown_requested`` tag (ask every app on the device)."""
        return self.set_global_tag("shutdown_requested", True)

    def request_stop(self) -> None:
        """Start this app's shutdown sequence (what SIGTERM/SIGINT do); safe from any thread."""
        self._shutdown_signal = True
        self.stop_event.set()

    # ------------------------------------------------------------------ health

    def health_status(self) -> Dict[str, Any]:
        """The health body: ``healthy``, ``ready``, uptime, iterations, last loop duration, ..."""
        period = self.loop_target_period or 1
        fresh = self.last_tick is not None and time.monotonic() - self.last_tick < max(3 * period, 3.0)
        try:
            depth = self._agent.outbox_depth()
        except Exception:  # noqa: BLE001 - closed outbox
            depth = None
        return {
            "healthy": bool(self.is_ready and fresh and not self.failing),
            "ready": self.is_ready,
            "uptime": round(time.monotonic() - self._started_at, 3),
            "iterations": self.iterations,
            "failures": self.failures,
            "last_loop_duration": round(self.last_loop_duration, 6),
            "outbox_depth": depth,
            "cloud_reachable": bool(self._agent.get_is_dda_online()),
        }

    # ------------------------------------------------------------------ running

    async def __aenter__(self) -> "Application":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self.request_stop()
        self._next_go.set()
        await _in_thread(self._done.wait, 30)

    async def _run(self) -> int:
        """The whole lifecycle on a worker thread (for ``async with app: await app._run()``).

        Cancelling the awaiting task (``task.cancel()``, as the platform SDK's tests do) stops
        the app as :meth:`request_stop` does and waits (at most 30 s) for its shutdown before
        the cancellation propagates, so no app thread outlives the test's event loop.
        """
        future = _in_thread(self.run)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            self.request_stop()
            self._next_go.set()
            try:
                await asyncio.wait_for(asyncio.shield(future), 30)
            except asyncio.TimeoutError:
                log.warning("%s: still shutting down 30 s after _run() was cancelled", self.name)
            except Exception:  # noqa: BLE001 - run() logged its own failure; we are cancelling anyway
                pass
            raise

    def run(self) -> int:
        """The whole lifecycle, blocking; returns the exit code (0 after a clean shutdown)."""
        from ._lifecycle import run_lifecycle

        try:
            self.exit_code = run_lifecycle(self)
            return self.exit_code
        finally:
            self._ready.clear()
            self._done.set()
            self._next_done.set()
            close_hook_loop()

    def _call(self, fn: Any, *args: Any) -> Any:
        return call_hook(fn, *args)

    def _inject_config(self, cfg: Dict[str, Any]) -> None:
        self._raw_config = cfg
        agent_id = cfg.get("AGENT_ID")
        if agent_id is not None and getattr(self._agent, "agent_id", None) in (None, ""):
            self._agent.agent_id = agent_id
        self.app_display_name = cfg.get("APP_DISPLAY_NAME", "") or ""
        if hasattr(self.config, "_inject_deployment_config"):
            self.config._inject_deployment_config(cfg)
        elif isinstance(self.config, dict):
            self.config.clear()
            self.config.update(cfg)

    def _config_event(self, event: Any) -> None:
        data = event.aggregate.data if isinstance(event.aggregate.data, dict) else {}
        cfg = (data.get("applications") or {}).get(self.app_key)
        if cfg is None or cfg == self._raw_config:
            return
        log.info("%s: deployment config changed; re-loading it", self.name)
        previous = self._raw_config
        try:
            self._inject_config(cfg)
        except DooverError as exc:
            log.error("%s: the new deployment config is invalid, keeping the old one: %s", self.name, exc)
            if previous is not None:
                self._inject_config(previous)
            return
        outbox = getattr(self._agent, "outbox", None)
        if outbox is not None:
            outbox.cache_put("deployment_config/{}".format(self.app_key), cfg)

    def _tag_event(self, event: Any) -> None:
        self.tag_store.on_event(event)
        value = self.get_global_tag("shutdown_at")
        if value is not None:
            self._note_shutdown_at(value)

    def _note_shutdown_at(self, value: Any) -> None:
        try:
            self._shutdown_at = float(value)
        except (TypeError, ValueError):
            log.warning("ignoring shutdown_at %r: expected epoch seconds", value)


def _in_thread(fn: Any, *args: Any) -> Any:
    loop = asyncio.get_event_loop()
    ctx = contextvars.copy_context()
    return loop.run_in_executor(None, lambda: ctx.run(fn, *args))

