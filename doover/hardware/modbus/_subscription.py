"""Polling read subscriptions: a thread per subscription, results handed to a delivery function.

The poller reads on its own thread, under the bus lock like every other transaction, and
hands each result to ``deliver(callback, values)``. The default delivery calls the callback
right there on the polling thread (through :func:`doover._hooks.call_hook`, so the
callback may be ``def`` or ``async def``); the edge runtime installs a delivery that queues
the call onto the app's main thread instead.
"""

import logging
import threading
import time
from typing import Any, Callable, Optional

from ...exceptions import ModbusArgumentError, ModbusError

__all__ = ["ReadSubscription", "Deliver"]

log = logging.getLogger("doover.hardware.modbus")

#: ``deliver(callback, *args)``: run ``callback(*args)`` somewhere, now or later.
Deliver = Callable[..., Any]


class ReadSubscription:
    """A running read subscription: polls every ``poll_secs`` until cancelled.

    The callback gets what :meth:`ModbusInterface.read_registers` returns (an int for one
    register, a list for several) or ``None`` when a poll failed; :attr:`last_error` then
    holds the error. Polls keep a fixed rhythm: a slow poll does not push later ones back,
    and missed ticks are skipped rather than run in a burst.
    """

    def __init__(
        self,
        read: Callable[[], Any],
        callback: Callable[..., Any],
        poll_secs: float,
        deliver: Deliver,
        name: str = "modbus-subscription",
    ) -> None:
        if isinstance(poll_secs, bool) or not isinstance(poll_secs, (int, float)) or not poll_secs > 0:
            raise ModbusArgumentError("poll_secs: expected a number of seconds > 0, got {!r}".format(poll_secs))
        if callback is None or not callable(callback):
            raise ModbusArgumentError("callback: expected a function taking the values read, got {!r}".format(callback))
        self.poll_secs = float(poll_secs)
        self.callback = callback
        #: Number of polls done, and how many of them failed.
        self.polls = 0
        self.failures = 0
        #: The error of the last failed poll (``None`` after a successful one).
        self.last_error: Optional[BaseException] = None
        self._read = read
        self._deliver = deliver
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> "ReadSubscription":
        """Start polling (the interface does this for you)."""
        self._thread.start()
        return self

    @property
    def cancelled(self) -> bool:
        """True once :meth:`cancel` was called."""
        return self._stop.is_set()

    @property
    def running(self) -> bool:
        """True while the polling thread is alive."""
        return self._thread.is_alive()

    def cancel(self) -> None:
        """Stop polling. A poll in progress finishes; no further callback is delivered."""
        self._stop.set()

    def join(self, timeout: Optional[float] = None) -> bool:
        """Wait for the polling thread to end; True if it has."""
        if self._thread.ident is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        next_due = time.monotonic()
        while not self._stop.is_set():
            try:
                values = self._read()
                self.last_error = None
            except ModbusError as exc:
                values = None
                self.failures += 1
                self.last_error = exc
                log.warning("modbus subscription poll failed: %s", exc)
            self.polls += 1
            if self._stop.is_set():
                break
            try:
                self._deliver(self.callback, values)
            except Exception:
                log.exception("modbus subscription callback raised")
            next_due += self.poll_secs
            now = time.monotonic()
            if next_due < now:  # we fell behind: skip the missed ticks
                next_due = now + (self.poll_secs - (now - next_due) % self.poll_secs)
            self._stop.wait(max(0.0, next_due - time.monotonic()))
