"""Channel alarms (data-api.md §4.9, §5.9)."""

from typing import Any, ClassVar, Optional, Tuple

import attrs

from ._base import WireModel
from ._enums import AlarmOperator, AlarmState
from ._types import Id

__all__ = ["Alarm"]


@attrs.frozen(kw_only=True)
class Alarm(WireModel):
    """A threshold alarm on a channel key (``value`` compared with ``operator``).

    ``key`` is ``""`` and ``operator`` None for an alarm the platform describes only by
    conditions that name no key (a time window); its body stays readable in the event's ``raw``.
    """

    id: Id
    name: str
    state: AlarmState
    key: str = ""
    operator: Optional[AlarmOperator] = None
    value: Any = None
    description: str = ""
    enabled: bool = True
    entered_state_ts: Optional[int] = None
    expiry_mins: Optional[float] = None
    alarm_pending_ms: Optional[int] = None

    _omit_none_: ClassVar[Tuple[str, ...]] = ("alarm_pending_ms", "operator")
