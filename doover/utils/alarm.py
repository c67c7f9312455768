"""The module name the platform SDK keeps its alarm helper in (``pydoover.utils.alarm``).

``from doover.utils.alarm import create_alarm, Alarm`` gives :func:`doover.utils.create_alarm`
and :class:`doover.utils.ThresholdAlarm` (``Alarm`` here, as the platform SDK names it; doover's
own ``Alarm`` is the :class:`doover.models.Alarm` model of the Data API).
"""

from ._alarm import ThresholdAlarm, create_alarm

#: the platform SDK's name for :class:`doover.utils.ThresholdAlarm`
Alarm = ThresholdAlarm

__all__ = ["Alarm", "ThresholdAlarm", "create_alarm"]
