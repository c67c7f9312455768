"""doover._cron: previous and next firings of five- and six-field cron expressions, in UTC,
fixed offsets and IANA zones (across daylight-saving changes), and time zone resolution."""

import datetime
import sys

import pytest

from doover._cron import parse_cron, parse_schedule, resolve_timezone
from doover.exceptions import InvalidArgumentError, NotSupportedError

UTC = datetime.timezone.utc
HAS_ZONEINFO = sys.version_info >= (3, 9)


def at(*parts, tz=UTC):
    return datetime.datetime(*parts, tzinfo=tz)


def zone(name):
    return resolve_timezone(name, "dv_proc_timezone")


# ---------------------------------------------------------------------- UTC and fixed offsets

@pytest.mark.parametrize("expression, moment, prev, nxt", [
    # monthly at 08:00 on the 1st (the report default), five fields with '?'
    ("cron(0 8 1 * ?)", at(2026, 11, 24, 22, 55), at(2026, 11, 1, 8), at(2026, 12, 1, 8)),
    # strictly before / after: exactly on a firing
    ("cron(0 8 1 * ?)", at(2026, 11, 1, 8), at(2026, 10, 1, 8), at(2026, 12, 1, 8)),
    # seconds past a firing: that firing is the previous one
    ("cron(0 8 1 * ?)", at(2026, 11, 1, 8, 0, 30), at(2026, 11, 1, 8), at(2026, 12, 1, 8)),
    # bare five fields; across the year end
    ("0 0 1 1 *", at(2026, 6, 1), at(2026, 1, 1), at(2027, 1, 1)),
    # day-of-week 0 and 7 are both Sunday in the classic form (Tue 24 Nov 2026)
    ("30 6 * * 0", at(2026, 11, 24), at(2026, 11, 22, 6, 30), at(2026, 11, 29, 6, 30)),
    ("30 6 * * 7", at(2026, 11, 24), at(2026, 11, 22, 6, 30), at(2026, 11, 29, 6, 30)),
    # both day fields restricted: either matches (the 15th, or any Monday)
    ("0 12 15 * MON", at(2026, 11, 13), at(2026, 11, 9, 12), at(2026, 11, 15, 12)),
    # weekdays with steps on minutes
    ("*/20 9-10 * * MON-FRI", at(2026, 11, 27, 17), at(2026, 11, 27, 10, 40), at(2026, 11, 30, 9)),
    # EventBridge six fields: day-of-week 1 is Sunday, a year list
    ("cron(0 8 ? * 1 *)", at(2026, 11, 24), at(2026, 11, 22, 8), at(2026, 11, 29, 8)),
    ("cron(0 0 1 1 ? 2025,2028)", at(2026, 6, 1), at(2025, 1, 1), at(2028, 1, 1)),
    # 29 February
    ("0 6 29 2 *", at(2026, 1, 1), at(2024, 2, 29, 6), at(2028, 2, 29, 6)),
])
def test_previous_and_next_firings_in_utc(expression, moment, prev, nxt):
    schedule = parse_cron(expression)
    assert schedule.prev_fire(moment) == prev
    assert schedule.next_fire(moment) == nxt


def test_fixed_offset_zones_match_the_fields_against_their_wall_clock():
    schedule = parse_cron("cron(0 8 1 * ?)")
    plus10 = zone("+10:00")
    # 30 Nov 22:30 UTC is already 1 Dec 08:30 at +10
    moment = at(2026, 11, 30, 22, 30)
    assert schedule.prev_fire(moment, plus10) == at(2026, 12, 1, 8, tz=plus10)
    assert schedule.next_fire(moment, plus10) == at(2027, 1, 1, 8, tz=plus10)
    assert schedule.prev_fire(moment, plus10).utcoffset() == datetime.timedelta(hours=10)
    # Etc/GMT-10 is UTC+10 (POSIX signs), on every Python
    assert schedule.prev_fire(moment, zone("Etc/GMT-10")) == at(2026, 11, 30, 22, 0)


