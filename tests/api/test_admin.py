"""Alarms, websocket connections, notification management, processors, TURN, device tokens."""

import pytest

from doover.exceptions import DecodeError, InvalidArgumentError
from doover.models import AlarmOperator, AlarmState, NotificationSeverity, NotificationType

BASE = "http://doover.test/api"

ALARM = {
    "id": "7", "name": "high temp", "description": "", "enabled": True, "key": "temperature", "operator": "gt",
    "value": 30, "state": "OK", "entered_state_ts": 1700000000000, "expiry_mins": 10.0,
}


def test_list_alarms_tolerates_alarm_pending(client, rs, req):
    rs.get(BASE + "/agents/1/channels/c/alarms", json=[ALARM, dict(ALARM, id="8", state="AlarmPending", alarm_pending_ms=500)])
    alarms = client.list_alarms(1, "c")
    assert req().path == "/api/agents/1/channels/c/alarms"
    assert alarms[0].operator is AlarmOperator.gt and alarms[0].state is AlarmState.OK
    assert alarms[1].state is AlarmState.AlarmPending and alarms[1].alarm_pending_ms == 500


def test_create_alarm_body_normalises_operator(client, rs, req):
    rs.post(BASE + "/agents/1/channels/c/alarms", json=ALARM)
    alarm = client.create_alarm(1, "c", "n", "k", ">", 5, expiry_mins=10)
    assert req().json == {"name": "n", "key": "k", "operator": "gt", "value": 5, "description": "", "enabled": True, "expiry_mins": 10}
    assert alarm.id == 7


def test_create_alarm_rejects_unknown_operator(client, rs):
    with pytest.raises(InvalidArgumentError, match="operator"):
        client.create_alarm(1, "c", "n", "k", "approx", 5)
    assert len(rs.calls) == 0


def test_fetch_put_delete_alarm(client, rs, req):
    rs.get(BASE + "/agents/1/channels/c/alarms/7", json=ALARM)
    rs.put(BASE + "/agents/1/channels/c/alarms/7", json=ALARM)
    rs.delete(BASE + "/agents/1/channels/c/alarms/7", body="")
    assert client.fetch_alarm(1, "c", 7).name == "high temp"
    client.put_alarm(1, "c", 7, "n", "k", AlarmOperator.le, 3, description="d", enabled=False)
    assert req().json == {"name": "n", "key": "k", "operator": "le", "value": 3, "description": "d", "enabled": False}
    assert client.delete_alarm(1, "c", 7) is None
    assert req().method == "DELETE"


def test_update_alarm_sends_only_given_fields_and_null_expiry(client, rs, req):
    rs.patch(BASE + "/agents/1/channels/c/alarms/7", json=ALARM)
    client.update_alarm(1, "c", 7, description="d", expiry_mins=None)
    assert req().raw == b'{"description":"d","expiry_mins":null}'
    client.update_alarm(1, "c", 7, operator="lt", value=0)
    assert req().json == {"operator": "lt", "value": 0}


CONN = {"agent_id": "1", "session_id": "9", "default_session": True, "address": "1.2.3.4", "status": 1,
        "subscriptions": [{"channel": {"agent_id": "1", "name": "c"}, "subscribed_at": 1700000000000, "connection_id": "9"}],
        "last_ping": 1700000000000, "latency": 12.5}


def test_connection_endpoints(client, rs, req):
    rs.get(BASE + "/agents/1/wss_connections", json=[CONN])
    rs.get(BASE + "/connections/9", json=CONN)
    rs.get(BASE + "/agents/1/wss_connections/history", json=[CONN])
    rs.get(BASE + "/agents/1/channels/c/subscriptions", json=CONN["subscriptions"])
    assert client.list_connections(1)[0].subscriptions[0].connection_id == 9
    assert client.fetch_connection(9).latency == 12.5
    client.fetch_connection_history(1, False, before=10, limit=2)
    assert req().query == [("default_connection", "false"), ("before", "10"), ("limit", "2")]
    assert client.fetch_channel_subscriptions(1, "c")[0].channel.name == "c"


def test_subscription_history_sends_channel_as_json_text(client, rs, req):
    rs.get(BASE + "/agents/1/wss_connections/subscriptions/history",
           json=[{"channel": {"agent_id": "1", "name": "c"}, "connection_id": "9", "subscribed_at": 5, "unsubscribed_at": None}])
    logs = client.fetch_subscription_history(1, 1, "c", limit=2)
    assert rs.calls[-1].request.url == (
        BASE + "/agents/1/wss_connections/subscriptions/history?channel=%7B%22agent_id%22%3A+%221%22%2C+%22name%22%3A+%22c%22%7D&limit=2"
    )
    assert logs[0].unsubscribed_at is None and logs[0].subscribed_at == 5


