"""Notification endpoint and subscription management of DataClient (data-api.md §5.12).

Sending a notification is ``DataClient.send_notification`` (a message on ``notifications``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence

from .. import models
from ..models._converter import structure
from ._channels import id_from
from ._transport import path
from ._unset import UNSET

if TYPE_CHECKING:  # pragma: no cover
    from ..models import AgentNotificationResponse, NotificationEndpoint, NotificationSubscription

__all__ = ["NotificationMethods"]


class NotificationMethods:
    """Notification management calls (``agent_id`` first). Mixed into DataClient."""

    # ------------------------------------------------------------------ notification management

    def _notifications(self, agent_id: int, *rest: Any) -> str:
        return path("agents", self._resolve_agent_id(agent_id), "notifications", *rest)

    def fetch_notifications(self, agent_id: int, *, organisation_id: Optional[int] = None) -> AgentNotificationResponse:
        """``GET /agents/{agent_id}/notifications``: subscriptions, subscribers and endpoints."""
        body = self._request("GET", self._notifications(agent_id), organisation_id=organisation_id)
        return structure(body, models.AgentNotificationResponse)

    def list_notification_endpoints(
        self, agent_id: int, name: Optional[str] = None, *, organisation_id: Optional[int] = None
    ) -> List[NotificationEndpoint]:
        """``GET .../notifications/endpoints`` (optionally filtered by ``name``)."""
        body = self._request(
            "GET", self._notifications(agent_id, "endpoints"), params=[("name", name)], organisation_id=organisation_id
        )
        return structure((body or {}).get("endpoints", []), List[models.NotificationEndpoint])

    def create_notification_endpoint(
        self,
        agent_id: int,
        name: str,
        type: Any,
        extra_data: Dict[str, Any],
        default: bool,
        priority: Optional[int] = None,
        *,
        organisation_id: Optional[int] = None,
    ) -> int:
        """``POST .../notifications/endpoints``; the type is sent by NAME. Returns the new id."""
        body: Dict[str, Any] = {
            "name": name,
            "type": models._notification.coerce_notification_type(type).name,
            "extra_data": extra_data,
            "default": bool(default),
        }
        if priority is not None:
            body["priority"] = priority
        answer = self._request("POST", self._notifications(agent_id, "endpoints"), json=body, organisation_id=organisation_id)
        return id_from(answer)

    def update_notification_endpoint(
        self,
        agent_id: int,
        endpoint_id: int,
        name: Optional[str] = None,
        extra_data: Optional[Dict[str, Any]] = None,
        priority: Any = UNSET,
        *,
        organisation_id: Optional[int] = None,
    ) -> None:
        """``PATCH .../notifications/endpoints/{endpoint_id}``; ``priority=None`` clears it."""
        body: Dict[str, Any] = {}
        if name is not None:
            body["name"] = name
        if extra_data is not None:
            body["extra_data"] = extra_data
        if priority is not UNSET:
            body["priority"] = priority
        self._request(
            "PATCH", self._notifications(agent_id, "endpoints", int(endpoint_id)), json=body, organisation_id=organisation_id
        )

    def delete_notification_endpoint(
        self, agent_id: int, endpoint_id: int, *, organisation_id: Optional[int] = None
    ) -> None:
        """``DELETE .../notifications/endpoints/{endpoint_id}``."""
        self._request("DELETE", self._notifications(agent_id, "endpoints", int(endpoint_id)), organisation_id=organisation_id)

    def test_notification_endpoint(
        self, agent_id: int, endpoint_id: int, *, organisation_id: Optional[int] = None
    ) -> bool:
        """``POST .../notifications/endpoints/{endpoint_id}/test``: whether delivery worked."""
        answer = self._request(
            "POST", self._notifications(agent_id, "endpoints", int(endpoint_id), "test"), organisation_id=organisation_id
        )
        return bool((answer or {}).get("success"))

    def list_notification_subscriptions(
        self, agent_id: int, subscribed_to: Optional[int] = None, *, organisation_id: Optional[int] = None
    ) -> List[NotificationSubscription]:
        """``GET .../notifications/subscriptions`` (optionally only those following one agent)."""
        body = self._request(
            "GET",
            self._notifications(agent_id, "subscriptions"),
            params=[("subscribed_to", None if subscribed_to is None else int(subscribed_to))],
            organisation_id=organisation_id,
        )
        return structure((body or {}).get("subscriptions", []), List[models.NotificationSubscription])

    def create_notification_subscription(
        self,
        agent_id: int,
        subscribe_to: int,
        severity: Any,
        topic_filter: Sequence[str],
        endpoint_id: Optional[int] = None,
        *,
        organisation_id: Optional[int] = None,
    ) -> List[Dict[str, int]]:
        """``POST .../notifications/subscriptions``; returns ``[{"id", "endpoint_id"}, ...]``
        (one per endpoint when ``endpoint_id`` is omitted)."""
        body: Dict[str, Any] = {
            "subscribe_to": str(int(subscribe_to)),
            "severity": int(models._notification.coerce_severity(severity)),
            "topic_filter": list(topic_filter),
        }
        if endpoint_id is not None:
            body["endpoint_id"] = str(int(endpoint_id))
        answer = self._request(
            "POST", self._notifications(agent_id, "subscriptions"), json=body, organisation_id=organisation_id
        )
        created = (answer or {}).get("subscriptions", []) if isinstance(answer, dict) else []
        return [
            {key: id_from(item, key) for key in ("id", "endpoint_id") if isinstance(item, dict) and item.get(key) is not None}
            for item in created
        ]

    def update_notification_subscription(
        self,
        agent_id: int,
        subscription_id: int,
        severity: Any = None,
        topic_filter: Optional[Sequence[str]] = None,
        *,
        organisation_id: Optional[int] = None,
    ) -> None:
        """``PATCH .../notifications/subscriptions/{subscription_id}``."""
        body: Dict[str, Any] = {}
        if severity is not None:
            body["severity"] = int(models._notification.coerce_severity(severity))
        if topic_filter is not None:
            body["topic_filter"] = list(topic_filter)
        self._request(
            "PATCH",
            self._notifications(agent_id, "subscriptions", int(subscription_id)),
            json=body,
            organisation_id=organisation_id,
        )

    def delete_notification_subscription(
        self, agent_id: int, subscription_id: int, *, organisation_id: Optional[int] = None
    ) -> None:
        """``DELETE .../notifications/subscriptions/{subscription_id}``."""
        self._request(
            "DELETE", self._notifications(agent_id, "subscriptions", int(subscription_id)), organisation_id=organisation_id
        )

    def list_default_notification_subscriptions(
        self, agent_id: int, subscribed_to: Optional[int] = None, *, organisation_id: Optional[int] = None
    ) -> List[NotificationSubscription]:
        """``GET .../notifications/subscriptions/default``."""
        body = self._request(
            "GET",
            self._notifications(agent_id, "subscriptions", "default"),
            params=[("subscribed_to", None if subscribed_to is None else int(subscribed_to))],
            organisation_id=organisation_id,
        )
        return structure((body or {}).get("subscriptions", []), List[models.NotificationSubscription])

    def delete_default_notification_subscription(
        self, agent_id: int, subscribed_to: int, *, organisation_id: Optional[int] = None
    ) -> None:
        """``DELETE .../notifications/subscriptions/default/{subscribed_to}``."""
        self._request(
            "DELETE",
            self._notifications(agent_id, "subscriptions", "default", int(subscribed_to)),
            organisation_id=organisation_id,
        )

    def list_notification_subscribers(
        self, agent_id: int, *, organisation_id: Optional[int] = None
    ) -> List[NotificationSubscription]:
        """``GET .../notifications/subscribers``: subscriptions that follow this agent."""
        body = self._request("GET", self._notifications(agent_id, "subscribers"), organisation_id=organisation_id)
        return structure((body or {}).get("subscribers", []), List[models.NotificationSubscription])

    def update_web_push_endpoint(
        self,
        old_endpoint: str,
        endpoint: str,
        key_p256dh: str,
        key_auth: str,
        expires_at: int,
        *,
        organisation_id: Optional[int] = None,
    ) -> None:
        """``POST /agents/me/notifications/update_web_push`` for the caller's own agent."""
        body = {
            "old_endpoint": old_endpoint,
            "endpoint": endpoint,
            "key_p256dh": key_p256dh,
            "key_auth": key_auth,
            "expires_at": expires_at,
        }
        self._request("POST", "/agents/me/notifications/update_web_push", json=body, organisation_id=organisation_id)

