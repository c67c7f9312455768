import json
import sqlite3

import pytest

from doover._merge import apply_update
from doover.docker._outbox import Outbox


def test_items_survive_close_and_reopen_in_order(tmp_path):
    path = str(tmp_path / "ob.sqlite")
    box = Outbox(path)
    box.put_message("events", {"n": 1}, 1001, 5)
    box.put_aggregate("tag_values", {"app": {"x": 1}})
    box.put_message("events", {"n": 2}, 1002)
    box.close()

    again = Outbox(path)
    items = again.items()
    assert [(i.kind, i.channel, i.message_id, i.body) for i in items] == [
        ("message", "events", 1001, {"n": 1}),
        ("aggregate", "tag_values", None, {"app": {"x": 1}}),
        ("message", "events", 1002, {"n": 2}),
    ]
    assert items[0].ts_ms == 5
    assert again.depth() == 3
    again.close()


def test_item_is_on_disk_before_put_returns(tmp_path):
    path = str(tmp_path / "ob.sqlite")
    box = Outbox(path)
    box.put_message("c", {"a": 1}, 77)
    # a second, independent connection (as another process would) sees the committed row
    rows = sqlite3.connect(path).execute("SELECT kind, channel, message_id, body FROM outbox").fetchall()
    assert rows == [("message", "c", 77, json.dumps({"a": 1}))]
    box.close()


def test_aggregate_patches_to_one_channel_merge_into_one_item():
    box = Outbox()
    box.put_aggregate("tag_values", {"app": {"a": 1, "b": 2}})
    box.put_aggregate("tag_values", {"app": {"b": None, "c": 3}})
    box.put_aggregate("other", {"z": 1})
    box.put_aggregate("tag_values", {"app": {"a": 5}})
    items = box.items()
    assert [(i.channel, i.body) for i in items] == [
        ("tag_values", {"app": {"a": 5, "b": None, "c": 3}}),
        ("other", {"z": 1}),
    ]
    assert apply_update({"app": {"b": 9, "keep": 1}}, items[0].body, items[0].replace_paths) == {
        "app": {"a": 5, "c": 3, "keep": 1}
    }


def test_delete_then_set_object_is_merged_as_a_replace_path():
    box = Outbox()
    box.put_aggregate("ch", {"cfg": None})
    box.put_aggregate("ch", {"cfg": {"new": 1}})
    (item,) = box.items()
    assert item.replace_paths == ["cfg"]
    assert apply_update({"cfg": {"old": 1}}, item.body, item.replace_paths) == {"cfg": {"new": 1}}


def test_replace_data_then_patch_stays_a_replacement():
    box = Outbox()
    box.put_aggregate("ch", {"a": 1}, replace_data=True)
    box.put_aggregate("ch", {"b": 2})
    (item,) = box.items()
    assert (item.body, item.replace_data) == ({"a": 1, "b": 2}, True)


def test_patch_is_not_merged_into_the_item_being_sent():
    box = Outbox()
    box.put_aggregate("ch", {"a": 1})
    inflight = box.next_due()
    box.put_aggregate("ch", {"a": 2})
    assert [i.body for i in box.items()] == [{"a": 1}, {"a": 2}]
    box.ack(inflight.seq)
    assert [i.body for i in box.items()] == [{"a": 2}]


def test_full_outbox_drops_oldest_message_and_counts_it():
    box = Outbox(max_items=3)
    box.put_aggregate("tags", {"x": 1})
    box.put_message("m", {"n": 1}, 1)
    box.put_message("m", {"n": 2}, 2)
    box.put_message("m", {"n": 3}, 3)
    assert [(i.kind, i.message_id) for i in box.items()] == [("aggregate", None), ("message", 2), ("message", 3)]
    assert box.dropped == 1
    assert box.depth() == 3


def test_max_age_holds_aggregate_back_while_later_messages_go():
    now = [1000.0]
    box = Outbox(clock=lambda: now[0])
    box.put_aggregate("tags", {"x": 1}, max_age_secs=10)
    box.put_message("m", {"n": 1}, 1)
    first = box.next_due()
    assert (first.kind, first.message_id) == ("message", 1)
    box.ack(first.seq)
    assert box.next_due() is None
    assert box.seconds_until_due() == 10
    now[0] += 10
    assert box.next_due().body == {"x": 1}


def test_flush_due_makes_waiting_items_due_now():
    box = Outbox(clock=lambda: 0.0)
    box.put_aggregate("tags", {"x": 1}, max_age_secs=900)
    assert box.next_due() is None
    box.flush_due()
    assert box.next_due().body == {"x": 1}


def test_cache_values_persist_across_reopen(tmp_path):
    path = str(tmp_path / "ob.sqlite")
    box = Outbox(path)
    box.cache_put("deployment_config/app", {"pump_pin": 2})
    box.close()
    assert Outbox(path).cache_get("deployment_config/app") == {"pump_pin": 2}
    assert Outbox(path).cache_get("missing", "dflt") == "dflt"


def test_max_items_below_one_is_rejected():
    with pytest.raises(ValueError, match="max_items"):
        Outbox(max_items=0)


def test_pending_aggregate_applies_queued_patches_to_a_base():
    box = Outbox()
    box.put_aggregate("tags", {"a": {"b": 1}})
    box.put_message("tags", {"log": 1}, 5)
    assert box.pending_aggregate("tags", {"a": {"c": 2}}) == {"a": {"b": 1, "c": 2}}
