"""Deprecated element names from older SDKs, mapped as the migration guide says.

``Action`` -> :class:`Button`, ``StateCommand`` -> :class:`Select`,
``NumericParameter`` -> :class:`FloatInput`. Each warns (``DeprecationWarning``) when
constructed and also accepts the old ``(name, display_name)`` positional form.
"""

import warnings
from typing import Any

from ._interactions import Button, FloatInput, Select

__all__ = ["Action", "StateCommand", "NumericParameter"]


def _legacy_args(cls_name: str, new_name: str, args: Any, kwargs: Any) -> Any:
    warnings.warn(
        "ui.{} is deprecated; use ui.{} instead".format(cls_name, new_name), DeprecationWarning, stacklevel=3
    )
    args = list(args)
    if len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str) and "name" not in kwargs:
        kwargs["name"] = args.pop(0)  # old form: (name, display_name, ...)
    return args, kwargs


class Action(Button):
    """Deprecated: use :class:`Button`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        args, kwargs = _legacy_args("Action", "Button", args, kwargs)
        super().__init__(*args, **kwargs)


class StateCommand(Select):
    """Deprecated: use :class:`Select` (``user_options=`` is accepted as ``options=``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        args, kwargs = _legacy_args("StateCommand", "Select", args, kwargs)
        if "user_options" in kwargs and "options" not in kwargs:
            kwargs["options"] = kwargs.pop("user_options")
        super().__init__(*args, **kwargs)


class NumericParameter(FloatInput):
    """Deprecated: use :class:`FloatInput`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        args, kwargs = _legacy_args("NumericParameter", "FloatInput", args, kwargs)
        super().__init__(*args, **kwargs)
