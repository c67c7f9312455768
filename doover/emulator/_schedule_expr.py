"""Schedule expressions as AWS EventBridge writes them: ``rate(...)`` and ``cron(...)``.

``parse_schedule(text)`` gives a :class:`RateSchedule` or a :class:`CronSchedule`; both answer
``next_fire(after)``: the first firing strictly after ``after`` (a ``datetime``; naive values
are taken as UTC), as an aware UTC ``datetime``, or ``None`` when the expression never fires
again.

``cron(minutes hours day-of-month month day-of-week year)`` has EventBridge's six fields,
evaluated in UTC. Supported: ``*``, ``?`` (in exactly one of day-of-month and day-of-week),
single values, ranges ``a-b``, lists ``a,b``, steps ``*/n``, ``a/n`` and ``a-b/n``, month
names ``JAN``-``DEC`` and day names ``SUN``-``SAT`` (day-of-week 1 is Sunday). The ``L``,
``W`` and ``#`` forms are refused with :class:`~doover.exceptions.NotSupportedError`.
"""

import datetime
import re
from typing import FrozenSet, Optional, Tuple, Union

from ..exceptions import InvalidArgumentError, NotSupportedError

__all__ = ["CronSchedule", "RateSchedule", "parse_schedule"]

UTC = datetime.timezone.utc

_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days|second|seconds)\s*\)$")
_RATE_UNIT = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_CRON = re.compile(r"^cron\((.*)\)$")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
# (name, low, high, names for low..high)
_FIELDS = (
    ("minutes", 0, 59, ()),
    ("hours", 0, 23, ()),
    ("day-of-month", 1, 31, ()),
    ("month", 1, 12, _MONTHS),
    ("day-of-week", 1, 7, _DAYS),
    ("year", 1970, 2199, ()),
)


def _utc(moment: datetime.datetime) -> datetime.datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class RateSchedule:
    """``rate(N unit)``: fires every ``seconds`` seconds."""

    def __init__(self, expression: str, seconds: int) -> None:
        self.expression = expression
        self.seconds = seconds

    def next_fire(self, after: datetime.datetime) -> Optional[datetime.datetime]:
        """``after`` plus one period (a rate counts from when the schedule started)."""
        return _utc(after) + datetime.timedelta(seconds=self.seconds)

    def __repr__(self) -> str:
        return "RateSchedule({!r})".format(self.expression)


class CronSchedule:
    """``cron(...)``: fires at each UTC minute its six fields match."""

    def __init__(self, expression: str, minutes: FrozenSet[int], hours: FrozenSet[int],
                 days: Optional[FrozenSet[int]], months: FrozenSet[int],
                 weekdays: Optional[FrozenSet[int]], years: FrozenSet[int]) -> None:
        self.expression = expression
        self.minutes = minutes
        self.hours = hours
        self.days = days  # None: "?" (the day-of-week field decides)
        self.months = months
        self.weekdays = weekdays  # EventBridge numbering, 1 = Sunday; None: "?"
        self.years = years

    def _day_matches(self, moment: datetime.datetime) -> bool:
        if self.days is not None and moment.day not in self.days:
            return False
        if self.weekdays is not None and (moment.weekday() + 1) % 7 + 1 not in self.weekdays:
            return False
        return True

    def next_fire(self, after: datetime.datetime) -> Optional[datetime.datetime]:
        """The first matching minute strictly after ``after``."""
        moment = _utc(after).replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
        last_year = max(self.years)
        while moment.year <= last_year:
            if moment.year not in self.years:
                later = [y for y in self.years if y > moment.year]
                if not later:
                    return None
                moment = datetime.datetime(min(later), 1, 1, tzinfo=UTC)
                continue
            if moment.month not in self.months:
                year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
                moment = datetime.datetime(year, month, 1, tzinfo=UTC)
                continue
            if not self._day_matches(moment):
                moment = (moment + datetime.timedelta(days=1)).replace(hour=0, minute=0)
                continue
            if moment.hour not in self.hours:
                moment = (moment + datetime.timedelta(hours=1)).replace(minute=0)
                continue
            if moment.minute not in self.minutes:
                moment += datetime.timedelta(minutes=1)
                continue
            return moment
        return None

    def __repr__(self) -> str:
        return "CronSchedule({!r})".format(self.expression)


Schedule = Union[RateSchedule, CronSchedule]


