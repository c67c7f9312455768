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
"""

from ..exceptions import RPCError, RPCTimeoutError
from ._context import RPCContext
from ._events import Incoming, read_event
from ._manager import DEFAULT_CHANNEL, NOT_GIVEN, RPCManager, build_request, handler

fire_and_forget = RPCManager.fire_and_forget

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
    "read_event",
    "Incoming",
]
