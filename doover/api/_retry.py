"""The retry policy of the Data API client: an immutable value object, like urllib3's ``Retry``."""

import random
import time
from typing import Any, Callable, Iterable, Optional, Union

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
    import email.utils

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


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

    __slots__ = (
        "total",
        "backoff_factor",
        "backoff_max",
        "backoff_jitter",
        "status_forcelist",
        "respect_retry_after",
        "max_retry_after",
    )

    def __init__(
        self,
        *,
        total: int = 3,
        backoff_factor: float = 0.5,
        backoff_max: float = 30.0,
        backoff_jitter: float = 0.25,
        status_forcelist: Iterable[int] = (429, 502, 503, 504),
        respect_retry_after: bool = True,
        max_retry_after: float = 300.0,
    ) -> None:
        if isinstance(total, bool) or not isinstance(total, int) or total < 0:
            raise ValueError("RetryPolicy.total: expected an int >= 0, got {!r}".format(total))
        values = {
            "total": total,
            "backoff_factor": float(backoff_factor),
            "backoff_max": float(backoff_max),
            "backoff_jitter": float(backoff_jitter),
            "status_forcelist": frozenset(int(s) for s in status_forcelist),
            "respect_retry_after": bool(respect_retry_after),
            "max_retry_after": float(max_retry_after),
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("RetryPolicy is immutable; use .replace({}=...)".format(name))

    def __delattr__(self, name: str) -> None:
        raise AttributeError("RetryPolicy is immutable")

    def _fields(self) -> tuple:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RetryPolicy) and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        parts = []
        for name in self.__slots__:
            value = getattr(self, name)
            if name == "status_forcelist":
                value = "{" + ", ".join(str(s) for s in sorted(value)) + "}"
            else:
                value = repr(value)
            parts.append("{}={}".format(name, value))
        return "RetryPolicy({})".format(", ".join(parts))

    def __reduce__(self) -> Any:
        return (_rebuild, (dict(zip(self.__slots__, self._fields())),))

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
        values = dict(zip(self.__slots__, self._fields()))
        values.update(changes)
        return RetryPolicy(**values)

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


def _rebuild(values: dict) -> RetryPolicy:
    return RetryPolicy(**values)
