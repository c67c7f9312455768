"""The unmodified DataClient against a session-scoped emulator over loopback: every endpoint
family, pagination, error mapping, gzip, client credentials, retries and timeouts."""

import datetime as _dt
import time

import pytest

from doover.api import DataClient, RetryPolicy
from doover.emulator import decode_unverified
from doover.exceptions import (
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    ConflictError,
    ForbiddenError,
    HTTPError,
    NotFoundError,
    ServerError,
    TokenRefreshError,
    UnauthorizedError,
)
from doover.models import BatchMutationItem, File

T0 = 1748736000000
DAY_MS = 86400000


@pytest.fixture
def client(session_emu, agent_id):
    with DataClient(base_url=session_emu.base_url, token=session_emu.token_for(agent_id), agent_id=agent_id,
                    sleep=lambda seconds: None) as c:
        yield c


def _path(agent_id, rest):
    return "/api/agents/{}/{}".format(agent_id, rest)


# ------------------------------------------------------------------ channels and messages


def test_channels(client, agent_id):
    channel_id = client.create_channel("sensors", message_schema={"type": "object"})
    assert isinstance(channel_id, int)
    assert client.create_channel("sensors") == channel_id
    channel = client.fetch_channel("sensors")
    assert (channel.name, channel.owner_id, channel.message_schema) == ("sensors", agent_id, {"type": "object"})
    client.update_channel_aggregate("other", {"a": 1})
    assert [c.name for c in client.list_channels()] == ["other", "sensors"]
    assert client.put_channel("sensors", True).is_private is True
    with pytest.raises(NotFoundError):
        client.fetch_channel("missing")


def test_messages_create_fetch_update_delete(client, session_emu, agent_id):
    message = client.create_message("c", {"status": {"code": "sent"}, "request": {"x": 1}}, ts=T0)
    assert message.timestamp == _dt.datetime(2025, 6, 1, tzinfo=_dt.timezone.utc)
    assert message.author_id == agent_id
    assert client.fetch_message("c", message.id) == message
    patched = client.update_message("c", message.id, {"status": {"code": "ok", "extra": None}})
    assert patched.data == {"status": {"code": "ok"}, "request": {"x": 1}}
    assert client.update_message("c", message.id, {"only": 1}, replace_data=True).data == {"only": 1}
    assert client.update_message("c", message.id, {"more": 2}, suppress_response=True) is None
    assert session_emu.message(agent_id, "c", message.id)["data"] == {"only": 1, "more": 2}
    assert client.fetch_message_logs("c", message.id) == []
    client.delete_message("c", message.id)
    with pytest.raises(NotFoundError):
        client.fetch_message("c", message.id)


def test_create_with_client_id_is_idempotent_and_conflict_is_409(client, session_emu, agent_id):
    first = client.create_message("c", {"a": 1}, message_id=193588160649819432)
    again = client.create_message("c", {"a": 1}, message_id=193588160649819432)
    assert first == again
    assert len(session_emu.messages(agent_id, "c")) == 1
    with pytest.raises(ConflictError):
        client.create_message("c", {"a": 2}, message_id=193588160649819432)


def test_list_and_iter_messages_page_through_history(client, session_emu, agent_id):
    for n in range(23):
        client.create_message("h", {"n": n}, ts=T0 + n * 1000)
    assert [m.data["n"] for m in client.list_messages("h", limit=3)] == [22, 21, 20]
    session_emu.clear_request_log()
    got = [m.data["n"] for m in client.iter_messages("h", page_size=5)]
    assert got == list(range(22, -1, -1))
    assert session_emu.request_count("GET", _path(agent_id, "channels/h/messages")) == 5
    bounded = client.iter_messages("h", before=_dt.datetime(2025, 6, 1, 0, 0, 10, tzinfo=_dt.timezone.utc), page_size=4)
    assert [m.data["n"] for m in bounded] == list(range(9, -1, -1))
    with_field = client.list_messages("h", field_names=["n"], limit=2)
    assert [m.data["n"] for m in with_field] == [22, 21]


