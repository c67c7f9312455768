"""Who is watching: the ``dv-ui-sub`` presence aggregate, read by edge apps."""

import copy
import time
from typing import Any, Callable, Dict, Iterator, Optional, Set

from ._core import aggregate_data

__all__ = ["UIPresence", "UI_SUB_CHANNEL", "PRESENCE_FRESH_MS"]

#: The channel the portal stamps with who has what open.
UI_SUB_CHANNEL = "dv-ui-sub"
#: Entries older than this are ignored (the portal re-stamps every 120 s).
PRESENCE_FRESH_MS = 120000


def _now_ms() -> float:
    return time.time() * 1000.0


class UIPresence:
    """The ``dv-ui-sub`` aggregate, answering "is anyone looking?".

    Shape (timestamps are epoch ms)::

        {"agent_open": {user: ts}, "group_open": {user: ts},
         "app_open": {user: {"ts": ts, "apps": [app_key, ...]}},
         "live_tag_open": {user: {"ts": ts, "tags": ["<app_key>.<tag>", ...]}}}

    The edge runtime feeds it with :meth:`update` (channel sync and every aggregate
    update) and hands it to the :class:`~doover.tags.EdgeTagManager`.
    """

    def __init__(self, app_key: Optional[str] = None, aggregate: Any = None, clock_ms: Callable[[], float] = _now_ms) -> None:
        self.app_key = app_key
        self._clock_ms = clock_ms
        self._data: Dict[str, Any] = {}
        self.update(aggregate)

    def update(self, aggregate: Any) -> None:
        """Replace the presence data with a new full aggregate (dict or aggregate object)."""
        self._data = copy.deepcopy(aggregate_data(aggregate))

    def _fresh(self, bucket: str) -> Iterator[Any]:
        entries = self._data.get(bucket)
        if not isinstance(entries, dict):
            return
        now = self._clock_ms()
        for entry in entries.values():
            stamp = entry.get("ts") if isinstance(entry, dict) else entry
            if isinstance(stamp, bool) or not isinstance(stamp, (int, float)):
                continue
            if now - stamp < PRESENCE_FRESH_MS:
                yield entry

    @property
    def is_being_observed(self) -> bool:
        """True if anyone has the agent, its group, an app or a live tag open."""
        return any(
            next(self._fresh(bucket), None) is not None
            for bucket in ("agent_open", "group_open", "app_open", "live_tag_open")
        )

    @property
    def is_agent_open(self) -> bool:
        """True if someone has this agent's page open."""
        return next(self._fresh("agent_open"), None) is not None

    @property
    def is_group_open(self) -> bool:
        """True if someone views a page that renders this agent (group, map, list)."""
        return next(self._fresh("group_open"), None) is not None

    def is_app_open(self, app_key: Optional[str] = None) -> bool:
        """True if someone has app ``app_key`` (default: this app) expanded."""
        app_key = app_key if app_key is not None else self.app_key
        if not app_key:
            return False
        for entry in self._fresh("app_open"):
            if isinstance(entry, dict) and app_key in (entry.get("apps") or []):
                return True
        return False

    def open_live_tags(self) -> Set[str]:
        """Every ``"<app_key>.<tag>"`` someone has in live mode."""
        opened: Set[str] = set()
        for entry in self._fresh("live_tag_open"):
            if isinstance(entry, dict):
                opened.update(t for t in (entry.get("tags") or []) if isinstance(t, str))
        return opened

    def is_live_tag_open(self, tag_name: str, app_key: Optional[str] = None) -> bool:
        """True if someone has tag ``tag_name`` of ``app_key`` (default: this app) in live mode."""
        app_key = app_key if app_key is not None else self.app_key
        qualified = "{}.{}".format(app_key, tag_name) if app_key else tag_name
        return qualified in self.open_live_tags()
