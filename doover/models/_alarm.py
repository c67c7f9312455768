"""Channel alarms (data-api.md §4.9, §5.9)."""

from typing import Any, ClassVar, Optional, Tuple

import attrs

from ._base import WireModel
from ._enums import AlarmOperator, AlarmState
from ._types import Id

__all__ = ["Alarm"]


@attrs.frozen(kw_only=True)
class Alarm(WireModel):
    """A threshold alarm on a channel key (``value`` compared with ``operator``)."""

    id: Id
    name: str
    key: str
    operator: AlarmOperator
    value: Any
    state: AlarmState
    description: str = ""
    enabled: bool = True
    entered_state_ts: Optional[int] = None
    expiry_mins: Optional[float] = None
    alarm_pending_ms: Optional[int] = None

    _omit_none_: ClassVar[Tuple[str, ...]] = ("alarm_pending_ms",)
