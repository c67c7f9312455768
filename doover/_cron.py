"""Schedule expressions: ``rate(...)``, EventBridge ``cron(...)`` and classic 5-field cron.

Private and dependency-free; used by the emulator's scheduler and by :mod:`doover.reports`.

* :func:`parse_schedule` reads what an AWS EventBridge rule holds: ``rate(N unit)`` or
  ``cron(minutes hours day-of-month month day-of-week year)`` (exactly six fields, one of
  the two day fields ``?``, day-of-week 1 = Sunday).
* :func:`parse_cron` also reads the classic five-field form (``minute hour day-of-month month
  day-of-week``, day-of-week 0 or 7 = Sunday), bare or wrapped in ``cron(...)``, as report
  generators write it (``cron(0 8 1 * ?)``). There ``?`` means the same as ``*``, and when
  both day fields are restricted a day matching *either* fires (classic cron's rule).

Supported in every field: ``*``, single values, ranges ``a-b``, lists ``a,b``, steps ``*/n``,
``a/n`` and ``a-b/n``, month names ``JAN``-``DEC`` and day names ``SUN``-``SAT`` (any case).
``L``, ``W`` and ``#`` are refused with :class:`~doover.exceptions.NotSupportedError`.

A :class:`CronSchedule` answers ``next_fire(after, tz)`` (first firing strictly after) and
``prev_fire(before, tz)`` (last firing strictly before). The fields are matched against the
wall clock of ``tz`` (default UTC). Across daylight-saving changes: a wall time that does
not exist (the hour skipped in spring) fires at the same distance past the change (02:30
becomes 03:30), and a wall time that happens twice (the hour repeated in autumn) fires once,
at its first occurrence.

:func:`resolve_timezone` turns a zone name into a ``tzinfo``: ``UTC`` (and its aliases),
fixed offsets (``+10:00``, ``UTC-03:30``) and ``Etc/GMT±N`` work on every Python; other IANA
names need :mod:`zoneinfo` (Python 3.9+) and raise a clear
:class:`~doover.exceptions.NotSupportedError` on Python 3.8.
"""

import datetime
import re
from typing import FrozenSet, List, Optional, Tuple, Union

from .exceptions import InvalidArgumentError, NotSupportedError

__all__ = ["CronSchedule", "RateSchedule", "Schedule", "parse_schedule", "parse_cron", "resolve_timezone"]

UTC = datetime.timezone.utc
_MINUTE = datetime.timedelta(minutes=1)
# how far a zone's wall clock can jump at once (the largest daylight-saving shift is 2 h)
_DST_MARGIN = datetime.timedelta(hours=3)

_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days|second|seconds)\s*\)$")
_RATE_UNIT = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_CRON = re.compile(r"^cron\((.*)\)$")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_YEARS = (1970, 2199)
# (name, low, high, names for low..high)
_EVENTBRIDGE_FIELDS = (
    ("minutes", 0, 59, ()),
    ("hours", 0, 23, ()),
    ("day-of-month", 1, 31, ()),
    ("month", 1, 12, _MONTHS),
    ("day-of-week", 1, 7, _DAYS),
    ("year", _YEARS[0], _YEARS[1], ()),
)
_CLASSIC_FIELDS = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day-of-month", 1, 31, ()),
    ("month", 1, 12, _MONTHS),
    ("day-of-week", 0, 7, _DAYS),
)
_DAY_FIELDS = ("day-of-month", "day-of-week")


def _utc(moment: datetime.datetime) -> datetime.datetime:
    if not isinstance(moment, datetime.datetime):
        raise InvalidArgumentError("expected a datetime, got {!r}".format(moment))
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class RateSchedule:
    """``rate(N unit)``: fires every ``seconds`` seconds."""

    def __init__(self, expression: str, seconds: int) -> None:
        self.expression = expression
        self.seconds = seconds

    def next_fire(self, after: datetime.datetime) -> Optional[datetime.datetime]:
        """``after`` plus one period (a rate counts from when the schedule started), in UTC."""
        return _utc(after) + datetime.timedelta(seconds=self.seconds)

    def __repr__(self) -> str:
        return "RateSchedule({!r})".format(self.expression)