def test_attachments_upload_and_download(client):
    message = client.create_message("files", {"report": 1}, files=[File("r.txt", "text/plain", data=b"hello")])
    (attachment,) = message.attachments
    assert (attachment.filename, attachment.content_type, attachment.size) == ("r.txt", "text/plain", 5)
    assert client.fetch_message_attachment(attachment) == b"hello"
    aggregate = client.update_channel_aggregate("files", {"x": 1}, files=[File("a.bin", data=b"\x00\x01")])
    attachment_id = int(aggregate.attachments[0].url.rsplit("/", 1)[1])
    assert client.fetch_channel_aggregate_attachment("files", attachment_id) == b"\x00\x01"


def test_aggregates_merge_replace_and_log(client, session_emu, agent_id):
    assert client.fetch_channel_aggregate("agg").data == {}
    client.update_channel_aggregate("agg", {"app": {"a": 1, "b": 2}, "ui": {"children": {"x": {"old": 1}}}})
    merged = client.update_channel_aggregate("agg", {"app": {"b": None, "c": 3}})
    assert merged.data["app"] == {"a": 1, "c": 3}
    replaced = client.update_channel_aggregate("agg", {"ui": {"children": {"x": {"new": 1}}}}, replace_keys=["ui.children.x"])
    assert replaced.data["ui"] == {"children": {"x": {"new": 1}}}
    assert client.update_channel_aggregate("agg", {"z": 1}, return_aggregate=False) is None
    assert client.update_channel_aggregate("agg", {"only": True}, replace_data=True).data == {"only": True}
    client.update_channel_aggregate("agg", {"logged": 1}, log_update=True)
    assert [m["data"] for m in session_emu.messages(agent_id, "agg")] == [{"logged": 1}]
    aggregate = client.fetch_channel_aggregate("agg")
    assert aggregate.data == {"only": True, "logged": 1}
    assert abs(aggregate.last_updated.timestamp() - time.time()) < 60


def test_timeseries_and_data_series(client):
    ids = [client.create_message("t", {"temperature": 20 + n}, ts=T0 + n).id for n in range(3)]
    series = client.fetch_timeseries("t", ["temperature"], after=ids[0] - 1, limit=10)
    assert series.count == 3
    assert [(p.value, p.message_id) for p in series.results] == [(22, ids[2]), (21, ids[1]), (20, ids[0])]
    raw = client.list_data_series("t.temperature", limit=2)
    assert [p["value"] for p in raw["results"]] == [22, 21]


