"""Helper objects used inside UI elements: colours, ranges, options, series, dialogs."""

import datetime as _dt
from typing import Any, Dict, List, Optional

from ..tags import NotSet
from ._lookups import is_live, to_json
from ._names import derive_name

__all__ = [
    "Colour", "Widget", "RangeView", "ApplicationVariant", "Range", "Threshold", "Option",
    "Series", "ConfirmDialog", "AuditConfig", "duration_ms",
]


def duration_ms(value: Any) -> int:
    """A duration (timedelta, or seconds) as integer milliseconds."""
    if isinstance(value, _dt.timedelta):
        return int(value.total_seconds() * 1000)
    return int(value * 1000)


class Colour:
    """Colour names the portal knows; any HTML colour name or hex string works too."""

    blue = "blue"
    yellow = "yellow"
    red = "red"
    green = "green"
    magenta = "magenta"
    limegreen = "limegreen"
    tomato = "tomato"
    orange = "orange"
    purple = "purple"
    grey = "grey"

    @classmethod
    def from_hex(cls, hex_string: str) -> str:
        """A hex colour (``"#FF5733"``) usable wherever a colour is expected."""
        return hex_string

    @classmethod
    def from_string(cls, value: str) -> str:
        """Any HTML colour name usable wherever a colour is expected."""
        return value


class Widget:
    """Display forms of a numeric variable: ``Widget.linear`` or ``Widget.radial`` gauge."""

    linear = "linearGauge"
    radial = "radialGauge"

    @classmethod
    def from_string(cls, value: str) -> str:
        """Any form name the portal knows."""
        return value


class RangeView:
    """How a plot shows ranges and thresholds: ``line``, ``zone`` or ``off``."""

    line = "line"
    zone = "zone"
    off = "off"


class ApplicationVariant:
    """How an app's panel is laid out: ``submodule`` (default) or ``stacked``."""

    submodule = "submodule"
    stacked = "stacked"


class Range:
    """A coloured band of values: ``{"min", "max", "colour", "show_on_graph", "label"?}``."""

    def __init__(self, label: Any = None, min_val: Any = None, max_val: Any = None, colour: Any = Colour.blue,
                 show_on_graph: bool = True) -> None:
        self.label = label
        self.min = min_val
        self.max = max_val
        self.colour = colour
        self.show_on_graph = show_on_graph

    def to_dict(self) -> Dict[str, Any]:
        """The JSON form."""
        data: Dict[str, Any] = {"min": self.min, "max": self.max, "colour": self.colour, "show_on_graph": self.show_on_graph}
        if self.label:
            data["label"] = self.label
        return to_json(data)

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "Range":
        """Build a Range from its JSON form."""
        return cls(data.get("label"), data["min"], data["max"], data.get("colour", Colour.blue), data.get("show_on_graph", True))

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, Range) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return "Range(label={!r}, min={!r}, max={!r}, colour={!r})".format(self.label, self.min, self.max, self.colour)


class Threshold:
    """A horizontal line on a plot: ``{"label", "value", "colour"}``."""

    def __init__(self, label: Any, value: Any, colour: Any = Colour.blue) -> None:
        self.label = label
        self.value = value
        self.colour = colour

    def to_dict(self) -> Dict[str, Any]:
        """The JSON form."""
        return to_json({"label": self.label, "value": self.value, "colour": self.colour})

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "Threshold":
        """Build a Threshold from its JSON form."""
        return cls(data["label"], data["value"], data.get("colour", Colour.blue))

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, Threshold) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return "Threshold(label={!r}, value={!r}, colour={!r})".format(self.label, self.value, self.colour)


