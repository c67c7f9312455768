"""``log_on`` triggers: rules that promote a tag write to an immediate log entry.

A trigger object is a stateless rule; the state it needs between writes (which side of a
threshold the value is on, the last value logged) lives in a dict owned by the ``Tags``
instance, so two instances (or two warm processor invocations) never share it.
"""

from typing import Any, Dict, List, Tuple

from ..exceptions import TagError
from ._values import same_value

__all__ = ["LogTrigger", "Cross", "Rise", "Fall", "Delta", "AnyChange", "Enter", "Exit", "evaluate_triggers"]


class _Unset:
    def __repr__(self) -> str:
        return "NotSet"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class LogTrigger:
    """Base class of ``log_on=`` rules. ``fires(prev, new, state)`` decides one write."""

    #: tag types this trigger may be attached to
    kinds: Tuple[str, ...] = ()

    def fires(self, prev: Any, new: Any, state: Dict[str, Any]) -> bool:
        """True if writing ``new`` over ``prev`` should be logged at once."""
        raise NotImplementedError


class _Threshold(LogTrigger):
    kinds = ("number", "integer", "float")
    _rise = True
    _fall = True

    def __init__(self, *thresholds: float, deadband: float = 0.0) -> None:
        flat: List[float] = []
        for item in thresholds:
            if isinstance(item, (list, tuple, set, frozenset)):
                flat.extend(item)
            else:
                flat.append(item)
        if not flat:
            raise TagError("{}: expected at least one threshold".format(type(self).__name__))
        for value in flat:
            if not _is_number(value):
                raise TagError("{}: thresholds must be numbers, got {!r}".format(type(self).__name__, value))
        if not _is_number(deadband) or deadband < 0:
            raise TagError("{}: deadband must be a number >= 0, got {!r}".format(type(self).__name__, deadband))
        self.thresholds = sorted(float(t) for t in flat)
        self.deadband = float(deadband)

    def __repr__(self) -> str:
        return "{}({}, deadband={!r})".format(
            type(self).__name__, ", ".join(repr(t) for t in self.thresholds), self.deadband
        )

    def fires(self, prev: Any, new: Any, state: Dict[str, Any]) -> bool:
        if not _is_number(new):
            return False
        sides: Dict[float, bool] = state.setdefault("above", {})
        half = self.deadband / 2.0
        fired = False
        for threshold in self.thresholds:
            if threshold not in sides:
                # Unknown side: take it from the value stored before this write (a
                # processor starts every invocation with fresh trigger state), else
                # start below, as the reference SDK does.
                sides[threshold] = _is_number(prev) and prev >= threshold
            above = sides[threshold]
            if not above and new >= threshold + half:
                sides[threshold] = True
                fired = fired or self._rise
            elif above and new <= threshold - half:
                sides[threshold] = False
                fired = fired or self._fall
        return fired


class Cross(_Threshold):
    """Log when a numeric tag crosses any threshold, in either direction.

    ``deadband`` is a hysteresis band centred on each threshold: the value has to move
    ``deadband / 2`` past a threshold before a crossing counts, so a value hovering at
    the threshold does not log on every write.
    """


class Rise(_Threshold):
    """Log only when a numeric tag rises through a threshold (high alarms)."""

    _fall = False


class Fall(_Threshold):
    """Log only when a numeric tag falls through a threshold (low alarms)."""

    _rise = False


class Delta(LogTrigger):
    """Log when a numeric tag moved far enough from the value last logged by this rule.

    Give exactly one of ``amount`` (absolute change) or ``percent`` (relative to the last
    logged value; any non-zero value counts as a change from zero). The first write
    always logs and becomes the baseline.
    """

    kinds = ("number", "integer", "float")

    def __init__(self, *, amount: float = None, percent: float = None) -> None:
        if (amount is None) == (percent is None):
            raise TagError("Delta: give exactly one of amount= or percent=")
        for label, value in (("amount", amount), ("percent", percent)):
            if value is not None and (not _is_number(value) or value < 0):
                raise TagError("Delta: {} must be a number >= 0, got {!r}".format(label, value))
        self.amount = None if amount is None else float(amount)
        self.percent = None if percent is None else float(percent)

    def __repr__(self) -> str:
        if self.amount is not None:
            return "Delta(amount={!r})".format(self.amount)
        return "Delta(percent={!r})".format(self.percent)

    def fires(self, prev: Any, new: Any, state: Dict[str, Any]) -> bool:
        if not _is_number(new):
            return False
        if "last" not in state:
            state["last"] = new
            return True
        last = state["last"]
        change = abs(new - last)
        if self.amount is not None:
            fired = change >= self.amount
        elif last == 0:
            fired = new != 0
        else:
            fired = change / abs(last) * 100.0 >= self.percent
        if fired:
            state["last"] = new
        return fired


class AnyChange(LogTrigger):
    """Log every change of a boolean or string tag."""

    kinds = ("boolean", "string")

    def __repr__(self) -> str:
        return "AnyChange()"

    def fires(self, prev: Any, new: Any, state: Dict[str, Any]) -> bool:
        return not same_value(prev, new)


class _Membership(LogTrigger):
    kinds = ("boolean", "string")
    _on_enter = False

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "{}({!r})".format(type(self).__name__, self.value)

    def fires(self, prev: Any, new: Any, state: Dict[str, Any]) -> bool:
        if same_value(prev, new):
            return False
        watched = new if self._on_enter else prev
        return same_value(watched, self.value)


class Enter(_Membership):
    """Log when a boolean or string tag takes the given value."""

    _on_enter = True


class Exit(_Membership):
    """Log when a boolean or string tag leaves the given value."""


def normalise_triggers(log_on: Any, tag_type: str, owner: str) -> List[LogTrigger]:
    """Validate ``log_on=`` (one trigger or a list) against the tag type."""
    if log_on is None:
        return []
    items = list(log_on) if isinstance(log_on, (list, tuple, set, frozenset)) else [log_on]
    for item in items:
        if not isinstance(item, LogTrigger):
            raise TagError("{}: log_on expects Cross, Rise, Fall, Delta, AnyChange, Enter or Exit, got {!r}".format(owner, item))
        if tag_type not in item.kinds:
            raise TagError(
                "{}: {} cannot watch a {!r} tag (it works on {})".format(
                    owner, type(item).__name__, tag_type, ", ".join(item.kinds)
                )
            )
    return items


def evaluate_triggers(triggers: List[LogTrigger], prev: Any, new: Any, state: Dict[str, Any]) -> bool:
    """Run every trigger (each keeps its own state current) and OR the results."""
    fired = False
    for index, trigger in enumerate(triggers):
        if trigger.fires(prev, new, state.setdefault(index, {})):
            fired = True
    return fired
