"""Interactive elements: the portal sends their values back as commands on ``ui_cmds``."""

import warnings
from typing import Any, Dict, List, Optional

from ..exceptions import UIError
from ..tags import NotSet
from ..tags._done import Done
from ._element import Element
from ._helpers import duration_ms
from ._lookups import cmds_lookup, to_json

__all__ = [
    "Interaction", "Button", "Select", "Slider", "Switch", "WarningIndicator", "Parameter", "FloatInput",
    "TextInput", "DatetimeInput", "TimeInput", "BooleanParameter",
]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class Interaction(Element):
    """Base class of elements a portal user acts on (``currentValue`` is ``$cmds...``).

    ``default`` is the value before anyone set one. ``requires_confirm`` is ``True`` or a
    :class:`ConfirmDialog`; ``global_interaction`` (``global``), ``direct`` (the portal
    writes the value itself; no handler runs), ``command_timeout``,
    ``command_pending_timeout`` and ``command_retry_timeout`` (timedelta or seconds,
    emitted in ms), ``show_activity``.

    At runtime ``value`` reads the current value (``ui_cmds`` cache, else ``default``)
    and ``set(v)`` writes one; both go through the app's UI manager.
    """

    type = "uiInteraction"

    def __init__(self, display_name: Any = None, value: Any = NotSet, default: Any = NotSet, show_activity: Any = NotSet,
                 requires_confirm: Any = NotSet, global_interaction: Any = NotSet, command_timeout: Any = NotSet,
                 command_pending_timeout: Any = NotSet, command_retry_timeout: Any = NotSet, direct: Any = NotSet,
                 **kwargs: Any) -> None:
        super().__init__(display_name, show_activity=show_activity, **kwargs)
        self.default = default
        self.value_location = value
        self.requires_confirm = requires_confirm
        self.global_interaction = global_interaction
        self.command_timeout = command_timeout
        self.command_pending_timeout = command_pending_timeout
        self.command_retry_timeout = command_retry_timeout
        self.direct = direct
        self._manager: Any = None

    # ------------------------------------------------------------------ runtime value

    @property
    def value(self) -> Any:
        """The current value: the ``ui_cmds`` value, else ``default``; ``KeyError`` if neither."""
        if self._manager is not None:
            return self._manager.get_value(self.name)
        if self.default is not NotSet:
            return self.default
        raise KeyError(self.name)

    def set(self, value: Any, max_age: Any = None, log_update: bool = True) -> Done:
        """Write the value to ``ui_cmds`` (and a ``log`` message unless ``log_update=False``)."""
        if self._manager is None:
            raise UIError("{}: set() needs the UI manager the runtime attaches; this element has none".format(self.name))
        return self._manager.set_value(self.name, value, log_update=log_update)

    def handler(self, ctx: Any, payload: Any) -> None:
        """The default handler of a command for this interaction: store the value."""
        self.set(payload)

    def check_value(self, value: Any) -> Any:
        """Validate a value sent by the portal; return it or raise :class:`UIError`."""
        return value

    # ------------------------------------------------------------------ JSON

    def to_dict(self) -> Dict[str, Any]:
        data = self._base_dict()
        location = self.value_location
        data["currentValue"] = cmds_lookup(self.name, self.default) if location is NotSet else location
        if self.requires_confirm is not NotSet:
            data["requiresConfirm"] = self.requires_confirm
        if self.global_interaction is not NotSet:
            data["global"] = self.global_interaction
        for key, value in (("commandTimeout", self.command_timeout), ("commandPendingTimeout", self.command_pending_timeout),
                           ("commandRetryTimeout", self.command_retry_timeout)):
            if value is not NotSet:
                data[key] = duration_ms(value)
        if self.direct is not NotSet:
            data["direct"] = self.direct
        if self.default is not NotSet:
            data["default"] = self.default
        return to_json(data)