class Option:
    """One choice of a :class:`Select`: ``{"name", "displayString", "type": "uiElement"}``.

    ``name`` defaults to the display name with spaces as ``_``, other characters dropped,
    lower-cased (``"Flat Bottom"`` -> ``flat_bottom``).
    """

    def __init__(self, display_name: Any, name: Optional[str] = None) -> None:
        self.display_name = display_name
        self.name = name or derive_name(str(display_name), "Option")

    def to_dict(self) -> Dict[str, Any]:
        """The JSON form."""
        return to_json({"name": self.name, "displayString": self.display_name, "type": "uiElement"})

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "Option":
        """Build an Option from its JSON form."""
        return cls(data.get("displayString", data.get("display_str")), data.get("name"))

    def __repr__(self) -> str:
        return "Option({!r}, name={!r})".format(self.display_name, self.name)


class Series:
    """One line of a :class:`Multiplot`, looked up from a tag (``value=tag_ref(...)``)."""

    def __init__(self, display_name: str, value: Any, name: Optional[str] = None, data_type: str = "unknown",
                 active: Optional[bool] = None, colour: Optional[str] = None, icon: Optional[str] = None,
                 shared_axis: Any = None, units: Optional[str] = None, step_labels: Optional[List[str]] = None,
                 range: Optional[Any] = None, ranges: Optional[Any] = None, thresholds: Optional[Any] = None) -> None:
        self.display_name = display_name
        self.value = value
        self.name = name or derive_name(display_name, "Series")
        self.data_type = data_type
        self.active = active
        self.colour = colour
        self.icon = icon
        self.shared_axis = shared_axis
        self.units = units
        self.step_labels = step_labels
        self.range = range
        self.ranges = ranges
        self.thresholds = thresholds

    def to_dict(self) -> Dict[str, Any]:
        """The JSON form (absent fields are left out)."""
        data: Dict[str, Any] = {"name": self.name, "displayString": self.display_name, "dataType": self.data_type}
        optional = (
            ("lookup", self.value), ("active", self.active), ("colour", self.colour), ("icon", self.icon),
            ("sharedAxis", self.shared_axis), ("units", self.units), ("stepLabels", self.step_labels),
        )
        for key, value in optional:
            if value is not None and value is not NotSet:
                data[key] = value
        if self.range is not None:
            data["range"] = {"min": self.range[0], "max": self.range[1]}
        if self.ranges is not None:
            data["ranges"] = self.ranges
        if self.thresholds is not None:
            data["thresholds"] = self.thresholds
        if is_live(self.value):
            data["live"] = True
        return to_json(data)


class AuditConfig:
    """The reason field of a confirmation dialog: ``{"required"?, "label"?, "placeholder"?}``."""

    def __init__(self, required: Any = NotSet, label: Any = NotSet, placeholder: Any = NotSet) -> None:
        self.required = required
        self.label = label
        self.placeholder = placeholder

    def to_dict(self) -> Dict[str, Any]:
        """The JSON form."""
        pairs = (("required", self.required), ("label", self.label), ("placeholder", self.placeholder))
        return to_json({key: value for key, value in pairs if value is not NotSet})


class ConfirmDialog:
    """A custom confirmation dialog for ``requires_confirm=``.

    JSON: ``{"title"?, "subtitle"?, "warningReason"?, "colour"?, "helpText"?, "icon"?,
    "audit"?}`` where ``audit`` is ``true`` or an :class:`AuditConfig`.
    """

    def __init__(self, title: Any = NotSet, subtitle: Any = NotSet, warning_reason: Any = NotSet, colour: Any = NotSet,
                 help_text: Any = NotSet, icon: Any = NotSet, audit: Any = NotSet) -> None:
        self.title = title
        self.subtitle = subtitle
        self.warning_reason = warning_reason
        self.colour = colour
        self.help_text = help_text
        self.icon = icon
        self.audit = audit

    def to_dict(self) -> Dict[str, Any]:
        """The JSON form."""
        pairs = (
            ("title", self.title), ("subtitle", self.subtitle), ("warningReason", self.warning_reason),
            ("colour", self.colour), ("helpText", self.help_text), ("icon", self.icon), ("audit", self.audit),
        )
        return to_json({key: value for key, value in pairs if value is not NotSet})
