"""Alarms, websocket connections, processors, TURN and device tokens (data-api.md §5.9, 5.10,
5.13-5.15). ``agent_id`` comes first here, as in the platform SDK."""

from __future__ import annotations

import datetime as _dt
import json
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Union

from ..exceptions import InvalidArgumentError
from .. import models
from ..models._enums import AlarmOperator
from ..models._converter import structure
from ._transport import path, snowflake_param
from ._unset import UNSET

if TYPE_CHECKING:  # pragma: no cover
    from ..models import (
        ConfirmedDeviceToken,
        ConnectionDetail,
        ConnectionSubscription,
        ConnectionSubscriptionLog,
        ProcessorTokenResponse,
        RotatedDeviceToken,
        SubscriptionInfo,
        TurnCredential,
    )

__all__ = ["AdminMethods"]

Bound = Union[None, int, _dt.datetime]


def _operator(value: Any) -> str:
    try:
        return AlarmOperator(value).value
    except ValueError:
        raise InvalidArgumentError(
            "operator: expected one of eq, ge, gt, le, lt (or ==, >=, >, <=, <), got {!r}".format(value)
        ) from None


def _alarm_body(name, key, operator, value, description, enabled, expiry_mins) -> Dict[str, Any]:
    body: Dict[str, Any] = {
        "name": name,
        "key": key,
        "operator": _operator(operator),
        "value": value,
        "description": description,
        "enabled": bool(enabled),
    }
    if expiry_mins is not None and expiry_mins is not UNSET:
        body["expiry_mins"] = expiry_mins
    return body


