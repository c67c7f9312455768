"""The retry policy of the Data API client: an immutable value object, like urllib3's ``Retry``."""

import email.utils
import random
import time
from typing import Any, Callable, FrozenSet, Optional, Union

import attrs

__all__ = ["RetryPolicy", "IDEMPOTENT_METHODS", "parse_retry_after"]

#: Methods that are safe to send twice.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


def parse_retry_after(value: Optional[str], now: Optional[float] = None) -> Optional[float]:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date), or None."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """When and how long the client retries a failed request. Immutable; share it freely.

    A request is retried, at most ``total`` times after the first attempt, when:

    * it got a status in ``status_forcelist`` (default 429, 502, 503, 504). A 429 is always
      retried (the server did not act on it); a 5xx only when the request is idempotent;
    * it failed to connect (refused, DNS, connect timeout): the server never saw it, so any
      request is retried;
    * it failed after connecting (reset, read timeout): only idempotent requests.

    Idempotent means GET/HEAD/PUT/DELETE/OPTIONS, or a request the client marks so (a message
    create with a client-chosen snowflake id, a token fetch, a batch create whose items all
    carry message ids). 4xx other than 429 are never retried.

    The wait before retry *n* (1-based) is ``min(backoff_max, backoff_factor * 2**(n-1))``
    plus a random jitter in ``[0, backoff_jitter]``, or the server's ``Retry-After`` (seconds or
    an HTTP date) when ``respect_retry_after`` is set. A ``Retry-After`` longer than
    ``max_retry_after`` is not waited for: the error is raised at once.

    ``RetryPolicy(total=0)`` (or ``DataClient(retry=False)``) disables retries.
    """

    total: int = 3
    backoff_factor: float = 0.5
    backoff_max: float = 30.0
    backoff_jitter: float = 0.25
    status_forcelist: FrozenSet[int] = attrs.field(default=frozenset({429, 502, 503, 504}), converter=frozenset)
    respect_retry_after: bool = True
    max_retry_after: float = 300.0

    def __attrs_post_init__(self) -> None:
        if self.total < 0:
            raise ValueError("RetryPolicy.total: expected >= 0, got {}".format(self.total))

    @classmethod
    def from_arg(cls, value: Union[None, bool, int, "RetryPolicy"]) -> "RetryPolicy":
        """``None``/``True`` -> default policy, ``False`` -> no retries, an int -> ``total``."""
        if value is None or value is True:
            return cls()
        if value is False:
            return cls(total=0)
        if isinstance(value, RetryPolicy):
            return value
        if isinstance(value, int):
            return cls(total=value)
        raise TypeError("retry: expected a RetryPolicy, an int, a bool or None, got {!r}".format(value))

    def replace(self, **changes: Any) -> "RetryPolicy":
        """A copy with ``changes`` applied."""
        return attrs.evolve(self, **changes)

    def should_retry_status(self, status: int, idempotent: bool) -> bool:
        """Whether this status is worth another attempt (budget not considered)."""
        if status not in self.status_forcelist:
            return False
        return status == 429 or idempotent

    def should_retry_error(self, connect_failed: bool, idempotent: bool) -> bool:
        """Whether a transport error is worth another attempt (budget not considered)."""
        return connect_failed or idempotent

    def backoff(self, retry_number: int, rng: Callable[[], float] = random.random) -> float:
        """Seconds to wait before retry ``retry_number`` (1 for the first retry)."""
        base = min(self.backoff_max, self.backoff_factor * (2 ** max(0, retry_number - 1)))
        return max(0.0, base + self.backoff_jitter * rng())

    def delay(self, retry_number: int, retry_after: Optional[float]) -> Optional[float]:
        """The wait before retry ``retry_number``; None means "do not retry" (too long)."""
        if retry_after is not None and self.respect_retry_after:
            if retry_after > self.max_retry_after:
                return None
            return retry_after
        return self.backoff(retry_number)
