"""Declaring schemas and objects: collection, inheritance, positions, overrides, copies."""

import pytest

from doover import config
from doover.exceptions import ConfigError, ConfigSchemaError


def props(cls):
    return {k: v.get("x-position") for k, v in cls.to_schema()["properties"].items()}


def test_fields_are_collected_in_class_body_order_with_zero_based_positions():
    class Cfg(config.Schema):
        b = config.Integer("B", default=1)
        a = config.Integer("A", default=1)

    assert props(Cfg) == {"b": 0, "a": 1}


def test_inherited_fields_come_first_and_an_own_field_with_the_same_key_replaces_in_place():
    class Base(config.Schema):
        one = config.Integer("One", default=1)
        two = config.Integer("Two", default=2)

    class Child(Base):
        three = config.Integer("Three", default=3)
        second = config.String("Two", default="x")

    assert props(Child) == {"one": 0, "two": 1, "three": 2}
    assert Child.to_schema()["properties"]["two"]["type"] == ["string", "null"]
    assert Base.to_schema()["properties"]["two"]["type"] == ["integer", "null"]  # base unchanged
    cfg = Child.from_dict({"two": "y"})
    assert cfg.second.value == "y" and cfg.two.value == "y"


def test_replacing_field_with_explicit_position_keeps_that_position():
    class Base(config.Schema):
        one = config.Integer("One", default=1)

    class Child(Base):
        one = config.Integer("One", default=5, position=9)

    assert props(Child) == {"one": 9}


def test_closest_base_wins_a_key_clash_in_multiple_inheritance():
    class A(config.Schema):
        x = config.Integer("X", default=1)

    class B(config.Schema):
        x = config.Integer("X", default=2)
        y = config.Integer("Y", default=3)

    class C(A, B):
        pass

    document = C.to_schema()["properties"]
    assert list(document) == ["x", "y"]
    assert document["x"]["default"] == 1


def test_same_key_twice_in_one_schema_class_silently_keeps_the_later_at_the_earlier_position():
    class Cfg(config.Schema):
        a = config.Integer("Key", default=1)
        b = config.Integer("Other", default=1)
        c = config.String("Key", default="s")

    assert props(Cfg) == {"key": 0, "other": 1}
    assert Cfg.to_schema()["properties"]["key"]["default"] == "s"


def test_class_keyword_name_sets_title_and_name_attribute_unless_a_field_is_called_name():
    class Titled(config.Schema, name="My App"):
        pass

    class WithField(config.Schema, name="Other"):
        name = config.String("Name", default="n")

    assert Titled.name == "My App" and Titled.to_schema()["title"] == "My App"
    assert isinstance(WithField.name, config.String)
    assert WithField.to_schema()["title"] == "Other"


def test_attribute_name_and_json_key_are_independent():
    class Cfg(config.Schema):
        count = config.Integer("Item Count")

    cfg = Cfg.from_dict({"item_count": 4})
    assert cfg.count.value == 4
    assert cfg.element_by_attribute("count") is cfg.count
    assert list(cfg.iter_fields()) == [("count", "item_count", cfg.count)]


def test_add_element_and_clear_elements_class_methods():
    class Cfg(config.Schema):
        a = config.Integer("A", default=1)

    Cfg.add_element(config.Integer("B", default=2))
    assert props(Cfg) == {"a": 0, "b": 1}
    with pytest.raises(ConfigSchemaError, match="duplicate element key 'b'"):
        Cfg.add_element(config.String("B", default="x"))
    Cfg.clear_elements()
    assert Cfg.to_schema()["properties"] == {}
    assert Cfg.from_dict({"a": 5}).lookup("a") == 5  # now an undeclared key


def test_required_rule_three_ways():
    assert config.Integer("A").required is True
    assert config.Integer("A", default=1).required is False
    assert config.Integer("A", default=1, required=True).required is True
    assert config.Integer("A", default=None, required=False).required is False
    with pytest.raises(ConfigSchemaError, match="required=False needs a default"):
        config.Integer("A", required=False)


@pytest.mark.parametrize(
    "factory, message",
    [
        (lambda: config.Integer("I", default="1"), "default must be an int"),
        (lambda: config.Integer("I", default=True), "default must be an int"),
        (lambda: config.Number("N", default="1.0"), "default must be a number"),
        (lambda: config.String("S", default=1), "default must be a str"),
        (lambda: config.DateTime("D", default=1), "default must be a str"),
        (lambda: config.Boolean("B", default=0), "default must be a bool"),
        (lambda: config.Array("A", default={}), "default must be a list"),
        (lambda: config.Object("O", default=[]), "default must be a dict"),
    ],
)
def test_default_of_the_wrong_type_raises_config_schema_error(factory, message):
    with pytest.raises(ConfigSchemaError, match=message):
        factory()


def test_number_accepts_an_int_default_and_loads_it_as_float():
    class Cfg(config.Schema):
        rate = config.Number("Rate", default=5)

    assert Cfg.to_schema()["properties"]["rate"]["default"] == 5
    value = Cfg.from_dict({}).rate.value
    assert value == 5.0 and isinstance(value, float)


