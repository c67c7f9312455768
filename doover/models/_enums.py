"""Enums of the Data API, with their exact wire strings.

Member names follow the platform SDK's spelling (``ConnectionStatus.periodic_unknown``,
``NotificationSeverity.Warn``) so existing code keeps working; the wire values are the strings
of ``reference/data-api.md`` §4.

Every enum accepts a few extra spellings on input (see each class); the converter always
writes the canonical form.
"""

import enum
from typing import Any, Dict

__all__ = [
    "ConnectionStatus",
    "ConnectionDetermination",
    "ConnectionType",
    "ConnectionDisplay",
    "AlarmOperator",
    "AlarmState",
    "NotificationType",
    "NotificationSeverity",
]


class _StrWireEnum(str, enum.Enum):
    """A string enum whose wire form is its value; lookups also accept names, any case."""

    @classmethod
    def _aliases(cls) -> Dict[str, str]:
        return {}

    @classmethod
    def _missing_(cls, value: Any) -> Any:
        if isinstance(value, str):
            key = value.strip().lower()
            for member in cls:
                if key in (member.value.lower(), member.name.lower()):
                    return member
            alias = cls._aliases().get(key)
            if alias is not None:
                return cls(alias)
        return None

    @property
    def wire(self) -> str:
        """The string sent on the wire."""
        return self.value

    def __str__(self) -> str:
        return self.value


class ConnectionStatus(_StrWireEnum):
    """``status.status`` in the ``doover_connection`` aggregate."""

    continuous_online = "ContinuousOnline"
    continuous_online_no_ping = "ContinuousOnlineNoPing"
    continuous_offline = "ContinuousOffline"
    continuous_pending = "ContinuousPending"
    periodic_unknown = "PeriodicUnknown"
    unknown = "Unknown"


class ConnectionDetermination(_StrWireEnum):
    """Whether the platform should show the agent as online."""

    online = "Online"
    offline = "Offline"


class ConnectionType(_StrWireEnum):
    """How an agent connects. Also accepts the Doover-1 spellings ``constant``,
    ``continuous``, ``periodic`` and ``periodic_continuous``."""

    continuous = "Continuous"
    periodic_continuous = "PeriodicContinuous"
    periodic = "Periodic"

    @classmethod
    def _aliases(cls) -> Dict[str, str]:
        return {"constant": "Continuous"}

    @classmethod
    def from_v1(cls, value: str) -> "ConnectionType":
        """Map a Doover-1 connection type string (``constant``, ``periodic``, ...)."""
        return cls(value)


class ConnectionDisplay(_StrWireEnum):
    """When the portal shows the connection indicator."""

    always = "Always"
    online_only = "OnlineOnly"
    offline_only = "OfflineOnly"
    never = "Never"


class AlarmOperator(_StrWireEnum):
    """Alarm comparison. Also accepts ``==``, ``>=``, ``>``, ``<=``, ``<``."""

    eq = "eq"
    ge = "ge"
    gt = "gt"
    le = "le"
    lt = "lt"

    @classmethod
    def _aliases(cls) -> Dict[str, str]:
        return {"==": "eq", "=": "eq", ">=": "ge", ">": "gt", "<=": "le", "<": "lt"}


class AlarmState(_StrWireEnum):
    """An alarm's state. ``AlarmPending`` (debouncing) is accepted as well."""

    NoData = "NoData"
    OK = "OK"
    Alarm = "Alarm"
    AlarmPending = "AlarmPending"


class _NameWireEnum(enum.IntEnum):
    """An int enum that the API writes by member *name*.

    Input accepts the enum, its integer, or its name in any case (plus per-enum aliases).
    """

    @classmethod
    def _aliases(cls) -> Dict[str, str]:
        return {}

    @classmethod
    def _missing_(cls, value: Any) -> Any:
        if isinstance(value, str):
            key = value.strip().lower()
            for member in cls:
                if member.name.lower() == key:
                    return member
            alias = cls._aliases().get(key)
            if alias is not None:
                return cls[alias]
            if key.isdigit():
                try:
                    return cls(int(key))
                except ValueError:
                    return None
        return None

    @property
    def wire(self) -> str:
        """The name, as the API writes it in responses."""
        return self.name

    def __str__(self) -> str:
        return self.name


class NotificationType(_NameWireEnum):
    """Notification endpoint kinds. Sent by NAME: the server rejects integers."""

    Email = 1
    Sms = 2
    WebPush = 3
    Http = 4
    Placeholder = 5
    FirebasePush = 6


class NotificationSeverity(_NameWireEnum):
    """Notification severity (Trace 3 .. Critical 7).

    Accepts the enum, an int 3..7, a case-insensitive name, or the aliases ``warning`` (Warn)
    and ``error``/``err``/``fatal``/``crit``/``critical`` (Critical). Models write the name; the
    ``notifications`` channel message carries the integer.
    """

    Trace = 3
    Debug = 4
    Info = 5
    Warn = 6
    Critical = 7

    @classmethod
    def _aliases(cls) -> Dict[str, str]:
        return {"warning": "Warn", "error": "Critical", "err": "Critical", "fatal": "Critical", "crit": "Critical"}
