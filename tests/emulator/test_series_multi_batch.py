import pytest

from doover._snowflake import ms_to_snowflake

T0 = 1748736000000
DAY = 86400000


def _put(api, agent, channel, data, ts):
    resp = api.post("/agents/{}/channels/{}/messages".format(agent, channel), json={"data": data, "ts": ts})
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


# ------------------------------------------------------------------ timeseries


def test_timeseries_with_one_field_gives_values_newest_first(api):
    ids = [_put(api, 1, "c", {"temperature": t, "other": 1}, T0 + n) for n, t in enumerate([20.5, 21.0, 22.5])]
    _put(api, 1, "c", {"humidity": 5}, T0 + 10)
    resp = api.get("/agents/1/channels/c/messages/timeseries", params={"field_name": "temperature"})
    assert resp.json() == {
        "count": 3,
        "results": [
            {"value": 22.5, "message_id": ids[2]},
            {"value": 21.0, "message_id": ids[1]},
            {"value": 20.5, "message_id": ids[0]},
        ],
    }


def test_timeseries_with_several_fields_gives_objects_of_present_fields(api):
    first = _put(api, 1, "c", {"a": 1, "b": {"c": 2}}, T0)
    second = _put(api, 1, "c", {"a": 3}, T0 + 1)
    resp = api.get("/agents/1/channels/c/messages/timeseries", params=[("field_name", "a"), ("field_name", "b.c"), ("after", "1"), ("limit", "3")])
    assert resp.json()["results"] == [
        {"value": {"a": 3}, "message_id": second},
        {"value": {"a": 1, "b.c": 2}, "message_id": first},
    ]


def test_timeseries_after_new_id_minus_one_includes_the_new_message(api):
    new = _put(api, 1, "c", {"temperature": 22.5}, T0)
    body = api.get(
        "/agents/1/channels/c/messages/timeseries",
        params={"field_name": "temperature", "after": int(new) - 1, "limit": 10},
    ).json()
    assert body["count"] >= 1 and body["results"][0]["message_id"] == new


def test_timeseries_paginate_gives_next_cursor_on_full_page(api):
    ids = [_put(api, 1, "c", {"v": n}, T0 + n) for n in range(5)]
    first = api.get("/agents/1/channels/c/messages/timeseries", params={"field_name": "v", "limit": 2, "paginate": "true"}).json()
    assert [p["value"] for p in first["results"]] == [4, 3]
    assert first["next"] == ids[3]
    rest = api.get(
        "/agents/1/channels/c/messages/timeseries",
        params={"field_name": "v", "limit": 10, "paginate": "true", "before": first["next"]},
    ).json()
    assert [p["value"] for p in rest["results"]] == [2, 1, 0]
    assert rest["next"] is None


def test_timeseries_without_field_name_is_400(api):
    resp = api.get("/agents/1/channels/c/messages/timeseries")
    assert (resp.status_code, resp.json()) == (400, {"message": "field_name: required (at least one)"})


def test_data_series_takes_channel_prefixed_field(api):
    mid = _put(api, 1, "tag_values", {"app": {"level": 7}}, T0)
    body = api.get("/agents/1/data_series", params={"field_name": "tag_values.app.level"}).json()
    assert body == {"count": 1, "results": [{"value": 7, "message_id": mid}], "field_name": "tag_values.app.level"}


@pytest.mark.parametrize("params", [{}, {"field_name": "nochannel"}, {"field_name": ["a.b", "c.d"]}])
def test_data_series_bad_field_name_is_400(api, params):
    resp = api.get("/agents/1/data_series", params=params)
    assert resp.status_code == 400
    assert resp.json()["message"].startswith("field_name: ")


# ------------------------------------------------------------------ multi-agent


@pytest.fixture
def multi(make_api, emu):
    return make_api(emu.token_for([1, 2, 3]))


