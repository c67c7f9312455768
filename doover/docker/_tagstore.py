"""The edge app's view of the ``tag_values`` channel: cached reads, buffered writes, one commit.

Layout (reference §7.1): ``{<app_key>: {<tag>: value}, <global_tag>: value}``. Reads come
from the cached aggregate overlaid with uncommitted writes; writes are buffered and
:meth:`TagStore.commit` turns them into at most one aggregate patch per call.
"""

import copy
import logging
from typing import Any, Callable, Dict, Optional, Tuple

from .._hooks import call_hook
from .._merge import merge_patch

__all__ = ["TagStore", "TAG_CHANNEL"]

log = logging.getLogger("doover.docker.tags")

TAG_CHANNEL = "tag_values"
_MISSING = object()


class TagStore:
    """Tags of one app on one device agent."""

    def __init__(self, device_agent: Any, app_key: Optional[str]) -> None:
        self.device_agent = device_agent
        self.app_key = app_key
        self.values: Dict[str, Any] = {}
        self.pending: Dict[str, Any] = {}
        self._subs: Dict[Tuple[str, ...], Callable] = {}

    def view(self) -> Dict[str, Any]:
        """The tag aggregate as this app sees it (cache plus uncommitted writes)."""
        return merge_patch(self.values, self.pending) if self.pending else self.values

    def _path(self, key: str, app_key: Optional[str], global_tag: bool) -> Tuple[str, ...]:
        return (key,) if global_tag else (app_key or self.app_key or "", key)

    def get(self, key: str, app_key: Optional[str] = None, default: Any = None, global_tag: bool = False) -> Any:
        """A tag's value, or ``default``."""
        node: Any = self.view()
        for part in self._path(key, app_key, global_tag):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return copy.deepcopy(node)

    def set(self, key: str, value: Any, app_key: Optional[str] = None, only_if_changed: bool = True,
            global_tag: bool = False) -> bool:
        """Buffer a write (``None`` deletes); False if it was dropped as unchanged."""
        if only_if_changed and self.get(key, app_key, _MISSING, global_tag) == value:
            return False
        path = self._path(key, app_key, global_tag)
        patch: Any = value
        for part in reversed(path):
            patch = {part: patch}
        from .._merge import compose_patches

        self.pending, _ = compose_patches(self.pending, patch) if self.pending else (patch, [])
        return True

    def commit(self, max_age_secs: Optional[float] = None) -> bool:
        """Send buffered writes as one aggregate patch; True if there was anything."""
        if not self.pending:
            return False
        patch, self.pending = self.pending, {}
        self.device_agent.update_channel_aggregate(TAG_CHANNEL, patch, max_age_secs=max_age_secs, return_aggregate=False)
        self.values = merge_patch(self.values, patch)
        return True

    def subscribe(self, key: str, callback: Callable, app_key: Optional[str] = None, global_tag: bool = False) -> None:
        """``callback(key, value)`` when the tag changes in the cloud (one callback per tag)."""
        self._subs[self._path(key, app_key, global_tag)] = callback

    def on_event(self, event: Any) -> None:
        """Device-agent callback for ``tag_values``: refresh the cache, fire subscriptions."""
        new = event.aggregate.data if isinstance(event.aggregate.data, dict) else {}
        old = self.values
        self.values = copy.deepcopy(new)
        if event.event_type == "channel_sync":
            return
        for path, callback in list(self._subs.items()):
            before, after = _lookup(old, path), _lookup(new, path)
            if after is not _MISSING and after != before:
                try:
                    call_hook(callback, path[-1], copy.deepcopy(after))
                except Exception:  # noqa: BLE001 - a user callback must not kill the loop
                    log.exception("tag callback for %s failed", ".".join(path))


def _lookup(doc: Any, path: Tuple[str, ...]) -> Any:
    for part in path:
        if not isinstance(doc, dict) or part not in doc:
            return _MISSING
        doc = doc[part]
    return doc

