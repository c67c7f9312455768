"""The edge lifecycle driver: startup, the timed loop, and the shutdown sequence.

Kept apart from ``Application`` (which is what users subclass) so that the class stays a
readable list of hooks and helpers. Everything here runs on the thread that called
``Application.run()``; only the health server and the device agent's sender and poller
run on their own daemon threads.
"""

import datetime as _dt
import json
import logging
import time
from typing import Any, Optional

from ..exceptions import DooverError
from ._health import start_health_server
from ._tagstore import TAG_CHANNEL
from ._uiwire import publish_initial, publish_pending, wire_ui_and_rpc

__all__ = ["run_lifecycle"]

log = logging.getLogger("doover.docker.app")

CONFIG_CHANNEL = "deployment_config"


def run_lifecycle(app: Any) -> int:
    """Run ``app`` from startup to shutdown; the process exit code."""
    if app.healthcheck_port is not None:
        app._health = start_health_server(app.health_status, int(app.healthcheck_port))
    try:
        return _run(app)
    finally:
        if app._health is not None:
            server, thread = app._health
            server.shutdown()
            server.server_close()
            thread.join(5)


def _run(app: Any) -> int:
    agent = app._agent
    if hasattr(agent, "start"):
        agent.start()
    if not app.test_mode:
        if not agent.wait_until_healthy(app.dda_startup_timeout, app.stop_event):
            log.error("the cloud did not answer within %s s; starting with the cached config", app.dda_startup_timeout)
    try:
        _load_config(app)
    except (DooverError, OSError, ValueError) as exc:
        log.error("%s: cannot load the deployment config: %s; waiting %s s before exiting",
                  app.name, exc, app.error_wait_period)
        app.stop_event.wait(app.error_wait_period)
        _finish(app)
        return 1
    if not app.config_fp:
        agent.add_event_callback(CONFIG_CHANNEL, app._config_event, ["channel_sync", "aggregate_update"])
    agent.add_event_callback(TAG_CHANNEL, app._tag_event, ["channel_sync", "aggregate_update"])
    if not app.test_mode:
        agent.wait_for_channels_sync([TAG_CHANNEL], timeout=10)
    agent.dispatch_pending()
    try:
        if getattr(app, "notifications", None) is not None and hasattr(app.notifications, "setup"):
            app._call(app.notifications.setup)
        if hasattr(app.tags, "setup"):
            app._call(app.tags.setup)
        if hasattr(app.tags, "get_live_tag_keys"):
            app.tag_store.manager.set_live_tags(app.tags.get_live_tag_keys())
        wire_ui_and_rpc(app)
        app._call(app.setup)
        publish_initial(app)
    except Exception:  # noqa: BLE001 - the user's setup
        log.exception("%s: setup() failed; waiting %s s before exiting", app.name, app.error_wait_period)
        app.stop_event.wait(app.error_wait_period)
        _finish(app)
        return 1
    app._ready.set()
    log.info("%s ready", app.name)
    return _loop(app)


def _load_config(app: Any) -> None:
    outbox = getattr(app._agent, "outbox", None)
    key = "deployment_config/{}".format(app.app_key)
    cfg: Optional[dict] = None
    if app.config_fp:
        with open(app.config_fp, "r", encoding="utf-8") as fh:
            cfg = json.load(fh)
    else:
        try:
            data = app._agent.fetch_channel_aggregate(CONFIG_CHANNEL).data or {}
            cfg = (data.get("applications") or {}).get(app.app_key)
            if cfg is None:
                log.warning("deployment_config has no entry for app %r; using defaults", app.app_key)
                cfg = {}
            if outbox is not None:
                outbox.cache_put(key, cfg)
        except Exception as exc:  # noqa: BLE001 - offline start
            cfg = outbox.cache_get(key) if outbox is not None else None
            if cfg is None:
                log.warning("no deployment config available (%s); using defaults", exc)
                cfg = {}
            else:
                log.warning("cloud unreachable (%s); using the cached deployment config", exc)
    app._inject_config(cfg)


