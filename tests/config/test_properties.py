"""Property-based tests: random schemas export valid JSON Schema; configs that satisfy them load
and round-trip (``to_dict()`` equals the input with defaults filled in)."""

import enum
import math

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doover import config
from doover.config._jsonvalue import json_equal
from doover.exceptions import ConfigError


class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


PATTERNS = {None: None, "^[a-z]+$": "abcxyz", "\\d": "0123456789"}
META = jsonschema.Draft202012Validator(jsonschema.Draft202012Validator.META_SCHEMA)


# ------------------------------------------------------------------ specs: (kind, options) recipes


def _bounds(draw, integer):
    low = draw(st.one_of(st.none(), st.integers(-1000, 1000)))
    high = draw(st.one_of(st.none(), st.integers(-1000, 1000)))
    if low is not None and high is not None and low > high:
        low, high = high, low
    step = draw(st.one_of(st.none(), st.sampled_from([1, 2, 5] if integer else [0.5, 0.25, 2.0])))
    if step is not None and low is not None and high is not None and math.floor(high / step) < math.ceil(low / step):
        step = None
    return {"minimum": low, "maximum": high, "multiple_of": step}


@st.composite
def scalar_spec(draw):
    kind = draw(st.sampled_from(["integer", "number", "string", "boolean", "enum_str", "enum_int",
                                 "enum_py", "datetime", "any"]))
    spec = {"kind": kind}
    if kind in ("integer", "number"):
        spec.update(_bounds(draw, kind == "integer"))
    elif kind == "string":
        spec["pattern"] = draw(st.sampled_from(sorted(PATTERNS, key=str)))
        spec["length"] = draw(st.one_of(st.none(), st.integers(1, 12)))
    elif kind == "enum_str":
        spec["choices"] = draw(st.lists(st.text("abcdef", min_size=1, max_size=4), min_size=1, max_size=5, unique=True))
    elif kind == "enum_int":
        spec["choices"] = draw(st.lists(st.integers(-5, 5), min_size=1, max_size=5, unique=True))
    return spec


@st.composite
def value_for(draw, spec):
    kind = spec["kind"]
    if kind in ("integer", "number"):
        low, high, step = spec["minimum"], spec["maximum"], spec["multiple_of"]
        if step is not None:
            k_low = math.ceil(low / step) if low is not None else None
            k_high = math.floor(high / step) if high is not None else None
            if k_low is None:
                k_low = (k_high if k_high is not None else 0) - 400
            if k_high is None:
                k_high = k_low + 400
            value = draw(st.integers(k_low, k_high)) * step
            return int(value) if kind == "integer" else value
        if kind == "integer":
            return draw(st.integers(low if low is not None else -(10 ** 6), high if high is not None else 10 ** 6))
        return draw(st.one_of(
            st.floats(low, high, allow_nan=False, allow_infinity=False),
            st.integers(int(math.ceil(low)) if low is not None else -(10 ** 6),
                        int(math.floor(high)) if high is not None else 10 ** 6),
        ))
    if kind == "string":
        alphabet = PATTERNS[spec["pattern"]]
        max_size = spec["length"] if spec["length"] is not None else 20
        if alphabet is None:
            return draw(st.text(max_size=max_size))
        return draw(st.text(alphabet, min_size=1, max_size=max_size))
    if kind == "boolean":
        return draw(st.booleans())
    if kind in ("enum_str", "enum_int"):
        return draw(st.sampled_from(spec["choices"]))
    if kind == "enum_py":
        return draw(st.sampled_from([c.value for c in Colour]))
    if kind == "datetime":
        return draw(st.datetimes()).isoformat() + "Z"
    if kind == "any":
        return draw(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                                 lambda inner: st.lists(inner, max_size=3), max_leaves=5))
    if kind == "array":
        return draw(st.lists(value_for(spec["element"]), min_size=spec["min_items"] or 0,
                             max_size=spec["max_items"] if spec["max_items"] is not None else 4,
                             unique=bool(spec["unique_items"])))
    if kind == "object":
        return draw(object_value(spec))
    raise AssertionError(kind)


