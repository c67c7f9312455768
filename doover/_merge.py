"""JSON Merge Patch (RFC 7396) and the platform's ``replace`` paths.

One implementation, used wherever the platform deep-merges: the emulator's aggregates and
message PATCH, the tag managers' local caches, the edge outbox and the test doubles.
Inputs are never mutated; results share no mutable structure with the inputs.
"""

import copy
from typing import Any, Iterable, List, Tuple

__all__ = ["merge_patch", "apply_update", "compose_patches", "strip_nulls", "split_path"]


def strip_nulls(value: Any) -> Any:
    """A deep copy of ``value`` with every ``None`` member of every object removed.

    This is what RFC 7396 stores when a patch object lands on a missing or non-object
    target: nested ``null`` markers have nothing to delete and vanish.
    """
    if isinstance(value, dict):
        return {k: strip_nulls(v) for k, v in value.items() if v is not None}
    return copy.deepcopy(value)


def merge_patch(target: Any, patch: Any) -> Any:
    """Apply ``patch`` to ``target`` by RFC 7396 and return the result.

    * a non-object patch replaces the target outright (arrays are never merged);
    * an object patch merges key by key: ``null`` deletes, objects recurse, anything else
      replaces;
    * a patch object applied to a non-object target starts from ``{}``.
    """
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if not isinstance(target, dict):
        return strip_nulls(patch)
    result = dict(target)
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict):
            result[key] = merge_patch(target.get(key), value)
        else:
            result[key] = copy.deepcopy(value)
    # members not in the patch are shared with target above; copy them so callers may mutate
    for key in result:
        if key not in patch:
            result[key] = copy.deepcopy(result[key])
    return result


def split_path(path: str) -> List[str]:
    """Split a dotted ``replace`` path (``state.children.my_app``) into keys."""
    parts = path.split(".")
    if not path or any(not part for part in parts):
        raise ValueError("invalid replace path {!r}: expected dot-separated keys".format(path))
    return parts


def _get_path(doc: Any, parts: List[str]) -> Tuple[bool, Any]:
    node = doc
    for part in parts:
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _set_path(doc: dict, parts: List[str], value: Any) -> None:
    node = doc
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    if value is None:
        node.pop(parts[-1], None)
    else:
        node[parts[-1]] = strip_nulls(value)


def apply_update(target: Any, body: Any, replace: Iterable[str] = (), replace_data: bool = False) -> Any:
    """Apply an aggregate update as the Data API does and return the new document.

    * ``replace_data``: the document becomes ``body`` (PUT).
    * ``replace`` paths: the subtree of ``body`` at each dotted path replaces the stored
      subtree wholesale (``null`` or absent in the body removes it); the rest of ``body`` is
      then deep-merged as usual.
    """
    if replace_data:
        return strip_nulls(body) if isinstance(body, dict) else copy.deepcopy(body)
    paths = [split_path(p) for p in replace]
    if not paths:
        return merge_patch(target, body)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    rest = copy.deepcopy(body) if isinstance(body, dict) else body
    for parts in paths:
        found, value = _get_path(body, parts)
        _set_path(result, parts, value if found else None)
        if isinstance(rest, dict):
            # remove the replaced subtree from what is merged afterwards
            node = rest
            for part in parts[:-1]:
                node = node.get(part) if isinstance(node, dict) else None
                if node is None:
                    break
            if isinstance(node, dict):
                node.pop(parts[-1], None)
    return merge_patch(result, rest)


def compose_patches(first: Any, second: Any) -> Tuple[Any, List[str]]:
    """Combine two queued merge patches into one update with the same effect.

    Returns ``(patch, replace_paths)``: applying ``patch`` with ``replace_paths`` (see
    :func:`apply_update`) to any document gives the same result as applying ``first`` and
    then ``second``. A plain merge patch cannot always say "delete, then set an object"
    (the object would merge into what was there), so such keys become replace paths.
    """
    replace: List[str] = []
    patch = _compose(first, second, [], replace)
    return patch, replace


def _compose(first: Any, second: Any, prefix: List[str], replace: List[str]) -> Any:
    if not isinstance(second, dict):
        return copy.deepcopy(second)
    if not isinstance(first, dict):
        # ``first`` replaced the target wholesale (or deleted it): the result is
        # ``second`` applied on top of that value, and must replace, not merge.
        merged = merge_patch(first, second)
        if prefix and isinstance(merged, dict):
            replace.append(".".join(prefix))
        return merged
    result = copy.deepcopy(first)
    for key, value in second.items():
        if key in first and isinstance(value, dict):
            result[key] = _compose(first[key], value, prefix + [key], replace)
        else:
            result[key] = copy.deepcopy(value)
    return result