def test_bad_options_raise():
    with pytest.raises(ConfigSchemaError, match="invalid pattern"):
        config.String("S", pattern="(")
    with pytest.raises(ConfigSchemaError, match="multiple_of must be greater than 0"):
        config.Number("N", multiple_of=0)
    with pytest.raises(ConfigSchemaError, match="an Array's element must be a config element"):
        config.Array("A", element="x")
    with pytest.raises(ConfigSchemaError, match="display name must be a string"):
        config.Integer(None)


# ------------------------------------------------------------------ Object


class Inner(config.Object):
    count = config.Integer("Count", default=1)


class Outer(config.Object):
    label = config.String("Label", default="l")
    inner = Inner("Inner")


def test_object_children_are_one_based_and_reachable_by_attribute():
    outer = Outer("Outer")
    assert outer.label is outer._elements["label"]
    assert outer.inner.count is outer._elements["inner"]._elements["count"]
    exported = outer._export()
    assert [p["x-position"] for p in exported["properties"].values()] == [1, 2]
    assert exported["properties"]["inner"]["properties"]["count"]["x-position"] == 1


def test_object_instances_do_not_share_children():
    first, second = Outer("A"), Outer("B")
    assert first.inner.count is not second.inner.count
    first.inner.count.value = 7
    assert second.inner.count._value is config.NotSet


def test_object_subclass_inherits_children_first_and_redeclaring_a_key_raises():
    class More(Outer):
        extra = config.Boolean("Extra", default=True)

    assert list(More("M")._export()["properties"]) == ["label", "inner", "extra"]
    with pytest.raises(ConfigSchemaError, match="duplicate element key 'label'"):
        type("Again", (Outer,), {"label2": config.String("Label", default="x")})


def test_same_key_twice_in_one_object_class_raises():
    with pytest.raises(ConfigSchemaError, match="duplicate element key 'a'"):
        type("Twice", (config.Object,), {"x": config.Integer("A"), "y": config.Integer("A")})


def test_django_style_overrides_walk_children_by_key():
    outer = Outer("Outer", label__default="custom", inner__count__default=99, inner__count__hidden=True)
    assert outer.label.default == "custom"
    assert outer.inner.count.default == 99 and outer.inner.count.hidden is True
    assert Outer("Plain").inner.count.default == 1  # class template untouched


def test_override_of_default_changes_the_derived_required_flag():
    class WithRequired(config.Object):
        pin = config.Integer("Pin")

    assert WithRequired("W", pin__default=3).pin.required is False
    assert WithRequired("W", pin__advanced=True)._export()["properties"]["pin"]["x-advanced"] is True


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"nope__default": 1}, "has no child 'nope'"),
        ({"inner__nope__default": 1}, "has no child 'nope'"),
        ({"label__bogus": 1}, "has no option 'bogus'"),
        ({"inner__count": 5}, "has no option 'count'"),
        ({"__default": 1}, "invalid override"),
    ],
)
def test_bad_overrides_raise_type_error(kwargs, message):
    with pytest.raises(TypeError, match=message):
        Outer("Outer", **kwargs)


def test_object_subclass_with_its_own_init_and_display_name_default():
    class Pump(config.Object):
        pin = config.Integer("Pin", minimum=0)

        def __init__(self, display_name="Pump", **kwargs):
            super().__init__(display_name, description="A pump", **kwargs)

    class Cfg(config.Schema):
        pump = Pump()
        spare = Pump("Spare Pump", default=None, required=False)

    document = Cfg.to_schema()["properties"]
    assert (document["pump"]["description"], document["spare_pump"]["type"]) == ("A pump", ["object", "null"])
    cfg = Cfg.from_dict({"pump": {"pin": 2}})
    assert cfg.pump.pin.value == 2 and cfg.spare.value is None


def test_add_elements_numbers_after_existing_children_and_rejects_duplicates():
    obj = config.Object("Free")
    obj.add_elements(config.Integer("A", default=1), config.Integer("B", default=2))
    assert [p["x-position"] for p in obj._export()["properties"].values()] == [1, 2]
    with pytest.raises(ConfigSchemaError, match="duplicate element key 'a'"):
        obj.add_elements(config.String("A", default="x"))


def test_assigning_an_object_child_as_attribute_does_not_register_it():
    obj = config.Object("Free")
    obj.x = config.Integer("X")
    assert obj._export()["properties"] == {}


def test_one_element_object_in_two_schemas_gets_independent_positions():
    shared = config.Integer("Shared", default=1)

    class First(config.Schema):
        a = config.Integer("A", default=1)
        s = shared

    class Second(config.Schema):
        s = shared

    assert props(First) == {"a": 0, "shared": 1}
    assert props(Second) == {"shared": 0}


def test_condition_on_an_inherited_controller_element_exports_and_loads():
    class Base(config.Schema):
        on = config.Boolean("On", default=False)

    class Child(Base):
        level = config.Integer("Level", show_if=config.equal(Base.on, True))

    assert Child.to_schema()["allOf"][0]["if"] == {"properties": {"on": {"const": True}}, "required": ["on"]}
    assert Child.from_dict({}).to_dict() == {"on": False}
    with pytest.raises(ConfigError) as info:
        Child.from_dict({"on": True})
    assert info.value.errors == ["level: missing required field"]


def test_schema_subclass_whose_init_skips_super_still_loads():
    class Legacy(config.Schema):
        count = config.Integer("Count", default=1)

        def __init__(self):
            self.started = True

    cfg = Legacy()
    cfg.load({"count": 3})
    assert cfg.count.value == 3 and cfg.started is True
