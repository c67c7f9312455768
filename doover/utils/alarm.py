"""The module name the platform SDK keeps its alarm helper in (``pydoover.utils.alarm``).

``from doover.utils.alarm import create_alarm, Alarm`` gives :func:`doover.utils.create_alarm`
and the platform SDK's alarm helper class. Its ``check_value`` is a coroutine, as there
(``await alarm.check_value(reading)``); :class:`doover.utils.ThresholdAlarm`, doover's own
name, checks synchronously (``check_value``) or in a coroutine (``check_value_async``).
(doover's ``Alarm`` elsewhere is the Data API model, :class:`doover.models.Alarm`.)
"""

from typing import Any, Callable, Optional

from ._alarm import ThresholdAlarm, create_alarm

__all__ = ["Alarm", "ThresholdAlarm", "create_alarm"]


class Alarm(ThresholdAlarm):
    """:class:`~doover.utils.ThresholdAlarm` with the platform SDK's awaitable ``check_value``."""

    async def check_value(self, value: Any, threshold_met: Optional[Callable[[Any], Any]] = None,  # type: ignore[override]
                          grace_period: Optional[float] = None, min_inter_alarm: Optional[float] = None) -> bool:
        """Record one reading (awaited); True if the alarm fired. An ``async def`` callback is awaited."""
        return await self.check_value_async(value, threshold_met, grace_period, min_inter_alarm)
