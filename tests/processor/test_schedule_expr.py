"""EventBridge schedule expressions: parsing and next-fire times, in UTC."""

import datetime

import pytest

from doover.emulator._schedule_expr import CronSchedule, RateSchedule, parse_schedule
from doover.exceptions import InvalidArgumentError, NotSupportedError

UTC = datetime.timezone.utc


def at(*parts):
    return datetime.datetime(*parts, tzinfo=UTC)


def fires(expression, after, count):
    schedule = parse_schedule(expression)
    out = []
    for _ in range(count):
        after = schedule.next_fire(after)
        out.append(after)
    return out


@pytest.mark.parametrize("expression, seconds", [
    ("rate(1 minute)", 60), ("rate(5 minutes)", 300), ("rate(1 hour)", 3600), ("rate(2 hours)", 7200),
    ("rate(1 day)", 86400), ("rate(3 days)", 259200), ("rate(10 seconds)", 10), (" rate( 7 minutes ) ", 420),
])
def test_rate_expressions_give_their_period_and_fire_one_period_later(expression, seconds):
    schedule = parse_schedule(expression)
    assert isinstance(schedule, RateSchedule) and schedule.seconds == seconds
    assert schedule.next_fire(at(2026, 1, 1, 0, 0, 30)) == at(2026, 1, 1) + datetime.timedelta(seconds=seconds + 30)


@pytest.mark.parametrize("expression, after, expected", [
    # every day at 12:00 UTC
    ("cron(0 12 * * ? *)", at(2026, 3, 4, 11, 59, 59), [at(2026, 3, 4, 12), at(2026, 3, 5, 12), at(2026, 3, 6, 12)]),
    # strictly after: exactly on a firing moves to the next one
    ("cron(0 12 * * ? *)", at(2026, 3, 4, 12), [at(2026, 3, 5, 12), at(2026, 3, 6, 12), at(2026, 3, 7, 12)]),
    # every 15 minutes from minute 0, 9-17 on weekdays (Fri 27 Nov 2026 17:50 -> Mon 30 Nov)
    ("cron(0/15 9-17 ? * MON-FRI *)", at(2026, 11, 27, 17, 50),
     [at(2026, 11, 30, 9, 0), at(2026, 11, 30, 9, 15), at(2026, 11, 30, 9, 30)]),
    # */20 steps and a list of hours
    ("cron(*/20 6,18 * * ? *)", at(2026, 5, 1, 6, 40), [at(2026, 5, 1, 18, 0), at(2026, 5, 1, 18, 20),
                                                         at(2026, 5, 1, 18, 40)]),
    # range with a step: minutes 5,15,25 past each hour
    ("cron(5-25/10 * * * ? *)", at(2026, 5, 1, 23, 30), [at(2026, 5, 2, 0, 5), at(2026, 5, 2, 0, 15),
                                                           at(2026, 5, 2, 0, 25)]),
    # the 31st only exists in some months
    ("cron(0 0 31 * ? *)", at(2026, 1, 31, 0, 0), [at(2026, 3, 31), at(2026, 5, 31), at(2026, 7, 31)]),
    # 29 February: leap years only
    ("cron(30 6 29 FEB ? *)", at(2026, 1, 1), [at(2028, 2, 29, 6, 30), at(2032, 2, 29, 6, 30),
                                               at(2036, 2, 29, 6, 30)]),
    # day-of-week 1 is Sunday; names and numbers mix in a list
    ("cron(0 8 ? * 1,SAT *)", at(2026, 11, 24), [at(2026, 11, 28, 8), at(2026, 11, 29, 8), at(2026, 12, 5, 8)]),
    # month ranges by name, across the year end
    ("cron(0 0 1 NOV-DEC ? *)", at(2026, 11, 15), [at(2026, 12, 1), at(2027, 11, 1), at(2027, 12, 1)]),
    # a year list
    ("cron(0 0 1 1 ? 2027,2030-2031)", at(2026, 6, 1), [at(2027, 1, 1), at(2030, 1, 1), at(2031, 1, 1)]),
    # lowercase names are accepted
    ("cron(0 9 ? jan mon 2027)", at(2026, 12, 31), [at(2027, 1, 4, 9), at(2027, 1, 11, 9), at(2027, 1, 18, 9)]),
])
def test_cron_next_fire_times(expression, after, expected):
    assert fires(expression, after, len(expected)) == expected


