"""The processor flavour of the tag manager: one commit at the end of an invocation."""

import copy
from collections import OrderedDict
from typing import Any, Dict, Optional

from ._core import LogMode, TagManager, paths_to_doc, record_path
from ._plan import CommitPlan
from ._values import Path, lookup, put_patch

__all__ = ["ProcessorTagManager"]


class ProcessorTagManager(TagManager):
    """Tags in a cloud processor: seeded from ``SubscriptionInfo.tag_values``, committed once.

    Arguments follow the reference SDK's ``TagsManagerProcessor(app_key, client, agent_id,
    tag_values, record_tag_update=True)``.

    At the end of the invocation the runtime calls :meth:`build_commit` and sends the
    plan (or calls :meth:`commit`). The plan holds:

    * ``aggregate_patch``: only the tags that changed against ``tag_values`` as received
      (``None`` for deletions), e.g. ``{"my_app": {"counter": 2}}``;
    * ``log_message``: when ``record_tag_update`` (default True) or any ``log=True`` write,
      and ``log_mode`` is not ``NEVER``:

      - ``ALWAYS``: ``{app_key: <the app's whole tag namespace after the commit>}`` plus the
        changed paths outside it (other apps' tags, global tags);
      - ``ONLY_CHANGED``: the changed tags with their new values (``None`` if deleted);
      - ``ONLY_SET``: every tag set during the invocation, changed or not.

    Nothing is sent when nothing changed, unless a write asked for ``log=True`` (a log
    message only) or ``ONLY_SET`` recorded sets.
    """

    def __init__(
        self,
        app_key: Optional[str] = None,
        client: Any = None,
        agent_id: Any = None,
        tag_values: Any = None,
        record_tag_update: bool = True,
        *,
        log_mode: LogMode = LogMode.ALWAYS,
    ) -> None:
        super().__init__(app_key, tag_values, client)
        self.agent_id = agent_id
        #: log every commit with changes (the reference default); ``log=True`` forces one
        self.record_tag_update = record_tag_update
        self.log_mode = log_mode
        self._touched: "OrderedDict[Path, Any]" = OrderedDict()
        self._force_log = False

    def _note_write(self, path: Path, value: Any, *, changed: bool, effective: bool, log: bool, flush: bool) -> None:
        record_path(self._touched, path, value)
        if log and (effective or self.log_unchanged_when_forced):
            self._force_log = True

    def build_commit(self) -> Optional[CommitPlan]:
        """Take the invocation's writes and return the plan to send, or ``None``."""
        touched = self._touched
        force_log = self._force_log
        self._touched = OrderedDict()
        self._force_log = False
        patch, changed = self._take_patch()
        only_set = self.log_mode is LogMode.ONLY_SET and bool(touched)
        if not patch and not force_log and not only_set:
            return None
        plan = CommitPlan(aggregate_patch=patch or None)
        if (self.record_tag_update or force_log) and self.log_mode is not LogMode.NEVER:
            message = self._log_payload(changed, touched)
            plan.log_message = message or None
        return plan if plan else None

    def _log_payload(self, changed: Any, touched: "OrderedDict[Path, Any]") -> Dict[str, Any]:
        if self.log_mode is LogMode.ONLY_SET:
            return paths_to_doc(touched)
        payload: Dict[str, Any] = {}
        if self.log_mode is LogMode.ALWAYS and self.app_key is not None:
            own = self._view.get(self.app_key)
            if isinstance(own, dict) and own:
                payload[self.app_key] = copy.deepcopy(own)
        for path in changed:
            if self.log_mode is LogMode.ALWAYS and path[0] == self.app_key:
                continue
            found, value = lookup(self._view, path)
            put_patch(payload, path, copy.deepcopy(value) if found else None)
        return payload
