"""Channels, messages, logs, attachments and timeseries: exact requests and parsed answers."""

import datetime as dt
import re

import pytest

from doover.exceptions import DecodeError, InvalidArgumentError, NotFoundError
from doover.models import Channel, File, Message, generate_snowflake, snowflake_to_ms

BASE = "http://doover.test/api"
TOKEN = "tok-SECRET-abc123"


def test_list_channels_sends_both_flags_and_parses_channels(client, rs, req):
    rs.get(
        BASE + "/agents/111/channels",
        json=[
            {"name": "a", "owner_id": "111", "is_private": False, "aggregate": {"data": {"x": 1}, "last_updated": 1700000000000}},
            {"name": "b", "owner_id": "111", "is_private": True, "aggregate": {}, "unknown_field": [1]},
        ],
    )
    channels = client.list_channels()
    sent = req()
    assert sent.method == "GET"
    assert sent.path == "/api/agents/111/channels"
    assert sent.query == [("include_aggregate", "true"), ("include_daily_summaries", "true")]
    assert sent.headers["Authorization"] == "Bearer " + TOKEN
    assert "X-Doover-Organisation" not in sent.headers
    assert sent.body is None
    assert [c.name for c in channels] == ["a", "b"]
    assert channels[0].aggregate.data == {"x": 1}
    assert channels[0].aggregate.last_updated == dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.timezone.utc)
    assert channels[1].aggregate is None and channels[1].is_private is True


def test_list_channels_agent_keyword_overrides_default_and_flags_false(client, rs, req):
    rs.get(BASE + "/agents/222/channels", json=[])
    assert client.list_channels(False, False, agent_id=222) == []
    assert req().query == [("include_aggregate", "false"), ("include_daily_summaries", "false")]


def test_fetch_channel_sends_include_aggregate(client, rs, req):
    rs.get(BASE + "/agents/111/channels/tag_values", json={"name": "tag_values", "owner_id": "111", "is_private": False})
    channel = client.fetch_channel("tag_values", include_aggregate=False)
    assert req().query == [("include_aggregate", "false")]
    assert channel == Channel(name="tag_values", owner_id=111, is_private=False)


def test_fetch_channel_missing_raises_not_found_with_server_message(client, rs):
    rs.get(BASE + "/agents/111/channels/nope", status=404, json={"message": "channel not found"})
    with pytest.raises(NotFoundError) as info:
        client.fetch_channel("nope")
    assert info.value.status == 404
    assert info.value.message == "channel not found"
    assert info.value.method == "GET"
    assert info.value.url == BASE + "/agents/111/channels/nope?include_aggregate=true"


def test_create_channel_body_and_returns_int_id(client, rs, req):
    rs.post(BASE + "/agents/111/channels/new", json={"id": "987654321"})
    assert client.create_channel("new", message_schema={"type": "object"}) == 987654321
    assert req().json == {"is_private": False, "message_schema": {"type": "object"}}


def test_put_channel_body(client, rs, req):
    rs.put(BASE + "/agents/111/channels/c", json={"name": "c", "owner_id": "111", "is_private": True})
    channel = client.put_channel("c", True, aggregate_schema={"type": "object"})
    assert req().method == "PUT"
    assert req().json == {"is_private": True, "aggregate_schema": {"type": "object"}}
    assert channel.is_private is True


def test_list_data_series_returns_raw_object_and_query(client, rs, req):
    answer = {"count": 1, "results": [{"value": 2, "message_id": "9"}]}
    rs.get(BASE + "/agents/111/data_series", json=answer)
    when = dt.datetime(2025, 6, 1, tzinfo=dt.timezone.utc)
    assert client.list_data_series("temp", before=when, after=100, limit=5) == answer
    assert req().query == [("field_name", "temp"), ("before", "54720567705600000"), ("after", "100"), ("limit", "5")]


def test_list_messages_query_matches_reference_capture(client, rs, req, wire):
    rs.get(BASE + "/agents/1/channels/c/messages", json=[wire.msg(agent=1)])
    when = dt.datetime(2025, 6, 1, tzinfo=dt.timezone.utc)
    messages = client.list_messages("c", before=when, after=100, limit=10, field_names=["a", "b.c"], agent_id=1)
    assert req().path == "/api/agents/1/channels/c/messages"
    assert req().query == [
        ("before", "54720567705600000"),
        ("after", "100"),
        ("limit", "10"),
        ("field_name", "a"),
        ("field_name", "b.c"),
    ]
    assert isinstance(messages[0], Message) and messages[0].id == 193588160649819432
    assert messages[0].timestamp == dt.datetime(2026, 6, 19, 4, 50, 14, 193000, tzinfo=dt.timezone.utc)


