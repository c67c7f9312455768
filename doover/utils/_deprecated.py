"""The :func:`deprecated` decorator."""

import functools
import inspect
import warnings
from typing import Any, Callable, Optional

from .._hooks import is_async_callable
from ..exceptions import InvalidArgumentError

__all__ = ["deprecated"]


def _mark(obj: Any, reason: Optional[str]) -> Any:
    kind = "class" if inspect.isclass(obj) else "function"
    text = "Call to deprecated {} {}".format(kind, getattr(obj, "__qualname__", getattr(obj, "__name__", repr(obj))))
    text += " ({}).".format(reason) if reason else "."

    def warn() -> None:
        # stacklevel 3: past warn() and the wrapper, at the caller's line
        warnings.warn(text, DeprecationWarning, stacklevel=3)

    if inspect.isclass(obj):
        original_init = obj.__init__

        @functools.wraps(original_init)
        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            warn()
            original_init(self, *args, **kwargs)

        obj.__init__ = __init__
        return obj

    if is_async_callable(obj):

        @functools.wraps(obj)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            warn()
            return await obj(*args, **kwargs)

        return async_wrapper

    @functools.wraps(obj)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        warn()
        return obj(*args, **kwargs)

    return wrapper


def deprecated(reason: Any) -> Any:
    """Mark a function, method or class as deprecated: each use warns ``DeprecationWarning``.

    Use it bare (``@deprecated``) or with a reason (``@deprecated("use read_level")``);
    the warning reads ``Call to deprecated function old_read (use read_level).`` and points
    at the caller's line. A decorated class stays a class (``isinstance`` works) and warns
    when instantiated; an ``async def`` stays an ``async def``. Whether the warning is shown
    follows the process's warning filters (``python -W default``, pytest shows them).
    """
    if isinstance(reason, (str, bytes)):
        text = reason.decode() if isinstance(reason, bytes) else reason

        def decorate(obj: Callable[..., Any]) -> Any:
            if not (inspect.isclass(obj) or callable(obj)):
                raise InvalidArgumentError("deprecated() decorates a function or class, got {!r}".format(obj))
            return _mark(obj, text)

        return decorate
    if inspect.isclass(reason) or inspect.isfunction(reason) or inspect.ismethod(reason):
        return _mark(reason, None)
    raise InvalidArgumentError(
        "deprecated() takes a reason string or the function or class to mark, got {!r}".format(type(reason).__name__)
    )
