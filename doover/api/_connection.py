"""Connection-status helpers and ``send_notification`` of DataClient (data-api.md §5.11, §5.12).

Both are compositions of message creates and aggregate patches, so they go through
``create_message`` / ``update_channel_aggregate`` (and their hooks) like any other write.
"""

from __future__ import annotations

import datetime as _dt
import logging
from typing import TYPE_CHECKING, Any, Dict, Optional, Union

from ..exceptions import DooverAPIError
from .. import models
from ..models._enums import ConnectionDetermination, ConnectionStatus
from ._channels import _epoch_ms

if TYPE_CHECKING:  # pragma: no cover
    from ..models import ConnectionConfig, Message

__all__ = ["ConnectionMethods", "CONNECTION_CHANNEL", "CHECKIP_URL"]

log = logging.getLogger("doover.api")

CONNECTION_CHANNEL = "doover_connection"
#: Where ``ping_connection_at`` asks for the public IP when ``lookup_ip`` is on.
CHECKIP_URL = "https://checkip.amazonaws.com"


class ConnectionMethods:
    """``send_notification``, ``ping_connection_at``, ``update_connection_config``."""

    # ------------------------------------------------------------------ notifications, connection

    def send_notification(
        self,
        agent_id: Optional[int],
        message: Union[str, models.Notification],
        title: Optional[str] = None,
        severity: Union[None, int, str] = None,
        topic: Optional[str] = None,
        *,
        organisation_id: Optional[int] = None,
    ) -> Message:
        """Post a notification to the agent's ``notifications`` channel.

        ``message`` is a non-empty str or a :class:`~doover.models.Notification` (then the other arguments
        are ignored). Validated before sending; the severity travels as its integer.
        """
        note = message if isinstance(message, models.Notification) else models.Notification(message, title, severity, topic)
        return self.create_message(
            models.Notification.NOTIFICATIONS_CHANNEL, note.to_dict(), agent_id=agent_id, organisation_id=organisation_id
        )

    def ping_connection_at(
        self,
        online_at: Union[_dt.datetime, int, float],
        connection_status: Union[ConnectionStatus, str] = ConnectionStatus.periodic_unknown,
        determination: Union[ConnectionDetermination, str] = ConnectionDetermination.online,
        ping_at: Union[None, _dt.datetime, int, float] = None,
        user_agent: Optional[str] = None,
        ip_address: Optional[str] = None,
        *,
        agent_id: Optional[int] = None,
        organisation_id: Optional[int] = None,
    ) -> None:
        """Report connectivity on ``doover_connection``: a message, then the same aggregate patch.

        Times are datetimes or epoch ms; ``ping_at`` defaults to now. The public IP is looked up
        (``https://checkip.amazonaws.com``) only when ``ip_address`` is not given and
        ``client.lookup_ip`` is True (default False). ``ip`` is sent only when known, stripped.
        """
        now_ms = _epoch_ms(ping_at, "ping_at") if ping_at is not None else _epoch_ms(_dt.datetime.now(_dt.timezone.utc), "now")
        if not ip_address and self.lookup_ip:
            ip_address = self._lookup_ip()
        status: Dict[str, Any] = {
            "status": ConnectionStatus(connection_status).value,
            "last_online": _epoch_ms(online_at, "online_at"),
            "last_ping": now_ms,
            "user_agent": user_agent or "doover-sync",
        }
        if ip_address and ip_address.strip():
            status["ip"] = ip_address.strip()
        payload = {"status": status, "determination": ConnectionDetermination(determination).value}
        self._write_connection(payload, agent_id, organisation_id)

    def update_connection_config(
        self,
        config: Union[ConnectionConfig, Dict[str, Any]],
        *,
        agent_id: Optional[int] = None,
        organisation_id: Optional[int] = None,
    ) -> None:
        """Publish ``{"config": ConnectionConfig}`` to ``doover_connection`` (message + patch)."""
        if isinstance(config, dict):
            config = models.ConnectionConfig.from_dict(config)
        self._write_connection({"config": config.to_dict()}, agent_id, organisation_id)

    def _write_connection(self, payload: Dict[str, Any], agent_id: Optional[int], organisation_id: Optional[int]) -> None:
        self.create_message(CONNECTION_CHANNEL, payload, agent_id=agent_id, organisation_id=organisation_id)
        self.update_channel_aggregate(
            CONNECTION_CHANNEL, payload, agent_id=agent_id, organisation_id=organisation_id
        )

    def _lookup_ip(self) -> Optional[str]:
        try:
            text = self._request("GET", url=CHECKIP_URL, expect="text", auth=False)
        except DooverAPIError as exc:
            log.warning("public IP lookup failed: %s", exc)
            return None
        return (text or "").strip() or None