def test_multi_agent_reads_and_iterator_across_two_day_windows(session_emu, agent_id):
    agents = [agent_id, agent_id + 100000]
    with DataClient(base_url=session_emu.base_url, token=session_emu.token_for(agents)) as multi:
        expected = []
        for n in range(12):
            when = T0 + n * (DAY_MS // 2)  # spread over six days
            multi.create_message("m", {"n": n}, ts=when, agent_id=agents[n % 2])
            expected.append(n)
        page = multi.fetch_multi_agent_messages("m", agents, limit=4)
        assert [m.data["n"] for m in page.results] == [11, 10, 9, 8]
        walked = multi.iter_multi_agent_messages(
            "m", agents, after=_dt.datetime(2025, 5, 31, tzinfo=_dt.timezone.utc),
            before=_dt.datetime(2025, 6, 8, tzinfo=_dt.timezone.utc), page_size=3,
        ).collect()
        assert [m.data["n"] for m in walked] == list(reversed(expected))
        multi.update_channel_aggregate("m", {"v": 1}, agent_id=agents[1])
        aggregates = multi.fetch_multi_agent_aggregates("m", agents)
        assert [(r.agent_id, r.data) for r in aggregates.results] == [(agents[0], {}), (agents[1], {"v": 1})]


def test_batches(client, session_emu, agent_id):
    created = client.batch_create_messages(
        [BatchMutationItem(agent_id=agent_id, channel_name="b", data={"n": n}, timestamp=T0 + n) for n in range(3)]
        + [BatchMutationItem(agent_id=agent_id + 1, channel_name="b", data={"n": 9})]
    )
    assert (created.count, created.succeeded, created.failed) == (4, 3, 1)
    assert [i.success for i in created.items] == [True, True, True, False]
    ids = [i.message_id for i in created.items[:3]]
    updated = client.batch_update_messages([BatchMutationItem(agent_id=agent_id, channel_name="b", message_id=ids[0], data={"x": 1})])
    assert updated.succeeded == 1
    assert session_emu.message(agent_id, "b", ids[0])["data"] == {"n": 0, "x": 1}
    deleted = client.batch_delete_messages([BatchMutationItem(agent_id=agent_id, channel_name="b", message_id=i) for i in ids[1:]])
    assert deleted.succeeded == 2
    aggs = client.batch_update_aggregates([BatchMutationItem(agent_id=agent_id, channel_name="b", data={"k": {"v": 1}})])
    assert aggs.succeeded == 1 and session_emu.aggregate(agent_id, "b")["data"] == {"k": {"v": 1}}


def test_alarms(client, agent_id):
    alarm = client.create_alarm(agent_id, "al", "hot", "temp", "gt", 30, expiry_mins=10)
    client.update_channel_aggregate("al", {"temp": 31})
    assert client.fetch_alarm(agent_id, "al", alarm.id).state.value == "Alarm"
    assert client.update_alarm(agent_id, "al", alarm.id, description="d", expiry_mins=None).expiry_mins is None
    assert client.put_alarm(agent_id, "al", alarm.id, "cold", "temp", "lt", 0).name == "cold"
    assert [a.id for a in client.list_alarms(agent_id, "al")] == [alarm.id]
    client.delete_alarm(agent_id, "al", alarm.id)
    assert client.list_alarms(agent_id, "al") == []


def test_notifications(client, session_emu, agent_id):
    client.send_notification(agent_id, "Pump stopped", title="Site 4", severity="warning", topic="pumps")
    record = session_emu.notifications(agent_id)[0]
    assert (record["message"], record["title"], record["severity"], record["topic"]) == ("Pump stopped", "Site 4", "Warn", "pumps")
    endpoint_id = client.create_notification_endpoint(agent_id, "phone", "Sms", {"number": "+61"}, True)
    assert client.test_notification_endpoint(agent_id, endpoint_id) is True
    subs = client.create_notification_subscription(agent_id, agent_id, 5, ["*"])
    assert [s["endpoint_id"] for s in subs] == [endpoint_id]
    listed = client.list_notification_subscriptions(agent_id)
    assert [s.id for s in listed] == [subs[0]["id"]]
    overview = client.fetch_notifications(agent_id)
    assert (len(overview.subscriptions), len(overview.subscribers), len(overview.endpoints)) == (1, 1, 1)
    client.delete_notification_subscription(agent_id, subs[0]["id"])
    client.delete_notification_endpoint(agent_id, endpoint_id)
    assert client.list_notification_endpoints(agent_id) == []


def test_connection_channel_and_wss_introspection(client, session_emu, agent_id):
    client.update_connection_config({"connection_type": "Periodic", "expected_interval": 600, "offline_after": 3600,
                                     "sleep_time": 600, "next_wake_time": None})
    client.ping_connection_at(_dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc), "PeriodicUnknown", "Online",
                              user_agent="doover-test", ip_address="1.2.3.4")
    data = session_emu.aggregate(agent_id, "doover_connection")["data"]
    assert data["config"]["offline_after"] == 3600 and "next_wake_time" not in data["config"]
    assert data["status"]["status"] == "PeriodicUnknown" and data["status"]["ip"] == "1.2.3.4"
    assert data["determination"] == "Online"
    assert len(session_emu.messages(agent_id, "doover_connection")) == 2
    assert client.list_connections(agent_id) == []
    with pytest.raises(NotFoundError):
        client.fetch_connection(12345)