def test_list_messages_without_bounds_sends_no_query(client, rs, req):
    rs.get(BASE + "/agents/111/channels/c/messages", json=[])
    client.list_messages("c", field_names="a, b")
    assert req().query == [("field_name", "a"), ("field_name", "b")]
    client.list_messages("c")
    assert "?" not in rs.calls[-1].request.url


def test_list_messages_malformed_answer_raises_decode_error_with_path(client, rs, wire):
    bad = wire.msg()
    bad["author_id"] = "not-a-number"
    rs.get(BASE + "/agents/111/channels/c/messages", json=[wire.msg(), bad])
    with pytest.raises(DecodeError) as info:
        client.list_messages("c")
    assert info.value.path == "$[1].author_id"
    assert "$[1].author_id" in str(info.value)


def test_fetch_message_and_logs(client, rs, req, wire):
    rs.get(BASE + "/agents/111/channels/c/messages/456", json=wire.msg(mid=456))
    rs.get(
        BASE + "/agents/111/channels/c/messages/456/logs",
        json=[
            {"timestamp": 1777511327615, "type": "platform.start", "record": {"requestId": "r1"}},
            {"timestamp": 1777511327616, "type": "user.log", "level": "INFO", "message": "hi", "requestId": "r1", "extra": {"attempt": 1}},
        ],
    )
    assert client.fetch_message("c", "456").id == 456
    logs = client.fetch_message_logs("c", 456)
    assert req().path == "/api/agents/111/channels/c/messages/456/logs"
    assert logs[0].record == {"requestId": "r1"}
    assert (logs[1].level, logs[1].message, logs[1].request_id, logs[1]["extra"]) == ("INFO", "hi", "r1", {"attempt": 1})
    assert logs[1].to_dict() == {
        "timestamp": 1777511327616, "type": "user.log", "level": "INFO", "message": "hi", "requestId": "r1", "extra": {"attempt": 1},
    }


def test_create_message_small_body_is_plain_json(client, rs, req, wire):
    rs.post(BASE + "/agents/111/channels/c/messages", json=wire.msg())
    message = client.create_message("c", {"a": 1})
    sent = req()
    assert sent.raw == b'{"data":{"a":1}}'
    assert sent.headers["Content-Type"] == "application/json"
    assert "Content-Encoding" not in sent.headers
    assert message.data == {"a": 1}


def test_create_message_large_body_is_gzipped_with_ts(client, rs, req, wire):
    rs.post(BASE + "/agents/111/channels/c/messages", json=wire.msg())
    when = dt.datetime(2025, 6, 1, tzinfo=dt.timezone.utc)
    client.create_message("c", {"a": 1, "long": "x" * 40}, timestamp=when)
    sent = req()
    assert sent.headers["Content-Encoding"] == "gzip"
    assert sent.raw[:2] == b"\x1f\x8b"
    assert sent.json == {"data": {"a": 1, "long": "x" * 40}, "ts": 1748736000000}


def test_create_message_with_message_id_uses_the_id_endpoint(client, rs, req, wire):
    mid = generate_snowflake()
    rs.post(BASE + "/agents/111/channels/c/messages/{}".format(mid), json=wire.msg(mid=mid))
    message = client.create_message("c", {"a": 1}, message_id=mid, ts=1748736000000, agent_id=111)
    assert req().path == "/api/agents/111/channels/c/messages/{}".format(mid)
    assert req().json == {"data": {"a": 1}, "ts": 1748736000000}
    assert message.id == mid


def test_create_message_rejects_both_timestamp_and_ts(client):
    with pytest.raises(InvalidArgumentError, match="timestamp and ts"):
        client.create_message("c", {}, timestamp=1, ts=2)


def test_create_message_without_any_agent_names_agent_id(make_client, rs):
    client = make_client(agent_id=None)
    with pytest.raises(InvalidArgumentError, match="agent_id"):
        client.create_message("c", {})
    assert len(rs.calls) == 0


