"""Structured JSON logging for processor invocations.

One JSON object per line: ``timestamp`` (epoch ms), ``level``, ``logger``, ``message``, then
the invocation context (``requestId``, ``app_id``, ``agent_id``, ``event_type``) and any
``extra=`` keys, then ``exc_info`` when there is an exception. A caller's own ``extra`` key
wins over the context.

During an invocation ``print`` and ``sys.stderr`` are captured into loggers ``print`` (INFO)
and ``stderr`` (ERROR); a trailing partial line is flushed when the invocation ends. A
re-entrancy guard sends writes that happen *while* a captured line is being logged to the
original stream, so ``setup_logging=False`` with no root handler cannot recurse.
"""

import json
import logging
import os
import sys
import threading
from typing import Any, Dict, List, Optional, TextIO

__all__ = ["JsonFormatter", "LOG_CONTEXT", "install_logging", "StreamCapture", "LevelScope"]

#: per-invocation keys added to every record; reset at the start of every invocation
LOG_CONTEXT: Dict[str, Any] = {}

_STANDARD_ATTRS = frozenset(
    vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None)).keys()
) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """Render a record as one compact JSON object (see the module docstring for the keys)."""

    def format(self, record: logging.LogRecord) -> str:
        out: Dict[str, Any] = {
            "timestamp": int(record.created * 1000),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and key not in out:
                out[key] = value
        if record.exc_info:
            out["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            out["exc_info"] = record.exc_text
        if record.stack_info:
            out["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(out, default=str, separators=(",", ":"))


class _ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in list(LOG_CONTEXT.items()):
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


_CONTEXT_FILTER = _ContextFilter()


def install_logging(stream: Optional[TextIO] = None) -> logging.Handler:
    """Install the JSON handler on the root logger once (idempotent) and return it.

    The first call replaces the root handlers (e.g. Lambda's bootstrap handler). The handler
    writes to ``stream`` or to the process's original stdout, never to a captured one.
    """
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler.formatter, JsonFormatter):
            if stream is not None and isinstance(handler, logging.StreamHandler):
                handler.setStream(stream)
            return handler
    handler = logging.StreamHandler(stream if stream is not None else sys.__stdout__)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(_CONTEXT_FILTER)
    root.handlers = [handler]
    return handler


def ensure_context_filter() -> None:
    """Make the context visible on records of any root handler (used with ``setup_logging=False``)."""
    for handler in logging.getLogger().handlers:
        if _CONTEXT_FILTER not in handler.filters:
            handler.addFilter(_CONTEXT_FILTER)


def env_level() -> int:
    """DEBUG when the ``DEBUG`` env var is ``1``/``true`` (any case), else INFO."""
    return logging.DEBUG if os.environ.get("DEBUG", "").upper() in ("1", "TRUE") else logging.INFO


class LevelScope:
    """Root and per-logger levels for one invocation, all restored when it ends."""

    def __init__(self) -> None:
        self._saved: List[Any] = []

    def set(self, name: Optional[str], level: Any) -> None:
        logger = logging.getLogger(name)
        self._saved.append((logger, logger.level))
        logger.setLevel(level)

    def restore(self) -> None:
        while self._saved:
            logger, level = self._saved.pop()
            logger.setLevel(level)


_guard = threading.local()


class _LineWriter:
    """A text stream that logs each complete line; partial lines wait for ``flush_partial``."""

    def __init__(self, logger_name: str, level: int, original: TextIO) -> None:
        self._logger = logging.getLogger(logger_name)
        self._level = level
        self._original = original
        self._buffer = ""

    def write(self, text: str) -> int:
        if getattr(_guard, "active", False):
            # A log handler (e.g. logging.lastResort) is writing while we log: do not loop.
            return self._original.write(text)
        self._buffer += text
        while "\n" in self._buffer:
            line, self._buffer = self._buffer.split("\n", 1)
            self._emit(line)
        return len(text)

    def _emit(self, line: str) -> None:
        if not line.strip():
            return
        _guard.active = True
        try:
            self._logger.log(self._level, line)
        finally:
            _guard.active = False

    def flush_partial(self) -> None:
        line, self._buffer = self._buffer, ""
        self._emit(line)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self) -> str:
        return getattr(self._original, "encoding", "utf-8") or "utf-8"


class StreamCapture:
    """Swap ``sys.stdout``/``sys.stderr`` for line loggers; ``restore`` flushes and swaps back."""

    def __init__(self) -> None:
        self._saved = (sys.stdout, sys.stderr)
        self._out = _LineWriter("print", logging.INFO, sys.stdout)
        self._err = _LineWriter("stderr", logging.ERROR, sys.stderr)
        sys.stdout = self._out  # type: ignore[assignment]
        sys.stderr = self._err  # type: ignore[assignment]

    def restore(self) -> None:
        try:
            self._out.flush_partial()
            self._err.flush_partial()
        finally:
            sys.stdout, sys.stderr = self._saved
