import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from doover._merge import apply_update, strip_nulls
from doover.exceptions import TagError
from doover.tags import CommitPlan, LogMode, ProcessorTagManager, TagsManagerProcessor

SEED = {"my_app": {"a": 1, "b": "x", "cfg": {"p": 1, "q": 2}}, "other_app": {"x": 1}, "shutdown_at": 5}


def manager(**kwargs):
    return ProcessorTagManager("my_app", tag_values=copy.deepcopy(SEED), **kwargs)


# ------------------------------------------------ verified cases of processor.md §5.4


def test_changing_one_tag_patches_only_that_tag_and_logs_the_whole_own_namespace(client):
    m = manager(client=client)
    m.set_tag("a", 2)
    plan = m.commit()
    assert plan == CommitPlan(
        aggregate_patch={"my_app": {"a": 2}},
        log_message={"my_app": {"a": 2, "b": "x", "cfg": {"p": 1, "q": 2}}},
    )
    assert client.calls == [
        ("update_channel_aggregate", "tag_values", {"my_app": {"a": 2}}, {}),
        ("create_message", "tag_values", {"my_app": {"a": 2, "b": "x", "cfg": {"p": 1, "q": 2}}}, {}),
    ]


def test_resetting_the_same_value_without_log_sends_nothing(client):
    m = manager(client=client)
    m.set_tag("a", 1)
    assert m.build_commit() is None
    assert m.commit() is None
    assert client.calls == []


def test_resetting_the_same_value_with_log_sends_only_the_log_message():
    m = manager()
    m.set_tag("a", 1, log=True)
    assert m.build_commit() == CommitPlan(log_message={"my_app": {"a": 1, "b": "x", "cfg": {"p": 1, "q": 2}}})


def test_writing_another_apps_tag_patches_only_that_key_instead_of_the_whole_cache():
    m = manager()
    m.set_tag("x", 2, app_key="other_app")
    plan = m.build_commit()
    assert plan.aggregate_patch == {"other_app": {"x": 2}}
    assert plan.log_message == {"my_app": {"a": 1, "b": "x", "cfg": {"p": 1, "q": 2}}, "other_app": {"x": 2}}


# ------------------------------------------------ minimal diff details


def test_deleting_sends_null_and_deleting_a_missing_tag_sends_nothing():
    m = manager()
    m.set_tag("b", None)
    m.set_tag("never_there", None)
    assert m.build_commit().aggregate_patch == {"my_app": {"b": None}}
    assert m.get_tag("b", default="gone") == "gone"


def test_object_values_patch_only_changed_members_and_delete_removed_ones():
    m = manager()
    m.set_tag("cfg", {"p": 1, "r": 3})
    plan = m.build_commit()
    assert plan.aggregate_patch == {"my_app": {"cfg": {"q": None, "r": 3}}}
    assert apply_update(SEED, plan.aggregate_patch)["my_app"]["cfg"] == {"p": 1, "r": 3}


def test_bool_int_and_float_of_equal_value_are_changes():
    m = ProcessorTagManager("my_app", tag_values={"my_app": {"flag": 1, "n": 1, "f": 1}})
    m.set_tag("flag", True)
    m.set_tag("n", 1.0)
    m.set_tag("f", 1)
    assert m.build_commit().aggregate_patch == {"my_app": {"flag": True, "n": 1.0}}


def test_mutating_a_returned_object_in_place_is_seen_as_a_change():
    m = manager()
    cfg = m.get_tag("cfg")
    cfg["p"] = 100
    assert m.get_tag("cfg") == {"p": 1, "q": 2}
    m.set_tag("cfg", cfg)
    assert m.build_commit().aggregate_patch == {"my_app": {"cfg": {"p": 100}}}


def test_a_change_and_its_undo_in_one_invocation_send_nothing():
    m = manager()
    m.set_tag("a", 5)
    m.set_tag("a", 1)
    assert m.build_commit() is None


def test_nested_paths_and_overlapping_writes_coalesce():
    m = manager()
    m.set_tag(["cfg", "p"], 10)
    m.set_tag(["cfg", "z"], 1)
    m.set_tag("cfg", {"only": True})
    m.set_tag(["cfg", "extra"], 2)
    assert m.build_commit().aggregate_patch == {"my_app": {"cfg": {"p": None, "q": None, "only": True, "extra": 2}}}


def test_only_if_changed_false_resends_an_unchanged_value():
    m = manager()
    m.set_tag("a", 1, only_if_changed=False)
    assert m.build_commit().aggregate_patch == {"my_app": {"a": 1}}


def test_global_tags_are_top_level_keys():
    m = manager()
    assert m.get_global_tag("shutdown_at") == 5
    m.set_global_tag("shutdown_at", 9)
    plan = m.build_commit()
    assert plan.aggregate_patch == {"shutdown_at": 9}
    assert plan.log_message == {"my_app": {"a": 1, "b": "x", "cfg": {"p": 1, "q": 2}}, "shutdown_at": 9}


def test_set_tags_is_root_relative_without_app_key_and_app_scoped_with_it():
    m = manager()
    m.set_tags({"my_app": {"a": 3}, "shutdown_at": 7})
    m.set_tags({"x": 4}, app_key="other_app")
    assert m.build_commit().aggregate_patch == {"my_app": {"a": 3}, "shutdown_at": 7, "other_app": {"x": 4}}


