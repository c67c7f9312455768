"""The edge app's tags: ``doover.tags.EdgeTagManager`` wired to the device agent.

The manager keeps the ``tag_values`` cache, buffers writes and decides each iteration's
commit (one aggregate patch at most, an upload cadence, tag-history log messages). This
module only feeds it the channel's events and sends its plans through the device agent,
whose outbox makes them durable. The cadence lives here, not in ``max_age_secs``: plans
are sent with ``max_age_secs=0`` so that the outbox does not hold them a second time.
"""

from typing import Any, Callable, Dict, Optional

__all__ = ["TagStore", "TAG_CHANNEL"]

TAG_CHANNEL = "tag_values"


class TagStore:
    """Tags of one app on one device agent (``manager`` is the ``EdgeTagManager``)."""

    def __init__(self, device_agent: Any, app_key: Optional[str], upload_period: float = 10) -> None:
        from ..tags import EdgeTagManager

        self.manager = EdgeTagManager(client=device_agent, app_key=app_key, min_upload_interval=upload_period)
        self.manager.default_max_age = 0
        self.manager.observed_max_age = 0

    @property
    def device_agent(self) -> Any:
        return self.manager.client

    @device_agent.setter
    def device_agent(self, value: Any) -> None:
        self.manager.client = value

    @property
    def app_key(self) -> Optional[str]:
        return self.manager.app_key

    @app_key.setter
    def app_key(self, value: Optional[str]) -> None:
        self.manager.app_key = value

    def view(self) -> Dict[str, Any]:
        """The tag aggregate as this app sees it (cache plus uncommitted writes)."""
        return self.manager.tag_values

    def get(self, key: str, app_key: Optional[str] = None, default: Any = None, global_tag: bool = False) -> Any:
        """A tag's value, or ``default``."""
        if global_tag:
            return self.manager.get_global_tag(key, default)
        return self.manager.get_tag(key, default, app_key)

    def set(self, key: str, value: Any, app_key: Optional[str] = None, only_if_changed: bool = True,
            global_tag: bool = False, log: bool = False) -> Any:
        """Buffer a write (``None`` deletes); returns an awaitable-or-ignorable ``Done``."""
        if global_tag:
            return self.manager.set_global_tag(key, value, log=log, only_if_changed=only_if_changed)
        return self.manager.set_tag(key, value, app_key, log=log, only_if_changed=only_if_changed)

    def commit(self, upload_period: Optional[float] = None, force: bool = False) -> bool:
        """Send this iteration's plan (if any) through the device agent; True if one was sent."""
        if upload_period is not None:
            self.manager.min_upload_interval = upload_period
        return bool(self.manager.commit(force=force))

    def subscribe(self, key: str, callback: Callable, app_key: Optional[str] = None, global_tag: bool = False) -> None:
        """``callback(key, value)`` when the tag changes in the cloud."""
        self.manager.subscribe_to_tag(key, callback, app_key, global_tag)

    def on_event(self, event: Any) -> None:
        """Device-agent callback for ``tag_values``: seed at sync, update (and notify) after."""
        if event.event_type == "channel_sync":
            self.manager.seed(event.aggregate.data)
        else:
            self.manager.on_aggregate_update(event.aggregate.data)
