"""RFC 7396 merge patch, replace paths and patch composition."""

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from doover._merge import apply_update, compose_patches, merge_patch, strip_nulls

# RFC 7396 appendix A, every example.
RFC_EXAMPLES = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


def test_merge_patch_matches_every_rfc_7396_example():
    for target, patch, expected in RFC_EXAMPLES:
        assert merge_patch(target, patch) == expected, (target, patch)


def test_merge_patch_never_mutates_its_inputs_or_shares_structure():
    target = {"a": {"b": [1, 2]}, "keep": {"x": 1}}
    patch = {"a": {"c": {"d": 1}}}
    before_t, before_p = copy.deepcopy(target), copy.deepcopy(patch)
    result = merge_patch(target, patch)
    result["keep"]["x"] = 99
    result["a"]["c"]["d"] = 99
    assert target == before_t and patch == before_p


def test_apply_update_replace_path_swaps_subtree_and_merges_the_rest():
    stored = {"state": {"children": {"app": {"old": 1}, "other": {"k": 2}}}, "top": 1}
    body = {"state": {"children": {"app": {"new": {"x": None, "y": 2}}}}, "top2": 2}
    result = apply_update(stored, body, replace=["state.children.app"])
    assert result == {
        "state": {"children": {"app": {"new": {"y": 2}}, "other": {"k": 2}}},
        "top": 1,
        "top2": 2,
    }


def test_apply_update_replace_path_absent_from_body_removes_subtree():
    stored = {"a": {"b": 1, "c": 2}}
    assert apply_update(stored, {}, replace=["a.b"]) == {"a": {"c": 2}}


def test_apply_update_replace_data_replaces_everything():
    assert apply_update({"a": 1}, {"b": {"c": None}}, replace_data=True) == {"b": {}}


def test_compose_delete_then_set_object_becomes_replace_path():
    patch, replace = compose_patches({"k": None}, {"k": {"a": 1, "b": None}})
    assert patch == {"k": {"a": 1}}
    assert replace == ["k"]
    assert apply_update({"k": {"c": 3}}, patch, replace) == {"k": {"a": 1}}


json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=3))
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.sampled_from("abcd"), children, max_size=4),
    ),
    max_leaves=12,
)
json_objects = st.dictionaries(st.sampled_from("abcd"), json_values, max_size=4)


@settings(max_examples=300, deadline=None)
@given(json_objects, json_objects, json_objects)
def test_composed_patches_have_the_effect_of_applying_both_in_order(doc, first, second):
    expected = merge_patch(merge_patch(doc, first), second)
    patch, replace = compose_patches(first, second)
    assert apply_update(doc, patch, replace) == expected


@settings(max_examples=300, deadline=None)
@given(json_values, json_objects)
def test_merge_result_has_no_nulls_inside_objects_from_the_patch(doc, patch):
    result = merge_patch(doc, patch)
    for key, value in patch.items():
        if value is None:
            assert key not in result
        else:
            assert key in result
    assert strip_nulls(patch) == merge_patch({}, patch)
