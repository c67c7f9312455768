import copy
import pickle

import pytest

from doover.exceptions import DooverError, TagError
from doover.tags import (
    AnyChange,
    Array,
    Boolean,
    Cross,
    Delta,
    Float,
    Integer,
    NotSet,
    Number,
    Object,
    ProcessorTagManager,
    RemoteTag,
    String,
    Tag,
    Tags,
)


class PumpTags(Tags):
    level = Number(default=0.0, log_on=Cross(80), live=True)
    mode = String(default="idle")
    running = Boolean()
    starts = Integer(default=0)
    ratio = Float()
    settings = Object(default={"a": 1})
    history = Array()
    legacy = Tag("number", name="legacy_level")


def test_typed_tags_carry_their_type_names():
    assert [t.tag_type for t in (Number(), Integer(), Float(), String(), Boolean(), Object(), Array())] == [
        "number", "integer", "float", "string", "boolean", "object", "array",
    ]


def test_to_schema_on_class_lists_declarations_in_order_with_runtime_names():
    assert PumpTags.to_schema() == {
        "level": {"type": "number", "default": 0.0, "live": True},
        "mode": {"type": "string", "default": "idle"},
        "running": {"type": "boolean"},
        "starts": {"type": "integer", "default": 0},
        "ratio": {"type": "float"},
        "settings": {"type": "object", "default": {"a": 1}},
        "history": {"type": "array"},
        "legacy_level": {"type": "number"},
    }
    assert list(PumpTags.to_schema()) == [
        "level", "mode", "running", "starts", "ratio", "settings", "history", "legacy_level",
    ]


def test_to_schema_on_instance_reflects_setup_changes_only_on_that_instance():
    tags = PumpTags("app", None, None)
    tags.remove_tag("history")
    tags.add_tag("extra", String(default="x"))
    assert "history" not in tags.to_schema()
    assert tags.to_schema()["extra"] == {"type": "string", "default": "x"}
    assert "history" in PumpTags.to_schema()
    assert "extra" not in PumpTags("app", None, None).to_schema()


def test_class_attribute_access_returns_the_declaration():
    assert isinstance(PumpTags.level, Tag)
    assert PumpTags.level.runtime_name == "level"
    assert PumpTags.legacy.runtime_name == "legacy_level"


def test_unknown_tag_type_is_rejected_naming_the_valid_types():
    with pytest.raises(TagError, match=r"tag_type must be one of number, integer, float, string, boolean, array, object, got 'int'"):
        Tag("int")


def test_default_of_the_wrong_type_is_rejected():
    with pytest.raises(TagError, match=r"Number\(default=...\): expected a number for a 'number' tag, got 'ten'"):
        Number(default="ten")


def test_trigger_of_the_wrong_kind_is_rejected():
    with pytest.raises(TagError, match=r"Cross cannot watch a 'string' tag \(it works on number, integer, float\)"):
        String(log_on=Cross(3))
    with pytest.raises(TagError, match=r"AnyChange cannot watch a 'number' tag"):
        Tag("number", log_on=[Delta(amount=1), AnyChange()])
    with pytest.raises(TagError, match="log_on expects"):
        Number(log_on="always")


def test_two_tags_with_the_same_runtime_name_are_rejected_at_class_creation():
    with pytest.raises(TagError, match=r"tags 'a' and 'b' both use the name 'a'"):
        class Clash(Tags):  # noqa: F841
            a = Number()
            b = Number(name="a")


def test_tag_errors_are_doover_errors_and_value_errors():
    assert issubclass(TagError, DooverError) and issubclass(TagError, ValueError)


def test_declarations_have_no_value():
    with pytest.raises(TagError, match=r"a declaration has no value; use it through a Tags instance \(app.tags.level\)"):
        PumpTags.level.get()
    with pytest.raises(TagError):
        PumpTags.level.value  # noqa: B018


def test_notset_is_a_falsy_singleton_that_survives_copy_and_pickle():
    assert not NotSet
    assert repr(NotSet) == "NotSet"
    assert copy.deepcopy(NotSet) is NotSet
    assert pickle.loads(pickle.dumps(NotSet)) is NotSet


def test_instances_deep_copy_declarations():
    a = PumpTags("app", None, None)
    b = PumpTags("app", None, None)
    a.get_definition("settings").default["a"] = 99
    assert b.get_definition("settings").default == {"a": 1}
    assert PumpTags.settings.default == {"a": 1}


def test_inherited_declarations_come_first_and_can_be_overridden():
    class Base(Tags):
        a = Number(default=1)
        b = Number(default=2)

    class Child(Base):
        c = Number(default=3)
        a = Number(default=10)

    assert Child.to_schema() == {"a": {"type": "number", "default": 10}, "b": {"type": "number", "default": 2}, "c": {"type": "number", "default": 3}}
    assert Base.to_schema()["a"] == {"type": "number", "default": 1}


def test_remote_tag_optional_defaults_to_none_and_needs_reference_name():
    assert RemoteTag("number", reference_name="upstream", optional=True).default is None
    with pytest.raises(TagError, match="reference_name must be a non-empty string"):
        RemoteTag("number", reference_name="")


def test_register_adds_a_named_tag_like_the_seed_example():
    tags = Tags("app", ProcessorTagManager("app"), None)
    tags.register(Number(default=0.0, name="temperature"))
    tags.set("temperature", 21.5)
    assert tags.get("temperature").value == 21.5
    with pytest.raises(TagError, match="register: expected a Tag with name="):
        tags.register(Number())
    with pytest.raises(TagError, match="a tag named 'temperature' already exists"):
        tags.register(Number(name="temperature"))