def test_processor_endpoints_and_tokens(client, session_emu, agent_id):
    session_emu.set_deployment_config(agent_id, "proc", {"limit": 3})
    arn = session_emu.add_subscription(agent_id, "sensors", "proc")
    with DataClient(base_url=session_emu.base_url, token=session_emu.initial_token(arn)) as initial:
        info = initial.fetch_subscription_info(arn)
        with pytest.raises(ForbiddenError):
            initial.list_channels(agent_id=agent_id)
    assert (info.agent_id, info.app_key, info.deployment_config["limit"]) == (agent_id, "proc", 3)
    with DataClient(base_url=session_emu.base_url, token=info.token, organisation_id=info.organisation_id) as full:
        assert full.create_message("x", {"ok": 1}, agent_id=agent_id).data == {"ok": 1}
    schedule = client.put_schedule(agent_id, "sched-{}".format(agent_id), "proc", [{"permission_id": "ag:1", "permission": "3"}])
    with DataClient(base_url=session_emu.base_url, token=schedule.token) as sched:
        assert sched.fetch_schedule_info("sched-{}".format(agent_id)).app_key == "proc"
    client.put_subscription(agent_id, 55, "arn:x:{}".format(agent_id), "proc", [], subscribed_to_agent=agent_id)
    ingestion = client.put_ingestion_endpoint(agent_id, "ing", "arn:lambda", ["0.0.0.0/0"], 10, "proc", [])
    assert decode_unverified(ingestion.token)["tgt"]["type"] == "ingestion"
    client.delete_ingestion_endpoint(agent_id, "ing")
    turn = client.fetch_turn_token("device", "cam", device_id=agent_id)
    assert turn.ttl == 3600 and turn.uris == ["turn:127.0.0.1:3478?transport=udp"]
    rotated = client.rotate_device_token(agent_id)
    old = client.token
    client.set_token(rotated.token)
    confirmed = client.confirm_device_token(agent_id)
    assert confirmed.tokens_valid_from == rotated.issued_at_ms
    with DataClient(base_url=session_emu.base_url, token=old, agent_id=agent_id) as stale:
        with pytest.raises(UnauthorizedError):
            stale.list_channels()


# ------------------------------------------------------------------ auth and errors


def test_error_mapping(client, session_emu, agent_id):
    with pytest.raises(ForbiddenError) as forbidden:
        client.list_channels(agent_id=agent_id + 1)
    assert forbidden.value.message == "this token may not access agent {}".format(agent_id + 1)
    with pytest.raises(BadRequestError) as bad:
        client.list_messages("c", limit=5000)
    assert bad.value.message.startswith("limit: ")
    with DataClient(base_url=session_emu.base_url, token=session_emu.token_for(agent_id, expires_in=-10),
                    token_expires=time.time() + 3600) as expired:
        with pytest.raises(UnauthorizedError):
            expired.list_channels(agent_id=agent_id)
    with pytest.raises(HTTPError) as missing_route:
        client._request("GET", "/no/such/route")
    assert missing_route.value.status == 501
    assert missing_route.value.message == "the emulator does not implement GET /api/no/such/route"


def test_gzip_is_used_for_large_bodies(client, session_emu, agent_id):
    session_emu.clear_request_log()
    client.create_message("g", {"small": 1})
    client.create_message("g", {"large": "x" * 200})
    client.batch_delete_messages([BatchMutationItem(agent_id=agent_id, channel_name="g", message_id=m["id"])
                                  for m in session_emu.messages(agent_id, "g")])
    assert [(r.method, r.gzip) for r in session_emu.request_log] == [("POST", False), ("POST", True), ("DELETE", True)]
    assert session_emu.messages(agent_id, "g") == []


def test_client_credentials_fetch_and_refresh_tokens(session_emu, agent_id):
    session_emu.add_client_credentials("svc-{}".format(agent_id), "secret", agent_ids=[agent_id])
    session_emu.client_token_lifetime = 20  # within the 30 s refresh margin: every call refreshes
    try:
        with DataClient(base_url=session_emu.base_url, client_id="svc-{}".format(agent_id), client_secret="secret",
                        agent_id=agent_id) as svc:
            session_emu.clear_request_log()
            svc.create_message("c", {"a": 1})
            svc.list_messages("c")
            assert session_emu.request_count("POST", "/api/oauth2/token") == 2
            assert decode_unverified(svc.token)["kind"] == "client"
    finally:
        del session_emu.client_token_lifetime


