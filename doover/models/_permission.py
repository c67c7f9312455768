"""One permission grant as processor registrations send it (data-api §5.13)."""

import attrs

from ._base import WireModel

__all__ = ["ResourcePermission"]


@attrs.frozen(kw_only=True)
class ResourcePermission(WireModel):
    """A grant on one resource: ``{"permission_id": "ag:<agent id>", "permission": "<bits>"}``.

    This is the item of the ``permissions`` list that ``put_schedule``, ``put_subscription``
    and ``put_ingestion_endpoint`` send. ``permission_id`` names the resource (``"ag:12"`` is
    agent 12), ``permission`` is the permission bitmask as a decimal string, as on the wire.
    ``to_dict()`` gives the item to put in that list.
    """

    permission_id: str
    permission: str
