import asyncio
import datetime as dt
import json
import logging
import threading

import pytest

from doover.exceptions import InvalidArgumentError
from doover.utils import (
    DOOVER_EPOCH,
    CaseInsensitiveDict,
    CaseInsensitiveDictEncoder,
    apply_diff,
    call_maybe_async,
    find_object_with_key,
    find_path_to_key,
    generate_diff,
    generate_snowflake_id,
    generate_snowflake_id_at,
    get_datetime_from_snowflake,
    get_is_async,
    map_reading,
    maybe_async,
    maybe_load_json,
    on_change,
    wrap_try_except,
    wrap_try_except_async,
)


def test_map_reading_scales_4_20_ma_and_ignores_a_broken_loop():
    assert map_reading(12, [0, 100]) == 50.0
    assert map_reading(4, [0, 100]) == 0.0
    assert map_reading(22, [0, 100]) == 112.5  # extrapolated from the last segment
    assert map_reading(1.5, [0, 100]) is None
    assert map_reading(1.5, [0, 100], ignore_below=None) == pytest.approx(-15.625)


def test_map_reading_uses_the_matching_segment_of_a_piecewise_curve():
    raw, out = [4, 10, 20], [0, 50, 60]
    assert map_reading(7, out, raw) == 25.0
    assert map_reading(15, out, raw) == 55.0
    with pytest.raises(InvalidArgumentError, match="same length"):
        map_reading(5, [0, 1], [4, 10, 20])
    with pytest.raises(InvalidArgumentError, match="ascending"):
        map_reading(5, [0, 1], [20, 4])


def test_find_object_and_path_prefer_the_shallowest_match():
    doc = {"a": {"b": {"target": 1}}, "c": {"target": 2}}
    assert find_object_with_key(doc, "target") == 2
    assert find_path_to_key(doc, "target") == "c.target"
    assert find_path_to_key({"x": {"y": {"z": 0}}}, "z") == "x.y.z"
    assert find_object_with_key(doc, "missing") is None
    assert find_path_to_key([1, 2], "a") is None


def test_case_insensitive_dict_round_trips_to_json():
    d = CaseInsensitiveDict({"Level": 1}, Volts=2)
    assert d["LEVEL"] == 1 and d["volts"] == 2
    del d["level"]
    assert list(d) == ["volts"]
    nested = CaseInsensitiveDict.from_dict({"A": {"B": 3}})
    assert nested["a"]["b"] == 3
    assert json.dumps(nested, cls=CaseInsensitiveDictEncoder) == '{"a": {"b": 3}}'


def test_generate_diff_then_apply_diff_reproduces_the_new_dict():
    old = {"a": 1, "b": {"c": 2, "d": 3}, "e": 4}
    new = {"a": 1, "b": {"c": 5, "d": 3}, "f": 6}
    diff = generate_diff(old, new)
    assert diff == {"b": {"c": 5}, "e": None, "f": 6}
    assert apply_diff(old, diff) == new
    assert old["b"]["c"] == 2  # cloned by default
    assert apply_diff(old, {"e": None}, do_delete=False)["e"] is None
    assert generate_diff(old, {"a": 1}, do_delete=False) == {}
    assert maybe_load_json('{"x": 1}') == {"x": 1}
    assert maybe_load_json("not json") == "not json"


def test_call_maybe_async_runs_sync_functions_in_a_worker_thread_and_awaits_coroutines():
    main_thread = threading.get_ident()

    def blocking(x, y=0):
        return (x + y, threading.get_ident())

    async def coro(x):
        return x * 2

    async def main():
        total, thread = await call_maybe_async(blocking, 1, y=2)
        direct = await call_maybe_async(blocking, 5, in_executor=False)
        doubled = await call_maybe_async(coro, 21)
        task = await call_maybe_async(coro, 4, as_task=True)
        return total, thread, direct, doubled, await task, get_is_async()

    total, thread, direct, doubled, tasked, inside = asyncio.run(main())
    assert (total, doubled, tasked, inside) == (3, 42, 8, True)
    assert thread != main_thread
    assert direct == (5, main_thread)
    assert get_is_async() is False
    assert get_is_async(True) is True


def test_maybe_async_dispatches_on_the_instance_flag():
    class Client:
        def __init__(self, is_async):
            self._is_async = is_async

        @maybe_async()
        def fetch(self, x):
            return "sync", x

        async def fetch_async(self, x):
            return "async", x

    assert Client(False).fetch(1) == ("sync", 1)
    assert asyncio.run(Client(True).fetch(2)) == ("async", 2)
    assert Client(True).fetch(3, run_sync=True) == ("sync", 3)


def test_wrap_try_except_logs_and_returns_none(caplog):
    def boom():
        raise ValueError("bad value")

    async def aboom():
        raise KeyError("k")

    with caplog.at_level(logging.ERROR, logger="doover.utils"):
        assert wrap_try_except(boom) is None
        assert asyncio.run(wrap_try_except_async(aboom)) is None
        assert wrap_try_except(lambda a: a + 1, 1) == 2
    assert [r.exc_info[0] for r in caplog.records] == [ValueError, KeyError]


def test_on_change_calls_back_on_first_and_changed_results_per_instance():
    seen = []

    class Gauge:
        def __init__(self, values):
            self.values = list(values)

        def changed(self, new, old, first, name):
            seen.append((id(self), new, old, first, name))

        @on_change("changed", name="level")
        def level(self):
            return self.values.pop(0)

    g1, g2 = Gauge([1, 1, 2]), Gauge([1])
    assert [g1.level(), g1.level(), g1.level(), g2.level()] == [1, 1, 2, 1]
    assert seen == [(id(g1), 1, None, True, "level"), (id(g1), 2, 1, False, "level"),
                    (id(g2), 1, None, True, "level")]


def test_on_change_wraps_async_functions_with_async_callbacks():
    seen = []

    async def note(new, old, first, name):
        seen.append((new, old, first, name))

    values = iter([5, 5, 6])

    @on_change(note)
    async def reading():
        return next(values)

    async def main():
        return [await reading() for _ in range(3)]

    assert asyncio.run(main()) == [5, 5, 6]
    assert seen == [(5, None, True, "reading"), (6, 5, False, "reading")]


def test_snowflake_helpers_round_trip_a_datetime():
    at = dt.datetime(2026, 3, 1, 12, 0, 0, 250000, tzinfo=dt.timezone.utc)
    sid = generate_snowflake_id_at(at)
    assert sid == (int(at.timestamp() * 1000) - DOOVER_EPOCH) << 22
    assert get_datetime_from_snowflake(sid) == at
    assert generate_snowflake_id_at(at, type_id=2) == sid | (2 << 4)
    a, b = generate_snowflake_id(), generate_snowflake_id()
    assert b > a
    with pytest.raises(InvalidArgumentError, match="type_id"):
        generate_snowflake_id_at(at, type_id=16)
