"""Threshold alarms on a value: :class:`ThresholdAlarm` and the :func:`create_alarm` wrapper."""

import asyncio
import functools
import inspect
import logging
import numbers
import time
from typing import Any, Callable, Optional, Set

from .._hooks import is_async_callable, loop_running, run_awaitable
from ..exceptions import InvalidArgumentError

__all__ = ["ThresholdAlarm", "create_alarm"]

log = logging.getLogger("doover.utils")

#: Seconds the threshold must hold before the first alarm, when none is given (an hour).
DEFAULT_GRACE_PERIOD = 60 * 60
#: Seconds between two alarms at least, when none is given (a day).
DEFAULT_MIN_INTER_ALARM = 60 * 60 * 24


def _seconds(name: str, value: Any, default: float) -> float:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value < 0:
        raise InvalidArgumentError("{} must be a number of seconds >= 0 or None, got {!r}".format(name, value))
    return float(value)


def _check_callable(name: str, value: Any, optional: bool) -> None:
    if value is None and optional:
        return
    if not callable(value):
        raise InvalidArgumentError("{} must be callable, got {!r}".format(name, value))


class ThresholdAlarm:
    """Call ``callback`` when ``threshold_met(value)`` has held for a while, at most so often.

    Feed it readings with :meth:`check_value` (or :meth:`check_value_async` from a
    coroutine). A reading for which ``threshold_met`` is false ends the episode. The first
    reading for which it is true starts one; once the threshold has held for
    ``grace_period`` seconds (default an hour) the alarm fires, calling ``callback()``
    (``def`` or ``async def``), and then fires again while the threshold keeps holding no
    more often than every ``min_inter_alarm`` seconds (default a day).

    ``grace_period=0`` fires on the first reading over the threshold. ``last_alarm_time``
    and ``initial_trigger_time`` are ``clock()`` readings (``time.monotonic`` by default) or
    None; :meth:`reset_alarm` clears both.
    """

    def __init__(
        self,
        threshold_met: Callable[[Any], Any],
        callback: Optional[Callable[[], Any]] = None,
        grace_period: Optional[float] = None,
        min_inter_alarm: Optional[float] = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        _check_callable("threshold_met", threshold_met, optional=False)
        _check_callable("callback", callback, optional=True)
        self.threshold_met = threshold_met
        self.callback = callback
        self.grace_period = _seconds("grace_period", grace_period, DEFAULT_GRACE_PERIOD)
        self.min_inter_alarm = _seconds("min_inter_alarm", min_inter_alarm, DEFAULT_MIN_INTER_ALARM)
        self.clock = clock
        self.last_alarm_time: Optional[float] = None
        self.initial_trigger_time: Optional[float] = None
        self._tasks: Set[Any] = set()

    def _due(self, value: Any, threshold_met: Any, grace_period: Any, min_inter_alarm: Any) -> bool:
        """Update the episode with one reading; True if the alarm should fire now."""
        if grace_period is not None:
            self.grace_period = _seconds("grace_period", grace_period, self.grace_period)
        if min_inter_alarm is not None:
            self.min_inter_alarm = _seconds("min_inter_alarm", min_inter_alarm, self.min_inter_alarm)
        check = self.threshold_met if threshold_met is None else threshold_met
        _check_callable("threshold_met", check, optional=False)
        if not check(value):
            self.initial_trigger_time = None
            return False
        now = self.clock()
        if self.initial_trigger_time is None:
            self.initial_trigger_time = now
        if now - self.initial_trigger_time < self.grace_period:
            log.debug("alarm threshold met by %r, grace period not over", value)
            return False
        if self.last_alarm_time is not None and now - self.last_alarm_time < self.min_inter_alarm:
            log.debug("alarm threshold met by %r, too soon after the last alarm", value)
            return False
        return True

    def check_value(self, value: Any, threshold_met: Optional[Callable[[Any], Any]] = None,
                    grace_period: Optional[float] = None, min_inter_alarm: Optional[float] = None) -> bool:
        """Record one reading; returns True if the alarm fired (the callback was called).

        ``threshold_met``, ``grace_period`` and ``min_inter_alarm`` override the alarm's own
        for this reading (the last two are kept). An ``async def`` callback runs to
        completion on this thread's hook loop, or, when an event loop is already running
        in this thread, is started as a task on it.
        """
        if not self._due(value, threshold_met, grace_period, min_inter_alarm):
            return False
        if self.callback is not None:
            result = self.callback()
            if inspect.isawaitable(result):
                if loop_running():
                    task = asyncio.ensure_future(result)
                    self._tasks.add(task)  # keep a reference until it is done
                    task.add_done_callback(self._tasks.discard)
                else:
                    run_awaitable(result)
        self.last_alarm_time = self.clock()
        return True

    async def check_value_async(self, value: Any, threshold_met: Optional[Callable[[Any], Any]] = None,
                                grace_period: Optional[float] = None,
                                min_inter_alarm: Optional[float] = None) -> bool:
        """:meth:`check_value` for coroutines: an ``async def`` callback is awaited."""
        if not self._due(value, threshold_met, grace_period, min_inter_alarm):
            return False
        if self.callback is not None:
            result = self.callback()
            if inspect.isawaitable(result):
                await result
        self.last_alarm_time = self.clock()
        return True

    def reset_alarm(self) -> None:
        """Forget the current episode and the last alarm time."""
        self.last_alarm_time = None
        self.initial_trigger_time = None

    def __repr__(self) -> str:
        return "ThresholdAlarm(grace_period={!r}, min_inter_alarm={!r}, last_alarm_time={!r})".format(
            self.grace_period, self.min_inter_alarm, self.last_alarm_time
        )


def create_alarm(
    func: Callable[..., Any],
    threshold_met: Callable[[Any], Any],
    callback: Optional[Callable[[], Any]] = None,
    grace_period: Optional[float] = None,
    min_inter_alarm: Optional[float] = None,
) -> Callable[..., Any]:
    """Wrap ``func`` so every value it returns is checked by a new :class:`ThresholdAlarm`.

    The wrapper returns what ``func`` returns; the alarm is its ``.alarm`` attribute. A
    plain function gets a plain wrapper, an ``async def`` an ``async def`` wrapper::

        self.read_level = create_alarm(self.read_level, lambda level: level > 90,
                                       callback=self.on_high_level, grace_period=15,
                                       min_inter_alarm=600)

    calls ``on_high_level()`` once the level has read above 90 for 15 s, then at most every
    10 minutes while it stays there.
    """
    _check_callable("func", func, optional=False)
    alarm = ThresholdAlarm(threshold_met, callback=callback, grace_period=grace_period, min_inter_alarm=min_inter_alarm)

    if is_async_callable(func):

        @functools.wraps(func)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            result = await func(*args, **kwargs)
            await alarm.check_value_async(result)
            return result

        async_wrapper.alarm = alarm  # type: ignore[attr-defined]
        return async_wrapper

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = func(*args, **kwargs)
        alarm.check_value(result)
        return result

    wrapper.alarm = alarm  # type: ignore[attr-defined]
    return wrapper
