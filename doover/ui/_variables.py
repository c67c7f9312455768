"""Read-only display elements: variables and timestamps."""

import datetime as _dt
from typing import Any, Dict

from ..tags import BoundTag, NotSet
from ._element import Element, epoch_seconds
from ._lookups import is_live, to_json

__all__ = ["Variable", "NumericVariable", "TextVariable", "BooleanVariable", "DateTimeVariable", "Timestamp"]


class Variable(Element):
    """A value shown by the portal (``uiVariable``), usually bound to a tag.

    ``value`` is a literal or a tag binding (a declared ``Tag``, a bound tag,
    :func:`tag_ref`); a binding to a ``live=True`` tag adds ``"live": true``.
    Extra JSON: ``varType``, ``currentValue``, ``decPrecision`` (``precision``),
    ``earliestDataDate`` (epoch s), ``defaultRangeSince`` (ms; a timedelta),
    ``defaultZoom``, ``ranges``, ``thresholds``, ``defaultRangeView``, ``notGraphable``
    (``graphable=False``). ``log_threshold`` is kept but not emitted.
    """

    type = "uiVariable"
    _dec_precision = True

    def __init__(self, display_name: Any, var_type: str, value: Any = NotSet, precision: Any = NotSet,
                 ranges: Any = NotSet, thresholds: Any = NotSet, default_range_view: Any = NotSet,
                 earliest_data_time: Any = NotSet, default_range_since: Any = NotSet, default_zoom: Any = NotSet,
                 log_threshold: Any = NotSet, graphable: Any = NotSet, **kwargs: Any) -> None:
        super().__init__(display_name, **kwargs)
        self.var_type = var_type
        self.value = value
        self.precision = precision
        self.earliest_data_time = earliest_data_time
        self.default_range_since = default_range_since
        self.default_zoom = default_zoom
        self.log_threshold = log_threshold
        self.graphable = graphable
        self.ranges = ranges
        self.thresholds = thresholds
        self.default_range_view = default_range_view

    def update(self, value: Any) -> None:
        """Show ``value``: sets the bound tag if the variable is bound to one, else the literal.

        A literal change is re-published by the runtime at the end of the loop iteration.
        """
        if isinstance(self.value, BoundTag):
            self.value.set(value)
        else:
            self.value = value

    def _current_value(self) -> Any:
        return self.value

    def to_dict(self) -> Dict[str, Any]:
        data = self._base_dict()
        data["varType"] = self.var_type
        current = self._current_value()
        if current is not NotSet:
            data["currentValue"] = current
        if self._dec_precision and self.precision is not NotSet:
            data["decPrecision"] = self.precision
        if self.earliest_data_time is not NotSet:
            data["earliestDataDate"] = epoch_seconds(self.earliest_data_time)
        if self.default_range_since is not NotSet:
            since = self.default_range_since
            data["defaultRangeSince"] = int(since.total_seconds()) * 1000 if isinstance(since, _dt.timedelta) else since
        if self.default_zoom is not NotSet:
            data["defaultZoom"] = self.default_zoom
        if self.ranges is not NotSet:
            data["ranges"] = self.ranges
        if self.thresholds is not NotSet:
            data["thresholds"] = self.thresholds
        if self.default_range_view is not NotSet:
            data["defaultRangeView"] = self.default_range_view
        if self.graphable is not NotSet:
            data["notGraphable"] = (not self.graphable) if isinstance(self.graphable, bool) else self.graphable
        if is_live(self.value):
            data["live"] = True
        return to_json(data)


class NumericVariable(Variable):
    """A number (``varType: "float"``); ``form=Widget.linear``/``Widget.radial`` for gauges.

    Without ``value`` it emits ``"currentValue": null``, as the reference SDK does.
    """

    def __init__(self, display_name: Any, value: Any = None, precision: Any = NotSet, ranges: Any = NotSet,
                 thresholds: Any = NotSet, default_range_view: Any = NotSet, form: Any = NotSet, **kwargs: Any) -> None:
        super().__init__(display_name, var_type="float", value=value, precision=precision, ranges=ranges,
                         thresholds=thresholds, default_range_view=default_range_view, form=form, **kwargs)


class TextVariable(Variable):
    """A text value (``varType: "string"``)."""

    def __init__(self, display_name: Any, value: Any = NotSet, **kwargs: Any) -> None:
        super().__init__(display_name, var_type="string", value=value, **kwargs)


class BooleanVariable(Variable):
    """A true/false value (``varType: "bool"``)."""

    def __init__(self, display_name: Any, value: Any = NotSet, log_threshold: Any = 0, **kwargs: Any) -> None:
        super().__init__(display_name, var_type="bool", value=value, log_threshold=log_threshold, **kwargs)


class DateTimeVariable(Variable):
    """A date/time value (``varType: "time"``)."""

    def __init__(self, display_name: Any, value: Any = NotSet, **kwargs: Any) -> None:
        super().__init__(display_name, var_type="time", value=value, **kwargs)


class Timestamp(Variable):
    """A point in time shown relative to now (``uiTimestamp``, ``varType: "timestamp"``).

    ``value`` is epoch ms, a datetime (converted to ms) or a tag binding. ``precision``
    (``"second"``/``"minute"``) is how often the label refreshes; ``absolute_format`` a
    display format.
    """

    type = "uiTimestamp"
    _dec_precision = False

    def __init__(self, display_name: Any, value: Any = NotSet, precision: Any = NotSet, absolute_format: Any = NotSet,
                 **kwargs: Any) -> None:
        super().__init__(display_name, var_type="timestamp", value=value, **kwargs)
        self.precision = precision
        self.absolute_format = absolute_format

    def _current_value(self) -> Any:
        if isinstance(self.value, _dt.datetime):
            return int(self.value.timestamp() * 1000)
        return self.value

    def to_dict(self) -> Dict[str, Any]:
        data = super().to_dict()
        if self.precision is not NotSet:
            data["precision"] = self.precision
        if self.absolute_format is not NotSet:
            data["absoluteFormat"] = self.absolute_format
        return to_json(data)
