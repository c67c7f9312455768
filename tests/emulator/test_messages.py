import time

import pytest

from doover._snowflake import DOOVER_EPOCH_MS, ms_to_snowflake, snowflake_parts, snowflake_to_ms

M = "/agents/1/channels/c/messages"


def _create(api, data, **extra):
    body = {"data": data}
    body.update(extra)
    resp = api.post(M, json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()


def test_create_returns_full_message_with_string_ids_and_201(api):
    resp = api.post(M, json={"data": {"temperature": 22.5}})
    assert resp.status_code == 201
    assert resp.headers["Content-Type"] == "application/json"
    body = resp.json()
    assert set(body) == {"id", "author_id", "channel", "data", "attachments"}
    assert isinstance(body["id"], str) and body["id"].isdigit()
    assert body["author_id"] == "1"
    assert body["channel"] == {"agent_id": "1", "name": "c"}
    assert body["data"] == {"temperature": 22.5}
    assert body["attachments"] == []


def test_message_id_encodes_given_ts_with_message_type(api):
    ts = 1748736000123
    body = _create(api, {"a": 1}, ts=ts)
    assert snowflake_to_ms(body["id"]) == ts
    assert snowflake_parts(body["id"])["type"] == 2


def test_message_id_encodes_receipt_time_without_ts(api):
    before = int(time.time() * 1000)
    body = _create(api, {"a": 1})
    after = int(time.time() * 1000)
    assert before - 5 <= snowflake_to_ms(body["id"]) <= after + 5


def test_many_messages_with_the_same_ts_get_distinct_ids(api):
    ids = {_create(api, {"n": n}, ts=1748736000000)["id"] for n in range(40)}
    assert len(ids) == 40
    assert {snowflake_to_ms(i) for i in ids} == {1748736000000}


def test_first_write_creates_the_channel_and_does_not_touch_the_aggregate(api, emu):
    assert emu.channels(1) == []
    _create(api, {"a": 1})
    assert emu.channels(1) == ["c"]
    assert api.get("/agents/1/channels/c/aggregate").json() == {"data": {}, "attachments": [], "last_updated": None}


def test_list_is_newest_first_and_default_limit_is_50(api):
    created = [_create(api, {"n": n}, ts=1748736000000 + n)["id"] for n in range(60)]
    page = api.get(M).json()
    assert len(page) == 50
    assert [m["id"] for m in page] == list(reversed(created))[:50]


def test_before_and_after_are_exclusive_bounds(api):
    ids = [int(_create(api, {"n": n}, ts=1748736000000 + n)["id"]) for n in range(5)]
    page = api.get(M, params={"before": ids[4], "after": ids[0]}).json()
    assert [int(m["id"]) for m in page] == [ids[3], ids[2], ids[1]]
    page = api.get(M, params={"after": ids[2] - 1}).json()
    assert [int(m["id"]) for m in page] == [ids[4], ids[3], ids[2]]


def test_time_bounds_as_snowflakes_select_by_time(api):
    for n in range(3):
        _create(api, {"n": n}, ts=1748736000000 + n * 1000)
    bound = ms_to_snowflake(1748736001000)  # lowest id of that millisecond
    assert [m["data"]["n"] for m in api.get(M, params={"before": bound}).json()] == [0]
    assert [m["data"]["n"] for m in api.get(M, params={"after": bound - 1}).json()] == [2, 1]


def test_paging_with_before_cursor_walks_all_messages_and_ends_on_short_page(api):
    created = [_create(api, {"n": n}, ts=1748736000000 + n)["id"] for n in range(23)]
    seen, before, pages = [], None, 0
    while True:
        params = {"limit": 10}
        if before is not None:
            params["before"] = before
        page = api.get(M, params=params).json()
        pages += 1
        seen.extend(m["id"] for m in page)
        if len(page) < 10:
            break
        before = page[-1]["id"]
    assert pages == 3
    assert seen == list(reversed(created))


def test_full_last_page_is_followed_by_an_empty_page(api):
    for n in range(10):
        _create(api, {"n": n}, ts=1748736000000 + n)
    first = api.get(M, params={"limit": 5}).json()
    second = api.get(M, params={"limit": 5, "before": first[-1]["id"]}).json()
    third = api.get(M, params={"limit": 5, "before": second[-1]["id"]}).json()
    assert (len(first), len(second), third) == (5, 5, [])


@pytest.mark.parametrize("limit", ["0", "1001", "-3", "ten"])
def test_limit_outside_1_to_1000_is_400_naming_limit(api, limit):
    resp = api.get(M, params={"limit": limit})
    assert resp.status_code == 400
    assert resp.json()["message"].startswith("limit: ")


def test_limit_1000_is_accepted(api):
    assert api.get(M, params={"limit": 1000}).status_code == 200


def test_bad_bound_is_400_naming_it(api):
    resp = api.get(M, params={"before": "yesterday"})
    assert resp.status_code == 400
    assert resp.json()["message"].startswith("before: ")


def test_field_name_keeps_messages_having_any_named_dotted_path(api):
    _create(api, {"a": 1}, ts=1748736000000)
    _create(api, {"b": {"c": 2}}, ts=1748736000001)
    _create(api, {"b": {"d": 3}}, ts=1748736000002)
    _create(api, {"x": 4}, ts=1748736000003)
    page = api.get(M, params=[("field_name", "a"), ("field_name", "b.c")]).json()
    assert [m["data"] for m in page] == [{"b": {"c": 2}}, {"a": 1}]


def test_field_name_filter_still_fills_pages_up_to_limit(api):
    for n in range(30):
        _create(api, {"keep" if n % 3 == 0 else "skip": n}, ts=1748736000000 + n)
    page = api.get(M, params={"field_name": "keep", "limit": 4}).json()
    assert [m["data"]["keep"] for m in page] == [27, 24, 21, 18]


def test_list_of_a_channel_that_does_not_exist_is_empty(api):
    resp = api.get("/agents/1/channels/never/messages")
    assert (resp.status_code, resp.json()) == (200, [])


def test_fetch_unknown_message_is_404_with_json_message(api):
    resp = api.get(M + "/12345")
    assert resp.status_code == 404
    assert resp.json() == {"message": "message 12345 not found in 1/c"}


def test_delete_then_fetch_is_404_and_second_delete_is_404(api):
    mid = _create(api, {"a": 1})["id"]
    resp = api.delete(M + "/" + mid)
    assert (resp.status_code, resp.headers["Content-Length"], resp.content) == (204, "0", b"")
    assert api.get(M + "/" + mid).status_code == 404
    assert api.delete(M + "/" + mid).status_code == 404


def test_client_chosen_id_creates_message_under_that_id(api):
    resp = api.post(M + "/193588160649819432", json={"data": {"a": 1}})
    assert resp.status_code == 201
    assert resp.json()["id"] == "193588160649819432"
    assert api.get(M + "/193588160649819432").json()["data"] == {"a": 1}


def test_identical_resend_of_client_chosen_id_is_idempotent(api, emu):
    first = api.post(M + "/193588160649819432", json={"data": {"a": 1, "b": [1, 2]}, "ts": 1748736000000})
    again = api.post(M + "/193588160649819432", json={"data": {"b": [1, 2], "a": 1}, "ts": 1748736000000})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert len(emu.messages(1, "c")) == 1


def test_resend_of_existing_id_with_different_data_is_409(api):
    api.post(M + "/193588160649819432", json={"data": {"a": 1}})
    resp = api.post(M + "/193588160649819432", json={"data": {"a": 2}})
    assert resp.status_code == 409
    assert resp.json()["message"].startswith("message_id: message 193588160649819432 already exists")
    assert api.get(M + "/193588160649819432").json()["data"] == {"a": 1}


@pytest.mark.parametrize("bad", ["abc", "0", "99999999999999999999999"])
def test_bad_message_id_in_path_is_400_naming_message_id(api, bad):
    resp = api.post(M + "/" + bad, json={"data": {}})
    assert resp.status_code == 400
    assert resp.json()["message"].startswith("message_id: ")


def test_missing_data_is_400_naming_data(api):
    resp = api.post(M, json={"value": 1})
    assert resp.status_code == 400
    assert resp.json()["message"].startswith("data: required")


@pytest.mark.parametrize("ts", ["soon", 1.5, True, DOOVER_EPOCH_MS - 1])
def test_bad_ts_is_400_naming_ts(api, ts):
    resp = api.post(M, json={"data": {}, "ts": ts})
    assert resp.status_code == 400
    assert resp.json()["message"].startswith("ts: ")


def test_patch_deep_merges_with_null_deleting_keys_as_rpc_replies_need(api):
    rpc = {"type": "rpc", "method": "m", "request": {"x": 1}, "status": {"code": "sent"}, "response": {}}
    mid = _create(api, rpc)["id"]
    ack = api.patch(M + "/" + mid, json={"data": {"status": {"code": "acknowledged", "message": {"timestamp": 5}}}})
    assert ack.status_code == 200
    assert ack.json()["data"]["status"] == {"code": "acknowledged", "message": {"timestamp": 5}}
    done = api.patch(M + "/" + mid, json={"data": {"status": {"code": "success", "message": None}, "response": {"ok": 1}}})
    assert done.json()["data"] == {
        "type": "rpc",
        "method": "m",
        "request": {"x": 1},
        "status": {"code": "success"},
        "response": {"ok": 1},
    }


def test_put_replaces_message_data(api):
    mid = _create(api, {"a": 1, "b": 2})["id"]
    resp = api.put(M + "/" + mid, json={"data": {"c": 3}})
    assert resp.json()["data"] == {"c": 3}
    assert api.get(M + "/" + mid).json()["data"] == {"c": 3}


def test_update_keeps_id_and_original_author(api, make_api, emu):
    mid = _create(api, {"a": 1})["id"]
    other = make_api(emu.token_for([2, 1]))
    body = other.patch(M + "/" + mid, json={"data": {"b": 2}}).json()
    assert (body["id"], body["author_id"]) == (mid, "1")


def test_update_with_suppress_response_is_204_with_content_length_0(api):
    mid = _create(api, {"a": 1})["id"]
    resp = api.patch(M + "/" + mid, params={"suppress_response": "true"}, json={"data": {"a": 2}})
    assert (resp.status_code, resp.headers["Content-Length"], resp.content) == (204, "0", b"")
    assert api.get(M + "/" + mid).json()["data"] == {"a": 2}


def test_update_of_unknown_message_is_404(api):
    assert api.patch(M + "/777", json={"data": {}}).status_code == 404
    assert api.put(M + "/777", json={"data": {}}).status_code == 404


def test_update_without_data_wrapper_is_400(api):
    mid = _create(api, {"a": 1})["id"]
    resp = api.patch(M + "/" + mid, json={"a": 2})
    assert resp.status_code == 400
    assert resp.json()["message"].startswith("data: required")


def test_logs_are_empty_for_a_message_and_404_for_an_unknown_one(api):
    mid = _create(api, {"a": 1})["id"]
    assert api.get(M + "/" + mid + "/logs").json() == []
    assert api.get(M + "/1/logs").status_code == 404


def test_logs_added_through_the_emulator_are_served_in_order(api, emu):
    mid = _create(api, {"a": 1})["id"]
    entries = [
        {"timestamp": 1777511327615, "type": "platform.start", "record": {"requestId": "r1"}},
        {"timestamp": 1777511327616, "type": "user.log", "level": "INFO", "message": "hello", "requestId": "r1"},
    ]
    emu.add_message_logs(1, "c", int(mid), entries)
    assert api.get(M + "/" + mid + "/logs").json() == entries


def test_message_with_ttl_disappears_after_it(api):
    body = {"data": {"a": 1}, "ttl": 1}
    mid = api.post(M, json=body).json()["id"]
    assert api.get(M + "/" + mid).status_code == 200
    deadline = time.monotonic() + 20
    while api.get(M + "/" + mid).status_code == 200:
        assert time.monotonic() < deadline, "message outlived its ttl"
        time.sleep(0.2)
    assert api.get(M).json() == []


def test_emulator_messages_lists_newest_first(api, emu):
    for n in range(3):
        _create(api, {"n": n}, ts=1748736000000 + n)
    assert [m["data"]["n"] for m in emu.messages(1, "c")] == [2, 1, 0]
    assert [m["data"]["n"] for m in emu.messages(1, "c", limit=2)] == [2, 1]
