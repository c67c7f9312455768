"""The period a scheduled report covers, and the report's name."""

import datetime
from typing import Any, Tuple

from .._cron import parse_cron, resolve_timezone
from ..exceptions import ConfigError, DooverError

__all__ = ["report_period", "report_name", "SCHEDULE_LAG", "DEFAULT_SCHEDULE"]

#: the schedule a report generator gets unless configured: 08:00 on the 1st of every month
DEFAULT_SCHEDULE = "cron(0 8 1 * ?)"

#: how far back from "now" the period is anchored: a schedule that fires a little late (or
#: early) still reports on the period that just ended
SCHEDULE_LAG = datetime.timedelta(minutes=5)


def report_period(schedule: Any, timezone: Any,
                  now: datetime.datetime) -> Tuple[datetime.datetime, datetime.datetime]:
    """``(start, end)``: the last firing of ``schedule`` strictly before ``now - 5 minutes``
    and the firing after it, as aware datetimes in ``timezone``.

    ``schedule`` is a ``cron(...)`` expression (five or six fields); anything else raises
    :class:`~doover.exceptions.ConfigError` naming ``dv_proc_schedules``. A zone Python
    cannot resolve raises the error of :func:`doover._cron.resolve_timezone` naming
    ``dv_proc_timezone``.
    """
    text = schedule.strip() if isinstance(schedule, str) else schedule
    if not isinstance(text, str) or not (text.startswith("cron(") and text.endswith(")")):
        raise ConfigError(["dv_proc_schedules: a report generator needs a cron(...) schedule such as "
                           "'cron(0 8 1 * ?)', got {!r}".format(schedule)])
    try:
        cron = parse_cron(text)
    except DooverError as exc:
        raise ConfigError(["dv_proc_schedules: {}".format(exc)]) from exc
    zone = resolve_timezone(timezone, "dv_proc_timezone")
    anchor = now - SCHEDULE_LAG
    start = cron.prev_fire(anchor, zone)
    end = cron.next_fire(start, zone) if start is not None else None
    if start is None or end is None:
        raise ConfigError(["dv_proc_schedules: {!r} has no firing before {} and after it, so there is no "
                           "period to report on".format(schedule, anchor.isoformat())])
    return start, end


def report_name(display_name: str, start: datetime.datetime, end: datetime.datetime) -> str:
    """``"<display name> - <end>"``: the end's time and date for periods under 20 hours,
    else its date alone (``31-01-2026``)."""
    if end - start < datetime.timedelta(hours=20):
        stamp = end.strftime("%H:%M:%S %d-%m-%Y")
    else:
        stamp = end.strftime("%d-%m-%Y")
    return "{} - {}".format(display_name, stamp)
