"""Clients for the Doover Data API: blocking :class:`DataClient` and generated :class:`AsyncDataClient`.

``import doover.api`` does not import ``requests``; it is imported on the first request.
The full list of methods and signatures is in ``docs/client.md``. In short::

    DataClient(base_url=None, *, token=None, agent_id=None, organisation_id=None,
               client_id=None, client_secret=None, token_expires=None, timeout=(10.0, 60.0),
               retry=None, compress=True, compress_level=6, session_factory=None,
               user_agent=None, sleep=None, data_base_url=None)

Agent-scoped channel/message/aggregate calls take ``channel_name`` first and ``agent_id=`` /
``organisation_id=`` as keywords (``create_message(channel_name, data, timestamp=None,
files=None, *, message_id=None, ts=None, agent_id=None, organisation_id=None,
allow_invoking_channel=False)``); alarm, notification, connection, processor and token calls
take ``agent_id`` first, as in the platform SDK. Extension points for subclasses:
``_resolve_agent_id(agent_id) -> int`` and ``_before_write(kind, channel_name, data, *,
agent_id, allow_invoking_channel)``; the choke point is ``_request(method, path, ...)``.

The API errors of :mod:`doover.exceptions` (``DooverAPIError``, ``HTTPError``,
``BadRequestError``, ``UnauthorizedError``, ``ForbiddenError``, ``NotFoundError``,
``TokenRefreshError``) are re-exported here, where the platform SDK's ``pydoover.api`` has them.
"""

from typing import Any

from ..exceptions import (
    BadRequestError,
    DooverAPIError,
    ForbiddenError,
    HTTPError,
    NotFoundError,
    TokenRefreshError,
    UnauthorizedError,
)
from ._client import DataClient
from ._core import DEFAULT_BASE_URL, DEFAULT_TIMEOUT
from ._iterators import MessageIterator, MultiAgentMessageIterator
from ._retry import RetryPolicy
from ._unset import UNSET

__all__ = [
    "DataClient",
    "AsyncDataClient",
    "RetryPolicy",
    "MessageIterator",
    "MultiAgentMessageIterator",
    "AsyncPageIterator",
    "UNSET",
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "DooverAPIError",
    "HTTPError",
    "BadRequestError",
    "UnauthorizedError",
    "ForbiddenError",
    "NotFoundError",
    "TokenRefreshError",
]


def __getattr__(name: str) -> Any:
    # The async face pulls in asyncio; build it only when someone asks for it.
    if name == "AsyncDataClient":
        from ._async import AsyncDataClient

        return AsyncDataClient
    if name == "AsyncPageIterator":
        from .._asyncshim import AsyncPageIterator

        return AsyncPageIterator
    raise AttributeError("module {!r} has no attribute {!r}".format(__name__, name))


def __dir__() -> Any:
    return sorted(set(globals()) | set(__all__))
