"""The UI element base class, positions, and the simple display elements."""

import copy
import datetime as _dt
import enum
import itertools
import logging
from typing import Any, Dict, Iterator, List, Optional

from ..exceptions import UIError
from ..tags import NotSet
from ._lookups import to_json
from ._names import check_name, derive_name

__all__ = ["Element", "ConnectionType", "ConnectionInfo", "Multiplot", "FIRST_POSITION"]

log = logging.getLogger("doover.ui")

#: The first automatic position, as in the reference SDK.
FIRST_POSITION = 51

# Construction order of elements: a UI numbers its elements by it (see UI), so positions
# depend only on the order elements were written in, not on what else the process built.
_SEQUENCE = itertools.count()
# Provisional positions for elements serialised outside any UI (the reference's counter).
_PROVISIONAL = itertools.count(FIRST_POSITION)

_COMMON = (
    ("isAvailable", "is_available"), ("helpString", "help_str"), ("verboseString", "verbose_str"),
    ("showActivity", "show_activity"), ("form", "form"), ("graphic", "graphic"), ("layout", "layout"),
    ("componentUrl", "component_url"), ("position", "position"), ("conditions", "conditions"),
    ("hidden", "hidden"), ("units", "units"), ("icon", "icon"), ("colour", "colour"),
)


