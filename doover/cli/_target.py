"""Resolving ``MODULE:NAME`` command-line targets to Python objects.

``MODULE`` is a dotted module name importable from the current directory
(``my_app.app_config``) or a path to a ``.py`` file (``src/app_config.py``); ``NAME`` is an
attribute path inside it (``MyConfig`` or ``configs.Pump``).
"""

import importlib
import importlib.util
import os
import sys
from typing import Any

__all__ = ["load_target"]


def _import(module_part: str) -> Any:
    if module_part.endswith(".py") or "/" in module_part or os.sep in module_part:
        path = os.path.abspath(module_part)
        if not os.path.isfile(path):
            raise ValueError("no such file: {}".format(module_part))
        directory = os.path.dirname(path)
        if directory not in sys.path:
            sys.path.insert(0, directory)
        name = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ValueError("cannot import {}".format(module_part))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return module
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    return importlib.import_module(module_part)


def load_target(target: str, kind: str = "Name") -> Any:
    """Import ``MODULE:NAME`` and return the object.

    Raises ``ValueError`` naming what is wrong (``expected MODULE:<kind>``, no such file, no
    such attribute) and lets ``ImportError`` from the module itself through.
    """
    module_part, sep, attr_path = target.rpartition(":")
    if not sep or not module_part or not attr_path:
        raise ValueError("expected MODULE:{}, got {!r}".format(kind, target))
    obj: Any = _import(module_part)
    for part in attr_path.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ValueError("{} has no attribute {!r}".format(module_part, part)) from None
    return obj
