"""JSON value helpers for tag caches: strict equality, merge diffs, nested paths.

Tag values are JSON. Two values are "the same" only when a JSON reader would store the
same thing *and* the Python types agree: ``True``, ``1`` and ``1.0`` all differ (the
reference SDK treated them as equal and silently dropped such writes).
"""

import copy
from typing import Any, Dict, List, Sequence, Tuple

from .._merge import strip_nulls
from ..exceptions import TagError

__all__ = ["same_value", "merge_diff", "lookup", "set_path", "put_patch", "is_prefix", "make_path", "Path"]

Path = Tuple[str, ...]

_MISSING = object()


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    return type(value).__name__


def same_value(a: Any, b: Any) -> bool:
    """True if ``a`` and ``b`` are the same JSON value with the same Python types."""
    kind = _kind(a)
    if kind != _kind(b):
        return False
    if kind == "object":
        if a.keys() != b.keys():
            return False
        return all(same_value(a[k], b[k]) for k in a)
    if kind == "array":
        if len(a) != len(b):
            return False
        return all(same_value(x, y) for x, y in zip(a, b))
    return bool(a == b)


def merge_diff(old: Any, new: Any) -> Any:
    """The merge patch (RFC 7396) that turns ``old`` into ``new``.

    ``old`` may be ``_MISSING``/``None`` (nothing stored). Keys of ``old`` absent from
    ``new`` become ``None``; unchanged members are left out. Callers only ask when the
    two differ, so the result is never an empty object for objects that differ.
    """
    if isinstance(new, dict) and isinstance(old, dict):
        patch: Dict[str, Any] = {}
        for key in old:
            if key not in new or new[key] is None:
                if key in old:
                    patch[key] = None
        for key, value in new.items():
            if value is None:
                continue
            if key in old and same_value(old[key], value):
                continue
            patch[key] = merge_diff(old.get(key), value)
        return patch
    if isinstance(new, dict):
        return strip_nulls(new)
    return copy.deepcopy(new)


def lookup(doc: Any, path: Sequence[str]) -> Tuple[bool, Any]:
    """``(found, value)`` for the nested ``path`` in ``doc`` (no copy)."""
    node = doc
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def set_path(doc: Dict[str, Any], path: Sequence[str], value: Any) -> None:
    """Set (``None`` deletes) ``path`` in ``doc`` in place, as a merge patch would.

    Intermediate non-objects are replaced by objects, exactly what the server does when
    a patch object lands on a scalar.
    """
    node = doc
    for part in path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            if value is None:
                return  # nothing stored there: deleting is a no-op
            child = {}
            node[part] = child
        node = child
    if value is None:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = strip_nulls(value) if isinstance(value, dict) else copy.deepcopy(value)


def put_patch(patch: Dict[str, Any], path: Sequence[str], piece: Any) -> None:
    """Place ``piece`` (possibly ``None``) at ``path`` in the nested ``patch``."""
    node = patch
    for part in path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[path[-1]] = piece


def is_prefix(prefix: Sequence[str], path: Sequence[str]) -> bool:
    """True if ``prefix`` is a proper or equal prefix of ``path``."""
    return len(prefix) <= len(path) and tuple(path[: len(prefix)]) == tuple(prefix)


def make_path(key: Any, app_key: Any = None) -> Path:
    """Normalise a tag key (``"name"`` or ``["a", "b"]``) under an optional app key."""
    if isinstance(key, str):
        parts: List[str] = [key]
    elif isinstance(key, (list, tuple)):
        parts = list(key)
    else:
        parts = [key]
    if not parts or any(not isinstance(p, str) or not p for p in parts):
        raise TagError("tag key: expected a non-empty string or list of non-empty strings, got {!r}".format(key))
    if app_key is not None:
        if not isinstance(app_key, str) or not app_key:
            raise TagError("app_key: expected a non-empty string, got {!r}".format(app_key))
        parts.insert(0, app_key)
    return tuple(parts)
