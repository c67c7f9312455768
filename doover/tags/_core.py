"""The tag manager core shared by processors and edge apps.

The manager keeps two documents of the ``tag_values`` aggregate
(``{app_key: {tag: value}, <global>: value}``):

* ``remote``: what the platform stores, as far as we know (seeded at start, replaced by
  incoming aggregate updates on the edge, advanced by our own commits);
* ``view``: ``remote`` with our not-yet-committed writes applied. Reads come from here.

Writes are recorded per tag path as the value the tag should have. A commit turns them
into the minimal merge patch against ``remote``: only changed paths, ``None`` for
deletions, and for object values only the members that changed. Applying that patch
gives the stored aggregate the same content as the reference SDK's full snapshots,
without overwriting other writers' keys with stale copies.
"""

import copy
import enum
import logging
from collections import OrderedDict
from typing import Any, Callable, Dict, List, Optional, Tuple

from .._merge import merge_patch
from ..exceptions import TagError
from ._done import DONE, Done, call_user
from ._plan import TAG_CHANNEL, CommitPlan
from ._values import Path, is_prefix, lookup, make_path, merge_diff, put_patch, same_value, set_path

__all__ = ["LogMode", "TagManager"]

log = logging.getLogger("doover.tags")


class LogMode(enum.Enum):
    """What a processor commit records as tag history (the log message on ``tag_values``).

    * ``ALWAYS``: the app's whole tag namespace on every commit with changes (default);
    * ``NEVER``: no history at all, even for ``log=True``;
    * ``ONLY_CHANGED``: only tags whose value changed;
    * ``ONLY_SET``: every tag set during the invocation, changed or not.

    Edge apps log changed tags (immediately for ``log=True`` and triggers, otherwise
    at most every 15 minutes); there only ``NEVER`` changes anything.
    """

    ALWAYS = "always"
    NEVER = "never"
    ONLY_CHANGED = "only_changed"
    ONLY_SET = "only_set"


class _Write:
    __slots__ = ("value", "force")

    def __init__(self, value: Any, force: bool) -> None:
        self.value = value
        self.force = force


def aggregate_data(aggregate: Any) -> Dict[str, Any]:
    """Accept a plain dict, an ``Aggregate``-like object or an aggregate event."""
    if aggregate is None:
        return {}
    if isinstance(aggregate, dict):
        if set(aggregate) <= {"data", "attachments", "last_updated"} and "data" in aggregate:
            data = aggregate["data"]
            return data if isinstance(data, dict) else {}
        return aggregate
    inner = getattr(aggregate, "aggregate", None)
    if inner is not None:
        return aggregate_data(inner)
    data = getattr(aggregate, "data", None)
    return data if isinstance(data, dict) else {}


def record_path(buffer: "OrderedDict[Path, Any]", path: Path, value: Any) -> None:
    """Record ``path -> value`` in an ordered path buffer without overlapping entries.

    A write to ``a`` supersedes pending writes to ``a.b``; a write to ``a.b`` while
    ``a`` is pending updates the value recorded for ``a``.
    """
    for existing in list(buffer):
        if existing != path and is_prefix(path, existing):
            del buffer[existing]
    for existing in buffer:
        if existing != path and is_prefix(existing, path):
            base = buffer[existing]
            if not isinstance(base, dict):
                base = {}
            set_path(base, path[len(existing):], value)
            buffer[existing] = base
            return
    buffer.pop(path, None)
    buffer[path] = copy.deepcopy(value)


def paths_to_doc(buffer: "OrderedDict[Path, Any]") -> Dict[str, Any]:
    """Nest an ordered path buffer into one JSON document (``None`` kept)."""
    doc: Dict[str, Any] = {}
    for path, value in buffer.items():
        put_patch(doc, path, copy.deepcopy(value))
    return doc


