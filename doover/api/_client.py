"""``DataClient``: the blocking Data API client, assembled from its parts."""

from ._admin import AdminMethods
from ._channels import ChannelMethods
from ._connection import ConnectionMethods
from ._core import ClientCore
from ._multi import MultiAgentMethods
from ._notify import NotificationMethods

__all__ = ["DataClient"]


class DataClient(
    ChannelMethods,
    ConnectionMethods,
    MultiAgentMethods,
    NotificationMethods,
    AdminMethods,
    ClientCore,
):
    """Blocking client for the Doover Data API (``requests`` under the hood).

    ::

        from doover.api import DataClient

        with DataClient(token="...", agent_id=123) as client:
            client.create_message("sensor_readings", {"temperature": 22.5})
            agg = client.fetch_channel_aggregate("sensor_readings")

    Args:
        base_url: the API root; default ``$DOOVER_DATA_ENDPOINT``, else
            ``https://data.doover.com/api`` (a trailing ``/`` is stripped).
        token: a static bearer token.
        agent_id: default agent of agent-scoped calls (``agent_id=`` per call wins).
        organisation_id: default ``X-Doover-Organisation`` header (per call wins; 0 sends none).
        client_id, client_secret: client credentials; tokens are then fetched from
            ``{base_url}/oauth2/token`` and refreshed 30 s before they expire.
        token_expires: expiry of ``token`` (datetime or epoch seconds) when it is not a JWT.
        timeout: seconds, or ``(connect, read)``; default ``(10, 60)``. Applied to every request.
        retry: a :class:`RetryPolicy`, an int (retries), ``False`` (none) or None (default).
        compress: gzip JSON bodies of 50 bytes or more (level ``compress_level``, default 6).
        session_factory: returns a ``requests.Session``-like object; one is made per thread.
        user_agent: overrides ``doover-sync/<ver> Python/<ver> requests/<ver>``.
        sleep: the function used to wait between retries (tests pass a fake).

    Attributes ``base_url``, ``agent_id``, ``organisation_id``, ``timeout``, ``retry``,
    ``compress`` and ``lookup_ip`` may be changed after construction. The client is
    thread-safe; ``close()`` (or leaving ``with``) closes every session it opened.
    """
