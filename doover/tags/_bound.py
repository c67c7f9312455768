"""``BoundTag``: the runtime face of a declared tag (``app.tags.level``)."""

import operator
from typing import TYPE_CHECKING, Any, Callable, Optional

from ..exceptions import TagError
from ._declarations import NotSet
from ._done import DONE, Done, maybe_awaitable

if TYPE_CHECKING:  # pragma: no cover
    from ._tags import Tags

__all__ = ["BoundTag"]

_NUMERIC = ("number", "integer", "float")


class BoundTag:
    """A declared tag bound to a :class:`Tags` instance and its tag manager.

    ``value`` / ``get()`` read the current value (else the declared default, else
    :data:`NotSet`). ``set``, ``delete``, ``clear`` buffer a write for the next commit and
    return an already-completed awaitable: ``tags.x.set(1)`` in sync code, ``await
    tags.x.set(1)`` in async code. Comparisons, ``bool()``, ``int()``, ``float()``,
    ``str()`` and arithmetic use the current value.
    """

    __slots__ = ("_tags", "_attr")

    def __init__(self, tags: "Tags", attr: str) -> None:
        self._tags = tags
        self._attr = attr

    # ------------------------------------------------------------------ description

    @property
    def declaration(self) -> Any:
        """The (per-instance) :class:`Tag` declaration."""
        return self._tags._declaration(self._attr)

    @property
    def name(self) -> str:
        """The runtime tag name in ``tag_values``."""
        return self._tags._runtime_name(self._attr)

    @property
    def tag_type(self) -> str:
        """The declared type (``number``, ``boolean``...)."""
        return self.declaration.tag_type

    @property
    def default(self) -> Any:
        """The declared default (may be :data:`NotSet`)."""
        return self.declaration.default

    @property
    def live(self) -> bool:
        """True if declared ``live=True``."""
        return bool(self.declaration.live)

    @property
    def app_key(self) -> Optional[str]:
        """The app key whose namespace holds this tag."""
        return self._tags.app_key

    # ------------------------------------------------------------------ reads

    @property
    def value(self) -> Any:
        """The current value (same as :meth:`get`)."""
        return self.get()

    def get(self) -> Any:
        """The current value, else the declared default, else :data:`NotSet`."""
        return self._tags._get_value(self._attr)

    def is_set(self) -> bool:
        """True if the tag has a value or a default."""
        return self.get() is not NotSet

    def _doover_bound_tag_value(self) -> Any:
        return self.get()

    # ------------------------------------------------------------------ writes

    def set(self, value: Any, log: bool = False) -> Done:
        """Write ``value`` (``None`` deletes); ``log=True`` records it in the tag history."""
        self._tags._set_value(self._attr, value, log=log)
        return DONE

    def delete(self, log: bool = False) -> Done:
        """Delete the tag in the cloud (writes ``null``)."""
        return self.set(None, log=log)

    def clear(self, log: bool = False) -> Done:
        """Reset the tag to its declared default (deletes it if it has none)."""
        default = self.default
        return self.set(None if default is NotSet else default, log=log)

    def _step(self, amount: Any, sign: int, log: bool, operation: str) -> Any:
        if self.tag_type not in _NUMERIC:
            raise TagError("tag {!r}: cannot {} a {!r} tag".format(self.name, operation, self.tag_type))
        if isinstance(amount, bool) or not isinstance(amount, (int, float)):
            raise TagError("tag {!r}: {} amount must be a number, got {!r}".format(self.name, operation, amount))
        current = self.get()
        if current is NotSet or current is None:
            raise TagError("tag {!r}: cannot {} a tag that has no value".format(self.name, operation))
        new_value = current + sign * amount
        self._tags._set_value(self._attr, new_value, log=log)
        return maybe_awaitable(self.get(), self._tags.async_mode)

    def increment(self, amount: Any = 1, log: bool = False) -> Any:
        """Add ``amount`` to a numeric tag; returns the new value (awaitable in async code)."""
        return self._step(amount, 1, log, "increment")

    def decrement(self, amount: Any = 1, log: bool = False) -> Any:
        """Subtract ``amount`` from a numeric tag; returns the new value (awaitable in async code)."""
        return self._step(amount, -1, log, "decrement")

    # ------------------------------------------------------------------ value protocol

    def __repr__(self) -> str:
        return "BoundTag(name={!r}, value={!r})".format(self.name, self.get())

    def __str__(self) -> str:
        return str(self.get())

    def __format__(self, spec: str) -> str:
        return format(self.get(), spec)

    def __bool__(self) -> bool:
        return bool(self.get())

    def __int__(self) -> int:
        return int(self.get())

    def __float__(self) -> float:
        return float(self.get())

    def __round__(self, ndigits: Optional[int] = None) -> Any:
        return round(self.get(), ndigits) if ndigits is not None else round(self.get())

    def __copy__(self) -> "BoundTag":
        return self

    def __deepcopy__(self, memo: Any) -> "BoundTag":
        return self

    __hash__ = None  # type: ignore[assignment]


def _binary(op: Callable[[Any, Any], Any], reflected: bool = False) -> Callable[..., Any]:
    def method(self: BoundTag, other: Any) -> Any:
        if isinstance(other, BoundTag):
            other = other.get()
        return op(other, self.get()) if reflected else op(self.get(), other)

    return method


def _unary(op: Callable[[Any], Any]) -> Callable[..., Any]:
    def method(self: BoundTag) -> Any:
        return op(self.get())

    return method


for _name, _op in (
    ("eq", operator.eq), ("ne", operator.ne), ("lt", operator.lt), ("le", operator.le),
    ("gt", operator.gt), ("ge", operator.ge),
):
    setattr(BoundTag, "__{}__".format(_name), _binary(_op))

for _name, _op in (
    ("add", operator.add), ("sub", operator.sub), ("mul", operator.mul),
    ("truediv", operator.truediv), ("floordiv", operator.floordiv), ("mod", operator.mod),
    ("pow", operator.pow),
):
    setattr(BoundTag, "__{}__".format(_name), _binary(_op))
    setattr(BoundTag, "__r{}__".format(_name), _binary(_op, reflected=True))

for _name, _op in (("neg", operator.neg), ("pos", operator.pos), ("abs", operator.abs)):
    setattr(BoundTag, "__{}__".format(_name), _unary(_op))
