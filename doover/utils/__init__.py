"""Small helpers Doover apps use: reading filters, control loops, sync/async glue, dict diffs.

* :class:`KalmanFilter1D`, and the decorators :func:`apply_kalman_filter` /
  :func:`apply_async_kalman_filter` that smooth the value a function returns;
* :class:`PID`, a PID controller with output limits and anti-windup;
* :func:`map_reading` (4-20 mA scaling) and :func:`on_change`;
* :func:`call_maybe_async`, :func:`get_is_async`, :func:`maybe_async`,
  :func:`wrap_try_except`, :func:`wrap_try_except_async`;
* :func:`find_object_with_key`, :func:`find_path_to_key`, :class:`CaseInsensitiveDict`,
  :func:`apply_diff`, :func:`generate_diff`, :func:`maybe_load_json`;
* snowflake ids: :func:`generate_snowflake_id`, :func:`generate_snowflake_id_at`,
  :func:`get_datetime_from_snowflake`, :data:`DOOVER_EPOCH`;
* :class:`ThresholdAlarm` and :func:`create_alarm` (call back when a value stays over a threshold);
* :func:`setup_logging` and :class:`LogFormatter` (coloured console logging), and
  :func:`deprecated` (also in ``doover.utils.deprecator``).

The names are those of the platform SDK's ``pydoover.utils``. Only the standard library is
needed.
"""

from typing import Any

from ._alarm import ThresholdAlarm, create_alarm
from ._calls import call_maybe_async, get_is_async, maybe_async, wrap_try_except, wrap_try_except_async
from ._dicts import (
    CaseInsensitiveDict,
    CaseInsensitiveDictEncoder,
    apply_diff,
    find_object_with_key,
    find_path_to_key,
    generate_diff,
    maybe_load_json,
)
from ._deprecated import deprecated
from ._kalman import KalmanFilter1D, apply_async_kalman_filter, apply_kalman_filter
from ._logsetup import LogFormatter, setup_logging
from ._pid import PID
from ._readings import map_reading, on_change
from ._snowflakes import DOOVER_EPOCH, generate_snowflake_id, generate_snowflake_id_at, get_datetime_from_snowflake

__all__ = [
    "KalmanFilter1D",
    "apply_kalman_filter",
    "apply_async_kalman_filter",
    "PID",
    "map_reading",
    "on_change",
    "call_maybe_async",
    "get_is_async",
    "maybe_async",
    "wrap_try_except",
    "wrap_try_except_async",
    "find_object_with_key",
    "find_path_to_key",
    "CaseInsensitiveDict",
    "CaseInsensitiveDictEncoder",
    "apply_diff",
    "generate_diff",
    "maybe_load_json",
    "DOOVER_EPOCH",
    "generate_snowflake_id",
    "generate_snowflake_id_at",
    "get_datetime_from_snowflake",
    "ThresholdAlarm",
    "create_alarm",
    "setup_logging",
    "LogFormatter",
    "deprecated",
]


def __getattr__(name: str) -> Any:
    # ``utils.deprecator.deprecated`` after a bare ``import doover.utils``, as with the platform SDK
    if name == "deprecator":
        import importlib

        return importlib.import_module(__name__ + ".deprecator")
    raise AttributeError("module {!r} has no attribute {!r}".format(__name__, name))