def _multipart_parts(sent):
    boundary = re.match(r"multipart/form-data; boundary=(\w+)$", sent.headers["Content-Type"]).group(1)
    return boundary, sent.raw


def test_file_data_from_a_file_object_or_str_is_sent_as_the_same_bytes(client, rs, req, wire, tmp_path):
    import io

    stream = io.BytesIO(b"skip:report,1\n")
    stream.read(5)  # a file object is read from where it stands
    path = tmp_path / "r.bin"
    path.write_bytes(b"\x00\x01")
    with open(str(path), "rb") as handle:
        on_disk = File("r.bin", None, None, handle)
    files = [File("r.csv", "text/csv", None, stream), File("n.txt", "text/plain", data="h\u00e9"), on_disk]
    assert [(f.data, f.size) for f in files] == [(b"report,1\n", 9), (b"h\xc3\xa9", 3), (b"\x00\x01", 2)]
    rs.post(BASE + "/agents/111/channels/c/messages", json=wire.msg())
    client.create_message("c", {"a": 1}, files=files)
    _, raw = _multipart_parts(req())
    assert b'filename="r.csv"\r\nContent-Type: text/csv\r\n\r\nreport,1\n\r\n' in raw
    assert b'filename="n.txt"\r\nContent-Type: text/plain\r\n\r\nh\xc3\xa9\r\n' in raw
    with pytest.raises(TypeError, match=r"File.data: the file object's read\(\) returned str, expected bytes"):
        File("t.txt", "text/plain", None, io.StringIO("text mode"))
    with pytest.raises(TypeError, match="File.data: expected bytes, a binary file object or str, got int"):
        File("x", None, None, 5)


def test_create_message_with_files_sends_exact_multipart(client, rs, req, wire):
    rs.post(BASE + "/agents/111/channels/c/messages", json=wire.msg())
    files = [File("f.txt", "text/plain", data=b"abc"), File("g.bin", None, data=b"\x00\xff")]
    client.create_message("c", {"a": 1}, files=files)
    boundary, raw = _multipart_parts(req())
    b = boundary.encode()
    assert raw == (
        b"--" + b + b'\r\nContent-Disposition: form-data; name="json_payload"; filename="json_payload"\r\n'
        b"Content-Type: application/json\r\n\r\n"
        b'{"data":{"a":1}}\r\n'
        b"--" + b + b'\r\nContent-Disposition: form-data; name="attachment-1"; filename="f.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\nabc\r\n"
        b"--" + b + b'\r\nContent-Disposition: form-data; name="attachment-2"; filename="g.bin"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n\x00\xff\r\n"
        b"--" + b + b"--\r\n"
    )
    assert "Content-Encoding" not in req().headers


def test_create_message_rejects_non_file_items(client):
    with pytest.raises(InvalidArgumentError, match=r"files\[0\]"):
        client.create_message("c", {}, files=[b"abc"])


def test_update_message_patch_default_and_put_with_flags(client, rs, req, wire):
    rs.patch(BASE + "/agents/1/channels/c/messages/555", json=wire.msg(mid=555))
    rs.put(BASE + "/agents/1/channels/c/messages/555", body="")
    updated = client.update_message("c", 555, {"a": None}, agent_id=1)
    assert req().method == "PATCH" and req().raw == b'{"data":{"a":null}}' and req().query == []
    assert updated.id == 555
    result = client.update_message("c", 555, {"a": 2}, replace_data=True, suppress_response=True, clear_attachments=True, agent_id=1)
    assert result is None
    assert req().method == "PUT"
    assert req().query == [("suppress_response", "true"), ("clear_attachments", "true")]
    assert req().json == {"data": {"a": 2}}


def test_update_message_empty_object_answer_is_none(client, rs):
    rs.patch(BASE + "/agents/111/channels/c/messages/1", json={})
    assert client.update_message("c", 1, {"x": 1}) is None


def test_delete_message(client, rs, req):
    rs.delete(BASE + "/agents/111/channels/c/messages/9", body="")
    assert client.delete_message("c", 9) is None
    assert req().method == "DELETE" and req().body is None