def parse_schedule(expression: str) -> Schedule:
    """Parse ``rate(...)`` or ``cron(...)``; bad input raises a clear
    :class:`~doover.exceptions.InvalidArgumentError` naming the field."""
    if not isinstance(expression, str):
        raise InvalidArgumentError("schedule: expected a rate(...) or cron(...) string, got {!r}".format(expression))
    text = expression.strip()
    rate = _RATE.match(text)
    if rate is not None:
        value = int(rate.group(1))
        if value < 1:
            raise InvalidArgumentError("schedule {!r}: the rate value must be a positive integer".format(expression))
        return RateSchedule(text, value * _RATE_UNIT[rate.group(2).rstrip("s")])
    cron = _CRON.match(text)
    if cron is None:
        raise InvalidArgumentError(
            "schedule: expected rate(N minutes|hours|days) or cron(minutes hours day-of-month month "
            "day-of-week year), got {!r}".format(expression))
    parts = cron.group(1).split()
    if len(parts) != 6:
        raise InvalidArgumentError(
            "schedule {!r}: cron(...) takes 6 fields (minutes hours day-of-month month day-of-week year), "
            "got {}".format(expression, len(parts)))
    sets = []  # type: List[Optional[FrozenSet[int]]]
    for (name, low, high, names), part in zip(_FIELDS, parts):
        sets.append(_field(expression, name, part, low, high, names))
    if (sets[2] is None) == (sets[4] is None):
        raise InvalidArgumentError(
            "schedule {!r}: exactly one of day-of-month and day-of-week must be '?' (EventBridge cannot "
            "match both), got {!r} and {!r}".format(expression, parts[2], parts[4]))
    for index in (0, 1, 3, 5):
        if sets[index] is None:
            raise InvalidArgumentError("schedule {!r}: '?' is only allowed in day-of-month or day-of-week, "
                                       "not in {}".format(expression, _FIELDS[index][0]))
    minutes, hours, days, months, weekdays, years = sets
    return CronSchedule(text, minutes, hours, days, months, weekdays, years)  # type: ignore[arg-type]


def _field(expression: str, name: str, text: str, low: int, high: int,
           names: Tuple[str, ...]) -> Optional[FrozenSet[int]]:
    if text == "?":
        if name not in ("day-of-month", "day-of-week"):
            raise InvalidArgumentError("schedule {!r}: '?' is only allowed in day-of-month or day-of-week, "
                                       "not in {}".format(expression, name))
        return None
    upper = text.upper()
    bare = upper
    for known in names:
        bare = bare.replace(known, "")
    for token, meaning in (("L", "last"), ("W", "nearest weekday"), ("#", "nth weekday")):
        if token in bare:
            raise NotSupportedError(
                "schedule {!r}: the {!r} ({}) form in {} is not supported by the emulator's scheduler; "
                "use values, ranges, lists and steps".format(expression, token, meaning, name))
    values = set()
    for item in upper.split(","):
        values.update(_item(expression, name, item, low, high, names))
    return frozenset(values)


def _item(expression: str, name: str, item: str, low: int, high: int, names: Tuple[str, ...]) -> range:
    def bad(why: str) -> InvalidArgumentError:
        return InvalidArgumentError("schedule {!r}: {} field {!r}: {}".format(expression, name, item, why))

    base, slash, step_text = item.partition("/")
    step = 1
    if slash:
        if not step_text.isdigit() or int(step_text) < 1:
            raise bad("expected a positive step after '/'")
        step = int(step_text)
    if base == "*":
        start, end = low, high
    elif "-" in base:
        first, _, second = base.partition("-")
        start, end = _value(first, low, high, names, bad), _value(second, low, high, names, bad)
        if start > end:
            raise bad("a range must go from low to high")
    else:
        start = _value(base, low, high, names, bad)
        end = high if slash else start
    return range(start, end + 1, step)


def _value(text: str, low: int, high: int, names: Tuple[str, ...], bad: object) -> int:
    if text in names:
        return low + names.index(text)
    if not text.isdigit():
        expected = "a number {}-{}".format(low, high)
        if names:
            expected += " or one of " + ",".join(names)
        raise bad("expected " + expected)  # type: ignore[operator]
    value = int(text)
    if not low <= value <= high:
        raise bad("{} is out of range {}-{}".format(value, low, high))  # type: ignore[operator]
    return value
