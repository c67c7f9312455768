"""Lazy public names for a package: ``__getattr__`` imports the defining module on first use.

A package lists ``{public name: module}`` (absolute, or relative to the package with a
leading dot) and sets ``__getattr__, __dir__ = lazy_exports(__name__, table)``. The first
access imports the module and caches the value in the package, so later ones are plain
lookups; ``import package`` itself stays cheap.
"""

import importlib
import sys
from typing import Any, Callable, Dict, Iterable, Tuple

__all__ = ["lazy_exports"]


def lazy_exports(package: str, table: Dict[str, str],
                 listed: Iterable[str] = ()) -> Tuple[Callable[[str], Any], Callable[[], Any]]:
    """The module ``__getattr__`` and ``__dir__`` of ``package`` for the names of ``table``
    (``__dir__`` also lists ``listed``, e.g. the package's ``__all__``)."""

    def __getattr__(name: str) -> Any:
        module = table.get(name)
        if module is None:
            raise AttributeError("module {!r} has no attribute {!r}".format(package, name))
        value = getattr(importlib.import_module(module, package), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> Any:
        return sorted(set(vars(sys.modules[package])) | set(table) | set(listed))

    return __getattr__, __dir__
