import asyncio
import gc
import warnings

import pytest

from doover._hooks import call_hook
from doover.exceptions import NotSupportedError, TagError
from doover.tags import (
    Boolean,
    Done,
    EdgeTagManager,
    Integer,
    NotSet,
    Number,
    Object,
    ProcessorTagManager,
    RemoteTag,
    String,
    Tags,
)


class AppTags(Tags):
    level = Number(default=1.5)
    count = Integer()
    on = Boolean()
    mode = String(default="idle")
    blob = Object()


def make(tag_values=None):
    manager = ProcessorTagManager("app", tag_values=tag_values)
    return AppTags("app", manager, None), manager


def test_value_falls_back_to_default_then_notset():
    tags, _ = make({"app": {"count": 3}})
    assert tags.level.value == 1.5
    assert tags.count.get() == 3
    assert tags.on.value is NotSet
    assert tags.on.is_set() is False
    assert tags.level.is_set() is True


def test_reads_coerce_integral_floats_for_integer_and_bool_for_boolean():
    tags, _ = make({"app": {"count": 7.0, "on": 1}})
    value = tags.count.value
    assert value == 7 and type(value) is int
    assert tags.on.value is True


def test_stored_null_reads_as_none_not_the_default():
    tags, _ = make({"app": {"level": None}})
    assert tags.level.value is None


def test_attribute_item_and_get_access_return_the_same_tag():
    tags, _ = make({"app": {"mode": "auto"}})
    assert tags["mode"].value == tags.get("mode").value == tags.mode.value == "auto"
    assert tags.get("nope") is None
    with pytest.raises(KeyError):
        tags["nope"]
    with pytest.raises(AttributeError, match="AppTags has no tag 'nope'"):
        tags.nope  # noqa: B018


def test_set_buffers_in_the_manager_and_reads_see_it():
    tags, manager = make()
    result = tags.level.set(3.25)
    assert isinstance(result, Done)
    assert tags.level.value == 3.25
    assert manager.get_tag("level") == 3.25


def test_setting_a_value_of_the_wrong_type_names_the_tag():
    tags, _ = make()
    with pytest.raises(TagError, match=r"tag 'level': expected a number for a 'number' tag, got 'high'"):
        tags.level.set("high")
    with pytest.raises(TagError, match=r"tag 'on': expected a boolean for a 'boolean' tag, got 2"):
        tags.on.set(2)
    with pytest.raises(TagError, match=r"tag 'blob'.when: expected a JSON value"):
        tags.blob.set({"when": object()})


def test_integer_tag_stores_integral_floats_as_int_and_boolean_accepts_0_and_1():
    tags, manager = make()
    tags.count.set(4.0)
    tags.on.set(1)
    assert manager.build_commit().aggregate_patch == {"app": {"count": 4, "on": True}}


def test_delete_clear_increment_and_decrement():
    tags, manager = make({"app": {"level": 9.0, "count": 2}})
    tags.level.clear()
    assert tags.level.value == 1.5
    assert tags.count.increment() == 3
    assert tags.count.decrement(2) == 1
    tags.mode.delete()
    assert manager.build_commit().aggregate_patch == {"app": {"level": 1.5, "count": 1}}
    tags.count.delete()
    assert tags.count.value is NotSet
    assert manager.build_commit().aggregate_patch == {"app": {"count": None}}


def test_increment_of_unset_or_non_numeric_tags_is_an_error():
    tags, _ = make()
    with pytest.raises(TagError, match=r"tag 'count': cannot increment a tag that has no value"):
        tags.count.increment()
    with pytest.raises(TagError, match=r"tag 'mode': cannot decrement a 'string' tag"):
        tags.mode.decrement()


def test_comparisons_and_arithmetic_use_the_value():
    tags, _ = make({"app": {"count": 4}})
    c = tags.count
    assert c == 4 and c != 5 and c > 3 and c >= 4 and c < 5 and c <= 4
    assert c + 1 == 5 and 1 + c == 5 and c - 1 == 3 and 10 - c == 6
    assert c * 2 == 8 and c / 2 == 2.0 and c // 3 == 1 and c % 3 == 1 and c ** 2 == 16
    assert -c == -4 and abs(c) == 4 and int(c) == 4 and float(c) == 4.0 and bool(c) is True
    assert str(c) == "4" and "{:03d}".format(c) == "004" and round(tags.level, 0) == 2.0


def test_assigning_to_a_tag_attribute_sets_it():
    tags, manager = make()
    tags.count = 12
    tags.add_tag("dynamic", Number())
    tags.dynamic = 2.5
    assert manager.get_tag("count") == 12
    assert manager.get_tag("dynamic") == 2.5


def test_augmented_assignment_writes_the_new_value():
    tags, manager = make({"app": {"count": 1}})
    tags.count += 1
    assert manager.get_tag("count") == 2


def test_tags_set_and_update_by_name():
    tags, manager = make()
    tags.set("mode", "auto")
    tags.update({"count": 3, "level": 2.0})
    assert manager.build_commit().aggregate_patch == {"app": {"mode": "auto", "count": 3, "level": 2.0}}
    with pytest.raises(TagError, match=r"set: unknown tag 'missing'"):
        tags.set("missing", 1)


def test_values_lists_tags_with_a_value_or_default():
    tags, _ = make({"app": {"count": 2}})
    assert tags.values == {"level": 1.5, "count": 2, "mode": "idle"}


def test_writing_without_a_manager_is_a_clear_error():
    tags = AppTags("app", None, None)
    assert tags.level.value == 1.5
    with pytest.raises(TagError, match=r"tag 'level': cannot write, this Tags instance has no tag manager"):
        tags.level.set(2.0)


