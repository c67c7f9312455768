"""Aggregates, notifications sent as messages, and the doover_connection helpers."""

import datetime as dt

import pytest

from doover.exceptions import InvalidArgumentError
from doover.models import (
    ConnectionConfig,
    ConnectionDetermination,
    ConnectionDisplay,
    ConnectionStatus,
    ConnectionType,
    File,
    Notification,
    NotificationSeverity,
)

BASE = "http://doover.test/api"


def test_fetch_channel_aggregate(client, rs, req, wire):
    rs.get(BASE + "/agents/111/channels/tag_values/aggregate", json=wire.agg({"app": {"x": 1}}))
    aggregate = client.fetch_channel_aggregate("tag_values")
    assert req().method == "GET" and req().query == []
    assert aggregate.data == {"app": {"x": 1}}
    assert aggregate.last_updated == dt.datetime.fromtimestamp(1700000000, tz=dt.timezone.utc)


def test_update_channel_aggregate_patch_sends_bare_body(client, rs, req, wire):
    rs.patch(BASE + "/agents/1/channels/c/aggregate", json=wire.agg({"x": {}}))
    result = client.update_channel_aggregate("c", {"x": {"y": None}}, agent_id=1)
    assert req().raw == b'{"x":{"y":null}}'
    assert req().query == []
    assert result.data == {"x": {}}


def test_update_channel_aggregate_flags_match_reference_capture(client, rs, req):
    rs.patch(BASE + "/agents/1/channels/c/aggregate", body="")
    result = client.update_channel_aggregate(
        "c",
        {"x": 1},
        suppress_response=True,
        clear_attachments=True,
        log_update=True,
        replace_keys=["state.children.app", "b"],
        agent_id=1,
    )
    assert result is None
    assert rs.calls[-1].request.url == (
        BASE + "/agents/1/channels/c/aggregate?suppress_response=true&clear_attachments=true"
        "&log_update=true&replace=state.children.app&replace=b"
    )
    assert req().raw == b'{"x":1}'


def test_update_channel_aggregate_put_when_replace_data_and_return_aggregate_false(client, rs, req, wire):
    rs.put(BASE + "/agents/111/channels/loc/aggregate", json=wire.agg({"lat": 1}))
    assert client.update_channel_aggregate("loc", {"lat": 1}, replace_data=True, return_aggregate=False) is None
    assert req().method == "PUT"
    assert req().query == [("suppress_response", "true")]


def test_update_channel_aggregate_multipart_json_payload_is_bare(client, rs, req, wire):
    rs.patch(BASE + "/agents/111/channels/c/aggregate", json=wire.agg())
    client.update_channel_aggregate("c", {"a": 1}, files=[])
    assert req().headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert b'filename="json_payload"\r\nContent-Type: application/json\r\n\r\n{"a":1}\r\n' in req().raw
    assert b"attachment-" not in req().raw


def test_fetch_channel_aggregate_attachment_bytes(client, rs, req):
    rs.get(BASE + "/agents/111/channels/c/aggregate/attachments/42", body=b"bytes!")
    assert client.fetch_channel_aggregate_attachment("c", 42) == b"bytes!"


def test_send_notification_severity_alias_sent_as_integer(client, rs, req, wire):
    rs.post(BASE + "/agents/222/channels/notifications/messages", json=wire.msg(channel="notifications"))
    client.send_notification(222, "hello", title="T", severity="warning", topic="x")
    assert req().body == b'{"data":{"message":"hello","title":"T","severity":6,"topic":"x"}}'


def test_send_notification_leaves_out_unset_keys_and_accepts_notification(client, rs, req, wire):
    rs.post(BASE + "/agents/111/channels/notifications/messages", json=wire.msg(channel="notifications"))
    client.send_notification(None, Notification("boom", severity=NotificationSeverity.Critical), title="ignored")
    assert req().json == {"data": {"message": "boom", "severity": 7}}


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({"message": ""}, "message: expected a non-empty str"),
        ({"message": 5}, "message: expected a non-empty str, got int"),
        ({"message": "m", "severity": "loud"}, "severity: expected"),
        ({"message": "m", "severity": 9}, "severity: expected"),
        ({"message": "m", "title": 3}, "title: expected a str or None"),
    ],
)
def test_send_notification_validates_before_sending(client, rs, kwargs, expected):
    with pytest.raises(InvalidArgumentError, match=expected):
        client.send_notification(111, **kwargs)
    assert len(rs.calls) == 0


