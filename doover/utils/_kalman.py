"""A one-dimensional Kalman filter and decorators that smooth a function's return value.

The model is a constant value that drifts: between two readings the estimate's variance
grows by ``process_variance`` per second (``Q * dt``), and each reading has variance
``measurement_variance`` (``R``). One update is

    P <- P + Q * dt                  (predict)
    K <- P / (P + R)                 (gain)
    x <- x + K * (z - x)             (correct)
    P <- (1 - K) * P

The first reading initialises the estimate (``x = z``, ``P = R`` unless an initial error
estimate was given). A reading further than ``outlier_threshold`` standard deviations of
the innovation (``sqrt(P + R)``) from the estimate counts as an outlier: its variance is
multiplied by ``outlier_variance_multiplier`` so that it moves the estimate only a little.
"""

import functools
import inspect
import math
import time
from typing import Any, Callable, Dict, Optional, Tuple

from ..exceptions import InvalidArgumentError

__all__ = ["KalmanFilter1D", "apply_kalman_filter", "apply_async_kalman_filter"]

#: keyword arguments a decorated function accepts per call; they go to the filter, not the function
_CALL_OPTIONS = {
    "kf_measurement_variance": "measurement_variance",
    "kf_dt": "dt",
    "kf_outlier_protection": "outlier_protection",
    "kf_process_variance": "process_variance",
}


