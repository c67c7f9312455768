"""The period a scheduled report covers, computed as the platform's SDK does: the last firing
strictly before "now - 5 minutes" and the firing after it, in the configured zone. The clock
is injected."""

import datetime
import sys

import pytest

from doover.exceptions import ConfigError, NotSupportedError
from doover.reports._period import report_name, report_period

UTC = datetime.timezone.utc


def at(*parts, tz=UTC):
    return datetime.datetime(*parts, tzinfo=tz)


@pytest.mark.parametrize("schedule, now, start, end", [
    # the monthly default, run a little late: the month that just ended
    ("cron(0 8 1 * ?)", at(2026, 12, 1, 8, 4, 59), at(2026, 11, 1, 8), at(2026, 12, 1, 8)),
    # "now - 5 minutes" exactly on a firing: the previous one is strictly before it
    ("cron(0 8 1 * ?)", at(2026, 12, 1, 8, 5), at(2026, 11, 1, 8), at(2026, 12, 1, 8)),
    # one second later the firing counts: the period is the month that just started
    ("cron(0 8 1 * ?)", at(2026, 12, 1, 8, 5, 1), at(2026, 12, 1, 8), at(2027, 1, 1, 8)),
    # run early (the schedule fired a little before 08:00): still the month that ended
    ("cron(0 8 1 * ?)", at(2026, 12, 1, 7, 59, 58), at(2026, 11, 1, 8), at(2026, 12, 1, 8)),
    # daily at midnight, hourly, and a six-field EventBridge weekly (Sunday = 1)
    ("cron(0 0 * * ?)", at(2026, 11, 25, 0, 1), at(2026, 11, 24), at(2026, 11, 25)),
    ("cron(0 * * * ?)", at(2026, 11, 25, 10, 2), at(2026, 11, 25, 9), at(2026, 11, 25, 10)),
    ("cron(0 6 ? * 2 *)", at(2026, 11, 30, 6, 3), at(2026, 11, 23, 6), at(2026, 11, 30, 6)),
    (" cron(0 8 1 * ?) ", at(2026, 12, 1, 8, 1), at(2026, 11, 1, 8), at(2026, 12, 1, 8)),
])
def test_period_in_utc(schedule, now, start, end):
    assert report_period(schedule, "UTC", now) == (start, end)


def test_period_in_a_fixed_offset_zone_is_aware_in_that_zone():
    plus10 = datetime.timezone(datetime.timedelta(hours=10))
    start, end = report_period("cron(0 8 1 * ?)", "Etc/GMT-10", at(2026, 11, 30, 22, 2))
    assert (start, end) == (at(2026, 11, 1, 8, tz=plus10), at(2026, 12, 1, 8, tz=plus10))
    assert start.utcoffset() == datetime.timedelta(hours=10)
    assert int(start.timestamp() * 1000) == 1793484000000


if sys.version_info >= (3, 9):
    def test_period_in_a_named_zone_follows_its_wall_clock():
        # Brisbane is +10: 30 Nov 22:02 UTC is 1 Dec 08:02 there
        start, end = report_period("cron(0 8 1 * ?)", "Australia/Brisbane", at(2026, 11, 30, 22, 2))
        assert (str(start), str(end)) == ("2026-11-01 08:00:00+10:00", "2026-12-01 08:00:00+10:00")
        # Sydney changes to +11 on 4 Oct: run at 1 Nov 08:03 +11, the period is
        # 1 Oct 08:00 +10 to 1 Nov 08:00 +11 (an hour short of 31 days)
        start, end = report_period("cron(0 8 1 * ?)", "Australia/Sydney", at(2026, 10, 31, 21, 3))
        assert (str(start), str(end)) == ("2026-10-01 08:00:00+10:00", "2026-11-01 08:00:00+11:00")
        assert end.astimezone(UTC) - start.astimezone(UTC) == datetime.timedelta(days=31, hours=-1)
else:
    def test_period_in_a_named_zone_on_python_38_names_dv_proc_timezone():
        with pytest.raises(NotSupportedError, match="dv_proc_timezone 'Australia/Brisbane'"):
            report_period("cron(0 8 1 * ?)", "Australia/Brisbane", at(2026, 11, 30, 22, 2))


@pytest.mark.parametrize("schedule, message", [
    ("rate(1 day)", r"dv_proc_schedules: a report generator needs a cron\(\.\.\.\) schedule .* got 'rate\(1 day\)'"),
    ("disabled", r"dv_proc_schedules: a report generator needs a cron\(\.\.\.\) schedule"),
    (None, r"dv_proc_schedules: a report generator needs a cron\(\.\.\.\) schedule .* got None"),
    ("cron(0 25 1 * ?)", r"dv_proc_schedules: schedule 'cron\(0 25 1 \* \?\)': hour field '25'"),
    ("cron(0 0 1 1 ? 2020)", r"dv_proc_schedules: .* has no firing before"),
])
def test_a_schedule_that_is_not_a_usable_cron_is_a_config_error_naming_dv_proc_schedules(schedule, message):
    with pytest.raises(ConfigError, match=message):
        report_period(schedule, "UTC", at(2026, 12, 1, 8, 4))


@pytest.mark.parametrize("start, end, name", [
    (at(2026, 11, 1, 8), at(2026, 12, 1, 8), "Flow - 01-12-2026"),
    (at(2026, 11, 24), at(2026, 11, 25), "Flow - 25-11-2026"),
    (at(2026, 11, 25, 9), at(2026, 11, 25, 10), "Flow - 10:00:00 25-11-2026"),
    (at(2026, 11, 25, 0), at(2026, 11, 25, 19, 59), "Flow - 19:59:00 25-11-2026"),
])
def test_the_report_name_shows_the_end_time_for_periods_under_20_hours(start, end, name):
    assert report_name("Flow", start, end) == name
