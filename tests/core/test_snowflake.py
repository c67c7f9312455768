"""Snowflake ids: layout, conversions, uniqueness."""

import datetime as dt
import threading

from hypothesis import given
from hypothesis import strategies as st

from doover._snowflake import (
    DOOVER_EPOCH_MS,
    SnowflakeType,
    datetime_to_snowflake,
    generate_snowflake,
    snowflake_parts,
    snowflake_to_datetime,
    snowflake_to_ms,
    to_snowflake_bound,
)

UTC = dt.timezone.utc


def test_reference_message_id_decodes_to_its_documented_fields():
    parts = snowflake_parts(193588160649819432)
    assert parts == {"timestamp_ms": 1781844614193, "region": 0, "instance": 245, "type": 2, "sequence": 8}
    assert snowflake_to_datetime("193588160649819432") == dt.datetime(2026, 6, 19, 4, 50, 14, 193000, tzinfo=UTC)


def test_query_bounds_match_the_reference_table():
    assert datetime_to_snowflake(dt.datetime(2025, 1, 1, tzinfo=UTC)) == 0
    assert datetime_to_snowflake(dt.datetime(2025, 6, 1, tzinfo=UTC)) == 54720567705600000
    assert datetime_to_snowflake(dt.datetime(2026, 1, 1, tzinfo=UTC)) == 132271570944000000
    assert 172800000 << 22 == 724775731200000
    assert to_snowflake_bound(None) is None
    assert to_snowflake_bound("17") == 17


def test_generated_ids_encode_the_given_time_and_type():
    ts = 1748736000000
    value = generate_snowflake(ts_ms=ts, type_id=SnowflakeType.ATTACHMENT)
    assert snowflake_to_ms(value) == ts
    assert snowflake_parts(value)["type"] == SnowflakeType.ATTACHMENT


def test_ids_are_unique_and_increasing_across_threads():
    out = []
    lock = threading.Lock()

    def work():
        local = [generate_snowflake() for _ in range(2000)]
        assert local == sorted(local)
        with lock:
            out.extend(local)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(out)) == len(out) == 16000


@given(st.integers(min_value=DOOVER_EPOCH_MS, max_value=DOOVER_EPOCH_MS + (1 << 41)))
def test_time_round_trips_through_an_id(ms):
    assert snowflake_to_ms(generate_snowflake(ts_ms=ms)) == ms
    when = dt.datetime.fromtimestamp(ms / 1000, tz=UTC)
    assert snowflake_to_ms(datetime_to_snowflake(when)) == ms