def test_naive_and_other_timezone_instants_are_read_as_utc():
    schedule = parse_schedule("cron(0 12 * * ? *)")
    assert schedule.next_fire(datetime.datetime(2026, 3, 4, 11, 0)) == at(2026, 3, 4, 12)
    plus10 = datetime.timezone(datetime.timedelta(hours=10))
    # 21:30 at +10 is 11:30 UTC
    assert schedule.next_fire(datetime.datetime(2026, 3, 4, 21, 30, tzinfo=plus10)) == at(2026, 3, 4, 12)


def test_a_cron_that_can_never_match_gives_none():
    assert parse_schedule("cron(0 0 30 2 ? *)").next_fire(at(2026, 1, 1)) is None
    assert parse_schedule("cron(0 0 1 1 ? 2020)").next_fire(at(2026, 1, 1)) is None
    assert parse_schedule("cron(0 0 1 1 ? 2027,2030)").next_fire(at(2030, 1, 1)) is None


def test_cron_schedule_keeps_its_parsed_fields():
    schedule = parse_schedule("cron(0,30 1-3 ? * MON,WED-FRI *)")
    assert isinstance(schedule, CronSchedule)
    assert schedule.minutes == {0, 30} and schedule.hours == {1, 2, 3}
    assert schedule.days is None and schedule.weekdays == {2, 4, 5, 6}
    assert schedule.months == set(range(1, 13)) and min(schedule.years) == 1970 and max(schedule.years) == 2199


@pytest.mark.parametrize("expression, message", [
    ("cron(0 0 L * ? *)", r"'L' \(last\) form in day-of-month is not supported"),
    ("cron(0 0 ? * 6L *)", r"'L' \(last\) form in day-of-week is not supported"),
    ("cron(0 0 15W * ? *)", r"'W' \(nearest weekday\) form in day-of-month is not supported"),
    ("cron(0 0 ? * 6#3 *)", r"'#' \(nth weekday\) form in day-of-week is not supported"),
])
def test_l_w_and_hash_are_refused_by_name(expression, message):
    with pytest.raises(NotSupportedError, match=message):
        parse_schedule(expression)


@pytest.mark.parametrize("expression, message", [
    ("every 5 minutes", r"expected rate\(N minutes\|hours\|days\) or cron\("),
    ("rate(0 minutes)", "the rate value must be a positive integer"),
    ("rate(5 weeks)", r"expected rate\(N"),
    ("cron(0 12 * *)", r"cron\(\.\.\.\) takes 6 fields .* got 4"),
    ("cron(0 12 * * * *)", "exactly one of day-of-month and day-of-week must be '\\?'"),
    ("cron(0 12 ? * ? *)", "exactly one of day-of-month and day-of-week must be '\\?'"),
    ("cron(? 12 * * ? *)", "'\\?' is only allowed in day-of-month or day-of-week, not in minutes"),
    ("cron(60 12 * * ? *)", "minutes field '60': 60 is out of range 0-59"),
    ("cron(0 24 * * ? *)", "hours field '24': 24 is out of range 0-23"),
    ("cron(0 0 0 * ? *)", "day-of-month field '0': 0 is out of range 1-31"),
    ("cron(0 0 1 13 ? *)", "month field '13': 13 is out of range 1-12"),
    ("cron(0 0 ? * 8 *)", "day-of-week field '8': 8 is out of range 1-7"),
    ("cron(0 0 1 * ? 1969)", "year field '1969': 1969 is out of range 1970-2199"),
    ("cron(0 0 1 FOO ? *)", "month field 'FOO': expected a number 1-12 or one of JAN,FEB"),
    ("cron(30-10 * * * ? *)", "minutes field '30-10': a range must go from low to high"),
    ("cron(*/0 * * * ? *)", "minutes field '\\*/0': expected a positive step after '/'"),
    (42, "expected a rate\\(...\\) or cron\\(...\\) string, got 42"),
])
def test_bad_expressions_name_the_field_and_what_was_expected(expression, message):
    with pytest.raises(InvalidArgumentError, match=message):
        parse_schedule(expression)