class TagManager:
    """Reads and buffered writes of tags over the ``tag_values`` aggregate.

    Use :class:`~doover.tags.ProcessorTagManager` in processors and
    :class:`~doover.tags.EdgeTagManager` in edge apps; both share this core.
    ``client`` is the channel client used by :meth:`commit_tags` (optional: runtimes
    usually call :meth:`build_commit` and send the :class:`CommitPlan` themselves).
    """

    channel_name = TAG_CHANNEL
    #: whether ``log=True`` on an unchanged value still records a log entry
    log_unchanged_when_forced = True

    def __init__(self, app_key: Optional[str] = None, tag_values: Any = None, client: Any = None) -> None:
        self.app_key = app_key
        self.client = client
        self.log_mode = LogMode.ALWAYS
        self._remote: Dict[str, Any] = {}
        self._view: Dict[str, Any] = {}
        self._pending: "OrderedDict[Path, _Write]" = OrderedDict()
        self._subscriptions: "OrderedDict[Path, List[Tuple[Any, Callable[..., Any]]]]" = OrderedDict()
        self.seed(tag_values)

    # ------------------------------------------------------------------ state

    def seed(self, tag_values: Any) -> None:
        """Adopt ``tag_values`` as the stored aggregate without firing subscriptions.

        Used for the initial state (a processor's ``SubscriptionInfo.tag_values``, an edge
        app's channel sync). Pending local writes stay on top.
        """
        self._remote = copy.deepcopy(aggregate_data(tag_values))
        self._rebuild_view()

    def on_aggregate_update(self, aggregate: Any) -> None:
        """Adopt a new full ``tag_values`` aggregate and fire subscriptions on what changed.

        ``aggregate`` is the full new aggregate (a dict of tags, an ``Aggregate`` with
        ``data``, or an aggregate-update event). Pending local writes stay on top, so
        tags written locally but not committed keep their local value and do not fire.
        """
        before = self._view
        self._remote = copy.deepcopy(aggregate_data(aggregate))
        self._rebuild_view()
        self._notify(before, self._view)

    def _rebuild_view(self) -> None:
        view = copy.deepcopy(self._remote)
        for path, write in self._pending.items():
            set_path(view, path, write.value)
        self._view = view

    @property
    def tag_values(self) -> Dict[str, Any]:
        """A copy of the current view of the whole ``tag_values`` aggregate."""
        return copy.deepcopy(self._view)

    @property
    def has_pending(self) -> bool:
        """True if writes are waiting for a commit."""
        return bool(self._pending)

    # ------------------------------------------------------------------ reads

    def _path(self, key: Any, app_key: Optional[str], global_tag: bool = False) -> Path:
        if global_tag:
            return make_path(key)
        owner = app_key if app_key is not None else self.app_key
        if owner is None:
            raise TagError("tag {!r}: no app_key given and this tag manager has none".format(key))
        return make_path(key, owner)

    def get_tag(self, key: Any, default: Any = None, app_key: Optional[str] = None, raise_key_error: bool = False) -> Any:
        """The value of tag ``key`` of ``app_key`` (default: this app), else ``default``.

        ``key`` may be a list for nested paths. A stored ``null`` reads as ``None``.
        Objects and arrays come back as copies: change them and ``set_tag`` them back.
        """
        found, value = lookup(self._view, self._path(key, app_key))
        if not found:
            if raise_key_error:
                raise KeyError(key)
            return default
        return copy.deepcopy(value) if isinstance(value, (dict, list)) else value

    def get_global_tag(self, key: Any, default: Any = None, raise_key_error: bool = False) -> Any:
        """The value of top-level (global) tag ``key``, else ``default``."""
        found, value = lookup(self._view, self._path(key, None, global_tag=True))
        if not found:
            if raise_key_error:
                raise KeyError(key)
            return default
        return copy.deepcopy(value) if isinstance(value, (dict, list)) else value

    # ------------------------------------------------------------------ writes

    def set_tag(
        self,
        key: Any,
        value: Any,
        app_key: Optional[str] = None,
        *,
        log: bool = False,
        only_if_changed: bool = True,
        flush: bool = False,
    ) -> Done:
        """Buffer a write of tag ``key`` (of ``app_key``, default this app); ``None`` deletes.

        With ``only_if_changed`` (default) a write that does not change the current view
        is dropped. ``log=True`` asks for this value to be recorded in the tag history at
        the next commit. Returns an already-completed awaitable (``await`` it or not).
        """
        self._write(self._path(key, app_key), value, log=log, only_if_changed=only_if_changed, flush=flush)
        return DONE

    def set_global_tag(self, key: Any, value: Any, *, log: bool = False, only_if_changed: bool = True, flush: bool = False) -> Done:
        """Buffer a write of top-level (global) tag ``key``; ``None`` deletes."""
        self._write(self._path(key, None, global_tag=True), value, log=log, only_if_changed=only_if_changed, flush=flush)
        return DONE

    def set_tags(
        self,
        values: Dict[str, Any],
        app_key: Optional[str] = None,
        *,
        log: bool = False,
        only_if_changed: bool = True,
        flush: bool = False,
    ) -> Done:
        """Buffer several writes.

        With ``app_key`` (or ``own=True`` semantics through :meth:`set_tag`), ``values``
        maps tag names of that app to values. Without it, ``values`` is relative to the
        aggregate root, as in the reference SDK: ``{"my_app": {"a": 1}, "shutdown_at": 5}``
        writes tag ``a`` of ``my_app`` and global tag ``shutdown_at`` (an object under a
        top-level key is a namespace of tags).
        """
        if not isinstance(values, dict):
            raise TagError("set_tags: expected a dict of tag values, got {!r}".format(values))
        if app_key is not None:
            for key, value in values.items():
                self._write(self._path(key, app_key), value, log=log, only_if_changed=only_if_changed, flush=flush)
            return DONE
        for top, value in values.items():
            if isinstance(value, dict):
                for key, inner in value.items():
                    self._write(make_path([top, key]), inner, log=log, only_if_changed=only_if_changed, flush=flush)
            else:
                self._write(make_path(top), value, log=log, only_if_changed=only_if_changed, flush=flush)
        return DONE

    def _write(self, path: Path, value: Any, *, log: bool, only_if_changed: bool, flush: bool) -> bool:
        value = _plain(value, ".".join(path))
        found, current = lookup(self._view, path)
        if value is None:
            unchanged = not found or current is None
        else:
            unchanged = found and same_value(current, value)
        effective = not (unchanged and only_if_changed)
        self._note_write(path, value, changed=not unchanged, effective=effective, log=log, flush=flush)
        if not effective:
            return False
        set_path(self._view, path, value)
        for existing in list(self._pending):
            if existing != path and is_prefix(path, existing):
                del self._pending[existing]
        for existing, write in self._pending.items():
            if existing != path and is_prefix(existing, path):
                found_v, holder = lookup(self._view, existing)
                write.value = copy.deepcopy(holder) if found_v else None
                write.force = write.force or unchanged
                return True
        self._pending.pop(path, None)
        self._pending[path] = _Write(copy.deepcopy(value), unchanged)
        return True

    def _note_write(self, path: Path, value: Any, *, changed: bool, effective: bool, log: bool, flush: bool) -> None:
        """Flavour hook: bookkeeping for logs and cadence. Called for every write."""

    # ------------------------------------------------------------------ commit

    def _take_patch(self) -> Tuple[Dict[str, Any], List[Path]]:
        """Build the minimal patch for all pending writes and mark them committed."""
        patch: Dict[str, Any] = {}
        changed: List[Path] = []
        for path, write in self._pending.items():
            found, old = lookup(self._remote, path)
            new = write.value
            if new is None:
                if not found:
                    continue
                piece = None
            elif found and same_value(old, new):
                if not write.force:
                    continue
                piece = copy.deepcopy(new)
            else:
                piece = merge_diff(old if found else None, new)
            put_patch(patch, path, piece)
            changed.append(path)
        self._pending.clear()
        if patch:
            self._remote = merge_patch(self._remote, patch)
        self._view = copy.deepcopy(self._remote)
        return patch, changed

    def build_commit(self) -> Optional[CommitPlan]:
        """Take what is pending and return the :class:`CommitPlan` to send, or ``None``."""
        raise NotImplementedError

    def commit(self, client: Any = None) -> Optional[CommitPlan]:
        """Build the commit plan and send it through ``client`` (default ``self.client``).

        Returns the plan that was sent, or ``None`` when there was nothing to send.
        """
        plan = self.build_commit()
        if plan:
            target = client if client is not None else self.client
            if target is None:
                raise TagError("commit: no channel client given and the tag manager has none")
            plan.execute(target)
        return plan or None

    def commit_tags(self) -> Done:
        """Commit now through ``self.client`` (the reference SDK's name). Awaitable or not."""
        self.commit()
        return DONE

    # ------------------------------------------------------------------ subscriptions

    def subscribe_to_tag(self, key: Any, callback: Callable[..., Any], app_key: Optional[str] = None, global_tag: bool = False) -> None:
        """Call ``callback(key, new_value)`` whenever an incoming aggregate changes the tag.

        Callbacks fire for changes that arrive in :meth:`on_aggregate_update`, not for the
        initial state nor for this app's own writes; a deleted tag fires with ``None``.
        Several callbacks per tag are allowed and run in subscription order. A callback
        may be ``def`` or ``async def``; one that raises is logged and the others still
        run.
        """
        if not callable(callback):
            raise TagError("subscribe_to_tag: callback must be callable, got {!r}".format(callback))
        path = self._path(key, app_key, global_tag=global_tag)
        self._subscriptions.setdefault(path, []).append((key, callback))

    def unsubscribe_from_tag(
        self, key: Any, callback: Optional[Callable[..., Any]] = None, app_key: Optional[str] = None, global_tag: bool = False
    ) -> None:
        """Remove ``callback`` (or every callback) subscribed to a tag."""
        path = self._path(key, app_key, global_tag=global_tag)
        subs = self._subscriptions.get(path)
        if not subs:
            return
        if callback is None:
            del self._subscriptions[path]
            return
        subs[:] = [item for item in subs if item[1] != callback]
        if not subs:
            del self._subscriptions[path]

    def _notify(self, before: Dict[str, Any], after: Dict[str, Any]) -> None:
        for path, subs in list(self._subscriptions.items()):
            had, old = lookup(before, path)
            has, new = lookup(after, path)
            if had == has and (not has or same_value(old, new)):
                continue
            for key, callback in list(subs):
                value = copy.deepcopy(new) if has else None
                try:
                    call_user(callback, key, value)
                except Exception:
                    log.exception("tag subscription callback %r for %s raised", callback, ".".join(path))


def _plain(value: Any, where: str = "value") -> Any:
    """Check that ``value`` is JSON; unwrap bound tags and turn tuples into lists."""
    inner = getattr(value, "_doover_bound_tag_value", None)
    if inner is not None:
        return _plain(inner(), where)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v, "{}[{}]".format(where, i)) for i, v in enumerate(value)]
    if isinstance(value, dict):
        result = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TagError("{}: object keys must be strings, got {!r}".format(where, k))
            result[k] = _plain(v, "{}.{}".format(where, k))
        return result
    raise TagError("{}: expected a JSON value (None, bool, number, str, list, dict), got {!r}".format(where, value))