def test_removed_tags_are_gone_only_on_that_instance():
    a, _ = make()
    b, _ = make()
    a.remove_tag("mode")
    with pytest.raises(AttributeError):
        a.mode  # noqa: B018
    assert b.mode.value == "idle"
    assert len(a) == 4 and len(b) == 5
    assert [t.name for t in b] == ["level", "count", "on", "mode", "blob"]


def test_no_state_shared_between_instances_over_the_same_class():
    first, m1 = make()
    first.count.set(5)
    second, m2 = make()
    assert second.count.value is NotSet
    assert m2.build_commit() is None


def _scenario_sync(tags):
    tags.level.set(2.0)
    tags.mode.set("auto", log=True)
    tags.count.set(1)
    value = tags.count.increment()
    tags.blob.delete()
    return value


async def _scenario_async(tags):
    await tags.level.set(2.0)
    await tags.mode.set("auto", log=True)
    await tags.count.set(1)
    value = await tags.count.increment()
    await tags.blob.delete()
    return value


@pytest.mark.parametrize("style", ["sync", "async"])
def test_sync_and_async_apps_produce_the_same_commit(style):
    tags, manager = make({"app": {"blob": {"x": 1}}})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if style == "sync":
            result = _scenario_sync(tags)
        else:
            result = call_hook(_scenario_async, tags)
        gc.collect()
    assert result == 2
    assert [str(w.message) for w in caught] == []
    plan = manager.build_commit()
    assert plan.aggregate_patch == {"app": {"level": 2.0, "mode": "auto", "count": 2, "blob": None}}
    assert plan.log_message == {"app": {"level": 2.0, "mode": "auto", "count": 2}}


def test_ignored_setter_results_never_warn_about_unawaited_coroutines():
    tags, _ = make()

    async def hook():
        tags.level.set(1.0)  # not awaited on purpose
        tags.mode.clear()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call_hook(hook)
        gc.collect()
    assert caught == []


def test_async_mode_can_be_forced_for_value_returning_calls():
    tags, _ = make({"app": {"count": 1}})
    tags.async_mode = True
    result = tags.count.increment()
    assert isinstance(result, Done) and result.result == 2
    assert asyncio.run(_await(result)) == 2
    tags.async_mode = False

    async def inside():
        return tags.count.increment()

    assert asyncio.run(inside()) == 3


async def _await(awaitable):
    return await awaitable


# ---------------------------------------------------------------- remote tags


class RemoteTags(Tags):
    upstream = RemoteTag("number", reference_name="tank_level")
    maybe = RemoteTag("string", reference_name="not_configured", optional=True)
    far = RemoteTag("number", reference_name="far_away", republish_locally=False)


class _Value:
    def __init__(self, value):
        self.value = value


class _TagRef:
    def __init__(self, reference_name, app_name, tag_name, agent_id=None):
        self.reference_name = _Value(reference_name)
        self.app_name = _Value(app_name)
        self.tag_name = _Value(tag_name)
        self.agent_id = _Value(agent_id)


class _Config:
    def __init__(self, *refs):
        for index, ref in enumerate(refs):
            setattr(self, "ref{}".format(index), ref)


def test_remote_tags_resolve_from_config_tagrefs_and_mirror_locally():
    manager = EdgeTagManager(app_key="me", tag_values={"tank_app": {"level": 40}}, min_upload_interval=0)
    config = _Config(_TagRef("tank_level", "tank_app", "level"), _TagRef("far_away", "x", "y", agent_id="77"))
    tags = RemoteTags("me", manager, config)
    tags.resolve_remote_tags()
    assert tags.upstream.value == 40
    assert manager.get_tag("tank_level") == 40  # mirrored at resolution
    manager.build_commit(now=0)
    manager.on_aggregate_update({"tank_app": {"level": 41}, "me": {"tank_level": 40}})
    assert manager.get_tag("tank_level") == 41  # mirrored on change
    tags.upstream.set(50)
    assert manager.get_tag("level", app_key="tank_app") == 50
    assert tags.maybe.value is None
    tags.maybe.set("ignored")
    assert manager.build_commit(now=1).aggregate_patch == {"me": {"tank_level": 41}, "tank_app": {"level": 50}}
    with pytest.raises(NotSupportedError, match=r"tags of another agent \(77\) are not supported"):
        tags.far.value  # noqa: B018


def test_unresolved_required_remote_tag_says_what_to_do():
    tags = RemoteTags("me", ProcessorTagManager("me"), None)
    with pytest.raises(TagError, match=r"remote tag 'upstream' is not resolved: call tags.resolve_remote_tags\(\)"):
        tags.upstream.value  # noqa: B018
    with pytest.raises(TagError, match=r"no TagRef with reference_name 'tank_level' in the config"):
        tags.resolve_remote_tags()


def test_remote_tags_resolve_from_an_explicit_mapping_and_reject_duplicates():
    tags = RemoteTags("me", ProcessorTagManager("me", tag_values={"a": {"b": 1}}), None)
    tags.resolve_remote_tags({"tank_level": {"app_name": "a", "tag_name": "b"}, "far_away": {"app_key": "a", "tag_name": "c"}})
    assert tags.upstream.value == 1
    with pytest.raises(TagError, match="two TagRefs use reference_name 'dup'"):
        RemoteTags("me", None, _Config(_TagRef("dup", "a", "b"), _TagRef("dup", "c", "d"))).resolve_remote_tags()


def test_live_tag_keys_list_live_tags_with_their_app():
    class LiveTags(Tags):
        level = Number(live=True)
        other = Number()
        named = Number(live=True, name="flow_rate")

    assert LiveTags("app", None, None).get_live_tag_keys() == [("app", "level"), ("app", "flow_rate")]