def _loop(app: Any) -> int:
    period = app.loop_target_period
    agent = app._agent
    while True:
        if app.test_mode:
            while not app._next_go.wait(0.5):
                if app._shutdown_signal:
                    break
            app._next_go.clear()
        if _should_shut_down(app):
            if _can_shut_down(app):
                break
        elif app._shutdown_signal and app.test_mode:
            break
        start = app.clock()
        app._run_deliveries()
        agent.dispatch_pending()
        _answer_shutdown_request(app)
        try:
            app._call(app.main_loop)
            _commit(app)
            publish_pending(app)
        except Exception:  # noqa: BLE001 - the seed: log, wait, retry
            app.failures += 1
            app.failing = True
            log.exception("%s: error in main_loop; retrying in %s s", app.name, app.error_wait_period)
            app.stop_event.wait(app.error_wait_period)
            if app.test_mode:
                app._next_done.set()
            continue
        app.failing = False
        app.iterations += 1
        app.last_loop_duration = app.clock() - start
        app.last_tick = time.monotonic()
        if app.test_mode:
            app._next_done.set()
            continue
        _note_overrun(app, period)
        if period and period > 0:
            remaining = period - (app.clock() - start)
            if remaining > 0:
                app.stop_event.wait(remaining)
    return _shutdown(app)


def _note_overrun(app: Any, period: Optional[float]) -> None:
    if not period or period <= 0:
        return
    now = app.clock()
    if app.last_loop_duration > period:
        if app._overrun_since is None:
            app._overrun_since = now
        elif now - app._overrun_since >= 3 * period and (
            app._overrun_logged is None or now - app._overrun_logged >= app.overrun_warning_interval
        ):
            app._overrun_logged = now
            log.warning(
                "%s: main loop is running slower than its target period (last %.3f s, target %.3f s)",
                app.name, app.last_loop_duration, period,
            )
    else:
        app._overrun_since = None


def _should_shut_down(app: Any) -> bool:
    if app._shutdown_signal and not app.test_mode:
        return True
    return app._shutdown_at is not None and app.wall_clock() >= app._shutdown_at


def _can_shut_down(app: Any) -> bool:
    try:
        ok = app._call(app.check_can_shutdown)
    except Exception:  # noqa: BLE001
        log.exception("%s: check_can_shutdown() failed; deferring shutdown", app.name)
        ok = False
    if ok is False:
        if not app._deferred_logged:
            log.info("%s: shutdown deferred by check_can_shutdown()", app.name)
            app._deferred_logged = True
        app.stop_event.clear()
        return False
    return True


def _answer_shutdown_request(app: Any) -> None:
    if not app.tag_store.get("shutdown_requested", global_tag=True):
        return
    try:
        ok = bool(app._call(app.check_can_shutdown))
    except Exception:  # noqa: BLE001
        log.exception("%s: check_can_shutdown() failed; answering False", app.name)
        ok = False
    app.tag_store.set("shutdown_check_ok", ok)


def _commit(app: Any, final: bool = False) -> None:
    app.tag_store.commit(app.tag_upload_period, force=final)


def _shutdown(app: Any) -> int:
    log.info("%s: shutting down", app.name)
    when = app._shutdown_at if app._shutdown_at is not None else app.wall_clock()
    try:
        app._call(app.on_shutdown_at, _dt.datetime.fromtimestamp(when, _dt.timezone.utc))
    except Exception:  # noqa: BLE001
        log.exception("%s: on_shutdown_at() failed", app.name)
    try:
        _commit(app, final=True)
        publish_pending(app)
        if app.force_log_on_shutdown:
            app._agent.create_message(
                "ui_cmds", {"type": "log", "app_key": app.app_key or "", "message": "shutting down",
                            "tags": app.tag_store.view().get(app.app_key or "", {})},
            )
    except Exception:  # noqa: BLE001
        log.exception("%s: final commit failed", app.name)
    _finish(app)
    return 0


def _finish(app: Any) -> None:
    app._ready.clear()
    agent = app._agent
    if not agent.flush(app.shutdown_flush_timeout):
        log.warning("%s: %d writes still queued in the outbox at exit; they are sent on the next start",
                    app.name, agent.outbox_depth())
    try:
        app._call(app.close)
    except Exception:  # noqa: BLE001
        log.exception("%s: close() failed", app.name)
    agent.close()
