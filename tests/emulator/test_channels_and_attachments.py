import pytest

C = "/agents/1/channels"


def test_list_channels_is_empty_for_a_new_agent(api):
    resp = api.get(C, params={"include_aggregate": "true", "include_daily_summaries": "true"})
    assert (resp.status_code, resp.json()) == (200, [])


def test_create_channel_answers_its_id_and_201_then_200_with_same_id(api):
    first = api.post(C + "/sensors", json={"is_private": True, "message_schema": {"type": "object"}})
    second = api.post(C + "/sensors", json={"is_private": False})
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert first.json()["id"].isdigit()
    channel = api.get(C + "/sensors").json()
    # get-or-create: the second POST left the settings alone
    assert (channel["is_private"], channel["message_schema"]) == (True, {"type": "object"})


def test_fetch_channel_includes_aggregate_and_alarms(api):
    api.patch(C + "/s/aggregate", json={"level": 3})
    channel = api.get(C + "/s", params={"include_aggregate": "true"}).json()
    assert channel["name"] == "s"
    assert channel["owner_id"] == "1"
    assert channel["is_private"] is False
    assert channel["aggregate_schema"] is None and channel["message_schema"] is None
    assert channel["aggregate"]["data"] == {"level": 3}
    assert channel["alarms"] == [] and channel["alarms_enabled"] is True


def test_fetch_channel_without_aggregate_omits_it(api):
    api.patch(C + "/s/aggregate", json={"level": 3})
    channel = api.get(C + "/s", params={"include_aggregate": "false"}).json()
    assert "aggregate" not in channel


def test_fetch_unknown_channel_is_404(api):
    resp = api.get(C + "/nope", params={"include_aggregate": "true"})
    assert resp.status_code == 404
    assert resp.json() == {"message": "channel 'nope' not found on agent 1"}


def test_list_channels_sorted_with_aggregates_and_daily_summaries(api):
    api.post(C + "/b/messages", json={"data": {"x": 1}, "ts": 1748736000000})
    api.post(C + "/b/messages", json={"data": {"x": 2}, "ts": 1748736060000})
    api.patch(C + "/a/aggregate", json={"y": 1})
    channels = api.get(C, params={"include_aggregate": "true", "include_daily_summaries": "true"}).json()
    assert [c["name"] for c in channels] == ["a", "b"]
    assert channels[0]["aggregate"]["data"] == {"y": 1}
    assert channels[1]["aggregate"] is None
    assert channels[1]["daily_message_summaries"] == [{"date": "2025-06-01", "message_count": 2}]


def test_list_channels_bad_boolean_is_400_naming_parameter(api):
    resp = api.get(C, params={"include_aggregate": "maybe"})
    assert resp.status_code == 400
    assert resp.json()["message"] == "include_aggregate: expected true or false, got 'maybe'"


def test_put_channel_replaces_settings_and_returns_channel(api):
    api.post(C + "/s", json={"is_private": False, "message_schema": {"type": "object"}})
    resp = api.put(C + "/s", json={"is_private": True, "aggregate_schema": {"type": "object"}})
    assert resp.status_code == 200
    body = resp.json()
    assert (body["is_private"], body["message_schema"], body["aggregate_schema"]) == (True, None, {"type": "object"})


def test_put_channel_requires_is_private(api):
    resp = api.put(C + "/s", json={"message_schema": None})
    assert resp.status_code == 400
    assert resp.json()["message"] == "is_private: required"


def test_create_channel_with_wrong_types_is_400_naming_field(api):
    resp = api.post(C + "/s", json={"is_private": "yes"})
    assert (resp.status_code, resp.json()["message"]) == (400, "is_private: expected true or false, got 'yes'")
    resp = api.post(C + "/s", json={"is_private": False, "message_schema": [1]})
    assert resp.json()["message"] == "message_schema: expected a JSON Schema object or null"


def test_percent_encoded_channel_name_is_decoded(api, emu):
    api.post(C + "/with%20space/messages", json={"data": {}})
    assert emu.channels(1) == ["with space"]


# ------------------------------------------------------------------ attachments

MULTIPART_FILES = [
    ("json_payload", ("json_payload", b'{"data": {"a": 1}}', "application/json")),
    ("attachment-1", ("f.txt", b"abc", "text/plain")),
    ("attachment-2", ("g.bin", bytes(range(256)) + b"\r\n--x\r\n", "application/octet-stream")),
]


