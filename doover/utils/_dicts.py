"""Searching nested dicts, case-insensitive dicts, and the platform's dict diffs."""

import copy
import json
from typing import Any, Dict, Iterator, List, Mapping, MutableMapping, Optional, Tuple

__all__ = [
    "find_object_with_key",
    "find_path_to_key",
    "CaseInsensitiveDict",
    "CaseInsensitiveDictEncoder",
    "apply_diff",
    "generate_diff",
    "maybe_load_json",
]


def _walk(obj: Any, key: str) -> Optional[Tuple[str, Any]]:
    # breadth-first, so the shallowest match wins, in insertion order
    queue: List[Tuple[str, Any]] = [("", obj)]
    while queue:
        path, current = queue.pop(0)
        if not isinstance(current, Mapping):
            continue
        if key in current:
            return ("{}.{}".format(path, key) if path else key), current[key]
        for k, v in current.items():
            queue.append(("{}.{}".format(path, k) if path else str(k), v))
    return None


def find_object_with_key(obj: Any, key_to_find: str) -> Any:
    """The value of the first ``key_to_find`` in a nested dict (shallowest first), or None."""
    found = _walk(obj, key_to_find)
    return None if found is None else found[1]


def find_path_to_key(obj: Any, key_to_find: str) -> Optional[str]:
    """The dotted path to the first ``key_to_find`` in a nested dict (shallowest first), or None."""
    found = _walk(obj, key_to_find)
    return None if found is None else found[0]


class CaseInsensitiveDict(MutableMapping):
    """A dict with string keys compared case-insensitively; keys are stored lower-cased."""

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        self._store: Dict[str, Any] = {}
        self.update(data or {}, **kwargs)

    @staticmethod
    def _key(key: Any) -> Any:
        return key.lower() if isinstance(key, str) else key

    def __setitem__(self, key: Any, value: Any) -> None:
        self._store[self._key(key)] = value

    def __getitem__(self, key: Any) -> Any:
        return self._store[self._key(key)]

    def __delitem__(self, key: Any) -> None:
        del self._store[self._key(key)]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._store)

    def __len__(self) -> int:
        return len(self._store)

    def __repr__(self) -> str:
        return "{}({!r})".format(type(self).__name__, self._store)

    def copy(self) -> "CaseInsensitiveDict":
        """A shallow copy."""
        return type(self)(self._store)

    def to_dict(self) -> Dict[Any, Any]:
        """A plain dict, nested case-insensitive dicts converted too."""
        return {k: v.to_dict() if isinstance(v, CaseInsensitiveDict) else v for k, v in self._store.items()}

    @classmethod
    def from_dict(cls, data: Mapping) -> "CaseInsensitiveDict":
        """Build one from a dict, nested dicts converted too."""
        return cls({k: cls.from_dict(v) if isinstance(v, Mapping) else v for k, v in data.items()})


class CaseInsensitiveDictEncoder(json.JSONEncoder):
    """A JSON encoder that writes :class:`CaseInsensitiveDict` values as objects."""

    def default(self, o: Any) -> Any:
        if isinstance(o, CaseInsensitiveDict):
            return o.to_dict()
        return super().default(o)


def apply_diff(data: Any, diff: Any, do_delete: bool = True, clone: bool = True) -> Any:
    """Apply a platform diff (a merge patch) to ``data`` and return the result.

    Nested dicts merge; ``None`` deletes a key (or, with ``do_delete=False``, sets it to
    None); anything else replaces. A non-dict ``diff`` or ``data`` returns ``diff``. With
    ``clone=False``, ``data`` is changed in place.
    """
    if not isinstance(diff, dict) or not isinstance(data, dict):
        return copy.deepcopy(diff) if clone else diff
    target = copy.deepcopy(data) if clone else data
    for key, value in diff.items():
        if isinstance(value, dict):
            current = target.get(key)
            target[key] = apply_diff(current if isinstance(current, dict) else {}, value, do_delete, clone=False)
        elif value is None:
            if do_delete:
                target.pop(key, None)
            else:
                target[key] = None
        else:
            target[key] = copy.deepcopy(value) if clone else value
    return target


def generate_diff(old: Any, new: Any, do_delete: bool = True) -> Any:
    """The diff that turns ``old`` into ``new`` under :func:`apply_diff`.

    Keys missing from ``new`` map to None when ``do_delete`` (else they are left out);
    unchanged keys are left out; nested dicts are diffed recursively.
    """
    if not isinstance(old, dict) or not isinstance(new, dict):
        return new
    diff: Dict[Any, Any] = {}
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(old.get(key), dict):
            inner = generate_diff(old[key], value, do_delete)
            if inner:
                diff[key] = inner
        elif key not in old or old[key] != value:
            diff[key] = value
    if do_delete:
        for key in old:
            if key not in new:
                diff[key] = None
    return diff


def maybe_load_json(data: Any) -> Any:
    """``json.loads(data)``, or ``data`` itself when it is not valid JSON text."""
    try:
        return json.loads(data)
    except (TypeError, ValueError):
        return data