def test_wrong_client_secret_is_a_clear_error(session_emu, agent_id):
    session_emu.add_client_credentials("svc2-{}".format(agent_id), "secret", agent_ids=[agent_id])
    with DataClient(base_url=session_emu.base_url, client_id="svc2-{}".format(agent_id), client_secret="nope",
                    agent_id=agent_id) as svc:
        with pytest.raises(TokenRefreshError) as failed:
            svc.list_channels()
    assert "401" in str(failed.value)


# ------------------------------------------------------------------ retries and timeouts over real sockets


def test_get_is_retried_through_injected_503s(client, session_emu, agent_id):
    session_emu.inject_status(503, times=2, path="/agents/{}/".format(agent_id))
    session_emu.clear_request_log()
    assert client.fetch_channel_aggregate("r").data == {}
    assert [r.status for r in session_emu.request_log] == [503, 503, 200]


def test_retry_budget_runs_out_into_server_error(client, session_emu, agent_id):
    session_emu.inject_status(503, times=None, path="/agents/{}/".format(agent_id))
    with pytest.raises(ServerError) as failed:
        client.fetch_channel_aggregate("r")
    assert failed.value.status == 503
    assert session_emu.request_count("GET", _path(agent_id, "channels/r/aggregate"), status=503) == 4


def test_create_without_id_is_not_retried_after_503_but_with_id_it_is(client, session_emu, agent_id):
    session_emu.inject_status(503, times=1, path="/agents/{}/".format(agent_id))
    with pytest.raises(ServerError):
        client.create_message("r", {"a": 1})
    assert session_emu.messages(agent_id, "r") == []
    session_emu.inject_status(503, times=1, path="/agents/{}/".format(agent_id))
    message = client.create_message("r", {"a": 2}, message_id=193588160649819999)
    assert [m["id"] for m in session_emu.messages(agent_id, "r")] == [str(message.id)]


def test_429_with_retry_after_is_retried(client, session_emu, agent_id):
    waits = []
    client._sleep = waits.append
    session_emu.inject_status(429, times=1, retry_after=2, path="/agents/{}/".format(agent_id))
    assert client.create_message("r", {"a": 1}).data == {"a": 1}
    assert waits == [2.0]


def test_dropped_connection_is_retried_for_idempotent_calls(client, session_emu, agent_id):
    session_emu.inject_drop(times=1, path="/agents/{}/".format(agent_id))
    assert client.list_messages("d") == []
    assert [(r.status, r.fault) for r in session_emu.request_log[-2:]] == [(None, "drop"), (200, None)]


def test_dropped_connection_without_retries_raises_connection_error(session_emu, agent_id):
    session_emu.inject_drop(times=1, path="/agents/{}/".format(agent_id))
    with DataClient(base_url=session_emu.base_url, token=session_emu.token_for(agent_id), agent_id=agent_id,
                    retry=False) as once:
        with pytest.raises(APIConnectionError):
            once.list_messages("d")


def test_injected_delay_beyond_read_timeout_is_api_timeout(session_emu, agent_id):
    session_emu.inject_delay(3, times=1, path="/agents/{}/".format(agent_id))
    with DataClient(base_url=session_emu.base_url, token=session_emu.token_for(agent_id), agent_id=agent_id,
                    retry=False, timeout=(10, 0.3)) as hasty:
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            hasty.list_messages("slow")
        assert time.monotonic() - started < 2.5


def test_read_timeout_is_retried_for_idempotent_calls(session_emu, agent_id):
    session_emu.inject_delay(3, times=1, path="/agents/{}/".format(agent_id))
    with DataClient(base_url=session_emu.base_url, token=session_emu.token_for(agent_id), agent_id=agent_id,
                    retry=RetryPolicy(total=1, backoff_factor=0, backoff_jitter=0), timeout=(10, 0.5)) as patient:
        assert patient.list_messages("slow") == []


def test_emulator_down_then_back_up(client, session_emu, agent_id):
    client.update_channel_aggregate("up", {"a": 1})
    session_emu.stop()
    try:
        with DataClient(base_url=session_emu.base_url, token=session_emu.token_for(agent_id), agent_id=agent_id,
                        retry=False) as offline:
            with pytest.raises(APIConnectionError):
                offline.fetch_channel_aggregate("up")
    finally:
        session_emu.start()
    assert client.fetch_channel_aggregate("up").data == {"a": 1}