def test_get_tag_defaults_and_key_errors():
    m = manager()
    assert m.get_tag("missing") is None
    assert m.get_tag("missing", default=3) == 3
    assert m.get_tag("x", app_key="other_app") == 1
    with pytest.raises(KeyError):
        m.get_tag("missing", raise_key_error=True)
    with pytest.raises(TagError, match="tag key: expected a non-empty string"):
        m.get_tag("")


# ------------------------------------------------ log modes


@pytest.mark.parametrize(
    "mode, expected",
    [
        (LogMode.ALWAYS, {"my_app": {"a": 2, "b": "x", "cfg": {"p": 1, "q": 2}}}),
        (LogMode.ONLY_CHANGED, {"my_app": {"a": 2}}),
        (LogMode.ONLY_SET, {"my_app": {"a": 2, "b": "x"}}),
        (LogMode.NEVER, None),
    ],
)
def test_log_modes_decide_the_log_message(mode, expected):
    m = manager(log_mode=mode)
    m.set_tag("a", 2)
    m.set_tag("b", "x")  # unchanged
    plan = m.build_commit()
    assert plan.aggregate_patch == {"my_app": {"a": 2}}
    assert plan.log_message == expected


def test_only_set_logs_a_commit_with_no_changes():
    m = manager(log_mode=LogMode.ONLY_SET)
    m.set_tag("b", "x")
    assert m.build_commit() == CommitPlan(log_message={"my_app": {"b": "x"}})


def test_only_changed_logs_deletions_as_null():
    m = manager(log_mode=LogMode.ONLY_CHANGED)
    m.set_tag("a", None)
    assert m.build_commit().log_message == {"my_app": {"a": None}}


def test_never_suppresses_even_forced_logs():
    m = manager(log_mode=LogMode.NEVER)
    m.set_tag("a", 1, log=True)
    assert m.build_commit() is None


def test_without_record_tag_update_only_log_true_writes_are_logged():
    m = manager(record_tag_update=False)
    m.set_tag("a", 2)
    assert m.build_commit() == CommitPlan(aggregate_patch={"my_app": {"a": 2}})
    m.set_tag("a", 3, log=True)
    assert m.build_commit().log_message == {"my_app": {"a": 3, "b": "x", "cfg": {"p": 1, "q": 2}}}
    m.set_tag("a", 4)
    assert m.build_commit().log_message is None  # the forced log does not stick


def test_reference_constructor_order_and_alias():
    m = TagsManagerProcessor("my_app", None, 123, {"my_app": {"a": 1}}, False)
    assert (m.app_key, m.agent_id, m.record_tag_update, m.get_tag("a")) == ("my_app", 123, False, 1)


def test_commit_without_a_client_is_a_clear_error():
    m = manager()
    m.set_tag("a", 9)
    with pytest.raises(TagError, match="commit: no channel client given"):
        m.commit()


def test_commit_tags_is_awaitable_and_sends_through_the_client(client):
    import asyncio

    m = manager(client=client)
    m.set_tag("a", 2)

    async def run():
        await m.set_tag("b", "y")
        await m.commit_tags()

    asyncio.run(run())
    assert [c[0] for c in client.calls] == ["update_channel_aggregate", "create_message"]
    assert client.calls[0][2] == {"my_app": {"a": 2, "b": "y"}}


def test_no_state_leaks_between_managers_built_from_the_same_seed():
    seed = {"my_app": {"cfg": {"p": 1}}}
    first = ProcessorTagManager("my_app", tag_values=seed)
    first.set_tag(["cfg", "p"], 2)
    first.build_commit()
    assert seed == {"my_app": {"cfg": {"p": 1}}}
    assert ProcessorTagManager("my_app", tag_values=seed).get_tag("cfg") == {"p": 1}


# ------------------------------------------------ property: patch stores the same aggregate

_leaf = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from([0.5, 1.0, 2.5]), st.sampled_from(["s", "t"]))
_value = st.recursive(_leaf, lambda inner: st.dictionaries(st.sampled_from("pqr"), inner, max_size=3), max_leaves=6)
_names = st.sampled_from(["a", "b", "c"])
_apps = st.sampled_from(["my_app", "other_app", None])


@settings(max_examples=300, deadline=None)
@given(
    seed=st.dictionaries(st.sampled_from(["my_app", "other_app"]), st.dictionaries(_names, _value, max_size=3), max_size=2),
    writes=st.lists(st.tuples(_apps, _names, _value), max_size=8),
)
def test_the_minimal_patch_stores_exactly_what_the_writes_describe(seed, writes):
    seed = strip_nulls(seed)  # a stored aggregate holds no nulls
    m = ProcessorTagManager("my_app", tag_values=seed)
    expected = copy.deepcopy(seed)
    for app, name, value in writes:
        app = app or "my_app"
        m.set_tag(name, value, app_key=app)
        if value is None:
            expected.get(app, {}).pop(name, None)
        else:
            expected.setdefault(app, {})[name] = strip_nulls(value)
    plan = m.build_commit()
    stored = apply_update(seed, plan.aggregate_patch if plan and plan.aggregate_patch else {})
    def without_empty(doc):  # an emptied namespace is the same as none
        return {k: v for k, v in doc.items() if v != {}}

    assert without_empty(stored) == without_empty(expected)
    assert without_empty(m.tag_values) == without_empty(expected)