def test_fetch_message_attachment_downloads_bytes_with_auth(client, rs, req):
    url = BASE + "/agents/111/channels/c/messages/9/attachments/77"
    rs.get(url, body=b"\x89PNG")
    from doover.models import Attachment

    attachment = Attachment(filename="p.png", size=4, url=url, content_type="image/png")
    assert attachment.attachment_id == "77"
    assert client.fetch_message_attachment(attachment, organisation_id=5) == b"\x89PNG"
    assert req().headers["Authorization"] == "Bearer " + TOKEN
    assert req().headers["X-Doover-Organisation"] == "5"


def test_fetch_timeseries_query_and_model(client, rs, req):
    rs.get(
        BASE + "/agents/1/channels/c/messages/timeseries",
        json={"count": 2, "results": [{"value": 22.5, "message_id": "193588160649819432"}, {"value": 23.1, "message_id": 5}], "next": "4"},
    )
    result = client.fetch_timeseries("c", ["a", "b"], after=1, limit=3, agent_id=1)
    assert req().query == [("field_name", "a"), ("field_name", "b"), ("after", "1"), ("limit", "3")]
    assert result.count == 2 and result.next == 4
    assert [p.value for p in result.results] == [22.5, 23.1]
    assert result.results[0].timestamp.year == 2026


def test_fetch_timeseries_requires_a_field_name(client, rs):
    with pytest.raises(InvalidArgumentError, match="field_names"):
        client.fetch_timeseries("c", [])
    assert len(rs.calls) == 0


def _page(ids):
    return [
        {"id": str(i), "author_id": "1", "channel": {"agent_id": "111", "name": "c"}, "data": {"n": i}}
        for i in ids
    ]


def test_iter_messages_walks_before_cursor_across_pages(client, rs, req):
    rs.get(BASE + "/agents/111/channels/c/messages", json=_page([100, 99, 98]))
    rs.get(BASE + "/agents/111/channels/c/messages", json=_page([97, 96, 95]))
    rs.get(BASE + "/agents/111/channels/c/messages", json=_page([94]))
    iterator = client.iter_messages("c", after=10, page_size=3)
    assert len(rs.calls) == 0  # lazy
    ids = [m.id for m in iterator.collect()]
    assert ids == [100, 99, 98, 97, 96, 95, 94]
    assert [c.request.url.split("?", 1)[1] for c in rs.calls] == [
        "after=10&limit=3",
        "before=98&after=10&limit=3",
        "before=95&after=10&limit=3",
    ]


def test_iter_messages_default_page_size_is_50_and_stops_on_empty(client, rs, req):
    rs.get(BASE + "/agents/111/channels/c/messages", json=_page(range(150, 100, -1)))
    rs.get(BASE + "/agents/111/channels/c/messages", json=[])
    items = list(client.iter_messages("c", before=151))
    assert len(items) == 50 and items[0].id == 150 and items[-1].id == 101
    assert req(0).query == [("before", "151"), ("limit", "50")]
    assert req(1).query == [("before", "101"), ("limit", "50")]
    assert len(rs.calls) == 2


def test_message_timestamp_matches_snowflake(wire):
    mid = generate_snowflake(ts_ms=1767225600123)
    message = Message.from_dict(wire.msg(mid=mid))
    assert snowflake_to_ms(message.id) == 1767225600123
    assert message.timestamp == dt.datetime(2026, 1, 1, 0, 0, 0, 123000, tzinfo=dt.timezone.utc)


def test_attachment_on_another_host_gets_no_credentials(client, rs, req):
    rs.get("https://bucket.s3.amazonaws.com/a/b.png?sig=1", body=b"img")
    assert client.fetch_message_attachment("https://bucket.s3.amazonaws.com/a/b.png?sig=1", organisation_id=5) == b"img"
    assert "Authorization" not in req().headers
    assert "X-Doover-Organisation" not in req().headers


def test_attachment_redirect_to_another_host_drops_authorization(client, rs, req):
    url = BASE + "/agents/111/channels/c/messages/9/attachments/77"
    rs.get(url, status=302, headers={"Location": "https://bucket.s3.amazonaws.com/obj?sig=1"})
    rs.get("https://bucket.s3.amazonaws.com/obj?sig=1", body=b"from-s3")
    assert client.fetch_message_attachment(url) == b"from-s3"
    assert req(0).headers["Authorization"] == "Bearer " + TOKEN
    assert "Authorization" not in req(1).headers
