"""Every public DataClient method: its HTTP method and path, and the common headers
(auth, per-call organisation, user agent) it sends. Bodies and queries are asserted in the
per-area test modules."""

import re

import pytest

from doover.api import DataClient
from doover.models import BatchMutationItem, ConnectionConfig

BASE = "http://doover.test/api"
TOKEN = "tok-SECRET-abc123"

MSG = {"id": "5", "author_id": "1", "channel": {"agent_id": "3", "name": "c"}, "data": {}}
AGG = {"data": {}}
CHANNEL = {"name": "c", "owner_id": "3"}
ALARM = {"id": "7", "name": "n", "key": "k", "operator": "gt", "value": 1, "state": "OK"}
CONN = {"agent_id": "3", "session_id": "9", "default_session": True, "address": "a", "status": 1}
INFO = {"agent_id": "3", "organisation_id": "4", "app_key": "a", "token": "T", "deployment_config": {}}
TOKEN_RESP = {"id": "1", "token": "T", "token_id": "2"}
BATCH = {"items": [], "count": 0, "succeeded": 0, "failed": 0}
ITEM = [BatchMutationItem(3, "c", {"a": 1}, message_id=5)]

# (call name, args, kwargs, HTTP method, path after /api, JSON answer or None for empty)
CASES = [
    ("list_channels", (), {}, "GET", "/agents/3/channels", []),
    ("fetch_channel", ("c",), {}, "GET", "/agents/3/channels/c", CHANNEL),
    ("create_channel", ("c",), {}, "POST", "/agents/3/channels/c", {"id": "8"}),
    ("put_channel", ("c", False), {}, "PUT", "/agents/3/channels/c", CHANNEL),
    ("list_data_series", ("f",), {}, "GET", "/agents/3/data_series", {}),
    ("list_messages", ("c",), {}, "GET", "/agents/3/channels/c/messages", []),
    ("fetch_message", ("c", 5), {}, "GET", "/agents/3/channels/c/messages/5", MSG),
    ("fetch_message_logs", ("c", 5), {}, "GET", "/agents/3/channels/c/messages/5/logs", []),
    ("create_message", ("c", {}), {}, "POST", "/agents/3/channels/c/messages", MSG),
    ("create_message", ("c", {}), {"message_id": 5}, "POST", "/agents/3/channels/c/messages/5", MSG),
    ("update_message", ("c", 5, {}), {}, "PATCH", "/agents/3/channels/c/messages/5", MSG),
    ("update_message", ("c", 5, {}), {"replace_data": True}, "PUT", "/agents/3/channels/c/messages/5", MSG),
    ("delete_message", ("c", 5), {}, "DELETE", "/agents/3/channels/c/messages/5", None),
    ("fetch_message_attachment", (BASE + "/agents/3/channels/c/messages/5/attachments/6",), {}, "GET",
     "/agents/3/channels/c/messages/5/attachments/6", None),
    ("fetch_timeseries", ("c", ["f"]), {}, "GET", "/agents/3/channels/c/messages/timeseries", {"count": 0, "results": []}),
    ("fetch_channel_aggregate", ("c",), {}, "GET", "/agents/3/channels/c/aggregate", AGG),
    ("update_channel_aggregate", ("c", {}), {}, "PATCH", "/agents/3/channels/c/aggregate", AGG),
    ("update_channel_aggregate", ("c", {}), {"replace_data": True}, "PUT", "/agents/3/channels/c/aggregate", AGG),
    ("fetch_channel_aggregate_attachment", ("c", 6), {}, "GET", "/agents/3/channels/c/aggregate/attachments/6", None),
    ("send_notification", (3, "m"), {}, "POST", "/agents/3/channels/notifications/messages", MSG),
    ("fetch_multi_agent_messages", ("c", [3]), {}, "GET", "/agents/channels/c/messages", {"results": [], "count": 0}),
    ("fetch_multi_agent_aggregates", ("c", [3]), {}, "GET", "/agents/channels/c/aggregates", {"results": [], "count": 0}),
    ("batch_create_messages", (ITEM,), {}, "POST", "/agents/messages", BATCH),
    ("batch_update_messages", (ITEM,), {}, "PATCH", "/agents/messages", BATCH),
    ("batch_update_messages", (ITEM,), {"replace_data": True}, "PUT", "/agents/messages", BATCH),
    ("batch_delete_messages", (ITEM,), {}, "DELETE", "/agents/messages", BATCH),
    ("batch_update_aggregates", (ITEM,), {}, "PATCH", "/agents/aggregates", BATCH),
    ("list_alarms", (3, "c"), {}, "GET", "/agents/3/channels/c/alarms", []),
    ("create_alarm", (3, "c", "n", "k", "gt", 1), {}, "POST", "/agents/3/channels/c/alarms", ALARM),
    ("fetch_alarm", (3, "c", 7), {}, "GET", "/agents/3/channels/c/alarms/7", ALARM),
    ("put_alarm", (3, "c", 7, "n", "k", "gt", 1), {}, "PUT", "/agents/3/channels/c/alarms/7", ALARM),
    ("update_alarm", (3, "c", 7), {"name": "x"}, "PATCH", "/agents/3/channels/c/alarms/7", ALARM),
    ("delete_alarm", (3, "c", 7), {}, "DELETE", "/agents/3/channels/c/alarms/7", None),
    ("list_connections", (3,), {}, "GET", "/agents/3/wss_connections", [CONN]),
    ("fetch_connection", (9,), {}, "GET", "/connections/9", CONN),
    ("fetch_connection_history", (3, True), {}, "GET", "/agents/3/wss_connections/history", []),
    ("fetch_subscription_history", (3, 3, "c"), {}, "GET", "/agents/3/wss_connections/subscriptions/history", []),
    ("fetch_channel_subscriptions", (3, "c"), {}, "GET", "/agents/3/channels/c/subscriptions", []),
    ("fetch_notifications", (3,), {}, "GET", "/agents/3/notifications", {"subscriptions": [], "subscribers": [], "endpoints": []}),
    ("list_notification_endpoints", (3,), {}, "GET", "/agents/3/notifications/endpoints", {"endpoints": []}),
    ("create_notification_endpoint", (3, "e", "Email", {}, True), {}, "POST", "/agents/3/notifications/endpoints", {"id": "4"}),
    ("update_notification_endpoint", (3, 4), {"name": "x"}, "PATCH", "/agents/3/notifications/endpoints/4", None),
    ("delete_notification_endpoint", (3, 4), {}, "DELETE", "/agents/3/notifications/endpoints/4", None),
    ("test_notification_endpoint", (3, 4), {}, "POST", "/agents/3/notifications/endpoints/4/test", {"success": True}),
    ("list_notification_subscriptions", (3,), {}, "GET", "/agents/3/notifications/subscriptions", {"subscriptions": []}),
    ("create_notification_subscription", (3, 5, 5, ["*"]), {}, "POST", "/agents/3/notifications/subscriptions", {"subscriptions": []}),
    ("update_notification_subscription", (3, 6), {"severity": 5}, "PATCH", "/agents/3/notifications/subscriptions/6", None),
    ("delete_notification_subscription", (3, 6), {}, "DELETE", "/agents/3/notifications/subscriptions/6", None),
    ("list_default_notification_subscriptions", (3,), {}, "GET", "/agents/3/notifications/subscriptions/default", {"subscriptions": []}),
    ("delete_default_notification_subscription", (3, 5), {}, "DELETE", "/agents/3/notifications/subscriptions/default/5", None),
    ("list_notification_subscribers", (3,), {}, "GET", "/agents/3/notifications/subscribers", {"subscribers": []}),
    ("update_web_push_endpoint", ("o", "n", "p", "a", 1), {}, "POST", "/agents/me/notifications/update_web_push", None),
    ("fetch_subscription_info", ("arn:aws:sns:x:1:t:u",), {}, "GET", "/processors/subscriptions/arn:aws:sns:x:1:t:u", INFO),
    ("fetch_schedule_info", (12,), {}, "GET", "/processors/schedules/12", INFO),
    ("put_schedule", (3, 12, "a", []), {}, "PUT", "/agents/3/processors/schedules/12", TOKEN_RESP),
    ("put_subscription", (3, 12, "arn", "a", []), {}, "PUT", "/agents/3/processors/subscriptions/12", None),
    ("put_ingestion_endpoint", (3, 12, "arn", [], 10, "a", []), {}, "PUT", "/agents/3/processors/ingestions/12", TOKEN_RESP),
    ("delete_ingestion_endpoint", (3, 12), {}, "DELETE", "/agents/3/processors/ingestions/12", None),
    ("fetch_turn_token", ("client", "cam"), {}, "POST", "/turn/token",
     {"username": "u", "credential": "c", "ttl": 1, "expires_at": 2, "uris": []}),
    ("update_connection_config", (ConnectionConfig("Periodic"),), {}, "POST", "/agents/3/channels/doover_connection/messages", MSG),
    ("ping_connection_at", (1767225600000,), {}, "POST", "/agents/3/channels/doover_connection/messages", MSG),
]
NO_PER_CALL_ORG = {"rotate_device_token", "confirm_device_token"}
AGENT_KEYWORD = {
    "list_channels", "fetch_channel", "create_channel", "put_channel", "list_data_series", "list_messages",
    "fetch_message", "fetch_message_logs", "create_message", "update_message", "delete_message", "fetch_timeseries",
    "fetch_channel_aggregate", "update_channel_aggregate", "fetch_channel_aggregate_attachment",
    "update_connection_config", "ping_connection_at",
}