def _positive(name: str, value: Any, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise InvalidArgumentError("{}: expected a number, got {!r}".format(name, value))
    if value < 0 or (value == 0 and not allow_zero):
        raise InvalidArgumentError("{}: expected a number {} 0, got {!r}".format(
            name, ">=" if allow_zero else ">", value))
    return float(value)


class KalmanFilter1D:
    """A scalar Kalman filter for one noisy reading (a voltage, a level, a temperature).

    Args:
        initial_estimate: start from this estimate instead of the first reading.
        initial_error_estimate: the variance of the initial estimate (default: the first
            reading's measurement variance).
        process_variance: how much the true value may drift, in variance per second
            (default 0.5). Larger follows changes faster; smaller smooths more.
        outlier_protection: down-weight readings far from the estimate (default True).
        outlier_threshold: how far is "far", in standard deviations (default 5).
        outlier_variance_multiplier: an outlier's variance is multiplied by this (default 25).
        measurement_variance: the default variance of a reading (default 0.5).
        clock: seconds as a float; ``dt`` defaults to the time between updates (default
            ``time.monotonic``).

    Set :attr:`enabled` to False to pass readings through unfiltered (handy in tests).
    """

    def __init__(
        self,
        initial_estimate: Optional[float] = None,
        initial_error_estimate: Optional[float] = None,
        process_variance: Optional[float] = None,
        outlier_protection: Optional[bool] = None,
        outlier_threshold: Optional[float] = None,
        outlier_variance_multiplier: Optional[float] = None,
        measurement_variance: Optional[float] = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.estimate: Optional[float] = None if initial_estimate is None else float(initial_estimate)
        self.error_estimate: Optional[float] = (
            None if initial_error_estimate is None
            else _positive("initial_error_estimate", initial_error_estimate, allow_zero=True))
        self.process_variance = _positive(
            "process_variance", 0.5 if process_variance is None else process_variance, allow_zero=True)
        self.outlier_protection = True if outlier_protection is None else bool(outlier_protection)
        self.outlier_threshold = _positive("outlier_threshold", 5 if outlier_threshold is None else outlier_threshold)
        self.outlier_variance_multiplier = _positive(
            "outlier_variance_multiplier", 25 if outlier_variance_multiplier is None else outlier_variance_multiplier)
        self.measurement_variance = _positive(
            "measurement_variance", 0.5 if measurement_variance is None else measurement_variance)
        self.clock = clock
        #: the gain of the last update (0 before the first correction)
        self.kalman_gain = 0.0
        #: whether the last reading was treated as an outlier
        self.last_was_outlier = False
        #: False: :meth:`update` returns readings unchanged
        self.enabled = True
        self._last_time: Optional[float] = None

    def reset(self) -> None:
        """Forget the estimate; the next reading starts the filter again."""
        self.estimate = None
        self.error_estimate = None
        self.kalman_gain = 0.0
        self.last_was_outlier = False
        self._last_time = None

    def update(
        self,
        measurement: Optional[float],
        measurement_variance: Optional[float] = None,
        dt: Optional[float] = None,
        outlier_protection: Optional[bool] = None,
        process_variance: Optional[float] = None,
    ) -> Optional[float]:
        """Feed one reading and return the new estimate.

        ``None`` readings return the current estimate unchanged (a sensor that did not
        answer). ``dt`` overrides the elapsed time since the last update; ``process_variance``
        replaces the filter's process variance from now on.
        """
        if not self.enabled:
            return measurement
        if process_variance is not None:
            self.process_variance = _positive("process_variance", process_variance, allow_zero=True)
        if measurement is None:
            return self.estimate
        if isinstance(measurement, bool) or not isinstance(measurement, (int, float)):
            raise InvalidArgumentError("measurement: expected a number or None, got {!r}".format(measurement))
        r = self.measurement_variance if measurement_variance is None else _positive(
            "measurement_variance", measurement_variance)
        now = self.clock()
        if dt is None:
            dt = 0.0 if self._last_time is None else max(0.0, now - self._last_time)
        else:
            dt = _positive("dt", dt, allow_zero=True)
        self._last_time = now
        if self.estimate is None:
            self.estimate = float(measurement)
            if self.error_estimate is None:
                self.error_estimate = r
            self.last_was_outlier = False
            return self.estimate
        p = (self.error_estimate if self.error_estimate is not None else r) + self.process_variance * dt
        protect = self.outlier_protection if outlier_protection is None else bool(outlier_protection)
        innovation = float(measurement) - self.estimate
        self.last_was_outlier = protect and abs(innovation) > self.outlier_threshold * math.sqrt(p + r)
        if self.last_was_outlier:
            r *= self.outlier_variance_multiplier
        self.kalman_gain = p / (p + r)
        self.estimate += self.kalman_gain * innovation
        self.error_estimate = (1.0 - self.kalman_gain) * p
        return self.estimate


def _split_call_options(kwargs: Dict[str, Any]) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    options = {}
    for key, name in _CALL_OPTIONS.items():
        if key in kwargs:
            options[name] = kwargs.pop(key)
    return kwargs, options


class _FilterSlots:
    """Where a decorated function keeps its filters: one per instance for methods
    (first parameter ``self``), one shared filter for plain functions."""

    def __init__(self, func: Callable, params: Dict[str, Any]) -> None:
        self.params = params
        self.attr = "_doover_kalman_{}".format(func.__qualname__.replace(".", "_").replace("<", "").replace(">", ""))
        try:
            first = next(iter(inspect.signature(func).parameters), None)
        except (TypeError, ValueError):
            first = None
        self.per_instance = first == "self"
        self.shared: Optional[KalmanFilter1D] = None

    def get(self, args: Tuple[Any, ...]) -> KalmanFilter1D:
        if self.per_instance and args and hasattr(args[0], "__dict__"):
            owner = args[0]
            filt = owner.__dict__.get(self.attr)
            if filt is None:
                filt = KalmanFilter1D(**self.params)
                setattr(owner, self.attr, filt)
            return filt
        if self.shared is None:
            self.shared = KalmanFilter1D(**self.params)
        return self.shared


def _decorator_params(**params: Any) -> Dict[str, Any]:
    KalmanFilter1D(**params)  # validate now, at decoration time
    return params


def apply_kalman_filter(
    initial_estimate: Optional[float] = None,
    initial_error_estimate: Optional[float] = None,
    process_variance: Optional[float] = None,
    outlier_protection: Optional[bool] = None,
    outlier_threshold: Optional[float] = None,
    outlier_variance_multiplier: Optional[float] = None,
    measurement_variance: Optional[float] = None,
) -> Callable[[Callable], Callable]:
    """Decorate a function that returns one reading so that it returns the filtered value.

    A method (first parameter ``self``) gets one filter per instance; a plain function one
    filter in all. Per call, the keyword arguments ``kf_measurement_variance``, ``kf_dt``,
    ``kf_outlier_protection`` and ``kf_process_variance`` go to :meth:`KalmanFilter1D.update`
    and are not passed to the function. ``wrapper.kalman_filter(obj)`` returns the filter
    (``obj``: the instance, for methods). Arguments as for :class:`KalmanFilter1D`.
    """
    params = _decorator_params(
        initial_estimate=initial_estimate, initial_error_estimate=initial_error_estimate,
        process_variance=process_variance, outlier_protection=outlier_protection,
        outlier_threshold=outlier_threshold, outlier_variance_multiplier=outlier_variance_multiplier,
        measurement_variance=measurement_variance)

    def decorator(func: Callable) -> Callable:
        if inspect.iscoroutinefunction(func):
            raise InvalidArgumentError(
                "apply_kalman_filter: {} is async def; use apply_async_kalman_filter".format(func.__qualname__))
        slots = _FilterSlots(func, params)

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            kwargs, options = _split_call_options(kwargs)
            return slots.get(args).update(func(*args, **kwargs), **options)

        wrapper.kalman_filter = lambda owner=None: slots.get((owner,) if owner is not None else ())  # type: ignore[attr-defined]
        return wrapper

    return decorator


def apply_async_kalman_filter(
    initial_estimate: Optional[float] = None,
    initial_error_estimate: Optional[float] = None,
    process_variance: Optional[float] = None,
    outlier_protection: Optional[bool] = None,
    outlier_threshold: Optional[float] = None,
    outlier_variance_multiplier: Optional[float] = None,
    measurement_variance: Optional[float] = None,
) -> Callable[[Callable], Callable]:
    """:func:`apply_kalman_filter` for ``async def`` functions: the wrapper is awaitable."""
    params = _decorator_params(
        initial_estimate=initial_estimate, initial_error_estimate=initial_error_estimate,
        process_variance=process_variance, outlier_protection=outlier_protection,
        outlier_threshold=outlier_threshold, outlier_variance_multiplier=outlier_variance_multiplier,
        measurement_variance=measurement_variance)

    def decorator(func: Callable) -> Callable:
        if not inspect.iscoroutinefunction(func):
            raise InvalidArgumentError(
                "apply_async_kalman_filter: {} is not async def; use apply_kalman_filter".format(func.__qualname__))
        slots = _FilterSlots(func, params)

        @functools.wraps(func)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            kwargs, options = _split_call_options(kwargs)
            reading = await func(*args, **kwargs)
            return slots.get(args).update(reading, **options)

        wrapper.kalman_filter = lambda owner=None: slots.get((owner,) if owner is not None else ())  # type: ignore[attr-defined]
        return wrapper

    return decorator