def test_ping_connection_at_writes_message_then_patch_without_ip_lookup(client, rs, req, wire):
    rs.post(BASE + "/agents/111/channels/doover_connection/messages", json=wire.msg(channel="doover_connection"))
    rs.patch(BASE + "/agents/111/channels/doover_connection/aggregate", json=wire.agg())
    online = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    client.ping_connection_at(
        online,
        ConnectionStatus.periodic_unknown,
        ConnectionDetermination.online,
        ping_at=dt.datetime(2026, 1, 1, 0, 5, tzinfo=dt.timezone.utc),
        user_agent="doover-processor,app_key=my_app",
    )
    expected = {
        "status": {
            "status": "PeriodicUnknown",
            "last_online": 1767225600000,
            "last_ping": 1767225900000,
            "user_agent": "doover-processor,app_key=my_app",
        },
        "determination": "Online",
    }
    assert len(rs.calls) == 2
    assert req(0).method == "POST" and req(0).json == {"data": expected}
    assert req(1).method == "PATCH" and req(1).json == expected
    assert client.lookup_ip is False


def test_ping_connection_at_strips_given_ip(client, rs, req, wire):
    rs.post(BASE + "/agents/111/channels/doover_connection/messages", json=wire.msg())
    rs.patch(BASE + "/agents/111/channels/doover_connection/aggregate", json=wire.agg())
    client.ping_connection_at(1767225600000, "ContinuousOnline", "Offline", ping_at=1767225600001, ip_address=" 1.2.3.4\n")
    assert req(1).json["status"]["ip"] == "1.2.3.4"
    assert req(1).json["status"]["status"] == "ContinuousOnline"
    assert req(1).json["determination"] == "Offline"


def test_ping_connection_at_looks_up_ip_only_when_enabled(client, rs, req, wire):
    rs.get("https://checkip.amazonaws.com/", body="5.6.7.8\n")
    rs.post(BASE + "/agents/111/channels/doover_connection/messages", json=wire.msg())
    rs.patch(BASE + "/agents/111/channels/doover_connection/aggregate", json=wire.agg())
    client.lookup_ip = True
    client.ping_connection_at(1767225600000)
    assert req(0).path == "/" and "Authorization" not in req(0).headers
    assert req(1).json["data"]["status"]["ip"] == "5.6.7.8"


def test_ping_connection_at_failed_lookup_omits_ip(make_client, rs, req, wire):
    client = make_client(retry=False)
    rs.get("https://checkip.amazonaws.com/", status=503)
    rs.post(BASE + "/agents/111/channels/doover_connection/messages", json=wire.msg())
    rs.patch(BASE + "/agents/111/channels/doover_connection/aggregate", json=wire.agg())
    client.lookup_ip = True
    client.ping_connection_at(1767225600000)
    assert "ip" not in req(-1).json["status"]


def test_update_connection_config_sends_five_keys_and_display(client, rs, req, wire):
    rs.post(BASE + "/agents/111/channels/doover_connection/messages", json=wire.msg())
    rs.patch(BASE + "/agents/111/channels/doover_connection/aggregate", json=wire.agg())
    config = ConnectionConfig(
        connection_type=ConnectionType.periodic, expected_interval=600, offline_after=3600, sleep_time=600,
        display=ConnectionDisplay.always,
    )
    client.update_connection_config(config)
    assert req(1).body == (
        b'{"config":{"connection_type":"Periodic","expected_interval":600,"offline_after":3600,'
        b'"sleep_time":600,"next_wake_time":null,"display":"Always"}}'
    )
    assert req(0).json == {"data": req(1).json}


def test_update_connection_config_without_display_and_v1_alias(client, rs, req, wire):
    rs.post(BASE + "/agents/111/channels/doover_connection/messages", json=wire.msg())
    rs.patch(BASE + "/agents/111/channels/doover_connection/aggregate", json=wire.agg())
    client.update_connection_config(ConnectionConfig("constant", offline_after=120))
    assert req(1).json == {
        "config": {"connection_type": "Continuous", "expected_interval": None, "offline_after": 120,
                   "sleep_time": None, "next_wake_time": None}
    }


def test_file_size_defaults_to_data_length():
    assert File("a.txt", "text/plain", data=b"abcd").size == 4
    assert File("a.txt", "text/plain", 10, b"ab").size == 10
