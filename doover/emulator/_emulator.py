"""The :class:`Emulator`: a local Doover Data API on loopback, for tests, demos and scripts."""

import collections
import copy
import logging
import secrets
import threading
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple, Union

from ..exceptions import InvalidArgumentError
from .._snowflake import SnowflakeType, generate_snowflake
from . import _agents
from ._auth import Principal, TokenMinter, hash_secret
from ._faults import Fault, FaultPlan
from ._inspect import Inspector
from ._routes import BASE_PATH
from ._server import HTTPFrontEnd, RequestRecord
from ._store import Store, dump_json
from ._wire import now_us

__all__ = ["Emulator", "Listener"]

log = logging.getLogger("doover.emulator")

#: ``callback(event)``: see :mod:`doover.emulator._events` for the event shapes.
Listener = Callable[[Dict[str, Any]], Any]

AgentIds = Union[int, Iterable[int]]


class Emulator(Inspector):
    """A local Doover Data API: a real HTTP server on loopback backed by SQLite.

    Use it as a context manager (start on enter; stop and close the database on exit)::

        with Emulator() as emu:
            client = DataClient(base_url=emu.base_url, token=emu.token_for(1))

    Args:
        host: the address to bind (default ``127.0.0.1``).
        port: the port to bind; ``0`` (default) picks a free one. After :meth:`stop`, a
            :meth:`start` binds the same port again.
        db: a SQLite file to keep everything in (created if missing; survives restarts,
            and tokens minted on it stay valid). Default: in memory, gone on :meth:`close`.
        request_logger: called with a :class:`RequestRecord` after every request (the CLI
            prints one line per request with it).
        request_log_size: how many records :attr:`request_log` keeps (oldest dropped first).
    """

    #: lifetime in seconds of tokens from ``POST /oauth2/token``
    client_token_lifetime = 3600
    #: lifetime in seconds of the full token inside a SubscriptionInfo
    processor_token_lifetime = 3600
    #: lifetime in seconds of schedule/ingestion initial tokens (long-lived, as on the platform)
    schedule_token_lifetime = 365 * 86400
    #: lifetime in seconds of device tokens from ``token/rotate``
    device_token_lifetime = 365 * 86400

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        db: Optional[str] = None,
        *,
        request_logger: Optional[Callable[[RequestRecord], Any]] = None,
        request_log_size: int = 100000
    ) -> None:
        self.db = db
        self._listeners = []  # type: List[Listener]
        self._listener_lock = threading.Lock()
        self.store = Store(db, dispatch=self._dispatch, listening=lambda: bool(self._listeners))
        _agents.init_defaults(self.store)
        self._minter = TokenMinter(self.store.meta_setdefault("jwt_secret", lambda: secrets.token_hex(32)))
        self.turn_secret = self.store.meta_setdefault("turn_secret", lambda: secrets.token_hex(16))
        self.faults = FaultPlan()
        self._frontend = HTTPFrontEnd(self, host, port)
        self._stopping = threading.Event()
        self._log_lock = threading.Lock()
        self._log = collections.deque(maxlen=request_log_size)  # type: collections.deque
        self._request_logger = request_logger

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> "Emulator":
        """Start serving (again). Returns ``self``."""
        self._stopping.clear()
        self._frontend.start()
        return self

    def stop(self) -> None:
        """Stop serving: close the listening socket and every open connection.

        The database stays open, so :meth:`start` serves the same data on the same port
        ("down mode" for outage tests).
        """
        self._stopping.set()
        self._frontend.stop()

    def close(self) -> None:
        """Stop serving and close the database (an in-memory database is discarded)."""
        self.stop()
        self.store.close()

    def __enter__(self) -> "Emulator":
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def running(self) -> bool:
        """Whether the server is accepting connections."""
        return self._frontend.running

    @property
    def host(self) -> str:
        return self._frontend.host

    @property
    def port(self) -> int:
        """The bound port (known after the first :meth:`start`)."""
        return self._frontend.port

    @property
    def url(self) -> str:
        """``http://host:port`` (no base path)."""
        host = self.host
        if host in ("0.0.0.0", "", "::"):
            host = "127.0.0.1"
        elif ":" in host:
            host = "[{}]".format(host)
        return "http://{}:{}".format(host, self.port)

    @property
    def base_url(self) -> str:
        """The Data API base URL, e.g. ``http://127.0.0.1:8787/api``."""
        return self.url + BASE_PATH

    @property
    def default_organisation_id(self) -> int:
        """The organisation of agents that were not given one (kept in the database)."""
        return int(self.store.meta("default_organisation_id") or 0)

    # ------------------------------------------------------------------ tokens
    def _mint(
        self,
        subject: int,
        kind: str,
        agents: Any,
        organisation_id: Optional[int],
        expires_in: float,
        target: Optional[Dict[str, str]] = None,
    ) -> str:
        return self._minter.mint(subject, kind, agents, organisation_id, expires_in, now_us(), target)

    def _verify(self, token: str) -> Principal:
        return self._minter.verify(token)

    def _revocation_floor_us(self, agent_id: int) -> int:
        with self.store.read() as conn:
            return _agents.revocation_floor_us(conn, agent_id)

    def token_for(self, agent_id: AgentIds, organisation_id: Optional[int] = None, *, expires_in: float = 3600) -> str:
        """A bearer token that may touch ``agent_id`` (an id, or several ids) only.

        Its subject (the ``author_id`` of what it writes) is the first agent. With
        ``organisation_id`` the agents are recorded as members of that organisation and
        the token answers 403 to an ``X-Doover-Organisation`` naming another one.
        A negative ``expires_in`` gives an already expired token.
        """
        agents = [int(agent_id)] if isinstance(agent_id, (int, str)) else [int(a) for a in agent_id]
        if not agents:
            raise InvalidArgumentError("agent_id: expected at least one agent id")
        if organisation_id is not None:
            with self.store.write() as tx:
                for agent in agents:
                    _agents.ensure_agent(tx, agent, organisation_id=int(organisation_id))
        return self._mint(agents[0], "agent", agents, organisation_id, expires_in)

    def admin_token(self, *, expires_in: float = 3600) -> str:
        """A token for every agent and organisation (also for ``/_emulator/faults``)."""
        subject = int(self.store.meta("admin_user_id") or 0)
        return self._mint(subject, "admin", "*", None, expires_in)

    def add_client_credentials(
        self,
        client_id: str,
        client_secret: str,
        agent_ids: Optional[Iterable[int]] = None,
        organisation_id: Optional[int] = None,
    ) -> None:
        """Register an OAuth2 client for ``POST /oauth2/token`` (``agent_ids=None``: all agents)."""
        agents = None if agent_ids is None else [int(a) for a in agent_ids]
        with self.store.write() as tx:
            row = tx.execute("SELECT subject FROM client_credentials WHERE client_id = ?", (client_id,)).fetchone()
            subject = row[0] if row else generate_snowflake(type_id=SnowflakeType.AGENT)
            tx.execute(
                "INSERT OR REPLACE INTO client_credentials (client_id, secret_hash, subject, agents, organisation_id) "
                "VALUES (?, ?, ?, ?, ?)",
                (client_id, hash_secret(client_secret), subject, None if agents is None else dump_json(agents), organisation_id),
            )

    def processor_token(
        self,
        agent_id: int,
        organisation_id: Optional[int] = None,
        *,
        expires_in: Optional[float] = None,
        agents: Any = None
    ) -> str:
        """The full token a processor upgrades to (the ``token`` of a SubscriptionInfo).

        It may touch ``agent_id`` plus ``agents`` (more ids, or ``"*"`` for every agent, as an
        organisation-wide processor would).
        """
        lifetime = self.processor_token_lifetime if expires_in is None else expires_in
        scope = "*" if agents == "*" else [int(agent_id)] + [int(a) for a in (agents or ()) if int(a) != int(agent_id)]
        return self._mint(int(agent_id), "processor", scope, organisation_id, lifetime)

    def initial_token(
        self,
        subscription_arn: Optional[str] = None,
        *,
        schedule_id: Optional[str] = None,
        ingestion_id: Optional[str] = None,
        agent_id: Optional[int] = None,
        expires_in: float = 900,
    ) -> str:
        """An invocation ("initial") token for one subscription, schedule or ingestion.

        It may only call that subscription's or schedule's info endpoint; everything else
        answers 403. Give exactly one of ``subscription_arn``, ``schedule_id``,
        ``ingestion_id`` (ingestions also need ``agent_id`` unless registered).
        """
        given = [(k, v) for k, v in (("subscription", subscription_arn), ("schedule", schedule_id), ("ingestion", ingestion_id)) if v is not None]
        if len(given) != 1:
            raise InvalidArgumentError("give exactly one of subscription_arn, schedule_id, ingestion_id")
        kind, ident = given[0][0], str(given[0][1])
        table, column = {
            "subscription": ("processor_subscriptions", "arn"),
            "schedule": ("processor_schedules", "id"),
            "ingestion": ("processor_ingestions", "id"),
        }[kind]
        if agent_id is None:
            with self.store.read() as conn:
                row = conn.execute("SELECT agent_id FROM {} WHERE {} = ?".format(table, column), (ident,)).fetchone()
            if row is None:
                raise KeyError("no processor {} {!r} is registered".format(kind, ident))
            agent_id = int(row[0])
        with self.store.read() as conn:
            org = _agents.organisation_of(conn, int(agent_id))
        return self._mint(int(agent_id), "initial", [int(agent_id)], org, expires_in, {"type": kind, "id": ident})

    def _device_token(self, agent_id: int) -> Tuple[str, int]:
        issued = now_us()
        with self.store.read() as conn:
            org = _agents.organisation_of(conn, agent_id)
        token = self._minter.mint(agent_id, "device", [agent_id], org, self.device_token_lifetime, issued)
        return token, issued

    def set_token_self_rotation(self, agent_id: int, enabled: bool) -> None:
        """Turn the agent's ``token_self_rotation`` policy on (default) or off."""
        with self.store.write() as tx:
            _agents.set_self_rotation(tx, int(agent_id), enabled)

    def add_agent(self, agent_id: int, *, organisation_id: Optional[int] = None, display_name: Optional[str] = None) -> None:
        """Record an agent's organisation and/or display name (notification titles use it)."""
        with self.store.write() as tx:
            _agents.ensure_agent(tx, int(agent_id), organisation_id, display_name)

    # ------------------------------------------------------------------ listeners
    def add_listener(self, callback: Listener) -> Listener:
        """Call ``callback(event)`` after each committed write that runs hooks.

        Events (plain dicts, a fresh copy per listener) have ``op`` (``on_message_create``,
        ``on_message_update``, ``on_aggregate_update``, ``on_alarm_trigger``), ``agent_id``
        (int), ``channel``, ``organisation_id`` and ``d`` (the processor event payload).
        Listeners run on the thread that made the write (an HTTP request thread) before it
        answers; keep them short or hand off to a queue. A listener that raises is logged and ignored.
        """
        with self._listener_lock:
            self._listeners.append(callback)
        return callback

    def remove_listener(self, callback: Listener) -> None:
        with self._listener_lock:
            if callback in self._listeners:
                self._listeners.remove(callback)

    def _dispatch(self, events: List[Dict[str, Any]]) -> None:
        with self._listener_lock:
            listeners = list(self._listeners)
        for event in events:
            for listener in listeners:
                try:
                    listener(copy.deepcopy(event))
                except Exception:
                    log.exception("emulator listener %r failed on %s", listener, event.get("op"))

    # ------------------------------------------------------------------ request log
    def _record(self, record: RequestRecord) -> None:
        with self._log_lock:
            self._log.append(record)
        if self._request_logger is not None:
            try:
                self._request_logger(record)
            except Exception:
                log.exception("request logger failed")

    @property
    def request_log(self) -> List[RequestRecord]:
        """A copy of the recorded requests, oldest first."""
        with self._log_lock:
            return list(self._log)

    def clear_request_log(self) -> None:
        with self._log_lock:
            self._log.clear()

    def request_count(
        self,
        method: Optional[str] = None,
        path: Optional[str] = None,
        *,
        prefix: bool = False,
        status: Optional[int] = None
    ) -> int:
        """How many recorded requests match ``method``, ``path`` (full path such as
        ``/api/agents/1/channels``; with ``prefix=True`` a path prefix) and ``status``."""
        count = 0
        for record in self.request_log:
            if method is not None and record.method != method.upper():
                continue
            if path is not None and not (record.path.startswith(path) if prefix else record.path == path):
                continue
            if status is not None and record.status != status:
                continue
            count += 1
        return count

    # ------------------------------------------------------------------ faults
    def inject_status(
        self,
        status: int = 503,
        *,
        times: Optional[int] = 1,
        method: Optional[str] = None,
        path: Optional[str] = None,
        retry_after: Optional[float] = None,
        message: Optional[str] = None
    ) -> Fault:
        """Answer the next ``times`` matching requests with ``status`` (``path`` is a
        prefix, with or without ``/api``; ``times=None``: until :meth:`clear_faults`)."""
        return self.faults.add(
            Fault("status", times, method, path, status=status, retry_after=retry_after, message=message)
        )

    def inject_delay(
        self, seconds: float, *, times: Optional[int] = 1, method: Optional[str] = None, path: Optional[str] = None
    ) -> Fault:
        """Wait ``seconds`` before answering the next ``times`` matching requests."""
        return self.faults.add(Fault("delay", times, method, path, seconds=seconds))

    def inject_drop(self, *, times: Optional[int] = 1, method: Optional[str] = None, path: Optional[str] = None) -> Fault:
        """Close the connection, unanswered, on the next ``times`` matching requests."""
        return self.faults.add(Fault("drop", times, method, path))

    def clear_faults(self) -> None:
        """Forget every pending fault."""
        self.faults.clear()