class Button(Interaction):
    """A push button (``uiButton``); ``disabled``, ``label_string`` (``labelString``)."""

    type = "uiButton"

    def __init__(self, display_name: Any = None, disabled: Any = NotSet, label_string: Any = NotSet, **kwargs: Any) -> None:
        super().__init__(display_name, **kwargs)
        self.disabled = disabled
        self.label_string = label_string

    def to_dict(self) -> Dict[str, Any]:
        data = super().to_dict()
        if self.disabled is not NotSet:
            data["disabled"] = self.disabled
        if self.label_string is not NotSet:
            data["labelString"] = self.label_string
        return to_json(data)


class WarningIndicator(Interaction):
    """A warning the user may dismiss (``uiWarningIndicator``); ``can_cancel`` (default True)."""

    type = "uiWarningIndicator"

    def __init__(self, display_name: Any = None, can_cancel: Any = True, **kwargs: Any) -> None:
        super().__init__(display_name, **kwargs)
        self.can_cancel = can_cancel

    def to_dict(self) -> Dict[str, Any]:
        data = super().to_dict()
        data["can_cancel"] = self.can_cancel
        return to_json(data)


class Select(Interaction):
    """A choice among :class:`Option` s (``uiSelect``); ``options`` keyed by option name."""

    type = "uiSelect"

    def __init__(self, display_name: Any = None, options: Optional[List[Any]] = None, **kwargs: Any) -> None:
        super().__init__(display_name, **kwargs)
        self.options = list(options or [])

    def check_value(self, value: Any) -> Any:
        if value is None:
            return value
        for option in self.options:
            if value == option.name or value == option.display_name:
                return value
        names = ", ".join(repr(o.name) for o in self.options) or "none declared"
        raise UIError("{}: expected one of the options ({}), got {!r}".format(self.name, names, value))

    def to_dict(self) -> Dict[str, Any]:
        data = super().to_dict()
        data["options"] = {option.name: option.to_dict() for option in self.options}
        return to_json(data)


class Slider(Interaction):
    """A slider (``uiSlider``): ``min_val`` (0), ``max_val`` (100), ``step_size`` (0.1),
    ``dual_slider`` (True: the value is ``[low, high]``), ``inverted`` (True), ``colours``."""

    type = "uiSlider"

    def __init__(self, display_name: Any = None, min_val: Any = 0, max_val: Any = 100, step_size: Any = 0.1,
                 dual_slider: Any = True, inverted: Any = True, colours: Any = NotSet, **kwargs: Any) -> None:
        super().__init__(display_name, **kwargs)
        self.min_val = min_val
        self.max_val = max_val
        self.step_size = step_size
        self.dual_slider = dual_slider
        self.inverted = inverted
        self.colours = colours

    def check_value(self, value: Any) -> Any:
        if value is None:
            return value
        values = list(value) if isinstance(value, (list, tuple)) else [value]
        if not values or len(values) > 2 or not all(_is_number(v) for v in values):
            raise UIError("{}: expected a number or [low, high], got {!r}".format(self.name, value))
        _check_bounds(self.name, values, self.min_val, self.max_val)
        return value

    def to_dict(self) -> Dict[str, Any]:
        data = super().to_dict()
        data["min"] = self.min_val
        data["max"] = self.max_val
        data["stepSize"] = self.step_size
        data["dualSlider"] = self.dual_slider
        data["isInverted"] = self.inverted
        if self.colours is not NotSet:
            data["colours"] = self.colours
        return to_json(data)


class Switch(Interaction):
    """An on/off switch (``uiSwitch``); its value is a boolean."""

    type = "uiSwitch"

    def check_value(self, value: Any) -> Any:
        if value is None or isinstance(value, bool):
            return value
        raise UIError("{}: expected true or false, got {!r}".format(self.name, value))


def _check_bounds(name: str, values: List[Any], low: Any, high: Any) -> None:
    for value in values:
        if _is_number(low) and value < low:
            raise UIError("{}: {!r} is below the minimum {!r}".format(name, value, low))
        if _is_number(high) and value > high:
            raise UIError("{}: {!r} is above the maximum {!r}".format(name, value, high))