def test_multi_agent_messages_newest_first_with_next_cursor_for_before(multi):
    ids = []
    for n in range(6):
        ids.append(_put(multi, 1 + n % 2, "c", {"n": n}, T0 + n))
    params = {"agent_id": ["1", "2"], "after": str(ms_to_snowflake(T0) - 1), "before": str(ms_to_snowflake(T0 + DAY)), "limit": "4"}
    first = multi.get("/agents/channels/c/messages", params=params).json()
    assert [m["data"]["n"] for m in first["results"]] == [5, 4, 3, 2]
    assert [m["channel"]["agent_id"] for m in first["results"]] == ["2", "1", "2", "1"]
    assert (first["count"], first["next"]) == (4, ids[2])
    params["before"] = first["next"]
    rest = multi.get("/agents/channels/c/messages", params=params).json()
    assert [m["data"]["n"] for m in rest["results"]] == [1, 0]
    assert rest["next"] is None


def test_multi_agent_messages_agent_message_limit_caps_each_agent(multi):
    for n in range(6):
        _put(multi, 1 if n < 4 else 2, "c", {"n": n}, T0 + n)
    body = multi.get(
        "/agents/channels/c/messages", params=[("agent_id", "1"), ("agent_id", "2"), ("agent_message_limit", "2")]
    ).json()
    assert [m["data"]["n"] for m in body["results"]] == [5, 4, 3, 2]


def test_multi_agent_messages_span_over_two_days_is_400(multi):
    params = {"agent_id": "1", "after": ms_to_snowflake(T0), "before": ms_to_snowflake(T0 + 2 * DAY + 1)}
    resp = multi.get("/agents/channels/c/messages", params=params)
    assert resp.status_code == 400
    assert resp.json()["message"].startswith("before: before - after may span at most 2 days")


def test_multi_agent_messages_needs_agent_id_and_access_to_each(multi):
    assert multi.get("/agents/channels/c/messages").json() == {"message": "agent_id: required (repeat it for each agent)"}
    resp = multi.get("/agents/channels/c/messages", params=[("agent_id", "1"), ("agent_id", "4")])
    assert (resp.status_code, resp.json()) == (403, {"message": "this token may not access agent 4"})


def test_multi_agent_aggregates_one_entry_per_agent_in_request_order(multi):
    multi.patch("/agents/2/channels/c/aggregate", json={"a": 1, "b": 2})
    multi.patch("/agents/1/channels/c/aggregate", json={"a": 3})
    body = multi.get("/agents/channels/c/aggregates", params=[("agent_id", "2"), ("agent_id", "3"), ("agent_id", "1")]).json()
    assert body["count"] == 3
    assert [(r["agent_id"], r["data"]) for r in body["results"]] == [("2", {"a": 1, "b": 2}), ("3", {}), ("1", {"a": 3})]
    assert body["results"][1] == {"agent_id": "3", "data": {}, "attachments": [], "last_updated": None}
    projected = multi.get("/agents/channels/c/aggregates", params=[("agent_id", "2"), ("field_name", "b")]).json()
    assert projected["results"][0]["data"] == {"b": 2}


# ------------------------------------------------------------------ batch


def test_batch_create_gives_per_item_results_in_order_with_generated_and_given_ids(multi, emu):
    items = [
        {"agent_id": "1", "channel_name": "c", "data": {"a": 1}, "message_id": "9", "ts": T0, "ttl": 60},
        {"agent_id": 2, "channel_name": "d", "data": {"b": 2}},
    ]
    resp = multi.post("/agents/messages", json={"items": items})
    assert resp.status_code == 200
    body = resp.json()
    assert (body["count"], body["succeeded"], body["failed"]) == (2, 2, 0)
    assert body["items"][0] == {"agent_id": "1", "channel_name": "c", "success": True, "message_id": "9", "error": None}
    generated = body["items"][1]["message_id"]
    assert generated.isdigit() and body["items"][1]["success"] is True
    assert emu.message(2, "d", int(generated))["data"] == {"b": 2}


def test_batch_partial_success_with_403_for_forbidden_agent(api, emu):
    items = [
        {"agent_id": "1", "channel_name": "c", "data": {"a": 1}},
        {"agent_id": "2", "channel_name": "c", "data": {"a": 2}},
        {"agent_id": "1", "channel_name": "c", "data": {"a": 3}},
    ]
    body = api.post("/agents/messages", json={"items": items}).json()
    assert [i["success"] for i in body["items"]] == [True, False, True]
    assert body["items"][1]["error"] == "this token may not access agent 2"
    assert body["items"][1]["status"] == 403
    assert (body["succeeded"], body["failed"]) == (2, 1)
    assert [m["data"]["a"] for m in emu.messages(1, "c")] == [3, 1]
    assert emu.messages(2, "c") == []


