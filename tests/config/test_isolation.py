"""No shared state: values live on instances; reloads reset; threads load independently."""

import threading

import pytest

from doover import config
from doover.exceptions import ConfigError
from doover.processor import ProcessorConfig


class Cfg(config.Schema):
    count = config.Integer("Count", default=1)
    mode = config.Enum("Mode", choices=["a", "b"], default="a")
    key = config.String("Key", show_if=config.equal("mode", "b"))
    extra = config.Object("Extra", default={})
    rows = config.Array("Rows", element=config.Integer("Row"), default=[])
    proc = ProcessorConfig()


BASE = {"dv_proc_config": {}}


def test_two_instances_never_share_values_or_elements():
    first = Cfg.from_dict(dict(BASE, count=5, rows=[1, 2]))
    second = Cfg.from_dict(dict(BASE, count=7))
    assert (first.count.value, second.count.value) == (5, 7)
    assert first.count is not second.count and first.count is not Cfg.count
    assert first.proc.log_level is not second.proc.log_level
    assert (first.rows.values, second.rows.values) == ([1, 2], [])
    assert Cfg.count._value is config.NotSet  # the class template is never loaded


def test_reload_resets_skipped_conditional_fields():
    cfg = Cfg.from_dict(dict(BASE, mode="b", key="secret"))
    assert cfg.key.value == "secret"
    cfg.load(dict(BASE))
    assert cfg.key._value is config.NotSet
    assert "key" not in cfg.to_dict()


def test_reload_does_not_accumulate_free_form_keys():
    cfg = Cfg.from_dict(dict(BASE, extra={"a": 1}))
    cfg.load(dict(BASE, extra={"b": 2}))
    assert cfg.extra.value == {"b": 2}
    assert list(cfg.extra._elements) == ["b"]
    cfg.load(dict(BASE))
    assert cfg.extra.value == {}


def test_reload_replaces_undeclared_keys():
    cfg = Cfg.from_dict(dict(BASE, APP_KEY="one", OLD=1))
    cfg.load(dict(BASE, APP_KEY="two"))
    assert cfg.APP_KEY.value == "two"
    assert not hasattr(cfg, "OLD")
    assert cfg.extra_values == {"APP_KEY": "two"}


def test_failed_load_changes_nothing():
    cfg = Cfg.from_dict(dict(BASE, count=5, APP_KEY="k"))
    with pytest.raises(ConfigError):
        cfg.load(dict(BASE, count="bad", rows=[1]))
    assert cfg.count.value == 5 and cfg.rows.values == [] and cfg.APP_KEY.value == "k"


def test_warm_invocations_see_only_their_own_config():
    # A Lambda container builds a new instance per invocation (or reloads one): neither leaks.
    seen = []
    reused = Cfg()
    for invocation in range(5):
        data = dict(BASE, count=invocation, extra={"k{}".format(invocation): invocation})
        if invocation == 2:
            data["mode"], data["key"] = "b", "only-two"
        fresh = Cfg.from_dict(data)
        reused.load(data)
        for cfg in (fresh, reused):
            seen.append((cfg.count.value, cfg.extra.value, cfg.to_dict().get("key")))
    expected = []
    for invocation in range(5):
        row = (invocation, {"k{}".format(invocation): invocation}, "only-two" if invocation == 2 else None)
        expected += [row, row]
    assert seen == expected


def test_threads_loading_their_own_instances_concurrently_get_their_own_values():
    results = {}
    errors = []
    start = threading.Barrier(8)

    def worker(n):
        try:
            start.wait(timeout=30)
            for round_ in range(50):
                cfg = Cfg.from_dict(dict(BASE, count=n * 1000 + round_, rows=[n] * (n + 1),
                                         extra={"t": n}))
                assert cfg.count.value == n * 1000 + round_
                assert cfg.rows.values == [n] * (n + 1)
                assert cfg.extra.value == {"t": n}
            results[n] = cfg.to_dict()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(results) == list(range(8))
    for n, data in results.items():
        assert data["count"] == n * 1000 + 49


def test_to_dict_and_lookup_return_copies():
    cfg = Cfg.from_dict(dict(BASE, rows=[1], extra={"a": [1]}, APP_LIST=[1]))
    cfg.to_dict()["rows"].append(2)
    cfg.lookup("extra")["a"].append(2)
    cfg.lookup("APP_LIST").append(2)
    assert cfg.rows.values == [1] and cfg.extra.value == {"a": [1]} and cfg.lookup("APP_LIST") == [1]


def test_input_data_is_not_aliased():
    data = dict(BASE, extra={"a": [1]}, OTHER={"b": 1})
    cfg = Cfg.from_dict(data)
    data["extra"]["a"].append(2)
    data["OTHER"]["b"] = 2
    assert cfg.extra.value == {"a": [1]} and cfg.OTHER.value == {"b": 1}
