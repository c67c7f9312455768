"""The edge flavour of the tag manager: per-iteration commits with an upload cadence."""

import copy
import time
from collections import OrderedDict
from typing import Any, Callable, Iterable, List, Optional

from ..exceptions import TagError
from ._core import LogMode, TagManager, paths_to_doc, record_path
from ._done import DONE, Done
from ._plan import CommitPlan
from ._presence import UIPresence
from ._values import Path, lookup, make_path, put_patch

__all__ = ["EdgeTagManager"]

#: ``max_age_secs`` for aggregate updates while a portal user has the app open
OBSERVED_MAX_AGE = 3
#: ``max_age_secs`` otherwise
DEFAULT_MAX_AGE = 900


class EdgeTagManager(TagManager):
    """Tags in an edge app: a local cache of ``tag_values`` and a commit per loop iteration.

    Arguments follow the reference SDK's ``TagsManagerDocker(client, tag_log_interval,
    app_key)``; the rest are keywords.

    * Reads come from the cache: the last aggregate received (:meth:`seed` at channel
      sync, :meth:`on_aggregate_update` on every update) with local writes on top.
    * :meth:`build_commit` runs after each ``main_loop`` iteration. Pending changes are
      uploaded as one minimal aggregate patch when the upload cadence allows:
      ``min_upload_interval`` seconds since the last upload (default 60) while nobody
      watches the app, ``observed_upload_interval`` (default 0: every iteration) while
      someone has it open. Writes between uploads coalesce. ``log=True`` writes, fired
      triggers and ``flush=True`` upload at the next commit regardless.
    * Logs (messages on ``tag_values``): writes with ``log=True`` or a fired ``log_on``
      trigger at the next commit; every other change at most every ``tag_log_interval``
      seconds (900), the first on the first commit. When both are due they travel as one
      message. ``log_mode = LogMode.NEVER`` turns logs off.
    * Live tags (:meth:`set_live_tags`) that someone watches in live mode are sent as a
      one-shot message with their current values on every commit.

    ``presence`` (a :class:`UIPresence`) answers "is the app open" and "is this live tag
    watched"; ``is_app_open()`` and ``is_live_tag_open(tag, app_key)`` callables override
    it. ``clock`` is a monotonic clock in seconds (injectable for tests).
    """

    log_unchanged_when_forced = False

    def __init__(
        self,
        client: Any = None,
        tag_log_interval: float = 900,
        app_key: Optional[str] = None,
        *,
        tag_values: Any = None,
        min_upload_interval: float = 60.0,
        observed_upload_interval: float = 0.0,
        presence: Optional[UIPresence] = None,
        is_app_open: Optional[Callable[[], bool]] = None,
        is_live_tag_open: Optional[Callable[[str, Optional[str]], bool]] = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(app_key, tag_values, client)
        self.tag_log_interval = tag_log_interval
        self.min_upload_interval = min_upload_interval
        self.observed_upload_interval = observed_upload_interval
        self.observed_max_age = OBSERVED_MAX_AGE
        self.default_max_age = DEFAULT_MAX_AGE
        self.presence = presence
        self._is_app_open = is_app_open
        self._is_live_tag_open = is_live_tag_open
        self._clock = clock
        self._immediate_log: "OrderedDict[Path, Any]" = OrderedDict()
        self._periodic_log: "OrderedDict[Path, Any]" = OrderedDict()
        self._urgent = False
        self._last_upload: Optional[float] = None
        self._last_log: Optional[float] = None
        self._live_paths: List[Path] = []

    # ------------------------------------------------------------------ presence

    @property
    def is_app_open(self) -> bool:
        """True if a portal user has this app open (drives cadence and ``max_age_secs``)."""
        if self._is_app_open is not None:
            return bool(self._is_app_open())
        if self.presence is not None:
            return self.presence.is_app_open(self.app_key)
        return False

    def is_live_tag_open(self, tag_name: str, app_key: Optional[str] = None) -> bool:
        """True if someone watches tag ``tag_name`` of ``app_key`` (default this app) live."""
        app_key = app_key if app_key is not None else self.app_key
        if self._is_live_tag_open is not None:
            return bool(self._is_live_tag_open(tag_name, app_key))
        if self.presence is not None:
            return self.presence.is_live_tag_open(tag_name, app_key)
        return False

    @property
    def max_age_secs(self) -> int:
        """3 while the app is open in the portal, else 900."""
        return self.observed_max_age if self.is_app_open else self.default_max_age

    @property
    def upload_interval(self) -> float:
        """Seconds that must pass between two aggregate uploads right now."""
        return self.observed_upload_interval if self.is_app_open else self.min_upload_interval

    def set_live_tags(self, keys: Iterable[Any]) -> None:
        """Declare the live tags: ``(app_key, tag_name)`` pairs (``Tags.get_live_tag_keys()``)."""
        paths: List[Path] = []
        for item in keys:
            if isinstance(item, tuple) and len(item) == 2 and not isinstance(item[1], (list, tuple)):
                app_key, name = item
                paths.append(make_path(name, app_key if app_key is not None else self.app_key))
            else:
                paths.append(make_path(item, self.app_key))
        self._live_paths = paths

    # ------------------------------------------------------------------ writes

    def _note_write(self, path: Path, value: Any, *, changed: bool, effective: bool, log: bool, flush: bool) -> None:
        if not effective:
            return
        if flush:
            self._urgent = True
        if log:
            self._urgent = True
            record_path(self._immediate_log, path, value)
            for existing in list(self._periodic_log):
                if existing[: len(path)] == path:
                    del self._periodic_log[existing]
        else:
            record_path(self._periodic_log, path, value)

    # ------------------------------------------------------------------ commit

    def build_commit(self, now: Optional[float] = None, force: bool = False) -> Optional[CommitPlan]:
        """Decide what this iteration sends and return it as a plan (or ``None``).

        ``force`` uploads pending changes regardless of the cadence (shutdown, an
        explicit ``commit_tags()``).
        """
        now = self._clock() if now is None else now
        plan = CommitPlan()
        due = self._last_upload is None or now - self._last_upload >= self.upload_interval
        if self.has_pending and (force or self._urgent or due):
            patch, _ = self._take_patch()
            self._urgent = False
            if patch:
                self._last_upload = now
                plan.aggregate_patch = patch
                plan.max_age_secs = self.max_age_secs
        plan.live_message = self._live_payload()
        plan.log_message = self._log_payload(now)
        return plan if plan else None

    def commit_tags(self) -> Done:
        """Upload and log now through ``self.client``, ignoring the cadence."""
        plan = self.build_commit(force=True)
        if plan:
            plan.execute(self._require_client())
        return DONE

    def commit(self, client: Any = None, now: Optional[float] = None, force: bool = False) -> Optional[CommitPlan]:
        """Build this iteration's plan and send it through ``client`` (default ``self.client``)."""
        plan = self.build_commit(now=now, force=force)
        if plan:
            plan.execute(client if client is not None else self._require_client())
        return plan

    def _require_client(self) -> Any:
        if self.client is None:
            raise TagError("commit: no channel client given and the tag manager has none")
        return self.client

    def _live_payload(self) -> Optional[dict]:
        if not self._live_paths:
            return None
        payload: dict = {}
        for path in self._live_paths:
            if len(path) < 2 or not self.is_live_tag_open(".".join(path[1:]), path[0]):
                continue
            found, value = lookup(self._view, path)
            if found:
                put_patch(payload, path, copy.deepcopy(value))
        return payload or None

    def _log_payload(self, now: float) -> Optional[dict]:
        if self.log_mode is LogMode.NEVER:
            self._immediate_log.clear()
            self._periodic_log.clear()
            return None
        merged: "OrderedDict[Path, Any]" = OrderedDict()
        for path, value in self._immediate_log.items():
            record_path(merged, path, value)
        self._immediate_log.clear()
        if self._periodic_log and (self._last_log is None or now - self._last_log >= self.tag_log_interval):
            for path, value in self._periodic_log.items():
                record_path(merged, path, value)
            self._periodic_log.clear()
            self._last_log = now
        return paths_to_doc(merged) or None
