"""UI and RPC wiring of the edge ``Application``.

After ``tags.setup()`` the lifecycle calls :func:`wire_ui_and_rpc`: when the app has a
``ui_cls`` or ``@ui.handler`` methods it builds ``app.ui`` (``ui_cls(config, tags,
app_key)``, ``doover.ui.UI`` by default), runs ``ui.setup()``, and builds ``app.ui_manager``
(a :class:`doover.ui.UIManager` writing through the device agent) seeded from the
``ui_cmds`` aggregate; with ``@rpc.handler`` methods it builds ``app.rpc`` (a
:class:`doover.rpc.RPCManager`). The device agent is subscribed to ``ui_cmds`` (message
create and aggregate update) and to every RPC handler channel; the events run on the loop
thread between iterations, first through ``ui_manager.handle_event`` then
``rpc.handle_event``.

:func:`publish_initial` sends a dynamic UI's whole schema once at start;
:func:`publish_pending` sends the merge patch of what changed, once per loop iteration.
"""

import logging
from typing import Any

from .._hooks import call_hook

__all__ = ["wire_ui_and_rpc", "publish_initial", "publish_pending", "dispatch_channel_event"]

log = logging.getLogger("doover.docker.app")

_UI_EVENTS = ["message_create", "aggregate_update"]
_RPC_EVENTS = ["message_create"]


def _has_marked(cls: Any, marker: str) -> bool:
    for klass in cls.__mro__:
        for value in vars(klass).values():
            if isinstance(value, (staticmethod, classmethod)):
                value = value.__func__
            if hasattr(value, marker):
                return True
    return False


def wire_ui_and_rpc(app: Any) -> None:
    """Build ``app.ui`` / ``app.ui_manager`` / ``app.rpc`` and subscribe their channels."""
    agent = app._agent
    if app.ui_cls is not None or _has_marked(type(app), "_doover_ui"):
        from ..ui import UI, UIManager

        app.ui = (app.ui_cls or UI)(app.config, app.tags, app.app_key)
        call_hook(app.ui.setup)
        manager = UIManager(agent, app.app_key)
        manager.set_ui(app.ui)
        try:
            seed = agent.fetch_channel_aggregate("ui_cmds")
        except Exception as exc:  # noqa: BLE001 - no ui_cmds yet, or offline with nothing cached
            log.info("%s: no ui_cmds aggregate to seed UI values from (%s)", app.name, exc)
            seed = None
        manager.seed_values(seed)
        manager.register_handlers(app)
        app.ui_manager = manager
        agent.add_event_callback("ui_cmds", app._channel_event, _UI_EVENTS)
    if _has_marked(type(app), "_doover_rpc"):
        from ..rpc import RPCManager

        # the device agent delivers no message updates: a running handler re-reads its request
        rpc = RPCManager(agent, app.app_key, poll_cancellation=1.0)
        rpc.register_handlers(app)
        app.rpc = rpc
        for channel in sorted(rpc.channels):
            if channel == "ui_cmds" and app.ui_manager is not None:
                continue  # already subscribed
            agent.add_event_callback(channel, app._channel_event, _RPC_EVENTS)


def dispatch_channel_event(app: Any, event: Any) -> bool:
    """Give one event to the UI manager, then (if not taken) to the RPC manager."""
    for manager in (app.ui_manager, app.rpc):
        if manager is not None and call_hook(manager.handle_event, event, app._agent):
            return True
    return False


def publish_initial(app: Any) -> None:
    """Publish a dynamic UI's whole schema (static UIs are published by the platform)."""
    if app.ui_manager is None:
        return
    write = app.ui_manager.initial_publish()
    if write is not None:
        write.execute(app._agent)


def publish_pending(app: Any) -> None:
    """Send what changed in the UI since the last publish, as one patch (nothing if unchanged)."""
    if app.ui_manager is None:
        return
    try:
        app.ui_manager.publish(app._agent)
    except Exception:  # noqa: BLE001 - a UI publish failure must not stop the loop
        log.exception("%s: publishing the UI failed", app.name)
