"""Hypothesis helpers shared by the event-decoding tests: JSON-ish values built from a body's
own keys, and "a valid body with one value changed or removed"."""

import copy

from hypothesis import strategies as st


def json_values(keys, words):
    """Nested lists/objects (keys from ``keys``) of awkward scalars and the strings ``words``."""
    scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 2 ** 40), st.floats(allow_nan=False, width=32),
                        st.sampled_from(["", "12", " 7 ", "-3", "x", "1.5"] + list(words)))
    return st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(keys), inner, max_size=6)), max_leaves=12)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, prefix + (index,))


def one_value_changed_or_removed(data, body, values):
    """A copy of ``body`` with one value (at any depth) removed or replaced by a draw of ``values``."""
    body = copy.deepcopy(body)
    path = data.draw(st.sampled_from([p for p in _paths(body) if p]))
    parent = body
    for key in path[:-1]:
        parent = parent[key]
    if data.draw(st.booleans()) and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = data.draw(values)
    return body