def test_table_covers_every_public_method():
    public = {n for n in dir(DataClient) if not n.startswith("_") and callable(getattr(DataClient, n))}
    covered = {case[0] for case in CASES} | NO_PER_CALL_ORG | {"iter_messages", "iter_multi_agent_messages", "set_token", "close"}
    assert public == covered


@pytest.mark.parametrize("name, args, kwargs, http, path, answer", CASES, ids=[
    "{}-{}".format(c[0], c[3]) for c in CASES
])
def test_method_sends_path_auth_org_and_user_agent(make_client, rs, req, name, args, kwargs, http, path, answer):
    client = make_client(agent_id=3, organisation_id=1)
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        if answer is None:
            rs.add(method, re.compile(re.escape(BASE) + r"/.*"), body="")
        else:
            rs.add(method, re.compile(re.escape(BASE) + r"/.*"), json=answer)
    if name in AGENT_KEYWORD:
        kwargs = dict(kwargs, agent_id=3)
    getattr(client, name)(*args, organisation_id=99, **kwargs)
    first = req(0)
    assert first.method == http
    assert first.path == "/api" + path
    assert first.headers["Authorization"] == "Bearer " + TOKEN
    assert first.headers["X-Doover-Organisation"] == "99"
    assert first.headers["User-Agent"].startswith("doover-sync/")