class Element:
    """Base class of UI elements.

    Common fields (JSON name in brackets): ``display_name`` (displayString), ``name``
    (derived from the display name when not given), ``hidden`` (default False),
    ``show_activity`` (showActivity), ``is_available``, ``help_str`` (helpString),
    ``verbose_str``, ``form``, ``graphic``, ``layout``, ``component_url``, ``position``,
    ``conditions``, ``units``, ``icon``, ``colour``. Unset fields are left out of the JSON.
    Any field may hold a tag binding instead of a literal. Extra keywords become
    attributes (not serialised).

    Positions: an element without ``position=`` is numbered by the UI it belongs to, from
    51 in the order elements were constructed (each element, explicit or not, takes one
    number), so a UI class always gets the same positions.
    """

    type = "uiElement"

    def __init__(
        self,
        display_name: Any = None,
        is_available: Any = NotSet,
        help_str: Any = NotSet,
        verbose_str: Any = NotSet,
        show_activity: Any = True,
        form: Any = NotSet,
        graphic: Any = NotSet,
        layout: Any = NotSet,
        component_url: Any = NotSet,
        position: Any = NotSet,
        conditions: Any = NotSet,
        hidden: Any = False,
        units: Any = NotSet,
        icon: Any = NotSet,
        colour: Any = NotSet,
        name: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        self.display_name = display_name
        self.is_available = is_available
        self.help_str = help_str
        self.verbose_str = verbose_str
        self.show_activity = show_activity
        self.form = form
        self.graphic = graphic
        self.layout = layout
        self.component_url = component_url
        self._sequence = next(_SEQUENCE)
        self._auto_position = position is NotSet
        self._position_owner: Any = None
        provisional = next(_PROVISIONAL)  # every element takes a number, as in the reference
        self.position = provisional if position is NotSet else position
        self.conditions = conditions
        self.hidden = hidden
        self.units = units
        self.icon = icon
        self.colour = colour
        owner = type(self).__name__
        if name is None:
            if not isinstance(display_name, str):
                raise UIError("{}: give a display name (a string) or name=".format(owner))
            name = derive_name(display_name, owner)
        self.name = check_name(name, "{}({!r})".format(owner, display_name))
        self.parent: Any = None
        for key, value in kwargs.items():
            setattr(self, key, value)

    # ------------------------------------------------------------------ JSON

    def _base_dict(self) -> Dict[str, Any]:
        data: Dict[str, Any] = {"name": self.name, "type": self.type, "displayString": self.display_name}
        for key, attr in _COMMON:
            value = getattr(self, attr, NotSet)
            if value is not None and value is not NotSet:
                data[key] = value
        return data

    def to_dict(self) -> Dict[str, Any]:
        """The element's JSON, as published in ``ui_state`` and exported as ``ui_schema``."""
        return to_json(self._base_dict())

    # ------------------------------------------------------------------ tree

    def iter_tree(self) -> Iterator["Element"]:
        """This element and every element below it."""
        yield self

    def __deepcopy__(self, memo: Dict[int, Any]) -> "Element":
        clone = type(self).__new__(type(self))
        memo[id(self)] = clone
        for key, value in self.__dict__.items():
            if key in ("_manager", "_position_owner"):
                clone.__dict__[key] = value if key == "_manager" else None
            else:
                clone.__dict__[key] = copy.deepcopy(value, memo)
        return clone

    def __repr__(self) -> str:
        return "{}(name={!r}, display_name={!r})".format(type(self).__name__, self.name, self.display_name)


class ConnectionType(enum.Enum):
    """How a device connects: ``constant``, ``periodic`` or ``other``."""

    constant = "constant"
    periodic = "periodic"
    other = "other"


class ConnectionInfo(Element):
    """How the portal shows the device's connection (``uiConnectionInfo``).

    Only ``name``, ``type``, ``connectionType`` and the period fields are emitted.
    ``connection_period``, ``next_connection`` and ``allowed_misses`` need ``periodic``.
    """

    type = "uiConnectionInfo"

    def __init__(self, name: str = "connectionInfo", connection_type: Any = ConnectionType.constant,
                 connection_period: Optional[int] = None, next_connection: Optional[int] = None,
                 offline_after: Optional[int] = None, allowed_misses: Optional[int] = None, **kwargs: Any) -> None:
        super().__init__(name, name=name, **kwargs)
        if isinstance(connection_type, str):
            try:
                connection_type = ConnectionType(connection_type)
            except ValueError:
                raise UIError("ConnectionInfo: connection_type must be constant, periodic or other, got {!r}".format(connection_type)) from None
        self.connection_type = connection_type
        self.connection_period = connection_period
        self.next_connection = next_connection
        self.offline_after = offline_after
        self.allowed_misses = allowed_misses
        if connection_type is not ConnectionType.periodic and any(
            v is not None for v in (connection_period, next_connection, allowed_misses)
        ):
            raise UIError("ConnectionInfo: connection_period, next_connection and allowed_misses need connection_type periodic")

    def to_dict(self) -> Dict[str, Any]:
        data: Dict[str, Any] = {"name": self.name, "type": self.type, "connectionType": self.connection_type.value}
        for key, value in (("connectionPeriod", self.connection_period), ("nextConnection", self.next_connection),
                           ("offlineAfter", self.offline_after), ("allowedMisses", self.allowed_misses)):
            if value is not None:
                data[key] = value
        return to_json(data)


def epoch_seconds(value: Any) -> Any:
    """A datetime as epoch seconds (what ``earliestDataDate`` holds); other values as they are."""
    if isinstance(value, _dt.datetime):
        return int(value.timestamp())
    return value


class Multiplot(Element):
    """Several series on one plot (``uiMultiPlot``), each a :class:`Series`."""

    type = "uiMultiPlot"

    def __init__(self, title: str, series: List[Any], earliest_data_time: Any = None, default_zoom: Optional[str] = None,
                 default_range_view: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(title, **kwargs)
        self.series = list(series or [])
        self.earliest_data_time = earliest_data_time
        self.title = title
        self.default_zoom = default_zoom
        self.default_range_view = default_range_view

    def to_dict(self) -> Dict[str, Any]:
        data = self._base_dict()
        data["series"] = {s.name: s.to_dict() for s in self.series}
        if self.default_zoom is not None:
            data["defaultZoom"] = self.default_zoom
        if self.default_range_view is not None:
            data["defaultRangeView"] = self.default_range_view
        if self.title is not None:
            data["title"] = self.title
        if self.earliest_data_time is not None:
            data["earliestDataDate"] = epoch_seconds(self.earliest_data_time)
        return to_json(data)
