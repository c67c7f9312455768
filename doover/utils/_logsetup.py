"""Console logging for an app: :class:`LogFormatter` and :func:`setup_logging`."""

import logging
import sys
from typing import Dict, Iterable, Optional, Union

__all__ = ["LogFormatter", "setup_logging"]

_RESET = "\x1b[0m"


class LogFormatter(logging.Formatter):
    """A console formatter that colours each record by its level (ANSI escapes).

    Every line reads ``time - logger - LEVEL - message (file.py:line)``, grey for DEBUG and
    INFO, yellow for WARNING, red for ERROR and bold red for CRITICAL (levels in between
    take the colour of the level below). ``LogFormatter(colour=False)`` leaves the escapes
    out. ``FORMAT`` and ``COLOURS`` are class attributes a subclass may change.
    """

    FORMAT = "%(asctime)s - %(name)s - %(levelname)s - %(message)s (%(filename)s:%(lineno)d)"
    COLOURS: Dict[int, str] = {
        logging.DEBUG: "\x1b[38;20m",
        logging.INFO: "\x1b[38;20m",
        logging.WARNING: "\x1b[33;20m",
        logging.ERROR: "\x1b[31;20m",
        logging.CRITICAL: "\x1b[31;1m",
    }

    def __init__(self, colour: bool = True, datefmt: Optional[str] = None) -> None:
        super().__init__(self.FORMAT, datefmt)
        self.colour = colour

    def _colour_for(self, levelno: int) -> str:
        chosen = ""
        for level in sorted(self.COLOURS):
            if levelno >= level:
                chosen = self.COLOURS[level]
        return chosen

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        colour = self._colour_for(record.levelno) if self.colour else ""
        return colour + text + _RESET if colour else text


def setup_logging(
    debug: bool = False,
    formatter: Optional[logging.Formatter] = None,
    filters: Union[logging.Filter, Iterable[logging.Filter], None] = None,
) -> logging.Handler:
    """Send every log record to stderr through one handler; returns that handler.

    The root logger's handlers are replaced by a single stream handler on ``sys.stderr``
    using ``formatter`` (a :class:`LogFormatter` by default) and ``filters`` (one filter
    or several), and the root level becomes DEBUG with ``debug=True``, else INFO.
    """
    if filters is None:
        filter_list = []
    elif isinstance(filters, logging.Filter) or callable(filters):
        filter_list = [filters]
    else:
        filter_list = list(filters)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter if formatter is not None else LogFormatter())
    for item in filter_list:
        handler.addFilter(item)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    return handler
