"""Scaling raw readings (4-20 mA and friends) and reacting when a value changes."""

import functools
import inspect
from typing import Any, Callable, Optional, Sequence, Union

from ..exceptions import InvalidArgumentError

__all__ = ["map_reading", "on_change"]


def map_reading(in_val: float, output_values: Sequence[float], raw_readings: Sequence[float] = (4, 20),
                ignore_below: Optional[float] = 3) -> Optional[float]:
    """Map a raw reading onto output values by piecewise-linear interpolation.

    ``raw_readings`` (ascending) and ``output_values`` are matching break points; readings
    outside the range are extrapolated from the nearest segment. A reading below
    ``ignore_below`` (a broken 4-20 mA loop reads ~0 mA) returns None.

    >>> map_reading(12, [0, 100])
    50.0
    """
    if len(raw_readings) < 2 or len(raw_readings) != len(output_values):
        raise InvalidArgumentError(
            "map_reading: raw_readings and output_values need the same length (at least 2), got {} and {}".format(
                len(raw_readings), len(output_values)))
    if any(b <= a for a, b in zip(raw_readings, raw_readings[1:])):
        raise InvalidArgumentError("map_reading: raw_readings must be strictly ascending, got {!r}".format(
            list(raw_readings)))
    if ignore_below is not None and in_val < ignore_below:
        return None
    segment = len(raw_readings) - 2
    for i in range(1, len(raw_readings)):
        if in_val <= raw_readings[i]:
            segment = i - 1
            break
    x0, x1 = raw_readings[segment], raw_readings[segment + 1]
    y0, y1 = output_values[segment], output_values[segment + 1]
    return y0 + (float(in_val) - x0) * (y1 - y0) / (x1 - x0)


def on_change(callback: Union[str, Callable], name: Optional[str] = None) -> Callable[[Callable], Callable]:
    """Decorate a function so that ``callback(new, old, is_first, name)`` runs when its result changes.

    ``callback`` is a callable or the name of a method on the instance (first argument).
    The first result always counts as a change (``old`` None, ``is_first`` True). On a
    method, each instance keeps its own last result. Works on ``async def`` functions too;
    there ``callback`` may also be ``async def``.
    """

    def decorator(func: Callable) -> Callable:
        label = name or func.__name__
        attr = "_doover_on_change_" + label
        shared = {}

        def holder(args: Any) -> dict:
            if args and hasattr(args[0], "__dict__") and not inspect.ismodule(args[0]):
                return args[0].__dict__.setdefault(attr, {})
            return shared

        def resolve(args: Any) -> Callable:
            if not isinstance(callback, str):
                return callback
            target = getattr(args[0], callback, None) if args else None
            if not callable(target):
                raise InvalidArgumentError(
                    "on_change: {!r} is not a method of the instance".format(callback))
            return target

        def changed(args: Any, result: Any) -> Any:
            state = holder(args)
            first = "last" not in state
            if not first and state["last"] == result:
                return None
            old = state.get("last")
            state["last"] = result
            return resolve(args)(result, old, first, label)

        if inspect.iscoroutinefunction(func):
            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                result = await func(*args, **kwargs)
                outcome = changed(args, result)
                if inspect.isawaitable(outcome):
                    await outcome
                return result

            return async_wrapper

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            result = func(*args, **kwargs)
            changed(args, result)
            return result

        return wrapper

    return decorator