def field_spec(depth=0):
    @st.composite
    def build(draw):
        options = [scalar_spec()]
        if depth < 2:
            options += [array_spec(depth), object_spec(depth)]
        spec = draw(st.one_of(*options))
        optional = draw(st.booleans())
        if optional:
            if spec["kind"] == "object":
                spec["default"] = None
            elif spec["kind"] == "array":
                spec["default"] = draw(st.one_of(st.none(), value_for(spec).filter(lambda v: _unique_ok(spec, v))))
            else:
                spec["default"] = draw(st.one_of(st.none(), value_for(spec)))
        return spec

    return build()


def _unique_ok(spec, items):
    if not spec.get("unique_items"):
        return True
    return all(not json_equal(a, b) for i, a in enumerate(items) for b in items[i + 1:])


def array_spec(depth):
    @st.composite
    def build(draw):
        element = draw(st.one_of(scalar_spec(), object_spec(depth + 1)) if depth < 1 else scalar_spec())
        low = draw(st.one_of(st.none(), st.integers(0, 2)))
        high = draw(st.one_of(st.none(), st.integers(2, 4)))
        unique = draw(st.one_of(st.none(), st.booleans())) if element["kind"] in ("integer", "string") else None
        if unique and low is not None:
            low = min(low, 1)  # a narrow element range may not have two distinct values
        return {"kind": "array", "element": element, "min_items": low, "max_items": high, "unique_items": unique}

    return build()


def object_spec(depth):
    @st.composite
    def build(draw):
        children = draw(st.lists(field_spec(depth + 1), max_size=4))
        strict = draw(st.booleans())
        return {"kind": "object", "children": children, "strict": strict}

    return build()


@st.composite
def object_value(draw, spec, root=False):
    out = {}
    for index, child in enumerate(spec["children"]):
        key = "f{}".format(index)
        if "default" not in child:
            out[key] = draw(value_for(child))
            continue
        choice = draw(st.sampled_from(["omit", "null", "value"]))
        if choice == "null":
            out[key] = None
        elif choice == "value":
            value = draw(value_for(child))
            if child["kind"] == "array" and not _unique_ok(child, value):
                continue
            out[key] = value
    if not spec.get("strict") and draw(st.booleans()):
        out["EXTRA_KEY" if root else "extra"] = draw(st.integers() | st.text(max_size=5))
    return out


# ------------------------------------------------------------------ building elements from specs


def make_element(spec, display):
    kind = spec["kind"]
    kwargs = {"name": display}
    if "default" in spec:
        kwargs["default"] = spec["default"]
        if kind == "enum_py" and spec["default"] is not None:
            kwargs["default"] = Colour(spec["default"])
    if kind in ("integer", "number"):
        cls = config.Integer if kind == "integer" else config.Number
        return cls(display, minimum=spec["minimum"], maximum=spec["maximum"], multiple_of=spec["multiple_of"],
                   **kwargs)
    if kind == "string":
        return config.String(display, pattern=spec["pattern"], length=spec["length"], **kwargs)
    if kind == "boolean":
        return config.Boolean(display, **kwargs)
    if kind in ("enum_str", "enum_int"):
        kwargs.setdefault("default", config.NotSet)
        return config.Enum(display, choices=spec["choices"], **kwargs)
    if kind == "enum_py":
        kwargs.setdefault("default", config.NotSet)
        return config.Enum(display, choices=Colour, **kwargs)
    if kind == "datetime":
        return config.DateTime(display, **kwargs)
    if kind == "any":
        return config.ConfigElement(display, **kwargs)
    if kind == "array":
        return config.Array(display, element=make_element(spec["element"], "item"), min_items=spec["min_items"],
                            max_items=spec["max_items"], unique_items=spec["unique_items"], **kwargs)
    obj = config.Object(display, additional_elements=not spec["strict"], **kwargs)
    obj.add_elements(*(make_element(child, "f{}".format(i)) for i, child in enumerate(spec["children"])))
    return obj


def make_schema(children):
    attrs = {"field_{}".format(i): make_element(child, "f{}".format(i)) for i, child in enumerate(children)}
    return type("Generated", (config.Schema,), attrs)


