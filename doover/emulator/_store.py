"""SQLite storage: one schema, serialised writes, snapshot reads, events after commit.

* In memory (the default) everything goes through one connection guarded by a lock.
* With a file, the database runs in WAL mode: writes go through one connection under a
  write lock with ``BEGIN IMMEDIATE`` (which also serialises writers in other processes on
  the same file), and reads use a small pool of reader connections that see committed
  snapshots concurrently.

A write transaction collects listener events; they are dispatched only after ``COMMIT``,
outside the lock, so a listener that calls back into the emulator cannot deadlock it.
"""

import contextlib
import json
import logging
import queue
import sqlite3
import threading
from typing import Any, Callable, Dict, Iterator, List, Optional

__all__ = ["Store", "Tx", "SCHEMA_VERSION"]

log = logging.getLogger("doover.emulator")

SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS agents (
    agent_id INTEGER PRIMARY KEY,
    organisation_id INTEGER,
    display_name TEXT,
    tokens_valid_from_us INTEGER NOT NULL DEFAULT 0,
    token_self_rotation INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS channels (
    agent_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    id INTEGER NOT NULL,
    is_private INTEGER NOT NULL DEFAULT 0,
    message_schema TEXT,
    aggregate_schema TEXT,
    PRIMARY KEY (agent_id, name)
);
CREATE TABLE IF NOT EXISTS messages (
    agent_id INTEGER NOT NULL,
    channel TEXT NOT NULL,
    id INTEGER NOT NULL,
    author_id INTEGER NOT NULL,
    data TEXT NOT NULL,
    attachments TEXT NOT NULL DEFAULT '[]',
    expires_ms INTEGER,
    PRIMARY KEY (agent_id, channel, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS aggregates (
    agent_id INTEGER NOT NULL,
    channel TEXT NOT NULL,
    attachments TEXT NOT NULL DEFAULT '[]',
    last_updated INTEGER,
    PRIMARY KEY (agent_id, channel)
);
-- one row per top-level key of an aggregate's data (rowid keeps the key order), so a merge
-- reads and writes only the members it touches
CREATE TABLE IF NOT EXISTS aggregate_members (
    agent_id INTEGER NOT NULL,
    channel TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (agent_id, channel, key)
);
CREATE TABLE IF NOT EXISTS blobs (
    id INTEGER PRIMARY KEY,
    agent_id INTEGER NOT NULL,
    channel TEXT NOT NULL,
    message_id INTEGER,
    content_type TEXT,
    data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS message_logs (
    agent_id INTEGER NOT NULL,
    channel TEXT NOT NULL,
    message_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    entry TEXT NOT NULL,
    PRIMARY KEY (agent_id, channel, message_id, seq)
);
CREATE TABLE IF NOT EXISTS alarms (
    id INTEGER PRIMARY KEY,
    agent_id INTEGER NOT NULL,
    channel TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS notification_endpoints (
    id INTEGER PRIMARY KEY,
    agent_id INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS notification_subscriptions (
    id INTEGER PRIMARY KEY,
    agent_id INTEGER NOT NULL,
    subscribed_to INTEGER NOT NULL,
    is_default INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS notifications (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS web_push (agent_id INTEGER PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS processor_subscriptions (
    arn TEXT PRIMARY KEY,
    agent_id INTEGER NOT NULL,
    channel TEXT,
    app_key TEXT NOT NULL,
    organisation_id INTEGER,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS processor_schedules (
    id TEXT PRIMARY KEY,
    agent_id INTEGER NOT NULL,
    app_key TEXT NOT NULL,
    organisation_id INTEGER,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS processor_ingestions (
    agent_id INTEGER NOT NULL,
    id TEXT NOT NULL,
    app_key TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (agent_id, id)
);
CREATE TABLE IF NOT EXISTS app_ids (
    agent_id INTEGER NOT NULL,
    app_key TEXT NOT NULL,
    app_id TEXT NOT NULL,
    PRIMARY KEY (agent_id, app_key)
);
CREATE TABLE IF NOT EXISTS client_credentials (
    client_id TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    subject INTEGER NOT NULL,
    agents TEXT,
    organisation_id INTEGER
);
"""


class Tx:
    """A write transaction: the connection plus the events to dispatch after commit."""

    __slots__ = ("conn", "events", "listening")

    def __init__(self, conn: sqlite3.Connection, listening: bool = True) -> None:
        self.conn = conn
        self.events = []  # type: List[Dict[str, Any]]
        #: whether anyone listens for events (writers skip building them otherwise)
        self.listening = listening

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def emit(self, event: Dict[str, Any]) -> None:
        if self.listening:
            self.events.append(event)


class Store:
    """The emulator's database. ``path=None`` keeps everything in memory."""

    def __init__(
        self,
        path: Optional[str] = None,
        dispatch: Optional[Callable[[List[Dict[str, Any]]], None]] = None,
        listening: Optional[Callable[[], bool]] = None,
    ) -> None:
        self.path = path
        self._dispatch = dispatch
        self._listening = listening
        self._lock = threading.RLock()
        self._local = threading.local()
        self._readers = queue.LifoQueue()  # type: queue.LifoQueue
        self._all_readers = []  # type: List[sqlite3.Connection]
        self._closed = False
        self._conn = self._connect()
        if path is not None:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
        with self._lock:
            self._conn.executescript(_SCHEMA)
            self._conn.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,)
            )

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path or ":memory:", timeout=30.0, isolation_level=None, check_same_thread=False
        )
        conn.execute("PRAGMA busy_timeout=30000")
        conn.execute("PRAGMA foreign_keys=OFF")
        return conn

    # ------------------------------------------------------------------ writes
    @contextlib.contextmanager
    def write(self) -> Iterator[Tx]:
        """A serialised write transaction. Nested calls on one thread join the outer one."""
        with self._lock:
            outer = getattr(self._local, "tx", None)
            if outer is not None:
                yield outer
                return
            self._check_open()
            tx = Tx(self._conn, self._listening() if self._listening is not None else self._dispatch is not None)
            self._conn.execute("BEGIN IMMEDIATE")
            self._local.tx = tx
            try:
                yield tx
            except BaseException:
                self._local.tx = None
                self._conn.execute("ROLLBACK")
                raise
            self._local.tx = None
            self._conn.execute("COMMIT")
        if tx.events and tx.listening and self._dispatch is not None:
            self._dispatch(tx.events)

    # ------------------------------------------------------------------ reads
    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for a read (or the open write transaction of this thread)."""
        tx = getattr(self._local, "tx", None)
        if tx is not None:
            yield tx.conn
            return
        if self.path is None:
            with self._lock:
                self._check_open()
                yield self._conn
            return
        self._check_open()
        try:
            conn = self._readers.get_nowait()
        except queue.Empty:
            conn = self._connect()
            with self._lock:
                self._all_readers.append(conn)
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            try:
                conn.execute("COMMIT")
            finally:
                self._readers.put(conn)

    # ------------------------------------------------------------------ meta
    def meta(self, key: str) -> Optional[str]:
        with self.read() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def meta_setdefault(self, key: str, factory: Callable[[], str]) -> str:
        """The stored value of ``key``, storing ``factory()`` first if there is none."""
        with self.write() as tx:
            row = tx.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            if row:
                return row[0]
            value = factory()
            tx.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, value))
            return value

    # ------------------------------------------------------------------ lifecycle
    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the emulator's database is closed")

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for conn in self._all_readers:
                try:
                    conn.close()
                except sqlite3.Error:  # pragma: no cover - best effort
                    pass
            self._all_readers = []
            self._conn.close()


def load_json(text: Optional[str], default: Any = None) -> Any:
    """Decode a JSON column (``None`` stays ``default``)."""
    if text is None:
        return default
    return json.loads(text)


def dump_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))
