"""Schedule expressions as AWS EventBridge writes them: ``rate(...)`` and ``cron(...)``.

The emulator's scheduler uses :func:`parse_schedule`, which gives a :class:`RateSchedule` or
a :class:`CronSchedule`; both answer ``next_fire(after)``: the first firing strictly after
``after`` (naive values are taken as UTC), as an aware UTC ``datetime``, or ``None`` when the
expression never fires again. The evaluation itself lives in :mod:`doover._cron`, shared
with :mod:`doover.reports`; see there for the supported syntax.
"""

from .._cron import CronSchedule, RateSchedule, Schedule, parse_schedule

__all__ = ["CronSchedule", "RateSchedule", "Schedule", "parse_schedule"]
