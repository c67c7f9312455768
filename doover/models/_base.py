"""The mixin that gives every wire model ``from_dict`` / ``to_dict``.

The converter is imported on first use, so ``import doover.models`` does not import cattrs.
"""

from typing import Any, Dict, Type, TypeVar

__all__ = ["WireModel"]

T = TypeVar("T", bound="WireModel")


class WireModel:
    """Mixin for attrs models that travel as JSON.

    ``Cls.from_dict(data)`` structures a decoded JSON value (unknown keys are ignored; a
    malformed value raises :class:`doover.exceptions.DecodeError` naming the path), and
    ``obj.to_dict()`` gives the JSON-ready wire form (ids as decimal strings, times as epoch ms,
    enums as their wire strings).
    """

    __slots__ = ()

    @classmethod
    def from_dict(cls: Type[T], data: Any) -> T:
        from ._converter import structure

        return structure(data, cls)

    def to_dict(self) -> Dict[str, Any]:
        from ._converter import unstructure

        return unstructure(self)