class CronSchedule:
    """A cron expression: fires at each wall-clock minute its fields match.

    ``days`` / ``weekdays`` are None for a day field that does not restrict (``?``, or ``*``
    in the five-field form); ``weekdays`` uses EventBridge numbering (1 = Sunday) whatever
    form was parsed. ``day_or`` is True when both day fields are restricted and either one
    matching is enough (five-field form).
    """

    def __init__(self, expression: str, minutes: FrozenSet[int], hours: FrozenSet[int],
                 days: Optional[FrozenSet[int]], months: FrozenSet[int],
                 weekdays: Optional[FrozenSet[int]], years: FrozenSet[int], day_or: bool = False) -> None:
        self.expression = expression
        self.minutes = minutes
        self.hours = hours
        self.days = days
        self.months = months
        self.weekdays = weekdays
        self.years = years
        self.day_or = day_or and days is not None and weekdays is not None

    def _day_matches(self, moment: datetime.datetime) -> bool:
        day_ok = self.days is None or moment.day in self.days
        weekday_ok = self.weekdays is None or (moment.weekday() + 1) % 7 + 1 in self.weekdays
        if self.day_or:
            return day_ok or weekday_ok
        return day_ok and weekday_ok

    # -------------------------------------------------------------- wall-clock search

    def _next_wall(self, moment: datetime.datetime) -> Optional[datetime.datetime]:
        """The first matching naive minute at or after ``moment`` (minute-aligned)."""
        last_year = max(self.years)
        while moment.year <= last_year:
            if moment.year not in self.years:
                later = [y for y in self.years if y > moment.year]
                if not later:
                    return None
                moment = datetime.datetime(min(later), 1, 1)
                continue
            if moment.month not in self.months:
                year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
                moment = datetime.datetime(year, month, 1)
                continue
            if not self._day_matches(moment):
                moment = (moment + datetime.timedelta(days=1)).replace(hour=0, minute=0)
                continue
            if moment.hour not in self.hours:
                moment = (moment + datetime.timedelta(hours=1)).replace(minute=0)
                continue
            if moment.minute not in self.minutes:
                moment += _MINUTE
                continue
            return moment
        return None

    def _prev_wall(self, moment: datetime.datetime) -> Optional[datetime.datetime]:
        """The last matching naive minute at or before ``moment`` (minute-aligned)."""
        first_year = min(self.years)
        while moment.year >= first_year:
            if moment.year not in self.years:
                earlier = [y for y in self.years if y < moment.year]
                if not earlier:
                    return None
                moment = datetime.datetime(max(earlier), 12, 31, 23, 59)
                continue
            if moment.month not in self.months:
                moment = moment.replace(day=1, hour=0, minute=0) - _MINUTE
                continue
            if not self._day_matches(moment):
                moment = moment.replace(hour=0, minute=0) - _MINUTE
                continue
            if moment.hour not in self.hours:
                moment = moment.replace(minute=0) - _MINUTE
                continue
            if moment.minute not in self.minutes:
                moment -= _MINUTE
                continue
            return moment
        return None

    # -------------------------------------------------------------- instants

    def next_fire(self, after: datetime.datetime,
                  tz: Optional[datetime.tzinfo] = None) -> Optional[datetime.datetime]:
        """The first firing strictly after ``after`` (naive: UTC), as an aware datetime in
        ``tz`` (default UTC), or None when the expression never fires again."""
        zone = UTC if tz is None else tz
        instant = _utc(after)
        margin = _margin(zone)
        wall = instant.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0) - margin
        while True:
            found = self._next_wall(wall)
            if found is None:
                return None
            fire = found.replace(tzinfo=zone).astimezone(UTC)
            if fire > instant:
                return fire.astimezone(zone)
            wall = found + _MINUTE

    def prev_fire(self, before: datetime.datetime,
                  tz: Optional[datetime.tzinfo] = None) -> Optional[datetime.datetime]:
        """The last firing strictly before ``before`` (naive: UTC), as an aware datetime in
        ``tz`` (default UTC), or None when the expression never fired before it."""
        zone = UTC if tz is None else tz
        instant = _utc(before)
        margin = _margin(zone)
        wall = instant.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0) + margin
        while True:
            found = self._prev_wall(wall)
            if found is None:
                return None
            fire = found.replace(tzinfo=zone).astimezone(UTC)
            if fire < instant:
                return fire.astimezone(zone)
            wall = found - _MINUTE

    def __repr__(self) -> str:
        return "CronSchedule({!r})".format(self.expression)


def _margin(zone: datetime.tzinfo) -> datetime.timedelta:
    # a fixed-offset zone has no jumps; any other may (searching from a little way off and
    # comparing real instants makes daylight-saving changes come out right)
    return datetime.timedelta(0) if isinstance(zone, datetime.timezone) else _DST_MARGIN


Schedule = Union[RateSchedule, CronSchedule]


def parse_schedule(expression: str) -> Schedule:
    """Parse an EventBridge ``rate(...)`` or six-field ``cron(...)``; bad input raises a clear
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
    return _eventbridge(expression, text, parts)


def parse_cron(expression: str) -> CronSchedule:
    """Parse a cron expression of five fields (classic cron) or six (EventBridge), bare or
    wrapped in ``cron(...)``. Bad input raises :class:`~doover.exceptions.InvalidArgumentError`
    naming the field; ``L``, ``W`` and ``#`` raise :class:`~doover.exceptions.NotSupportedError`."""
    if not isinstance(expression, str):
        raise InvalidArgumentError("schedule: expected a cron expression string, got {!r}".format(expression))
    text = expression.strip()
    wrapped = _CRON.match(text)
    parts = (wrapped.group(1) if wrapped else text).split()
    if len(parts) == 6:
        return _eventbridge(expression, text, parts)
    if len(parts) != 5:
        raise InvalidArgumentError(
            "schedule {!r}: a cron expression takes 5 fields (minute hour day-of-month month day-of-week) "
            "or 6 (minutes hours day-of-month month day-of-week year), got {}".format(expression, len(parts)))
    sets: List[Optional[FrozenSet[int]]] = []
    for (name, low, high, names), part in zip(_CLASSIC_FIELDS, parts):
        if name in _DAY_FIELDS and part in ("*", "?"):
            sets.append(None)
            continue
        sets.append(_field(expression, name, part, low, high, names))
    minutes, hours, days, months, weekdays = sets
    if weekdays is not None:  # classic 0..7 (0 and 7 Sunday) -> EventBridge 1..7 (1 Sunday)
        weekdays = frozenset(value % 7 + 1 for value in weekdays)
    return CronSchedule(text, minutes, hours, days, months, weekdays,  # type: ignore[arg-type]
                        frozenset(range(_YEARS[0], _YEARS[1] + 1)), day_or=True)