# ------------------------------------------------------------------ expected normalisation


def expected(spec, present, raw):
    kind = spec["kind"]
    if not present or (raw is None and kind != "any"):
        if "default" not in spec:
            raise AssertionError("generator left out a required field")
        if spec["default"] is None:
            return None
        without_default = {k: v for k, v in spec.items() if k != "default"}
        return expected(without_default, True, spec["default"])
    if kind == "number":
        return float(raw)
    if kind == "integer":
        return int(raw)
    if kind == "array":
        return [expected(spec["element"], True, item) for item in raw]
    if kind == "object":
        if not raw and "default" in spec and spec["default"] is None:
            return None
        return expected_object(spec, raw)
    return raw


def expected_object(spec, raw):
    out = {}
    for index, child in enumerate(spec["children"]):
        key = "f{}".format(index)
        out[key] = expected(child, key in raw, raw.get(key))
    for key, value in raw.items():
        if key not in out:
            out[key] = value
    return out


def strict_equal(a, b):
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(strict_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(strict_equal(a[k], b[k]) for k in a)
    return a == b


SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def schema_and_config(draw):
    children = draw(st.lists(field_spec(), max_size=6))
    root = {"kind": "object", "children": children, "strict": False}
    return children, draw(object_value(root, root=True))


@SETTINGS
@given(schema_and_config())
def test_random_schema_exports_valid_json_schema_and_satisfying_configs_round_trip(case):
    children, data = case
    cls = make_schema(children)
    document = cls.to_schema()
    assert [e.message for e in META.iter_errors(document)] == []
    assert [e.message for e in jsonschema.Draft202012Validator(document).iter_errors(data)] == []
    cfg = cls.from_dict(data)
    want = expected_object({"children": children}, data)
    assert strict_equal(cfg.to_dict(), want), (cfg.to_dict(), want)
    again = cls.from_dict(cfg.to_dict())
    assert strict_equal(again.to_dict(), want)


@SETTINGS
@given(
    controller_default=st.booleans(),
    condition_value=st.booleans(),
    controller=st.one_of(st.none(), st.booleans()),
    dependents=st.lists(scalar_spec(), min_size=1, max_size=3),
    optional=st.lists(st.booleans(), min_size=3, max_size=3),
    data=st.data(),
)
def test_conditional_fields_are_required_only_when_their_condition_holds(
    controller_default, condition_value, controller, dependents, optional, data
):
    specs = []
    for spec, is_optional in zip(dependents, optional):
        if is_optional:
            spec = dict(spec, default=data.draw(value_for(spec)))
        specs.append(spec)
    attrs = {"switch": config.Boolean("Switch", default=controller_default)}
    for index, spec in enumerate(specs):
        element = make_element(spec, "d{}".format(index))
        element.show_if = config.equal("switch", condition_value)
        attrs["dep_{}".format(index)] = element
    cls = type("Conditional", (config.Schema,), attrs)
    document = cls.to_schema()
    assert [e.message for e in META.iter_errors(document)] == []

    raw = {} if controller is None else {"switch": controller}
    active = (controller_default if controller is None else controller) == condition_value
    want = {"switch": controller_default if controller is None else controller}
    for index, spec in enumerate(specs):
        key = "d{}".format(index)
        if active and ("default" not in spec or data.draw(st.booleans())):
            raw[key] = data.draw(value_for(spec))
            want[key] = expected(spec, True, raw[key])
        elif "default" in spec:
            want[key] = expected(spec, False, None)
    assert [e.message for e in jsonschema.Draft202012Validator(document).iter_errors(raw)] == []
    assert strict_equal(cls.from_dict(raw).to_dict(), want)

    missing = [i for i, spec in enumerate(specs) if "default" not in spec]
    if active and missing:
        incomplete = {k: v for k, v in raw.items() if k != "d{}".format(missing[0])}
        with pytest.raises(ConfigError) as info:
            cls.from_dict(incomplete)
        assert "d{}: missing required field".format(missing[0]) in info.value.errors
