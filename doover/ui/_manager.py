"""``UIManager``: publishes the UI schema and serves portal commands on ``ui_cmds``."""

import copy
import logging
from typing import Any, Callable, Dict, List, Optional

from .._merge import strip_nulls
from ..exceptions import RPCError, UIError
from ..rpc._context import RPCContext
from ..rpc._events import Incoming, now_ms
from ..rpc._manager import RPCManager
from ..rpc._requests import _check_method, _Handler
from ..tags import NotSet
from ..tags._core import aggregate_data
from ..tags._done import DONE, Done
from ..tags._values import merge_diff, same_value
from ._interactions import Interaction

__all__ = ["UIManager", "UICommandsManager", "InteractionContext", "handler", "AggregateWrite", "UI_CMDS", "UI_STATE"]

log = logging.getLogger("doover.ui")

UI_CMDS = "ui_cmds"
UI_STATE = "ui_state"


def handler(interaction: Any, parser: Optional[Callable[..., Any]] = None, auto_update: bool = True) -> Callable[..., Any]:
    """Mark a method (``def`` or ``async def``) as the handler of a UI interaction.

    ``interaction`` is the interaction itself, its name, or a compiled regex of names.
    The handler is called as ``handler(ctx, value)``; ``parser(value)`` (sync or async)
    transforms the value first (and disables the built-in type check). With
    ``auto_update`` (default) the value is written to ``ui_cmds`` after the success reply.
    """
    method = interaction.name if isinstance(interaction, Interaction) else interaction
    _check_method(method)

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        func._doover_ui = (method, parser, auto_update)  # type: ignore[attr-defined]
        return func

    return decorate


class AggregateWrite:
    """One aggregate update to send: ``client.update_channel_aggregate(channel_name, data,
    replace_keys=...)``. ``replace_keys`` are dotted paths replaced wholesale."""

    __slots__ = ("channel_name", "data", "replace_keys")

    def __init__(self, channel_name: str, data: Dict[str, Any], replace_keys: Optional[List[str]] = None) -> None:
        self.channel_name = channel_name
        self.data = data
        self.replace_keys = list(replace_keys or [])

    def execute(self, client: Any) -> None:
        """Send it through a channel client."""
        kwargs = {"replace_keys": list(self.replace_keys)} if self.replace_keys else {}
        client.update_channel_aggregate(self.channel_name, self.data, **kwargs)

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, AggregateWrite) and (self.channel_name, self.data, self.replace_keys) == (
            other.channel_name, other.data, other.replace_keys)

    def __repr__(self) -> str:
        return "AggregateWrite({!r}, {!r}, replace_keys={!r})".format(self.channel_name, self.data, self.replace_keys)


class InteractionContext(RPCContext):
    """An :class:`~doover.rpc.RPCContext` for a UI command, plus its element.

    ``element`` / ``interaction`` is the interaction (None for regex handlers of names the
    UI does not declare); :meth:`set_value` writes this interaction's value.
    """

    def __init__(self, manager: "UIManager", incoming: Incoming, method: str, handler: Any, element: Any, auto_update: bool) -> None:
        super().__init__(manager, incoming, method, handler)
        self.element = self.interaction = element
        self.auto_update = auto_update

    def set_value(self, value: Any, max_age: Any = None, log_update: bool = True) -> Done:
        """Write this interaction's value (and a log message unless ``log_update=False``)."""
        return self._manager.set_value(self.method, value, log_update=log_update)


