"""The durable outbox of the edge runtime: a small sqlite3 queue of outgoing writes.

Every message create, message update and aggregate patch the app makes is written here
(and committed to disk) *before* anything is sent, and removed only after the server
accepted it. A killed process, a reboot or a network outage therefore loses nothing: the
next process that opens the same file sends what is left, in order.

Rules:

* Items are sent in the order they were queued (``seq``), except that an aggregate patch
  may carry a ``not_before`` time (its ``max_age_secs``): it waits until then while later
  items go ahead. :meth:`Outbox.flush_due` makes everything due at once (shutdown).
* Messages carry a client-generated snowflake id, so resending one whose answer was lost
  does not create a duplicate on the server.
* Aggregate patches queued for the same channel are merged into the oldest queued one
  (``doover._merge.compose_patches``), unless that one is being sent right now. So a long
  outage leaves at most one pending patch per channel, whatever the loop rate.
* **Drop policy:** the outbox holds at most ``max_items`` entries. When a new message
  would exceed that, the *oldest queued message* is deleted (and counted in
  :attr:`Outbox.dropped`, and logged as a warning). Aggregate patches are never dropped:
  they merge per channel, so there are never more of them than channels.

The same file keeps a small key/value table (:meth:`Outbox.cache_get` /
:meth:`Outbox.cache_put`) the runtime uses to cache the last deployment config, so a
reboot with no network still starts with the config it had.
"""

import copy
import json
import logging
import sqlite3
import threading
import time
from typing import Any, Dict, List, Optional, Sequence

from .._merge import apply_update, compose_patches

__all__ = ["Outbox", "OutboxItem"]

log = logging.getLogger("doover.docker.outbox")

MESSAGE = "message"
MESSAGE_UPDATE = "message_update"
AGGREGATE = "aggregate"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    message_id INTEGER,
    body TEXT NOT NULL,
    replace_paths TEXT NOT NULL DEFAULT '[]',
    replace_data INTEGER NOT NULL DEFAULT 0,
    ts_ms INTEGER,
    not_before REAL NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class OutboxItem:
    """One queued write. ``kind`` is ``"message"``, ``"message_update"`` or ``"aggregate"``."""

    __slots__ = ("seq", "kind", "channel", "message_id", "body", "replace_paths", "replace_data", "ts_ms", "not_before")

    def __init__(self, seq, kind, channel, message_id, body, replace_paths, replace_data, ts_ms, not_before):
        self.seq = seq
        self.kind = kind
        self.channel = channel
        self.message_id = message_id
        self.body = body
        self.replace_paths = replace_paths
        self.replace_data = replace_data
        self.ts_ms = ts_ms
        self.not_before = not_before

    def __repr__(self) -> str:
        return "OutboxItem(seq={}, kind={!r}, channel={!r}, message_id={})".format(
            self.seq, self.kind, self.channel, self.message_id
        )