class Parameter(Interaction):
    """Base class of input parameters."""


class FloatInput(Parameter):
    """A number input (``uiFloatInput``) with optional ``min_val``/``max_val``."""

    type = "uiFloatInput"

    def __init__(self, display_name: Any = None, min_val: Any = NotSet, max_val: Any = NotSet, **kwargs: Any) -> None:
        super().__init__(display_name, **kwargs)
        self.min = min_val
        self.max = max_val

    def check_value(self, value: Any) -> Any:
        if value is None:
            return value
        if not _is_number(value):
            raise UIError("{}: expected a number, got {!r}".format(self.name, value))
        _check_bounds(self.name, [value], self.min, self.max)
        return value

    def to_dict(self) -> Dict[str, Any]:
        data = super().to_dict()
        if self.min is not NotSet:
            data["min"] = self.min
        if self.max is not NotSet:
            data["max"] = self.max
        return to_json(data)


class TextInput(Parameter):
    """A text input (``uiTextInput``); ``is_text_area`` for a large box (always emitted)."""

    type = "uiTextInput"

    def __init__(self, display_name: Any = None, is_text_area: Any = False, **kwargs: Any) -> None:
        super().__init__(display_name, **kwargs)
        self.is_text_area = is_text_area

    def check_value(self, value: Any) -> Any:
        if value is None or isinstance(value, str):
            return value
        raise UIError("{}: expected text, got {!r}".format(self.name, value))

    def to_dict(self) -> Dict[str, Any]:
        data = super().to_dict()
        data["isTextArea"] = self.is_text_area
        return to_json(data)


class DatetimeInput(Parameter):
    """A date/time input (``uiDatetimeInput``); values are epoch ms (UTC).

    ``pickers`` (``["date", "time"]`` or a subset), ``direction`` (``"past"``/``"future"``),
    ``max_past``/``max_future`` (timedelta or seconds, emitted in ms). ``include_time`` is
    a deprecated spelling of ``pickers``.
    """

    type = "uiDatetimeInput"

    def __init__(self, display_name: Any = None, include_time: Any = NotSet, *, pickers: Any = NotSet,
                 direction: Any = NotSet, max_past: Any = NotSet, max_future: Any = NotSet, **kwargs: Any) -> None:
        super().__init__(display_name, **kwargs)
        if include_time is not NotSet:
            warnings.warn("include_time is deprecated; use pickers=['date', 'time'] or ['date']", DeprecationWarning, stacklevel=2)
            if pickers is NotSet:
                pickers = ["date", "time"] if include_time else ["date"]
        self.pickers = pickers
        self.direction = direction
        self.max_past = max_past
        self.max_future = max_future

    def check_value(self, value: Any) -> Any:
        if value is None or _is_number(value):
            return value
        raise UIError("{}: expected a time in epoch milliseconds, got {!r}".format(self.name, value))

    def to_dict(self) -> Dict[str, Any]:
        data = super().to_dict()
        if self.pickers is not NotSet:
            data["pickers"] = self.pickers
        if self.direction is not NotSet:
            data["direction"] = self.direction
        if self.max_past is not NotSet:
            data["maxPast"] = duration_ms(self.max_past)
        if self.max_future is not NotSet:
            data["maxFuture"] = duration_ms(self.max_future)
        return to_json(data)


class TimeInput(DatetimeInput):
    """A time-of-day input (``uiTimeInput``); the value is seconds into the local day."""

    type = "uiTimeInput"

    def check_value(self, value: Any) -> Any:
        if value is None:
            return value
        if not _is_number(value) or not 0 <= value < 86400:
            raise UIError("{}: expected seconds into the day (0 to 86399), got {!r}".format(self.name, value))
        return value


class BooleanParameter(Parameter):
    """Not supported by the portal: constructing one raises ``NotSupportedError``."""

    type = "uiBoolParam"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from ..exceptions import NotSupportedError

        raise NotSupportedError("BooleanParameter is not supported by the Doover portal; use a Switch")