ENDPOINT = {"id": "44", "agent_id": "1", "type": "Sms", "name": "phone", "default": True, "extra_data": {"number": "+61400000000"}, "priority": 1}
SUB = {"id": "1", "subscriber": "2", "subscribed_to": "3", "severity": "Info", "topic_filter": ["*"],
       "endpoints": [{"id": "4", "name": "phone", "default": True}]}


def test_fetch_notifications_parses_names(client, rs):
    rs.get(BASE + "/agents/1/notifications", json={"subscriptions": [SUB], "subscribers": [], "endpoints": [ENDPOINT]})
    result = client.fetch_notifications(1)
    assert result.endpoints[0].type is NotificationType.Sms
    assert result.subscriptions[0].severity is NotificationSeverity.Info
    assert result.endpoints[0].to_dict()["type"] == "Sms"
    assert result.subscriptions[0].to_dict()["severity"] == "Info"


def test_notification_endpoint_calls(client, rs, req):
    rs.get(BASE + "/agents/1/notifications/endpoints", json={"endpoints": [ENDPOINT]})
    rs.post(BASE + "/agents/1/notifications/endpoints", json={"id": "45"})
    rs.patch(BASE + "/agents/1/notifications/endpoints/44", body="")
    rs.delete(BASE + "/agents/1/notifications/endpoints/44", body="")
    rs.post(BASE + "/agents/1/notifications/endpoints/44/test", json={"success": True})
    assert client.list_notification_endpoints(1, name="phone")[0].id == 44
    assert req().query == [("name", "phone")]
    assert client.create_notification_endpoint(1, "e", "email", {"email": "a@b"}, True, priority=1) == 45
    assert req().json == {"name": "e", "type": "Email", "extra_data": {"email": "a@b"}, "default": True, "priority": 1}
    client.update_notification_endpoint(1, 44, name="x", priority=None)
    assert req().raw == b'{"name":"x","priority":null}'
    client.update_notification_endpoint(1, 44, extra_data={"a": 1})
    assert req().json == {"extra_data": {"a": 1}}
    client.delete_notification_endpoint(1, 44)
    assert client.test_notification_endpoint(1, 44) is True
    assert req().body is None and req().headers.get("Content-Length") == "0"


def test_create_notification_endpoint_rejects_unknown_type(client, rs):
    with pytest.raises(InvalidArgumentError, match="type: expected a NotificationType"):
        client.create_notification_endpoint(1, "e", "pigeon", {}, True)


def test_notification_subscription_calls(client, rs, req):
    rs.get(BASE + "/agents/1/notifications/subscriptions", json={"subscriptions": [SUB]})
    rs.post(BASE + "/agents/1/notifications/subscriptions", json={"subscriptions": [{"id": "10", "endpoint_id": "44"}]})
    rs.patch(BASE + "/agents/1/notifications/subscriptions/10", body="")
    rs.delete(BASE + "/agents/1/notifications/subscriptions/10", body="")
    rs.get(BASE + "/agents/1/notifications/subscriptions/default", json={"subscriptions": [SUB]})
    rs.delete(BASE + "/agents/1/notifications/subscriptions/default/5", body="")
    rs.get(BASE + "/agents/1/notifications/subscribers", json={"subscribers": [SUB]})
    assert client.list_notification_subscriptions(1, subscribed_to=3)[0].subscribed_to == 3
    assert req().query == [("subscribed_to", "3")]
    created = client.create_notification_subscription(1, 5, "info", ["a"], endpoint_id=44)
    assert req().json == {"subscribe_to": "5", "severity": 5, "topic_filter": ["a"], "endpoint_id": "44"}
    assert created == [{"id": 10, "endpoint_id": 44}]
    client.update_notification_subscription(1, 10, severity="critical", topic_filter=["b"])
    assert req().json == {"severity": 7, "topic_filter": ["b"]}
    client.delete_notification_subscription(1, 10)
    assert req().method == "DELETE"
    assert client.list_default_notification_subscriptions(1)[0].id == 1
    assert req().query == []
    client.delete_default_notification_subscription(1, 5)
    assert req().path == "/api/agents/1/notifications/subscriptions/default/5"
    assert client.list_notification_subscribers(1)[0].subscriber == 2


def test_update_web_push_endpoint(client, rs, req):
    rs.post(BASE + "/agents/me/notifications/update_web_push", body="")
    client.update_web_push_endpoint("o", "n", "p", "a", 123)
    assert req().json == {"old_endpoint": "o", "endpoint": "n", "key_p256dh": "p", "key_auth": "a", "expires_at": 123}