class AdminMethods:
    """Alarm, connection, processor and token calls. Mixed into DataClient."""

    # ------------------------------------------------------------------ alarms

    def list_alarms(self, agent_id: int, channel_name: str, *, organisation_id: Optional[int] = None) -> List[models.Alarm]:
        """``GET /agents/{agent_id}/channels/{channel}/alarms``."""
        body = self._request(
            "GET", path("agents", self._resolve_agent_id(agent_id), "channels", channel_name, "alarms"),
            organisation_id=organisation_id,
        )
        return structure(body or [], List[models.Alarm])

    def create_alarm(
        self,
        agent_id: int,
        channel_name: str,
        name: str,
        key: str,
        operator: Union[AlarmOperator, str],
        value: Any,
        description: str = "",
        enabled: bool = True,
        expiry_mins: Optional[float] = None,
        *,
        organisation_id: Optional[int] = None,
    ) -> models.Alarm:
        """``POST .../alarms``: alarm when ``key`` compared with ``value`` by ``operator`` holds."""
        body = self._request(
            "POST",
            path("agents", self._resolve_agent_id(agent_id), "channels", channel_name, "alarms"),
            json=_alarm_body(name, key, operator, value, description, enabled, expiry_mins),
            organisation_id=organisation_id,
        )
        return structure(body, models.Alarm)

    def fetch_alarm(
        self, agent_id: int, channel_name: str, alarm_id: int, *, organisation_id: Optional[int] = None
    ) -> models.Alarm:
        """``GET .../alarms/{alarm_id}``."""
        body = self._request(
            "GET",
            path("agents", self._resolve_agent_id(agent_id), "channels", channel_name, "alarms", int(alarm_id)),
            organisation_id=organisation_id,
        )
        return structure(body, models.Alarm)

    def put_alarm(
        self,
        agent_id: int,
        channel_name: str,
        alarm_id: int,
        name: str,
        key: str,
        operator: Union[AlarmOperator, str],
        value: Any,
        description: str = "",
        enabled: bool = True,
        expiry_mins: Optional[float] = None,
        *,
        organisation_id: Optional[int] = None,
    ) -> models.Alarm:
        """``PUT .../alarms/{alarm_id}``: replace the alarm."""
        body = self._request(
            "PUT",
            path("agents", self._resolve_agent_id(agent_id), "channels", channel_name, "alarms", int(alarm_id)),
            json=_alarm_body(name, key, operator, value, description, enabled, expiry_mins),
            organisation_id=organisation_id,
        )
        return structure(body, models.Alarm)

    def update_alarm(
        self,
        agent_id: int,
        channel_name: str,
        alarm_id: int,
        name: Optional[str] = None,
        key: Optional[str] = None,
        operator: Union[None, AlarmOperator, str] = None,
        value: Any = UNSET,
        description: Optional[str] = None,
        enabled: Optional[bool] = None,
        expiry_mins: Any = UNSET,
        *,
        organisation_id: Optional[int] = None,
    ) -> models.Alarm:
        """``PATCH .../alarms/{alarm_id}`` with only the fields given; ``expiry_mins=None``
        clears the expiry (leave it out to keep it)."""
        body: Dict[str, Any] = {}
        for field, given in (("name", name), ("key", key), ("description", description), ("enabled", enabled)):
            if given is not None:
                body[field] = given
        if operator is not None:
            body["operator"] = _operator(operator)
        if value is not UNSET and value is not None:
            body["value"] = value
        if expiry_mins is not UNSET:
            body["expiry_mins"] = expiry_mins
        answer = self._request(
            "PATCH",
            path("agents", self._resolve_agent_id(agent_id), "channels", channel_name, "alarms", int(alarm_id)),
            json=body,
            organisation_id=organisation_id,
        )
        return structure(answer, models.Alarm)

    def delete_alarm(
        self, agent_id: int, channel_name: str, alarm_id: int, *, organisation_id: Optional[int] = None
    ) -> None:
        """``DELETE .../alarms/{alarm_id}``."""
        self._request(
            "DELETE",
            path("agents", self._resolve_agent_id(agent_id), "channels", channel_name, "alarms", int(alarm_id)),
            organisation_id=organisation_id,
        )

    # ------------------------------------------------------------------ websocket connections

    def list_connections(self, agent_id: int, *, organisation_id: Optional[int] = None) -> List[ConnectionDetail]:
        """``GET /agents/{agent_id}/wss_connections``: current websocket sessions."""
        body = self._request(
            "GET", path("agents", self._resolve_agent_id(agent_id), "wss_connections"), organisation_id=organisation_id
        )
        return structure(body or [], List[models.ConnectionDetail])

    def fetch_connection(self, connection_id: int, *, organisation_id: Optional[int] = None) -> ConnectionDetail:
        """``GET /connections/{connection_id}``."""
        body = self._request("GET", path("connections", int(connection_id)), organisation_id=organisation_id)
        return structure(body, models.ConnectionDetail)

    def fetch_connection_history(
        self,
        agent_id: int,
        default_connection: bool,
        before: Bound = None,
        after: Bound = None,
        limit: Optional[int] = None,
        *,
        organisation_id: Optional[int] = None,
    ) -> List[ConnectionDetail]:
        """``GET /agents/{agent_id}/wss_connections/history``."""
        body = self._request(
            "GET",
            path("agents", self._resolve_agent_id(agent_id), "wss_connections", "history"),
            params=[
                ("default_connection", bool(default_connection)),
                ("before", snowflake_param(before)),
                ("after", snowflake_param(after)),
                ("limit", limit),
            ],
            organisation_id=organisation_id,
        )
        return structure(body or [], List[models.ConnectionDetail])

    def fetch_subscription_history(
        self,
        agent_id: int,
        channel_agent_id: int,
        channel_name: str,
        before: Bound = None,
        after: Bound = None,
        limit: Optional[int] = None,
        *,
        organisation_id: Optional[int] = None,
    ) -> List[ConnectionSubscriptionLog]:
        """``GET /agents/{agent_id}/wss_connections/subscriptions/history`` for one channel."""
        channel = json.dumps({"agent_id": str(int(channel_agent_id)), "name": channel_name})
        body = self._request(
            "GET",
            path("agents", self._resolve_agent_id(agent_id), "wss_connections", "subscriptions", "history"),
            params=[
                ("channel", channel),
                ("before", snowflake_param(before)),
                ("after", snowflake_param(after)),
                ("limit", limit),
            ],
            organisation_id=organisation_id,
        )
        return structure(body or [], List[models.ConnectionSubscriptionLog])

    def fetch_channel_subscriptions(
        self, agent_id: int, channel_name: str, *, organisation_id: Optional[int] = None
    ) -> List[ConnectionSubscription]:
        """``GET /agents/{agent_id}/channels/{channel}/subscriptions``: live subscribers."""
        body = self._request(
            "GET",
            path("agents", self._resolve_agent_id(agent_id), "channels", channel_name, "subscriptions"),
            organisation_id=organisation_id,
        )
        return structure(body or [], List[models.ConnectionSubscription])

    # ------------------------------------------------------------------ processors

    def fetch_subscription_info(
        self, subscription_id: Union[int, str], *, organisation_id: Optional[int] = None
    ) -> SubscriptionInfo:
        """``GET /processors/subscriptions/{subscription_id}`` (an SNS ARN in processors)."""
        body = self._request("GET", path("processors", "subscriptions", subscription_id), organisation_id=organisation_id)
        return structure(body, models.SubscriptionInfo)

    def fetch_schedule_info(
        self, schedule_id: Union[int, str], *, organisation_id: Optional[int] = None
    ) -> SubscriptionInfo:
        """``GET /processors/schedules/{schedule_id}``."""
        body = self._request("GET", path("processors", "schedules", schedule_id), organisation_id=organisation_id)
        return structure(body, models.SubscriptionInfo)

    def put_schedule(
        self,
        agent_id: int,
        schedule_id: Union[int, str],
        app_key: str,
        permissions: Sequence[Dict[str, str]],
        is_org: Optional[bool] = None,
        *,
        organisation_id: Optional[int] = None,
    ) -> ProcessorTokenResponse:
        """``PUT /agents/{agent_id}/processors/schedules/{schedule_id}``; returns its token."""
        body: Dict[str, Any] = {"app_key": app_key, "permissions": list(permissions)}
        if is_org is not None:
            body["is_org"] = bool(is_org)
        answer = self._request(
            "PUT",
            path("agents", self._resolve_agent_id(agent_id), "processors", "schedules", schedule_id),
            json=body,
            organisation_id=organisation_id,
        )
        return structure(answer, models.ProcessorTokenResponse)

    def put_subscription(
        self,
        agent_id: int,
        subscription_id: Union[int, str],
        subscription_arn: str,
        app_key: str,
        permissions: Sequence[Dict[str, str]],
        is_org: Optional[bool] = None,
        subscribed_to_agent: Optional[int] = None,
        *,
        organisation_id: Optional[int] = None,
    ) -> None:
        """``PUT /agents/{agent_id}/processors/subscriptions/{subscription_id}``
        (``subscribed_to_agent`` travels as a JSON number)."""
        body: Dict[str, Any] = {"subscription_arn": subscription_arn, "app_key": app_key, "permissions": list(permissions)}
        if is_org is not None:
            body["is_org"] = bool(is_org)
        if subscribed_to_agent is not None:
            body["subscribed_to_agent"] = int(subscribed_to_agent)
        self._request(
            "PUT",
            path("agents", self._resolve_agent_id(agent_id), "processors", "subscriptions", subscription_id),
            json=body,
            organisation_id=organisation_id,
        )

    def put_ingestion_endpoint(
        self,
        agent_id: int,
        ingestion_id: Union[int, str],
        lambda_arn: str,
        cidr_ranges: Sequence[str],
        throttle_limit: int,
        app_key: str,
        permissions: Sequence[Dict[str, str]],
        signing_key: Optional[str] = None,
        signing_key_hash_header: Optional[str] = None,
        never_replace_token: bool = False,
        mini_token: bool = False,
        is_org: Optional[bool] = None,
        origin: Optional[str] = None,
        *,
        organisation_id: Optional[int] = None,
    ) -> ProcessorTokenResponse:
        """``PUT /agents/{agent_id}/processors/ingestions/{ingestion_id}``; omitting ``origin``
        clears a registered origin. Returns the ingestion's invocation token."""
        body: Dict[str, Any] = {
            "lambda_arn": lambda_arn,
            "cidr_ranges": list(cidr_ranges),
            "throttle_limit": throttle_limit,
            "app_key": app_key,
            "permissions": list(permissions),
            "never_replace_token": bool(never_replace_token),
            "mini_token": bool(mini_token),
        }
        for key, value in (
            ("signing_key", signing_key),
            ("signing_key_hash_header", signing_key_hash_header),
            ("is_org", is_org),
            ("origin", origin),
        ):
            if value is not None:
                body[key] = value
        answer = self._request(
            "PUT",
            path("agents", self._resolve_agent_id(agent_id), "processors", "ingestions", ingestion_id),
            json=body,
            organisation_id=organisation_id,
        )
        return structure(answer, models.ProcessorTokenResponse)

    def delete_ingestion_endpoint(
        self, agent_id: int, ingestion_id: Union[int, str], *, organisation_id: Optional[int] = None
    ) -> None:
        """``DELETE /agents/{agent_id}/processors/ingestions/{ingestion_id}``."""
        self._request(
            "DELETE",
            path("agents", self._resolve_agent_id(agent_id), "processors", "ingestions", ingestion_id),
            organisation_id=organisation_id,
        )

    # ------------------------------------------------------------------ TURN, device tokens

    def fetch_turn_token(
        self, role: str, camera_name: str, device_id: Optional[int] = None, *, organisation_id: Optional[int] = None
    ) -> TurnCredential:
        """``POST /turn/token``: TURN credentials (``role`` is ``"client"`` or ``"device"``)."""
        body: Dict[str, Any] = {"role": role, "camera_name": camera_name}
        if device_id is not None:
            body["device_id"] = str(int(device_id))
        answer = self._request("POST", "/turn/token", json=body, organisation_id=organisation_id, idempotent=True)
        return structure(answer, models.TurnCredential)

    def rotate_device_token(self, agent_id: int) -> RotatedDeviceToken:
        """``POST /agents/{agent_id}/token/rotate`` with the current token; the old one stays
        valid until :meth:`confirm_device_token` is called with the new one."""
        answer = self._request("POST", path("agents", self._resolve_agent_id(agent_id), "token", "rotate"))
        return structure(answer, models.RotatedDeviceToken)

    def confirm_device_token(self, agent_id: int) -> ConfirmedDeviceToken:
        """``POST /agents/{agent_id}/token/confirm`` with the NEW token: older tokens are revoked."""
        answer = self._request(
            "POST", path("agents", self._resolve_agent_id(agent_id), "token", "confirm"), idempotent=True
        )
        return structure(answer, models.ConfirmedDeviceToken)