def test_a_cron_that_never_fired_or_never_fires_again_gives_none():
    assert parse_cron("cron(0 0 1 1 ? 2027)").prev_fire(at(2026, 1, 1)) is None
    assert parse_cron("cron(0 0 1 1 ? 2025)").next_fire(at(2026, 1, 1)) is None
    assert parse_cron("0 0 30 2 *").prev_fire(at(2026, 1, 1)) is None


def test_naive_datetimes_are_utc():
    schedule = parse_cron("0 12 * * *")
    assert schedule.prev_fire(datetime.datetime(2026, 3, 4, 12, 30)) == at(2026, 3, 4, 12)
    assert schedule.next_fire(datetime.datetime(2026, 3, 4, 12, 30)) == at(2026, 3, 5, 12)


# ---------------------------------------------------------------------- IANA zones

if HAS_ZONEINFO:
    @pytest.mark.parametrize("name, moment, prev, nxt", [
        # Brisbane (no DST, +10): the 1st at 08:00 local is 22:00 UTC the day before
        ("Australia/Brisbane", at(2026, 11, 24, 22, 55), at(2026, 10, 31, 22), at(2026, 11, 30, 22)),
        # Sydney: +11 in summer, +10 in winter; the period spans the October change
        ("Australia/Sydney", at(2026, 10, 20), at(2026, 9, 30, 22), at(2026, 10, 31, 21)),
        # New York: -4 in summer, -5 from 1 Nov 2026
        ("America/New_York", at(2026, 11, 15), at(2026, 11, 1, 13), at(2026, 12, 1, 13)),
        ("America/New_York", at(2026, 10, 15), at(2026, 10, 1, 12), at(2026, 11, 1, 13)),
    ])
    def test_monthly_report_firings_in_named_zones(name, moment, prev, nxt):
        schedule = parse_cron("cron(0 8 1 * ?)")
        tz = zone(name)
        assert schedule.prev_fire(moment, tz) == prev and schedule.next_fire(moment, tz) == nxt
        assert schedule.prev_fire(moment, tz).tzinfo is tz
        assert (schedule.prev_fire(moment, tz).hour, schedule.next_fire(moment, tz).hour) == (8, 8)

    def test_a_wall_time_skipped_by_daylight_saving_fires_the_same_distance_past_the_change():
        # Sydney, 4 Oct 2026: 02:00 -> 03:00. 02:30 does not exist; it fires at 03:30 (+11)
        sydney = zone("Australia/Sydney")
        schedule = parse_cron("30 2 * * *")
        fire = schedule.next_fire(at(2026, 10, 3, 12, tz=sydney), sydney)
        assert fire == at(2026, 10, 3, 16, 30)  # 03:30 +11
        assert (fire.hour, fire.minute, fire.utcoffset()) == (3, 30, datetime.timedelta(hours=11))
        assert schedule.next_fire(fire, sydney) == at(2026, 10, 4, 15, 30)  # 02:30 +11 the next day
        assert schedule.prev_fire(at(2026, 10, 4, 4, tz=sydney), sydney) == fire

    def test_a_wall_time_repeated_by_daylight_saving_fires_once_at_its_first_occurrence():
        # Sydney, 5 Apr 2026: 03:00 +11 -> 02:00 +10. 02:30 happens twice; it fires once
        sydney = zone("Australia/Sydney")
        schedule = parse_cron("30 2 * * *")
        fire = schedule.next_fire(at(2026, 4, 4, 12, tz=sydney), sydney)
        # (an ambiguous local time never compares equal across zones: compare in UTC)
        assert fire.astimezone(UTC) == at(2026, 4, 4, 15, 30)  # 02:30 +11
        assert (fire.hour, fire.minute, fire.fold, fire.utcoffset()) == (2, 30, 0, datetime.timedelta(hours=11))
        assert schedule.next_fire(fire, sydney) == at(2026, 4, 5, 16, 30)  # 02:30 +10 on the 6th
        # from inside the repeated hour's second pass, the previous firing is the first pass
        assert schedule.prev_fire(at(2026, 4, 4, 16, 45), sydney).astimezone(UTC) == at(2026, 4, 4, 15, 30)

    def test_every_quarter_hour_across_the_spring_gap_keeps_strictly_increasing_instants():
        sydney = zone("Australia/Sydney")
        schedule = parse_cron("*/15 * * * *")
        moment, out = at(2026, 10, 3, 15, 30), []  # 01:30 +10
        for _ in range(4):
            moment = schedule.next_fire(moment, sydney)
            out.append((moment.hour, moment.minute, moment.astimezone(UTC).strftime("%H:%M")))
        assert out == [(1, 45, "15:45"), (3, 0, "16:00"), (3, 15, "16:15"), (3, 30, "16:30")]

    def test_unknown_zone_names_are_refused_naming_the_field():
        with pytest.raises(InvalidArgumentError, match=r"dv_proc_timezone: unknown time zone 'Mars/Olympus'"):
            zone("Mars/Olympus")
