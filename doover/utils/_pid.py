"""A PID controller with output limits and anti-windup."""

import math
import time
from typing import Any, Callable, Optional, Tuple

from ..exceptions import InvalidArgumentError

__all__ = ["PID"]


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise InvalidArgumentError("{}: expected a number, got {!r}".format(name, value))
    return float(value)


class PID:
    """A PID controller: ``output = Kp*e + Ki*sum(e*dt) + Kd*de/dt`` with ``e = setpoint - feedback``.

    Args:
        Kp, Ki, Kd: the proportional, integral and derivative gains.
        setpoint: the target value.
        output_limits: ``(min, max)``; either may be None (no limit). The output is clamped,
            and while it is clamped the integral does not grow further in that direction
            (anti-windup).
        clock: seconds as a float; ``dt`` defaults to the time since the last update
            (default ``time.monotonic``).

    The derivative acts on the error, so a setpoint change gives a one-update kick. The
    first update has no previous error, so its derivative term is 0; without an explicit
    ``dt`` it also has no time base, so its integral term is 0 too.
    """

    def __init__(
        self,
        Kp: float,
        Ki: float,
        Kd: float,
        setpoint: float = 0,
        output_limits: Tuple[Optional[float], Optional[float]] = (None, None),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.Kp = _number("Kp", Kp)
        self.Ki = _number("Ki", Ki)
        self.Kd = _number("Kd", Kd)
        self.setpoint = _number("setpoint", setpoint)
        self.output_limits: Tuple[Optional[float], Optional[float]] = (None, None)
        self.set_output_limits(*output_limits)
        self.clock = clock
        #: the (proportional, integral, derivative) terms of the last update
        self.components: Tuple[float, float, float] = (0.0, 0.0, 0.0)
        self._integral = 0.0
        self._last_error: Optional[float] = None
        self._last_time: Optional[float] = None
        self._last_output = 0.0

    @property
    def last_output(self) -> float:
        """The output of the last update (0 before the first)."""
        return self._last_output

    @property
    def integral(self) -> float:
        """The accumulated ``sum(error * dt)``."""
        return self._integral

    def update(self, feedback_value: float, dt: Optional[float] = None) -> float:
        """Feed the measured value; returns the new control output.

        ``dt`` (seconds) overrides the time since the last update. ``dt <= 0`` (two updates
        at the same instant) returns the previous output unchanged.
        """
        error = self.setpoint - _number("feedback_value", feedback_value)
        now = self.clock()
        if dt is None:
            dt = None if self._last_time is None else now - self._last_time
        else:
            dt = _number("dt", dt)
        first = self._last_error is None
        if dt is not None and dt <= 0 and not first:
            return self._last_output
        self._last_time = now
        step = 0.0 if dt is None or dt <= 0 else dt

        integral = self._integral + error * step
        derivative = 0.0 if first or step == 0 else (error - self._last_error) / step  # type: ignore[operator]
        p_term, i_term, d_term = self.Kp * error, self.Ki * integral, self.Kd * derivative
        raw = p_term + i_term + d_term
        output = self._clamp(raw)
        # anti-windup: keep the new integral only if it does not push further into a limit
        if output == raw or (output > raw and error > 0) or (output < raw and error < 0):
            self._integral = integral
        else:
            i_term = self.Ki * self._integral
            output = self._clamp(p_term + i_term + d_term)
        self.components = (p_term, i_term, d_term)
        self._last_error = error
        self._last_output = output
        return output

    def _clamp(self, value: float) -> float:
        low, high = self.output_limits
        if low is not None and value < low:
            return low
        if high is not None and value > high:
            return high
        return value

    def set_output_limits(self, min_output: Optional[float], max_output: Optional[float]) -> None:
        """Set ``(min, max)``; None means no limit on that side."""
        low = None if min_output is None else _number("min_output", min_output)
        high = None if max_output is None else _number("max_output", max_output)
        if low is not None and high is not None and low > high:
            raise InvalidArgumentError(
                "output_limits: min_output {} is greater than max_output {}".format(low, high))
        self.output_limits = (low, high)

    def set_setpoint(self, setpoint: float) -> None:
        """Set a new target value."""
        self.setpoint = _number("setpoint", setpoint)

    def set_last_output(self, output: float) -> None:
        """Set the value returned when an update cannot compute a new one (``dt <= 0``)."""
        self._last_output = _number("output", output)

    def set_last_error(self, error: float) -> None:
        """Set the previous error, used by the next derivative term."""
        self._last_error = _number("error", error)

    def set_integral_output(self, integral_output: float) -> None:
        """Preload the integral so that its term equals ``integral_output`` (bumpless start)."""
        value = _number("integral_output", integral_output)
        self._integral = 0.0 if self.Ki == 0 else value / self.Ki

    def reset(self) -> None:
        """Forget the integral, the previous error and time, and the last output."""
        self._integral = 0.0
        self._last_error = None
        self._last_time = None
        self._last_output = 0.0
        self.components = (0.0, 0.0, 0.0)
