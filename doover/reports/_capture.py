"""Capturing an invocation's log lines for the report's ``logs`` field."""

import io
import logging
from typing import Any

__all__ = ["LogCapture"]

_FORMAT = "%(asctime)s %(levelname)s [%(name)s] %(message)s"


class LogCapture:
    """Collect every record reaching the root logger while active (``with LogCapture() as c``).

    The handler is added when the block starts and removed when it ends, so it is there on a
    cold start (after the runtime installed its own handlers) as on a warm one, and each
    block starts empty: nothing leaks from one invocation into the next.
    """

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._handler = logging.StreamHandler(self._buffer)
        self._handler.setFormatter(logging.Formatter(_FORMAT))

    def text(self) -> str:
        """Everything captured so far, one line per record (tracebacks included)."""
        return self._buffer.getvalue()

    def __enter__(self) -> "LogCapture":
        logging.getLogger().addHandler(self._handler)
        return self

    def __exit__(self, *exc: Any) -> None:
        logging.getLogger().removeHandler(self._handler)
