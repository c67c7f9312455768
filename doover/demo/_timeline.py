"""What the demo prints: a timeline (one line per notable event), a progress line, a summary.

Timeline lines carry the seconds since the demo started. When the output is a terminal, a
single status line under the timeline is redrawn in place (carriage return and "erase to
end of line"); otherwise nothing but plain lines is written: no progress line, no ANSI.
"""

import threading
import time
from typing import Callable, List, Optional, Sequence, TextIO, Tuple

__all__ = ["Timeline", "format_summary"]

_ERASE = "\r\x1b[K"


class Timeline:
    """Prints timeline lines and, on a terminal, a progress line. Thread-safe."""

    def __init__(self, out: TextIO, *, tty: Optional[bool] = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.out = out
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

    def elapsed(self) -> float:
        """Seconds since the timeline started."""
        return self._clock() - self.started

    def event(self, text: str) -> None:
        """Print one timeline line (above the progress line, which is then redrawn)."""
        with self._lock:  # the time is taken under the lock, so lines from many threads stay in order
            when = self.elapsed()
            self.events.append((when, text))
            line = "{:6.2f}s  {}\n".format(when, text)
            if self.tty and self._status:
                self.out.write(_ERASE + line + self._status)
            else:
                self.out.write(line)
            self.out.flush()

    def say(self, text: str = "") -> None:
        """Print a plain line (no timestamp), above the progress line."""
        with self._lock:
            if self.tty and self._status:
                self.out.write(_ERASE + text + "\n" + self._status)
            else:
                self.out.write(text + "\n")
            self.out.flush()

    def progress(self, text: str) -> None:
        """Redraw the progress line (terminals only; a no-op otherwise)."""
        if not self.tty:
            return
        with self._lock:
            if text == self._status:
                return
            self._status = text
            self.out.write(_ERASE + text)
            self.out.flush()

    def clear_progress(self) -> None:
        """Erase the progress line (terminals only)."""
        if not self.tty:
            return
        with self._lock:
            if self._status:
                self._status = ""
                self.out.write(_ERASE)
                self.out.flush()


def format_summary(rows: Sequence[Tuple[str, str]]) -> List[str]:
    """``["summary", "  label:   value", ...]`` with the values aligned."""
    width = max(len(label) for label, _ in rows) + 1
    return ["summary"] + ["  {:<{}} {}".format(label + ":", width, value) for label, value in rows]