else:
    def test_named_zones_on_python_38_raise_a_clear_error_naming_the_field():
        with pytest.raises(NotSupportedError, match=r"dv_proc_timezone 'Australia/Brisbane': named time zones "
                                                    r"need Python 3.9 or newer"):
            zone("Australia/Brisbane")
        with pytest.raises(NotSupportedError, match=r"'\+10:00'"):
            zone("Australia/Sydney")


@pytest.mark.parametrize("name, offset", [
    ("UTC", 0), ("Etc/UTC", 0), ("GMT", 0), ("Zulu", 0), ("+10:00", 600), ("-03:30", -210), ("+0530", 330),
    ("UTC+10", 600), ("GMT-2", -120), ("Etc/GMT-10", 600), ("Etc/GMT+5", -300),
])
def test_utc_and_fixed_offsets_resolve_on_every_python(name, offset):
    tz = zone(name)
    assert isinstance(tz, datetime.timezone)
    assert tz.utcoffset(None) == datetime.timedelta(minutes=offset)


@pytest.mark.parametrize("value", ["", "   ", None, 10])
def test_empty_or_non_string_zones_are_refused(value):
    with pytest.raises(InvalidArgumentError, match="dv_proc_timezone: expected a time zone name"):
        zone(value)


# ---------------------------------------------------------------------- parsing

@pytest.mark.parametrize("expression, message", [
    ("cron(0 8 1 *)", r"takes 5 fields .* or 6 .* got 4"),
    ("0 8 32 * *", r"day-of-month field '32': 32 is out of range 1-31"),
    ("0 8 * * 8", r"day-of-week field '8': 8 is out of range 0-7"),
    ("? 8 * * *", r"'\?' is only allowed in day-of-month or day-of-week, not in minute"),
    ("0 8 * * FUN", r"day-of-week field 'FUN': expected a number 0-7 or one of SUN,MON"),
    (7, "expected a cron expression string, got 7"),
])
def test_bad_five_field_expressions_name_the_field(expression, message):
    with pytest.raises(InvalidArgumentError, match=message):
        parse_cron(expression)


def test_l_w_and_hash_are_refused_in_the_five_field_form_too():
    with pytest.raises(NotSupportedError, match=r"'L' \(last\) form in day-of-month"):
        parse_cron("0 8 L * *")


def test_the_five_field_form_stores_eventbridge_weekdays_and_treats_question_mark_as_any_day():
    schedule = parse_cron("0 8 ? * 0,6")
    assert schedule.days is None and schedule.weekdays == {1, 7} and not schedule.day_or
    both = parse_cron("0 8 15 * 1")
    assert both.days == {15} and both.weekdays == {2} and both.day_or


def test_the_emulator_schedule_parser_still_wants_six_fields():
    with pytest.raises(InvalidArgumentError, match=r"cron\(\.\.\.\) takes 6 fields"):
        parse_schedule("cron(0 8 1 * ?)")