class UIManager(RPCManager):
    """Publishes an app's UI and serves its interactions.

    ``UIManager(client, app_key, ui=None, processor=False)``; the runtime then:

    * after ``ui.setup()``: :meth:`set_ui` (interactions get their ``value``/``set``);
    * seeds the value cache with :meth:`seed_values` (the ``ui_cmds`` aggregate) and, in
      processors, the published schema with :meth:`seed_published` (``ui_state``);
    * publishes dynamic UIs with :meth:`initial_publish` (edge start, processor
      deployment) and, once per loop iteration / at the end of an invocation, sends
      :meth:`pending_ui_patch` (the minimal merge patch of elements changed since);
    * passes every channel event to :meth:`handle_event` (``ui_cmds`` messages and
      aggregate updates; other channels are ignored).

    Writes of values go to the ``ui_cmds`` aggregate (``{app_key: {name: value}}``) plus a
    ``{"type": "log", ...}`` message; the local cache follows them at once.
    """

    default_channel = UI_CMDS
    _marker = "_doover_ui"

    def __init__(self, client: Any = None, app_key: Optional[str] = None, ui: Any = None, *, processor: bool = False,
                 clock_ms: Callable[[], int] = now_ms, async_mode: Optional[bool] = None, **kwargs: Any) -> None:
        super().__init__(client, app_key, processor=processor, clock_ms=clock_ms, async_mode=async_mode, **kwargs)
        #: the cached ``ui_cmds`` values of this app
        self.values: Dict[str, Any] = {}
        self.ui: Any = None
        self._interactions: Dict[str, Interaction] = {}
        self._published: Optional[Dict[str, Any]] = None
        self._wrote = False
        self._setup_schema: Optional[Dict[str, Any]] = None
        if ui is not None:
            self.set_ui(ui)

    # ------------------------------------------------------------------ wiring

    def set_ui(self, ui: Any) -> None:
        """Attach the (set-up) UI: its interactions and its schema as of now."""
        self.ui = ui
        self._set_interactions(ui.get_interactions() if ui is not None else {})
        self._setup_schema = self._current_schema() if ui is not None else None

    def _set_interactions(self, interactions: Dict[str, Interaction]) -> None:
        self._interactions = dict(interactions)
        for element in self._interactions.values():
            element._manager = self

    def _register_marked(self, func: Any, spec: Any) -> None:
        method, parser, auto_update = spec
        self.add_handler(method, func, parser=parser, auto_update=auto_update)

    def add_handler(self, method: Any, func: Callable[..., Any], channel: Optional[str] = None,
                    parser: Optional[Callable[..., Any]] = None, auto_update: bool = True) -> None:
        """Register ``func(ctx, value)`` for an interaction name, interaction or regex."""
        if isinstance(method, Interaction):
            method = method.name
        _check_method(method)
        self._handlers.append(_Handler(method, UI_CMDS, parser, func, {"auto_update": auto_update, "default": False}))

    # ------------------------------------------------------------------ values

    def seed_values(self, ui_cmds: Any) -> None:
        """Load the value cache from the whole ``ui_cmds`` aggregate (``{app_key: {...}}``)."""
        data = aggregate_data(ui_cmds)
        own = data.get(self.app_key) if self.app_key is not None else None
        self.values = copy.deepcopy(own) if isinstance(own, dict) else {}

    def get_value(self, name: str) -> Any:
        """The cached value of interaction ``name``, else its default; ``KeyError`` if neither."""
        if name in self.values:
            return copy.deepcopy(self.values[name])
        element = self._interactions.get(name)
        if element is not None and element.default is not NotSet:
            return element.default
        raise KeyError(name)

    def set_value(self, name: str, value: Any, log_update: bool = True) -> Done:
        """Write interaction ``name``'s value to ``ui_cmds`` (+ a log message); updates the cache."""
        kwargs = {"allow_invoking_channel": True} if self.processor else {}
        client = self._client
        client.update_channel_aggregate(UI_CMDS, {self.app_key: {name: value}}, **kwargs)
        if log_update:
            client.create_message(UI_CMDS, {"type": "log", "app_key": self.app_key, "key": name, "value": value}, **kwargs)
        if value is None:
            self.values.pop(name, None)
        else:
            self.values[name] = copy.deepcopy(value)
        return DONE

    # ------------------------------------------------------------------ publishing

    def _current_schema(self) -> Dict[str, Any]:
        return strip_nulls(self.ui.to_schema(resolve_config=True))

    def _write(self, body: Any, replace: bool) -> AggregateWrite:
        keys = ["state.children.{}".format(self.app_key)] if replace else None
        return AggregateWrite(UI_STATE, {"state": {"children": {self.app_key: body}}}, keys)

    def seed_published(self, ui_state: Any) -> None:
        """Remember what ``ui_state`` holds for this app (processors: ``SubscriptionInfo.ui_state``)."""
        data = aggregate_data(ui_state)
        node: Any = data
        for key in ("state", "children", self.app_key):
            node = node.get(key) if isinstance(node, dict) else None
        self._published = copy.deepcopy(node) if isinstance(node, dict) else None

    def initial_publish(self, force: bool = False) -> Optional[AggregateWrite]:
        """The whole schema as one aggregate update replacing ``state.children.<app_key>``.

        Returns None for static UIs (the platform publishes those) unless ``force``.
        """
        if self.ui is None or (self.ui.is_static and not force):
            return None
        schema = self._current_schema()
        self._published = schema
        self._wrote = True
        return self._write(schema, replace=True)

    def pending_ui_patch(self) -> Optional[AggregateWrite]:
        """What changed in the UI since it was last published, as one merge patch (or None).

        Without a known published schema (static UIs, or nothing seeded) the first change
        after setup is published whole (with ``replace_keys``), later ones as patches.
        """
        if self.ui is None:
            return None
        current = self._current_schema()
        # a static UI is published by the platform: what it holds is only known once we wrote it
        baseline = self._published if (self._wrote or not self.ui.is_static) else None
        if baseline is None:
            if self._setup_schema is not None and same_value(current, self._setup_schema):
                return None
            self._published = current
            self._wrote = True
            return self._write(current, replace=True)
        if same_value(baseline, current):
            return None
        patch = merge_diff(baseline, current)
        self._published = current
        self._wrote = True
        return self._write(patch, replace=False)

    def publish(self, client: Any = None) -> bool:
        """Send :meth:`pending_ui_patch` through ``client`` (default ``self.client``); True if sent."""
        write = self.pending_ui_patch()
        if write is None:
            return False
        write.execute(client if client is not None else self._client)
        return True

    # ------------------------------------------------------------------ dispatch

    def _accepts_channel(self, channel: Optional[str]) -> bool:
        return channel == UI_CMDS

    def _handle_aggregate(self, incoming: Incoming) -> bool:
        if incoming.channel_name != UI_CMDS:
            return False
        self.seed_values(incoming.data if isinstance(incoming.data, dict) else {})
        return True

    def _find(self, channel: Optional[str], method: str) -> Optional[_Handler]:
        found = super()._find(UI_CMDS, method)
        if found is not None:
            return found
        element = self._interactions.get(method)
        if element is None:
            return None
        return _Handler(method, UI_CMDS, None, element.handler, {"auto_update": False, "default": True})

    def _unhandled(self, incoming: Incoming, method: str, data: Dict[str, Any]) -> bool:
        if data.get("app_key") != self.app_key:
            log.debug("UI command %r is not for this app (no such interaction)", method)
            return False
        log.warning("UI command for unknown interaction %r (message %s): replying with an error", method, incoming.message_id)
        self._reply_error(incoming, "UNKNOWN_INTERACTION", "this app has no interaction named {!r}".format(method))
        return True

    def _context(self, incoming: Incoming, method: str, found: _Handler) -> RPCContext:
        extra = found.extra or {}
        return InteractionContext(self, incoming, method, found.func, self._interactions.get(method), bool(extra.get("auto_update")))

    def _check(self, ctx: RPCContext, found: _Handler, payload: Any) -> Any:
        element = self._interactions.get(ctx.method)
        if element is None or found.parser is not None:
            return payload
        try:
            return element.check_value(payload)
        except UIError as exc:
            raise RPCError("INVALID_VALUE", str(exc)) from exc

    def _describe(self, ctx: RPCContext) -> str:
        return "UI handler for interaction {!r} (message {})".format(ctx.method, ctx.message_id)

    def _after_success(self, ctx: RPCContext, found: _Handler, payload: Any) -> None:
        if isinstance(ctx, InteractionContext) and ctx.auto_update:
            try:
                self.set_value(ctx.method, payload)
            except Exception:  # noqa: BLE001
                log.exception("could not store the value of interaction %r", ctx.method)

    def get_interactions(self) -> Dict[str, Interaction]:
        """The attached UI's interactions by name."""
        return dict(self._interactions)


#: The reference SDK's name.
UICommandsManager = UIManager
