"""The per-invocation tag cache of a processor and its commit plan.

Loaded from ``SubscriptionInfo.tag_values`` (deep-copied, so nothing is shared with the
event or a previous invocation). ``set`` buffers; :meth:`TagStore.commit_plan` says what to
write at the end: the aggregate patch (the app's full own namespace, or every namespace
touched when other apps' keys were written) and the logged message payload.

Differences from the reference, on purpose: values are compared with JSON equality
(``1 == True`` is *not* unchanged), and values are stored as deep copies so an in-place
mutation of a value returned by ``get`` followed by ``set`` is seen as a change.
"""

import copy
import json
from typing import Any, Dict, Optional, Tuple

__all__ = ["TagStore", "LogMode"]

_MISSING = object()


class LogMode:
    """What a commit logs as a message on ``tag_values``."""

    ALWAYS = "always"
    NEVER = "never"
    ONLY_CHANGED = "only_changed"
    ONLY_SET = "only_set"


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


class TagStore:
    """Tag values of every app on this agent, as loaded at setup, plus buffered changes."""

    def __init__(self, app_key: str, tag_values: Optional[Dict[str, Any]]) -> None:
        self.app_key = app_key
        self.values: Dict[str, Any] = copy.deepcopy(tag_values) if isinstance(tag_values, dict) else {}
        self.record_tag_update = True
        self.log_mode = LogMode.ALWAYS
        self._changed: Dict[str, Dict[str, Any]] = {}
        self._set: Dict[str, Dict[str, Any]] = {}
        self._pending = False
        self._force_log = False

    def get(self, key: str, default: Any = None, app_key: Optional[str] = None,
            raise_key_error: bool = False) -> Any:
        """The value of tag ``key`` of ``app_key`` (default: this app); a copy, not the cache."""
        space = self.values.get(app_key or self.app_key)
        if isinstance(space, dict) and key in space:
            return copy.deepcopy(space[key])
        if raise_key_error:
            raise KeyError(key)
        return default

    def set(self, key: str, value: Any, app_key: Optional[str] = None, log: bool = False) -> None:
        """Buffer ``key = value`` (``None`` deletes on commit)."""
        app = app_key or self.app_key
        space = self.values.get(app)
        if not isinstance(space, dict):
            space = {}
            self.values[app] = space
        current = space.get(key, _MISSING)
        value = copy.deepcopy(value)
        self._set.setdefault(app, {})[key] = value
        if log:
            self._force_log = True
        if current is not _MISSING and _same(current, value) or (current is _MISSING and value is None):
            if log or self.log_mode == LogMode.ONLY_SET:
                self._pending = True
            return
        space[key] = value
        self._changed.setdefault(app, {})[key] = value
        self._pending = True

    @property
    def external_writes(self) -> bool:
        """True when a tag of another app was written this invocation."""
        return any(app != self.app_key for app in self._set)

    def commit_plan(self) -> Tuple[Optional[Dict[str, Any]], Optional[Dict[str, Any]]]:
        """``(aggregate_patch or None, log_payload or None)`` for the end of the invocation."""
        if not self._pending:
            return None, None
        apps = sorted(set(self._set) | {self.app_key}) if self.external_writes else [self.app_key]
        snapshot = {app: copy.deepcopy(self.values.get(app, {})) for app in apps}
        patch = snapshot if self._changed else None
        record = (self.record_tag_update or self._force_log) and self.log_mode != LogMode.NEVER
        payload: Optional[Dict[str, Any]] = None
        if record:
            if self.log_mode == LogMode.ONLY_CHANGED:
                payload = copy.deepcopy(self._changed)
            elif self.log_mode == LogMode.ONLY_SET:
                payload = copy.deepcopy(self._set)
            else:
                payload = snapshot
            if not self.external_writes and payload is not None:
                payload = {k: v for k, v in payload.items() if k == self.app_key}
            payload = payload or None
        return patch, payload

    def mark_committed(self) -> None:
        """Forget buffered changes after a successful commit."""
        self._changed.clear()
        self._set.clear()
        self._pending = False
        self._force_log = False
