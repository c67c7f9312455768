"""Processor info, token and TURN responses (§4.13, §4.14). Secrets are kept out of ``repr``."""

import logging
from typing import Any, Dict, List, Optional

import attrs

from ._base import WireModel
from ._types import Id

__all__ = [
    "SubscriptionInfo",
    "ProcessorTokenResponse",
    "TurnCredential",
    "RotatedDeviceToken",
    "ConfirmedDeviceToken",
]

log = logging.getLogger(__name__)


@attrs.frozen(kw_only=True)
class SubscriptionInfo(WireModel):
    """What a processor learns when it upgrades its initial token (``d.upgrade`` or
    ``GET /processors/subscriptions|schedules/...``).

    ``ui_state``, ``ui_cmds``, ``tag_values`` and ``connection_data`` hold the current aggregate
    data of those channels and may be None. ``token`` is the full-permission token.
    """

    agent_id: Id
    organisation_id: Id
    app_key: str
    token: str = attrs.field(repr=False)
    deployment_config: Dict[str, Any] = attrs.field(factory=dict)
    ui_state: Optional[Any] = None
    ui_cmds: Optional[Dict[str, Any]] = None
    tag_values: Optional[Dict[str, Any]] = None
    connection_data: Optional[Dict[str, Any]] = None

    @property
    def connection_config(self) -> Optional[Any]:
        """``connection_data.config`` as a :class:`ConnectionConfig`, or None (absent or
        unparseable: a warning is logged)."""
        from ._connection import ConnectionConfig

        return self._connection_part("config", ConnectionConfig)

    @property
    def connection_status(self) -> Optional[Any]:
        """``connection_data.status`` as a :class:`DooverConnectionStatus`, or None."""
        from ._connection import DooverConnectionStatus

        return self._connection_part("status", DooverConnectionStatus)

    def _connection_part(self, key: str, cls: Any) -> Optional[Any]:
        raw = (self.connection_data or {}).get(key)
        if not raw:
            return None
        try:
            return cls.from_dict(raw)
        except Exception as exc:  # tolerant reader: a bad value only loses this part
            log.warning("ignoring unparseable connection_data.%s: %s", key, exc)
            return None


@attrs.frozen(kw_only=True)
class ProcessorTokenResponse(WireModel):
    """Response of ``put_schedule`` and ``put_ingestion_endpoint``."""

    id: Id
    token: str = attrs.field(repr=False)
    token_id: Id


@attrs.frozen(kw_only=True)
class TurnCredential(WireModel):
    """TURN credentials for camera WebRTC (``ttl`` seconds, ``expires_at`` epoch seconds)."""

    username: str
    credential: str = attrs.field(repr=False)
    ttl: int
    expires_at: int
    uris: List[str] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class RotatedDeviceToken(WireModel):
    """Response of ``rotate_device_token``: the new mini-token (old one still valid)."""

    token: str = attrs.field(repr=False)
    issued_at_ms: int


@attrs.frozen(kw_only=True)
class ConfirmedDeviceToken(WireModel):
    """Response of ``confirm_device_token``: tokens issued before this (epoch ms) are revoked."""

    tokens_valid_from: int
