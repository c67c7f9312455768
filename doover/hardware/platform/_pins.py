"""Pin and value conventions of the platform interface (§4.1 of the edge reference).

* Pins: ints, integral floats, or (nested) iterables of them, flattened: ``fetch_di(0, 1)``,
  ``fetch_di([0, 1])``, ``fetch_di(0, [1, (2,)])``.
* Results: one element comes back as a scalar, otherwise a list.
* Values for ``set_*``/``schedule_*``: one value is applied to every pin; otherwise there must
  be one value per pin. DO values are coerced with ``bool()``; AO values are numbers or a list
  of numbers (a tuple is rejected, as in the platform's SDK).
"""

from typing import Any, List

from ...exceptions import InvalidArgumentError

__all__ = ["cast_pins", "cast_do_values", "cast_ao_values", "broadcast", "check_in_secs", "unwrap", "check_edge"]


def cast_pins(pins: Any, where: str = "pins") -> List[int]:
    """Flatten pins into a list of ints."""
    if isinstance(pins, bool):
        raise InvalidArgumentError("{}: expected pin numbers, got {!r}".format(where, pins))
    if isinstance(pins, int):
        return [pins]
    if isinstance(pins, float) and pins.is_integer():
        return [int(pins)]
    if isinstance(pins, (str, bytes)) or not hasattr(pins, "__iter__"):
        raise InvalidArgumentError("{}: expected pin numbers or lists of them, got {!r}".format(where, pins))
    out: List[int] = []
    for pin in pins:
        out.extend(cast_pins(pin, where))
    return out


def cast_do_values(values: Any) -> List[bool]:
    """Digital output values as bools (bool/int or iterables of them)."""
    if isinstance(values, (bool, int)):
        return [bool(values)]
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise InvalidArgumentError("values: expected a bool, an int or a list of them, got {!r}".format(values))
    out: List[bool] = []
    for value in values:
        out.extend(cast_do_values(value))
    return out


def cast_ao_values(values: Any) -> List[float]:
    """Analog output values as floats (a number or a list of numbers)."""
    if isinstance(values, bool):
        raise InvalidArgumentError("values: expected a number or a list of numbers, got {!r}".format(values))
    if isinstance(values, (int, float)):
        return [float(values)]
    if isinstance(values, list):
        out = []
        for value in values:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise InvalidArgumentError("values: expected numbers, got {!r}".format(value))
            out.append(float(value))
        return out
    raise InvalidArgumentError("values: expected a number or a list of numbers, got {!r}".format(values))


def broadcast(pins: List[int], values: List[Any], kind: str) -> List[Any]:
    """One value per pin: a single value is repeated; a length mismatch is an error."""
    if len(values) == len(pins):
        return values
    if len(values) == 1:
        return values * len(pins)
    raise InvalidArgumentError(
        "{} pins and values are not the same length: {} pins, {} values".format(kind, len(pins), len(values))
    )


def check_in_secs(in_secs: Any) -> int:
    """``in_secs`` must be an int >= 0."""
    if isinstance(in_secs, bool) or not isinstance(in_secs, int) or in_secs < 0:
        raise InvalidArgumentError("in_secs: expected an integer number of seconds >= 0, got {!r}".format(in_secs))
    return in_secs


def check_edge(edge: Any) -> str:
    """``edge`` is ``rising``, ``falling`` or ``both``."""
    if edge not in ("rising", "falling", "both"):
        raise InvalidArgumentError("edge: expected 'rising', 'falling' or 'both', got {!r}".format(edge))
    return edge


def unwrap(values: List[Any]) -> Any:
    """A single result as a scalar, several (or none) as a list."""
    return values[0] if len(values) == 1 else list(values)
