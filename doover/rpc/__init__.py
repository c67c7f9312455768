"""RPC over Doover channels: request messages, status replies, handlers and callers.

A request is a message ``{"type": "rpc", "method", "request", "status": {"code": "sent"},
"response": {}, ...}`` on a channel (``dv-rpc`` by default, ``ui_cmds`` for UI commands).
The handler's app answers by patching that message's ``status`` (``acknowledged``,
``deferred``, ``pending``, then ``success`` with a ``response`` or ``error``).

::

    from doover import rpc

    class MyApp(Application):
        @rpc.handler("set_mode")
        def set_mode(self, ctx, request):
            if request not in ("auto", "manual"):
                raise rpc.RPCError("BAD_MODE", "mode must be auto or manual")
            return {"mode": request}

The runtime owns an :class:`RPCManager` (``app.rpc``), registers the app's handlers and
feeds it every channel event through :meth:`RPCManager.handle_event`.

A command may expire (``expires_after`` ms after creation: :func:`command_is_expired`) or
be cancelled by its issuer (:func:`cancel_command`, :func:`command_is_cancelled`); expired
and cancelled requests are dropped, a running handler sees ``ctx.cancelled``, and a waiting
caller gets :class:`RPCCancelled`. ``Message``, ``MessageCreateEvent``,
``MessageUpdateEvent`` and ``OneShotMessage`` are those of :mod:`doover.models` (loaded on
first access), as in the platform SDK's ``pydoover.rpc``.
"""

from typing import Any

from ..exceptions import RPCError, RPCTimeoutError
from ._cancel import (
    RPCCancelled,
    cancel_command,
    command_expires_at,
    command_is_cancelled,
    command_is_expired,
    status_is_cancelled,
)
from ._context import RPCContext
from ._events import Incoming, read_event
from ._manager import DEFAULT_CHANNEL, NOT_GIVEN, RPCManager, build_request, handler

fire_and_forget = RPCManager.fire_and_forget

#: The platform SDK's name for the default RPC channel, ``"dv-rpc"``.
RPC_KEY = DEFAULT_CHANNEL

_MODELS = ("Message", "MessageCreateEvent", "MessageUpdateEvent", "OneShotMessage")


def call(client, method, params=None, channel=DEFAULT_CHANNEL, app_key=None, timeout=30.0, **kwargs):
    """Make one RPC call through ``client`` without keeping a manager (scripts, tools).

    Same arguments and results as :meth:`RPCManager.call`; the reply is found by polling
    the request message (``poll_interval=`` sets how often, default 0.5 s).
    """
    poll_interval = kwargs.pop("poll_interval", 0.5)
    manager = RPCManager(client, poll_interval=poll_interval)
    return manager.call(method, params, channel, app_key, timeout, **kwargs)

__all__ = [
    "handler",
    "RPCManager",
    "RPCContext",
    "RPCError",
    "RPCTimeoutError",
    "DEFAULT_CHANNEL",
    "NOT_GIVEN",
    "build_request",
    "fire_and_forget",
    "call",
    "read_event",
    "Incoming",
    "RPC_KEY",
    "RPCCancelled",
    "cancel_command",
    "command_expires_at",
    "command_is_cancelled",
    "command_is_expired",
    "status_is_cancelled",
    "Message",
    "MessageCreateEvent",
    "MessageUpdateEvent",
    "OneShotMessage",
]


def __getattr__(name: str) -> Any:
    # The models stay unimported until someone asks for them here.
    if name in _MODELS:
        from .. import models

        return getattr(models, name)
    raise AttributeError("module {!r} has no attribute {!r}".format(__name__, name))

