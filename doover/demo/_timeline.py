"""What the demo prints: a timeline (one line per notable event), a progress line, a summary.

Timeline lines carry the seconds since the demo started. When the output is a terminal, a
single status line under the timeline is redrawn in place (carriage return and "erase to
end of line"); otherwise nothing but plain lines is written: no progress line, no ANSI.
"""

import os
import threading
import time
from typing import Callable, List, Optional, Sequence, TextIO, Tuple

__all__ = ["Timeline", "format_summary"]

_ERASE = "\r\x1b[K"


class Timeline:
    """Prints timeline lines and, on a terminal, a progress line. Thread-safe."""

    def __init__(
        self,
        out: TextIO,
        *,
        tty: Optional[bool] = None,
        clock: Callable[[], float] = time.monotonic,
        on_closed: Optional[Callable[[], None]] = None
    ) -> None:
        self.out = out
        #: True once the reader went away (a closed pipe, as in ``doover demo | head``)
        self.closed = False
        self._on_closed = on_closed
        if tty is None:
            isatty = getattr(out, "isatty", None)
            tty = bool(isatty()) if isatty is not None else False
        self.tty = tty
        self._clock = clock
        self.started = clock()
        self._lock = threading.Lock()
        self._status = ""
        #: every event printed: ``(seconds since start, text)``
        self.events: List[Tuple[float, str]] = []

    def _write(self, text: str) -> None:
        # called with the lock held
        if self.closed:
            return
        try:
            self.out.write(text)
            self.out.flush()
        except BrokenPipeError:
            self.closed = True
            try:  # point the stream at /dev/null, so that the interpreter's last flush is quiet too
                devnull = os.open(os.devnull, os.O_WRONLY)
                try:
                    os.dup2(devnull, self.out.fileno())
                finally:
                    os.close(devnull)
            except (AttributeError, OSError, ValueError):
                pass
            if self._on_closed is not None:
                self._on_closed()

    def elapsed(self) -> float:
        """Seconds since the timeline started."""
        return self._clock() - self.started

    def event(self, text: str) -> None:
        """Print one timeline line (above the progress line, which is then redrawn)."""
        with self._lock:  # the time is taken under the lock, so lines from many threads stay in order
            when = self.elapsed()
            self.events.append((when, text))
            line = "{:6.2f}s  {}\n".format(when, text)
            self._write(_ERASE + line + self._status if self.tty and self._status else line)

    def say(self, text: str = "") -> None:
        """Print a plain line (no timestamp), above the progress line."""
        with self._lock:
            self._write(_ERASE + text + "\n" + self._status if self.tty and self._status else text + "\n")

    def progress(self, text: str) -> None:
        """Redraw the progress line (terminals only; a no-op otherwise)."""
        if not self.tty:
            return
        with self._lock:
            if text == self._status:
                return
            self._status = text
            self._write(_ERASE + text)

    def clear_progress(self) -> None:
        """Erase the progress line (terminals only)."""
        if not self.tty:
            return
        with self._lock:
            if self._status:
                self._status = ""
                self._write(_ERASE)


def format_summary(rows: Sequence[Tuple[str, str]]) -> List[str]:
    """``["summary", "  label:   value", ...]`` with the values aligned."""
    width = max(len(label) for label, _ in rows) + 1
    return ["summary"] + ["  {:<{}} {}".format(label + ":", width, value) for label, value in rows]