INFO = {
    "agent_id": "111", "organisation_id": "7", "app_key": "my_app", "token": "FULL-TOKEN",
    "deployment_config": {"APP_KEY": "my_app"}, "ui_state": None, "ui_cmds": {"my_app": {}},
    "tag_values": {"my_app": {"counter": 1}},
    "connection_data": {"config": {"connection_type": "Periodic", "offline_after": 120}, "status": {}},
}


def test_fetch_subscription_info_puts_arn_in_path_unchanged(client, rs, req):
    arn = "arn:aws:sns:x:1:t:uuid"
    rs.get(BASE + "/processors/subscriptions/" + arn, json=INFO)
    info = client.fetch_subscription_info(arn)
    assert req().path == "/api/processors/subscriptions/arn:aws:sns:x:1:t:uuid"
    assert (info.agent_id, info.organisation_id, info.token) == (111, 7, "FULL-TOKEN")
    assert "FULL-TOKEN" not in repr(info)
    assert info.connection_config.offline_after == 120
    assert info.connection_status is None


def test_fetch_schedule_info(client, rs, req):
    rs.get(BASE + "/processors/schedules/sched-1", json=INFO)
    assert client.fetch_schedule_info("sched-1").app_key == "my_app"


def test_fetch_subscription_info_missing_token_is_decode_error(client, rs):
    rs.get(BASE + "/processors/schedules/5", json={k: v for k, v in INFO.items() if k != "token"})
    with pytest.raises(DecodeError) as info:
        client.fetch_schedule_info(5)
    assert info.value.path == "$.token"


def test_processor_registration_calls(client, rs, req):
    token = {"id": "33", "token": "T", "token_id": "4"}
    rs.put(BASE + "/agents/1/processors/schedules/9", json=token)
    rs.put(BASE + "/agents/1/processors/subscriptions/9", body="")
    rs.put(BASE + "/agents/1/processors/ingestions/9", json=token)
    rs.delete(BASE + "/agents/1/processors/ingestions/9", body="")
    perms = [{"permission_id": "ag:1", "permission": "1099511627774"}]
    result = client.put_schedule(1, 9, "app", perms)
    assert req().json == {"app_key": "app", "permissions": perms}
    assert (result.id, result.token_id) == (33, 4)
    client.put_subscription(1, 9, "arn:x", "app", [], is_org=True, subscribed_to_agent=8)
    assert req().body == b'{"subscription_arn":"arn:x","app_key":"app","permissions":[],"is_org":true,"subscribed_to_agent":8}'
    client.put_ingestion_endpoint(1, 9, "arn:lambda", ["1.2.3.4/32"], 10, "app", [], signing_key="k",
                                  signing_key_hash_header="x-hmac-sha256", is_org=False, origin="arn:iot")
    assert req().json == {
        "lambda_arn": "arn:lambda", "cidr_ranges": ["1.2.3.4/32"], "throttle_limit": 10, "app_key": "app",
        "permissions": [], "never_replace_token": False, "mini_token": False, "signing_key": "k",
        "signing_key_hash_header": "x-hmac-sha256", "is_org": False, "origin": "arn:iot",
    }
    client.put_ingestion_endpoint(1, 9, "arn:lambda", [], 10, "app", [])
    assert "origin" not in req().json
    client.delete_ingestion_endpoint(1, 9)
    assert req().method == "DELETE"


def test_fetch_turn_token(client, rs, req):
    rs.post(BASE + "/turn/token", json={"username": "u", "credential": "SECRETCRED", "ttl": 3600, "expires_at": 1700003600, "uris": ["turn:x:3478"]})
    cred = client.fetch_turn_token("device", "cam", device_id=1)
    assert req().json == {"role": "device", "camera_name": "cam", "device_id": "1"}
    assert cred.uris == ["turn:x:3478"] and "SECRETCRED" not in repr(cred)


def test_device_token_rotation_is_bodyless(make_client, rs, req):
    client = make_client(organisation_id=7)
    rs.post(BASE + "/agents/1/token/rotate", json={"token": "NEW", "issued_at_ms": 1760000000000})
    rs.post(BASE + "/agents/1/token/confirm", json={"tokens_valid_from": 1760000000000})
    rotated = client.rotate_device_token(1)
    assert req().body is None and req().headers["Content-Length"] == "0"
    assert "Content-Type" not in req().headers
    assert req().headers["X-Doover-Organisation"] == "7"
    client.set_token(rotated.token)
    assert client.confirm_device_token(1).tokens_valid_from == 1760000000000
    assert req().headers["Authorization"] == "Bearer NEW"