class Outbox:
    """A durable FIFO of outgoing writes in a sqlite3 file (``":memory:"`` for tests).

    Thread-safe: the app's thread queues, the device agent's sender thread drains.

    Args:
        path: the sqlite file; created if missing.
        max_items: the size bound (see the drop policy in the module docstring).
        clock: wall-clock seconds, for ``not_before`` (injectable for tests).
    """

    def __init__(self, path: str = ":memory:", max_items: int = 100000, clock=time.time) -> None:
        if max_items < 1:
            raise ValueError("max_items must be at least 1, got {!r}".format(max_items))
        self.path = path
        self.max_items = max_items
        self.dropped = 0
        self._clock = clock
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._inflight: Optional[int] = None
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        if path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    # ------------------------------------------------------------------ queueing

    def put_message(self, channel: str, data: Any, message_id: int, ts_ms: Optional[int] = None) -> int:
        """Queue a message create under ``message_id``; returns the item's ``seq``."""
        with self._lock:
            self._make_room()
            seq = self._insert(MESSAGE, channel, message_id, data, [], False, ts_ms, 0.0)
            self._changed.notify_all()
            return seq

    def put_message_update(self, channel: str, message_id: int, data: Any, replace_data: bool = False) -> int:
        """Queue a message update (merge patch, or replace with ``replace_data``)."""
        with self._lock:
            seq = self._insert(MESSAGE_UPDATE, channel, message_id, data, [], replace_data, None, 0.0)
            self._changed.notify_all()
            return seq

    def put_aggregate(
        self,
        channel: str,
        patch: Any,
        replace_paths: Sequence[str] = (),
        replace_data: bool = False,
        max_age_secs: Optional[float] = None,
    ) -> int:
        """Queue an aggregate patch, merged into a queued patch of the same channel if any."""
        not_before = self._clock() + max_age_secs if max_age_secs and max_age_secs > 0 else 0.0
        with self._lock:
            row = self._db.execute(
                "SELECT seq, body, replace_paths, replace_data, not_before FROM outbox "
                "WHERE kind = ? AND channel = ? ORDER BY seq LIMIT 1",
                (AGGREGATE, channel),
            ).fetchone()
            if row is None or row[0] == self._inflight:
                seq = self._insert(AGGREGATE, channel, None, patch, list(replace_paths), replace_data, None, not_before)
            else:
                seq, old_body, old_paths, old_replace_data, old_nb = row
                body, paths, rdata = _merge_updates(
                    json.loads(old_body), json.loads(old_paths), bool(old_replace_data),
                    patch, list(replace_paths), replace_data,
                )
                self._db.execute(
                    "UPDATE outbox SET body = ?, replace_paths = ?, replace_data = ?, not_before = ? WHERE seq = ?",
                    (json.dumps(body), json.dumps(paths), int(rdata), min(old_nb, not_before), seq),
                )
            self._changed.notify_all()
            return seq

    def _insert(self, kind, channel, message_id, body, paths, replace_data, ts_ms, not_before) -> int:
        cur = self._db.execute(
            "INSERT INTO outbox (kind, channel, message_id, body, replace_paths, replace_data, ts_ms, not_before) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (kind, channel, message_id, json.dumps(body), json.dumps(paths), int(replace_data), ts_ms, not_before),
        )
        return int(cur.lastrowid)

    def _make_room(self) -> None:
        while self._count() >= self.max_items:
            row = self._db.execute(
                "SELECT seq, channel, message_id FROM outbox WHERE kind = ? AND seq IS NOT ? ORDER BY seq LIMIT 1",
                (MESSAGE, self._inflight),
            ).fetchone()
            if row is None:
                return
            self._db.execute("DELETE FROM outbox WHERE seq = ?", (row[0],))
            self.dropped += 1
            log.warning(
                "outbox full (%d items): dropped the oldest queued message %s on channel %r",
                self.max_items, row[2], row[1],
            )

    # ------------------------------------------------------------------ draining

    def next_due(self, now: Optional[float] = None) -> Optional[OutboxItem]:
        """The oldest item that may be sent now, marked in flight; ``None`` if there is none."""
        now = self._clock() if now is None else now
        with self._lock:
            row = self._db.execute(
                "SELECT seq, kind, channel, message_id, body, replace_paths, replace_data, ts_ms, not_before "
                "FROM outbox WHERE not_before <= ? ORDER BY seq LIMIT 1",
                (now,),
            ).fetchone()
            if row is None:
                return None
            self._inflight = row[0]
            return OutboxItem(
                row[0], row[1], row[2], row[3], json.loads(row[4]), json.loads(row[5]), bool(row[6]), row[7], row[8]
            )

    def seconds_until_due(self, now: Optional[float] = None) -> Optional[float]:
        """Seconds until the next waiting item is due (0 if one is due); ``None`` if empty."""
        now = self._clock() if now is None else now
        with self._lock:
            row = self._db.execute("SELECT MIN(not_before) FROM outbox").fetchone()
        if row is None or row[0] is None:
            return None
        return max(0.0, row[0] - now)

    def ack(self, seq: int) -> None:
        """The server accepted item ``seq``: delete it."""
        with self._lock:
            self._db.execute("DELETE FROM outbox WHERE seq = ?", (seq,))
            if self._inflight == seq:
                self._inflight = None
            self._changed.notify_all()

    def release(self, seq: int) -> None:
        """Sending ``seq`` failed; it stays queued (and may be merged into again)."""
        with self._lock:
            if self._inflight == seq:
                self._inflight = None

    def flush_due(self) -> None:
        """Make every waiting aggregate patch due now (used at shutdown)."""
        with self._lock:
            self._db.execute("UPDATE outbox SET not_before = 0")
            self._changed.notify_all()

    def wait_changed(self, timeout: float, stop: Optional[threading.Event] = None) -> None:
        """Block until something is queued or acknowledged, ``stop`` is set (see :meth:`wake`),
        or ``timeout`` seconds pass."""
        with self._changed:
            if stop is None or not stop.is_set():
                self._changed.wait(timeout)

    def wake(self) -> None:
        """Wake every thread blocked in :meth:`wait_changed` or :meth:`wait_empty`."""
        with self._changed:
            self._changed.notify_all()

    def wait_empty(self, timeout: Optional[float]) -> bool:
        """Block until the outbox is empty; ``True`` if it is."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._changed:
            while self._count():
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._changed.wait(remaining if remaining is not None else 1.0)
            return True

    # ------------------------------------------------------------------ inspection

    def _count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0])

    def depth(self) -> int:
        """How many writes are queued and not yet accepted by the server."""
        with self._lock:
            return self._count()

    def items(self) -> List[OutboxItem]:
        """Every queued item, oldest first (a snapshot; nothing is marked in flight)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, kind, channel, message_id, body, replace_paths, replace_data, ts_ms, not_before "
                "FROM outbox ORDER BY seq"
            ).fetchall()
        return [OutboxItem(r[0], r[1], r[2], r[3], json.loads(r[4]), json.loads(r[5]), bool(r[6]), r[7], r[8]) for r in rows]

    def aggregate_items(self, channel: str) -> List[OutboxItem]:
        """The queued aggregate updates of ``channel``, oldest first (a snapshot)."""
        return [item for item in self.items() if item.kind == AGGREGATE and item.channel == channel]

    def pending_aggregate(self, channel: str, base: Any, earlier: Sequence[OutboxItem] = ()) -> Any:
        """``base`` with every queued aggregate update for ``channel`` applied.

        ``earlier`` is an :meth:`aggregate_items` snapshot taken before ``base`` was fetched:
        an update delivered while the fetch was in flight may be missing from ``base`` and is
        gone from the queue, so it is applied from the snapshot (applying an update the server
        already has changes nothing: merge patches and replacements are idempotent)."""
        by_seq = {item.seq: item for item in earlier}
        by_seq.update((item.seq, item) for item in self.aggregate_items(channel))
        for seq in sorted(by_seq):
            item = by_seq[seq]
            base = apply_update(base, item.body, item.replace_paths, item.replace_data)
        return base

    # ------------------------------------------------------------------ key/value cache

    def cache_put(self, key: str, value: Any) -> None:
        """Store ``value`` (JSON) under ``key``, durably."""
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", (key, json.dumps(value)))

    def cache_get(self, key: str, default: Any = None) -> Any:
        """The value stored under ``key``, or ``default``."""
        with self._lock:
            row = self._db.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    def close(self) -> None:
        """Close the file. Queued items stay in it for the next process."""
        with self._lock:
            self._db.close()


def _merge_updates(
    body1: Any, paths1: List[str], rdata1: bool, body2: Any, paths2: List[str], rdata2: bool
) -> "tuple":
    """Compose two aggregate updates into one with the same effect: ``(body, paths, replace_data)``."""
    if rdata2:
        return body2, [], True
    if rdata1:
        return apply_update(body1, body2, paths2), [], True
    first: Dict[str, Any] = body1 if isinstance(body1, dict) else {}
    if paths2:
        # the second update replaces these subtrees wholesale: what the first did there is moot
        first = _without_paths(first, paths2)
    patch, composed = compose_patches(first, body2)
    paths: List[str] = []
    for path in list(paths1) + composed + list(paths2):
        if path not in paths:
            paths.append(path)
    return patch, paths, False


def _without_paths(doc: Dict[str, Any], paths: Sequence[str]) -> Dict[str, Any]:
    result = copy.deepcopy(doc)
    for path in paths:
        node = result
        parts = path.split(".")
        for part in parts[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
            if node is None:
                break
        if isinstance(node, dict):
            node.pop(parts[-1], None)
    return result
