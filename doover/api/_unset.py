"""The ``UNSET`` marker: "argument not given" where None means "clear it"."""

from typing import Any

__all__ = ["UNSET"]


class _Unset:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


#: Default of arguments for which None is a meaningful value (``expiry_mins``, ``priority``).
UNSET: Any = _Unset()
