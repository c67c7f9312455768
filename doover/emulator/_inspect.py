"""Direct access to the emulator's state, for tests, demos and processor hosting.

These methods read and write the database without HTTP. Writes go through the same code
as the endpoints (so listeners, alarms and notification records behave the same) and are
authored by the emulator's admin user unless told otherwise.
"""

import uuid
from typing import Any, Dict, Iterable, List, Optional

from ..exceptions import InvalidArgumentError
from .._snowflake import SnowflakeType, generate_snowflake
from . import _agents
from ._aggregates import get_aggregate, update_aggregate
from ._alarms import list_alarms
from ._messages import add_logs, get_message, insert_message, select_messages
from ._processors import subscription_info as _subscription_info
from ._store import dump_json, load_json
from ._wire import message_from_row

__all__ = ["Inspector"]


class Inspector:
    """State access mixed into :class:`~doover.emulator.Emulator`."""

    store = None  # type: Store
    base_url = ""  # type: str

    def _author(self, author_id: Optional[int]) -> int:
        if author_id is not None:
            return int(author_id)
        return int(self.store.meta("admin_user_id") or 0)

    # ------------------------------------------------------------------ reads
    def channels(self, agent_id: int) -> List[str]:
        """The names of the agent's channels, sorted."""
        with self.store.read() as conn:
            rows = conn.execute("SELECT name FROM channels WHERE agent_id = ? ORDER BY name", (int(agent_id),)).fetchall()
        return [row[0] for row in rows]

    def messages(self, agent_id: int, channel: str, *, limit: Optional[int] = None) -> List[Dict[str, Any]]:
        """The channel's messages as Message dicts (ids as strings), newest first."""
        with self.store.read() as conn:
            rows = select_messages(conn, int(agent_id), channel, None, None, -1 if limit is None else limit)
        return [message_from_row(row, self.base_url) for row in rows]

    def message(self, agent_id: int, channel: str, message_id: int) -> Dict[str, Any]:
        """One message; ``KeyError`` if it does not exist."""
        from ._http import ApiError

        with self.store.read() as conn:
            try:
                return get_message(conn, int(agent_id), channel, int(message_id), self.base_url)
            except ApiError as exc:
                raise KeyError(exc.message) from None

    def aggregate(self, agent_id: int, channel: str) -> Dict[str, Any]:
        """The channel's Aggregate ``{"data", "attachments", "last_updated"}`` (empty if never written)."""
        with self.store.read() as conn:
            return get_aggregate(conn, int(agent_id), channel, self.base_url)

    def alarms(self, agent_id: int, channel: str) -> List[Dict[str, Any]]:
        """The channel's alarms as Alarm dicts."""
        with self.store.read() as conn:
            return list_alarms(conn, int(agent_id), channel)

    def notifications(self, agent_id: Optional[int] = None) -> List[Dict[str, Any]]:
        """Notifications sent (messages on ``notifications`` channels), oldest first.

        Each record: ``message_id``, ``agent_id``, ``message``, ``title``, ``severity`` (the
        name: ``Trace``/``Debug``/``Info``/``Warn``/``Critical``), ``topic``, ``valid``
        (False when the payload did not parse) and ``delivered_to`` (matched subscriptions).
        """
        with self.store.read() as conn:
            if agent_id is None:
                rows = conn.execute("SELECT body FROM notifications ORDER BY seq").fetchall()
            else:
                rows = conn.execute(
                    "SELECT body FROM notifications WHERE agent_id = ? ORDER BY seq", (int(agent_id),)
                ).fetchall()
        return [load_json(row[0]) for row in rows]

    # ------------------------------------------------------------------ writes
    def publish(
        self,
        agent_id: int,
        channel: str,
        data: Any,
        *,
        ts: Optional[int] = None,
        message_id: Optional[int] = None,
        author_id: Optional[int] = None,
        hooks: bool = True
    ) -> Dict[str, Any]:
        """Create a message as ``POST .../messages`` would (``ts`` in epoch ms)."""
        with self.store.write() as tx:
            message, _created = insert_message(
                tx,
                int(agent_id),
                channel,
                data,
                author_id=self._author(author_id),
                base_url=self.base_url,
                ts_ms=ts,
                message_id=message_id,
                hooks=hooks,
            )
        return message

    def update_aggregate(
        self,
        agent_id: int,
        channel: str,
        patch: Dict[str, Any],
        *,
        replace: Iterable[str] = (),
        replace_data: bool = False,
        author_id: Optional[int] = None,
        hooks: bool = True
    ) -> Dict[str, Any]:
        """Merge-patch (or with ``replace_data`` replace) an aggregate; returns the new Aggregate."""
        with self.store.write() as tx:
            return update_aggregate(
                tx,
                int(agent_id),
                channel,
                patch,
                author_id=self._author(author_id),
                base_url=self.base_url,
                replace_paths=list(replace),
                replace_data=replace_data,
                hooks=hooks,
            )

    def set_deployment_config(
        self,
        agent_id: int,
        app_key: str,
        config: Dict[str, Any],
        *,
        display_name: Optional[str] = None,
        app_id: Optional[str] = None
    ) -> Dict[str, Any]:
        """Install ``app_key``'s config on the agent: the ``deployment_config`` aggregate at
        ``applications.<app_key>`` becomes ``config`` plus ``APP_KEY``, ``APP_ID``,
        ``APP_DISPLAY_NAME`` and ``AGENT_ID`` (given keys in ``config`` win). Returns it."""
        if not app_key or "." in app_key:
            raise InvalidArgumentError("app_key: expected a non-empty key without dots, got {!r}".format(app_key))
        from ._processors import app_id_for

        with self.store.write() as tx:
            stored = {
                "APP_KEY": app_key,
                "APP_ID": app_id if app_id is not None else app_id_for(tx, int(agent_id), app_key),
                "APP_DISPLAY_NAME": display_name if display_name is not None else app_key,
                "AGENT_ID": int(agent_id),
            }
            stored.update(config)
            update_aggregate(
                tx,
                int(agent_id),
                "deployment_config",
                {"applications": {app_key: stored}},
                author_id=self._author(None),
                base_url=self.base_url,
                replace_paths=["applications." + app_key],
            )
        return stored

    def add_message_logs(self, agent_id: int, channel: str, message_id: int, entries: Iterable[Dict[str, Any]]) -> None:
        """Attach MessageLogEntry dicts (``timestamp``, ``type``, ...) to a message, served by
        ``GET .../messages/{id}/logs``. ``KeyError`` if the message does not exist."""
        with self.store.write() as tx:
            add_logs(tx, int(agent_id), channel, int(message_id), list(entries))

    # ------------------------------------------------------------------ processors
    def add_subscription(
        self,
        agent_id: int,
        channel: str,
        app_key: str,
        *,
        organisation_id: Optional[int] = None,
        subscription_arn: Optional[str] = None
    ) -> str:
        """Subscribe processor ``app_key`` to ``agent_id``'s ``channel``; returns the
        subscription ARN (``arn:aws:sns:...``) that ``GET /processors/subscriptions/{arn}``
        answers for and :meth:`initial_token` accepts."""
        arn = subscription_arn or "arn:aws:sns:local:000000000000:doover-agent-{}-{}:{}".format(
            agent_id, channel, uuid.uuid4()
        )
        with self.store.write() as tx:
            org = organisation_id if organisation_id is not None else _agents.organisation_of(tx.conn, int(agent_id))
            body = {"app_key": app_key, "permissions": [], "channel": channel}
            tx.execute(
                "INSERT OR REPLACE INTO processor_subscriptions (arn, agent_id, channel, app_key, organisation_id, body) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (arn, int(agent_id), channel, app_key, org, dump_json(body)),
            )
        return arn

    def add_schedule(
        self, agent_id: int, app_key: str, *, organisation_id: Optional[int] = None, schedule_id: Optional[str] = None
    ) -> str:
        """Register a schedule for processor ``app_key`` on ``agent_id``; returns its id."""
        schedule_id = str(schedule_id or generate_snowflake(type_id=SnowflakeType.PROCESSOR_SCHEDULE))
        with self.store.write() as tx:
            org = organisation_id if organisation_id is not None else _agents.organisation_of(tx.conn, int(agent_id))
            tx.execute(
                "INSERT OR REPLACE INTO processor_schedules (id, agent_id, app_key, organisation_id, body) "
                "VALUES (?, ?, ?, ?, ?)",
                (schedule_id, int(agent_id), app_key, org, dump_json({"app_key": app_key, "permissions": []})),
            )
        return schedule_id

    def subscriptions(self, agent_id: Optional[int] = None, channel: Optional[str] = None) -> List[Dict[str, Any]]:
        """Registered processor subscriptions (``subscription_arn``, ``agent_id``, ``channel``
        (``None`` when registered over HTTP without one), ``app_key``, ``organisation_id``)."""
        sql = "SELECT arn, agent_id, channel, app_key, organisation_id FROM processor_subscriptions"
        where, params = [], []  # type: List[str], List[Any]
        if agent_id is not None:
            where.append("agent_id = ?")
            params.append(int(agent_id))
        if channel is not None:
            where.append("channel = ?")
            params.append(channel)
        if where:
            sql += " WHERE " + " AND ".join(where)
        with self.store.read() as conn:
            rows = conn.execute(sql + " ORDER BY arn", params).fetchall()
        return [
            {"subscription_arn": r[0], "agent_id": r[1], "channel": r[2], "app_key": r[3], "organisation_id": r[4]}
            for r in rows
        ]

    def schedules(self, agent_id: Optional[int] = None) -> List[Dict[str, Any]]:
        """Registered processor schedules (``schedule_id``, ``agent_id``, ``app_key``, ``organisation_id``)."""
        with self.store.read() as conn:
            rows = conn.execute(
                "SELECT id, agent_id, app_key, organisation_id FROM processor_schedules ORDER BY id"
            ).fetchall()
        return [
            {"schedule_id": r[0], "agent_id": r[1], "app_key": r[2], "organisation_id": r[3]}
            for r in rows
            if agent_id is None or r[1] == int(agent_id)
        ]

    def subscription_info(self, agent_id: int, app_key: str, organisation_id: Optional[int] = None) -> Dict[str, Any]:
        """A complete SubscriptionInfo (the ``d.upgrade`` of ingestion/manual invocations)."""
        with self.store.write() as tx:
            return _subscription_info(self, tx, int(agent_id), app_key, organisation_id)