def _eventbridge(expression: str, text: str, parts: List[str]) -> CronSchedule:
    sets: List[Optional[FrozenSet[int]]] = []
    for (name, low, high, names), part in zip(_EVENTBRIDGE_FIELDS, parts):
        sets.append(_field(expression, name, part, low, high, names))
    if (sets[2] is None) == (sets[4] is None):
        raise InvalidArgumentError(
            "schedule {!r}: exactly one of day-of-month and day-of-week must be '?' (EventBridge cannot "
            "match both), got {!r} and {!r}".format(expression, parts[2], parts[4]))
    minutes, hours, days, months, weekdays, years = sets
    return CronSchedule(text, minutes, hours, days, months, weekdays, years)  # type: ignore[arg-type]


def _field(expression: str, name: str, text: str, low: int, high: int,
           names: Tuple[str, ...]) -> Optional[FrozenSet[int]]:
    if text == "?":
        if name not in _DAY_FIELDS:
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
                "schedule {!r}: the {!r} ({}) form in {} is not supported by doover's cron evaluator; "
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


# ---------------------------------------------------------------------- time zones

_UTC_NAMES = frozenset(name.upper() for name in (
    "UTC", "Etc/UTC", "UCT", "Etc/UCT", "GMT", "Etc/GMT", "GMT0", "Etc/GMT0", "GMT+0", "GMT-0",
    "Etc/GMT+0", "Etc/GMT-0", "Universal", "Etc/Universal", "Zulu", "Etc/Zulu", "Greenwich",
    "Etc/Greenwich", "Z",
))
_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
_ETC_GMT = re.compile(r"^Etc/GMT([+-])(\d{1,2})$", re.IGNORECASE)


def _fixed_zone(name: str) -> Optional[datetime.tzinfo]:
    if name.upper() in _UTC_NAMES:
        return UTC
    etc = _ETC_GMT.match(name)
    if etc is not None:  # POSIX signs: Etc/GMT-10 is ten hours *ahead* of UTC
        hours = int(etc.group(2))
        if hours > 14:
            return None
        sign = -1 if etc.group(1) == "+" else 1
        return datetime.timezone(datetime.timedelta(hours=sign * hours), "Etc/GMT{}{}".format(etc.group(1), hours))
    fixed = _OFFSET.match(name)
    if fixed is not None:
        hours, minutes = int(fixed.group(2)), int(fixed.group(3) or 0)
        if hours > 23 or minutes > 59:
            return None
        sign = -1 if fixed.group(1) == "-" else 1
        return datetime.timezone(sign * datetime.timedelta(hours=hours, minutes=minutes))
    return None


def resolve_timezone(name: Union[str, datetime.tzinfo], field: str = "timezone") -> datetime.tzinfo:
    """A ``tzinfo`` for ``name``; errors name ``field`` (e.g. ``"dv_proc_timezone"``).

    ``UTC`` and its aliases, fixed offsets (``+10:00``, ``-0330``, ``UTC+10``) and
    ``Etc/GMT±N`` become :class:`datetime.timezone` objects on every Python. Other names are
    looked up with :mod:`zoneinfo` (Python 3.9+): an unknown one raises
    :class:`~doover.exceptions.InvalidArgumentError`; on Python 3.8, which has no zoneinfo,
    they raise :class:`~doover.exceptions.NotSupportedError`. A ``tzinfo`` is returned as is.
    """
    if isinstance(name, datetime.tzinfo):
        return name
    if not isinstance(name, str) or not name.strip():
        raise InvalidArgumentError("{}: expected a time zone name such as 'Australia/Brisbane' or 'UTC', "
                                   "got {!r}".format(field, name))
    text = name.strip()
    fixed = _fixed_zone(text)
    if fixed is not None:
        return fixed
    try:
        import zoneinfo  # Python 3.9+
    except ImportError:
        raise NotSupportedError(
            "{} {!r}: named time zones need Python 3.9 or newer (the zoneinfo module); on Python 3.8 use "
            "'UTC', a fixed offset such as '+10:00', or an Etc/GMT zone such as 'Etc/GMT-10' "
            "(which is UTC+10)".format(field, text)) from None
    try:
        return zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidArgumentError(
            "{}: unknown time zone {!r}; expected an IANA name such as 'Australia/Brisbane', 'UTC' or a "
            "fixed offset such as '+10:00' (a machine without a time zone database needs the tzdata "
            "package)".format(field, text)) from exc