@pytest.mark.parametrize("count", [0, 51])
def test_batch_outside_1_to_50_items_is_400_and_executes_nothing(api, emu, count):
    items = [{"agent_id": "1", "channel_name": "c", "data": {"n": n}} for n in range(count)]
    resp = api.post("/agents/messages", json={"items": items})
    assert resp.status_code == 400
    assert resp.json() == {"message": "items: expected 1 to 50 items, got {}".format(count)}
    assert emu.messages(1, "c") == []


def test_batch_with_a_malformed_item_is_400_naming_it_and_executes_nothing(api, emu):
    items = [{"agent_id": "1", "channel_name": "c", "data": {}}, {"agent_id": "x", "channel_name": "c", "data": {}}]
    resp = api.post("/agents/messages", json={"items": items})
    assert resp.status_code == 400
    assert resp.json()["message"].startswith("items[1].agent_id: expected a snowflake id")
    assert emu.messages(1, "c") == []


def test_batch_update_patch_and_put_and_missing_message(api):
    ids = [_put(api, 1, "c", {"a": n, "keep": True}, T0 + n) for n in range(2)]
    items = [
        {"agent_id": "1", "channel_name": "c", "message_id": ids[0], "data": {"a": None, "b": 1}},
        {"agent_id": "1", "channel_name": "c", "message_id": "12345", "data": {"b": 1}},
    ]
    body = api.patch("/agents/messages", json={"items": items}).json()
    assert [i["success"] for i in body["items"]] == [True, False]
    assert body["items"][1]["status"] == 404
    assert api.get("/agents/1/channels/c/messages/" + ids[0]).json()["data"] == {"keep": True, "b": 1}
    items = [{"agent_id": "1", "channel_name": "c", "message_id": ids[1], "data": {"z": 1}}]
    api.put("/agents/messages", json={"items": items})
    assert api.get("/agents/1/channels/c/messages/" + ids[1]).json()["data"] == {"z": 1}


def test_batch_update_requires_message_id(api):
    resp = api.patch("/agents/messages", json={"items": [{"agent_id": "1", "channel_name": "c", "data": {}}]})
    assert resp.json() == {"message": "items[0].message_id: required"}


def test_batch_delete_carries_gzipped_json_body(api):
    ids = [_put(api, 1, "c", {"n": n}, T0 + n) for n in range(3)]
    items = [{"agent_id": "1", "channel_name": "c", "message_id": i} for i in ids[:2]]
    resp = api.gzip_json("DELETE", "/agents/messages", {"items": items})
    assert resp.json()["succeeded"] == 2
    assert [m["id"] for m in api.get("/agents/1/channels/c/messages").json()] == [ids[2]]


def test_batch_aggregates_merge_with_replace_and_suppress_hooks(api, emu):
    events = []
    emu.add_listener(events.append)
    api.patch("/agents/1/channels/c/aggregate", json={"s": {"a": 1, "b": 2}, "t": 1})
    events.clear()
    items = [
        {"agent_id": "1", "channel_name": "c", "data": {"s": {"a": 9}}, "replace": ["s"], "suppress_hooks": True},
        {"agent_id": "1", "channel_name": "d", "data": {"x": 1}},
    ]
    body = api.patch("/agents/aggregates", json={"items": items}).json()
    assert body["items"] == [
        {"agent_id": "1", "channel_name": "c", "success": True, "error": None},
        {"agent_id": "1", "channel_name": "d", "success": True, "error": None},
    ]
    assert emu.aggregate(1, "c")["data"] == {"s": {"a": 9}, "t": 1}
    assert [(e["op"], e["channel"]) for e in events] == [("on_aggregate_update", "d")]


def test_batch_create_with_existing_id_conflicting_data_fails_that_item_with_409(api):
    _put(api, 1, "c", {"a": 1}, T0)
    mid = api.get("/agents/1/channels/c/messages").json()[0]["id"]
    items = [{"agent_id": "1", "channel_name": "c", "message_id": mid, "data": {"a": 2}}]
    body = api.post("/agents/messages", json={"items": items}).json()
    assert (body["items"][0]["success"], body["items"][0]["status"]) == (False, 409)