def test_multipart_create_stores_every_non_json_part_as_attachment(api):
    resp = api.post(C + "/c/messages", files=MULTIPART_FILES)
    assert resp.status_code == 201
    message = resp.json()
    assert message["data"] == {"a": 1}
    meta = [(a["filename"], a["content_type"], a["size"]) for a in message["attachments"]]
    assert meta == [("f.txt", "text/plain", 3), ("g.bin", "application/octet-stream", 263)]
    prefix = api.emu.base_url + "/agents/1/channels/c/messages/{}/attachments/".format(message["id"])
    assert all(a["url"].startswith(prefix) for a in message["attachments"])
    first = api.session.get(message["attachments"][0]["url"], headers={"Authorization": "Bearer " + api.token})
    assert (first.status_code, first.content, first.headers["Content-Type"]) == (200, b"abc", "text/plain")
    second = api.session.get(message["attachments"][1]["url"], headers={"Authorization": "Bearer " + api.token})
    assert second.content == bytes(range(256)) + b"\r\n--x\r\n"


def test_attachment_zero_numbering_and_missing_filename_are_accepted(api):
    files = [
        ("json_payload", (None, b'{"data": 5}', "application/json")),
        ("attachment-0", ("x.txt", b"x", "text/plain")),
    ]
    message = api.post(C + "/c/messages", files=files).json()
    assert message["data"] == 5
    assert [a["filename"] for a in message["attachments"]] == ["x.txt"]


def test_attachment_download_needs_token_for_the_agent(api, make_api, emu):
    message = api.post(C + "/c/messages", files=MULTIPART_FILES).json()
    url = message["attachments"][0]["url"]
    assert api.session.get(url).status_code == 401
    other = make_api(emu.token_for(2))
    assert other.session.get(url, headers={"Authorization": "Bearer " + other.token}).status_code == 403


def test_unknown_attachment_is_404(api):
    message = api.post(C + "/c/messages", json={"data": {}}).json()
    resp = api.get(C + "/c/messages/{}/attachments/42".format(message["id"]))
    assert (resp.status_code, resp.json()) == (404, {"message": "attachment 42 not found"})


def test_message_update_adds_attachments_and_clear_attachments_replaces_them(api):
    message = api.post(C + "/c/messages", files=MULTIPART_FILES).json()
    path = C + "/c/messages/" + message["id"]
    more = [("json_payload", ("json_payload", b'{"data": {"b": 2}}', "application/json")), ("f", ("h.txt", b"h", "text/plain"))]
    added = api.patch(path, files=more).json()
    assert [a["filename"] for a in added["attachments"]] == ["f.txt", "g.bin", "h.txt"]
    assert added["data"] == {"a": 1, "b": 2}
    cleared = api.put(path, params={"clear_attachments": "true"}, files=more).json()
    assert [a["filename"] for a in cleared["attachments"]] == ["h.txt"]
    old_url = added["attachments"][0]["url"]
    assert api.session.get(old_url, headers={"Authorization": "Bearer " + api.token}).status_code == 404


def test_aggregate_attachments_upload_download_and_clear(api):
    files = [
        ("json_payload", ("json_payload", b'{"report": "ready"}', "application/json")),
        ("attachment-1", ("r.csv", b"a,b\n1,2\n", "text/csv")),
    ]
    agg = api.patch(C + "/c/aggregate", files=files).json()
    assert agg["data"] == {"report": "ready"}
    (att,) = agg["attachments"]
    assert att["url"].startswith(api.emu.base_url + "/agents/1/channels/c/aggregate/attachments/")
    attachment_id = att["url"].rsplit("/", 1)[1]
    got = api.get(C + "/c/aggregate/attachments/" + attachment_id)
    assert (got.content, got.headers["Content-Type"]) == (b"a,b\n1,2\n", "text/csv")
    cleared = api.patch(C + "/c/aggregate", params={"clear_attachments": "true"}, json={"x": 1}).json()
    assert cleared["attachments"] == []
    assert api.get(C + "/c/aggregate/attachments/" + attachment_id).status_code == 404


@pytest.mark.parametrize(
    "content_type,body,message",
    [
        ("multipart/form-data", b"--b\r\n\r\n--b--", "Content-Type: expected multipart/form-data with a boundary parameter"),
        ("multipart/form-data; boundary=b", b"garbage", "body: malformed multipart body (missing boundary or closing delimiter)"),
        (
            "multipart/form-data; boundary=b",
            b'--b\r\nContent-Disposition: form-data; name="json_payload"\r\n\r\n{bad\r\n--b--\r\n',
            None,
        ),
    ],
)
def test_malformed_multipart_is_400(api, content_type, body, message):
    resp = api.post(C + "/c/messages", data=body, headers={"Content-Type": content_type})
    assert resp.status_code == 400
    if message is None:
        assert resp.json()["message"].startswith("json_payload: invalid JSON")
    else:
        assert resp.json()["message"] == message


def test_attachment_urls_percent_encode_the_channel_name(api):
    message = api.post(C + "/my%20files/messages", files=MULTIPART_FILES).json()
    url = message["attachments"][0]["url"]
    assert "/channels/my%20files/messages/" in url
    got = api.session.get(url, headers={"Authorization": "Bearer " + api.token})
    assert got.content == b"abc"
