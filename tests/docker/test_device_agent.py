import asyncio
import datetime as dt

import pytest

from doover._snowflake import snowflake_to_ms
from doover.docker import DeviceAgentInterface, MockDeviceAgentInterface
from doover.docker import PayloadError
from doover.exceptions import APIConnectionError, NotFoundError

AGENT = 4242  # the agent of the cloud fixture (conftest.py)
TOKEN = "device-token-1"


@pytest.fixture
def agent(cloud, tmp_path):
    a = DeviceAgentInterface("app", AGENT, cloud.base_url, TOKEN, str(tmp_path / "ob.sqlite"),
                             poll_interval=0.05, max_backoff=0.2)
    yield a
    a.close()


def test_create_message_is_posted_under_its_client_id(agent, cloud, wait):
    when = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
    mid = agent.create_message("events", {"temp": 21.5}, timestamp=when)
    assert snowflake_to_ms(mid) == int(when.timestamp() * 1000)
    assert agent.flush(10)
    posts = [r for r in cloud.requests if r[0] == "POST"]
    assert posts == [("POST", "/api/agents/{}/channels/events/messages/{}".format(AGENT, mid), {},
                      {"data": {"temp": 21.5}, "ts": int(when.timestamp() * 1000)})]
    assert agent.outbox_depth() == 0


def test_update_aggregate_patches_with_replace_keys_and_is_visible_at_once(agent, cloud):
    cloud.aggregates[(AGENT, "state")] = {"a": {"old": 1}, "keep": 1}
    agg = agent.update_channel_aggregate("state", {"a": {"new": 2}}, replace_keys=["a"])
    assert agg.data == {"a": {"new": 2}}  # local cache: nothing known before, own write applied
    assert agent.flush(10)
    method, path, query, body = [r for r in cloud.requests if r[0] == "PATCH"][0]
    assert (path, query, body) == ("/api/agents/{}/channels/state/aggregate".format(AGENT),
                                   {"suppress_response": ["true"], "replace": ["a"]}, {"a": {"new": 2}})
    assert cloud.aggregate("state") == {"a": {"new": 2}, "keep": 1}
    assert agent.fetch_channel_aggregate("state").data == {"a": {"new": 2}, "keep": 1}


def test_fetch_aggregate_keeps_an_own_write_delivered_while_the_fetch_was_in_flight(agent, cloud):
    cloud.aggregates[(AGENT, "state")] = {"keep": 1}
    agent.update_channel_aggregate("state", {"level": 7}, max_age_secs=60)  # held in the outbox
    real_fetch = agent.cloud.fetch_aggregate

    def fetch_then_deliver(channel):
        raw = real_fetch(channel)  # the server's view, without the held write...
        assert agent.flush(10)     # ...which is delivered (and leaves the queue) before the answer is used
        return raw

    agent.cloud.fetch_aggregate = fetch_then_deliver
    assert agent.fetch_channel_aggregate("state").data == {"keep": 1, "level": 7}
    assert agent.outbox_depth() == 0
    assert cloud.aggregate("state") == {"keep": 1, "level": 7}


def test_replace_data_is_sent_as_put(agent, cloud):
    cloud.aggregates[(AGENT, "state")] = {"x": 1}
    agent.update_channel_aggregate("state", {"y": 2}, replace_data=True)
    assert agent.flush(10)
    assert [r[0] for r in cloud.requests if r[1].endswith("/aggregate")] == ["PUT"]
    assert cloud.aggregate("state") == {"y": 2}


def test_fetch_aggregate_offline_returns_own_writes(cloud, tmp_path):
    cloud.stop()
    a = DeviceAgentInterface("app", AGENT, cloud.base_url, TOKEN, poll_interval=0.05, max_backoff=0.2)
    try:
        a.update_channel_aggregate("tag_values", {"app": {"level": 4.2}}, max_age_secs=5)
        assert a.fetch_channel_aggregate("tag_values").data == {"app": {"level": 4.2}}
        with pytest.raises(APIConnectionError):
            a.fetch_channel_aggregate("never_written")
        assert a.get_is_dda_online() is False
    finally:
        a.close()


def test_fetch_missing_channel_raises_not_found(agent):
    with pytest.raises(NotFoundError):
        agent.fetch_channel_aggregate("nope")


def test_payload_rules_name_the_bad_key(agent):
    with pytest.raises(PayloadError, match=r"invalid key 'a\.b'"):
        agent.create_message("c", {"ok": {"a.b": 1}})
    with pytest.raises(PayloadError, match="top level"):
        agent.update_channel_aggregate("c", [1, 2])
    assert agent.outbox_depth() == 0


def test_outage_then_recovery_delivers_each_message_once_in_order(agent, cloud, wait):
    cloud.stop()
    for n in range(5):
        agent.create_message("events", {"n": n})
    assert wait(lambda: agent.get_has_dda_been_online() is False and agent.outbox_depth() == 5, 5)
    cloud.start()
    assert agent.flush(20)
    assert cloud.message_data("events") == [{"n": n} for n in range(5)]


def test_injected_503s_and_dropped_connections_do_not_duplicate(agent, cloud):
    cloud.fail_next(3, 503)
    cloud.drop_next(2)
    ids = [agent.create_message("events", {"n": n}) for n in range(4)]
    assert agent.flush(20)
    assert cloud.message_data("events") == [{"n": n} for n in range(4)]
    assert sorted(int(i) for i in cloud.messages[(AGENT, "events")]) == ids


def test_lost_answer_resend_gets_409_and_counts_as_sent(agent, cloud):
    mid = agent.create_message("events", {"n": 1})
    assert agent.flush(10)
    # the same item again (as after a crash between send and ack): server says 409, outbox drains
    agent.outbox.put_message("events", {"n": 1}, mid)
    assert agent.flush(10)
    assert cloud.message_data("events") == [{"n": 1}]


def test_bad_request_item_is_dropped_not_retried_forever(agent, cloud):
    cloud.fail_next(1, 400)
    agent.create_message("events", {"n": 1})
    agent.create_message("events", {"n": 2})
    assert agent.flush(10)
    assert cloud.message_data("events") == [{"n": 2}]


def test_subscription_sync_then_aggregate_and_message_events_on_dispatch(agent, cloud, wait):
    cloud.aggregates[(AGENT, "cmds")] = {"mode": "auto"}
    seen = []
    agent.add_event_callback("cmds", lambda e: seen.append((e.event_type, e.channel_name)))
    assert agent.wait_for_channels_sync(["cmds"], timeout=10)
    assert wait(lambda: agent.pending_events() >= 1, 10)
    assert seen == []  # queued, not run on the poller thread
    agent.dispatch_pending()
    assert seen == [("channel_sync", "cmds")]
    with cloud.lock:
        cloud.aggregates[(AGENT, "cmds")] = {"mode": "manual"}
    cloud.route("POST", ["agents", str(AGENT), "channels", "cmds", "messages"], {}, {"data": {"go": 1}})
    assert wait(lambda: agent.pending_events() >= 2, 10)
    agent.dispatch_pending()
    assert sorted(seen[1:]) == [("aggregate_update", "cmds"), ("message_create", "cmds")]


def test_event_filter_and_legacy_add_subscription(agent, cloud, wait):
    cloud.aggregates[(AGENT, "cfg")] = {"v": 1}
    got = []
    agent.add_subscription("cfg", lambda name, data: got.append((name, data)))
    assert wait(lambda: agent.pending_events() >= 1, 10)
    agent.dispatch_pending()
    assert got == [("cfg", {"v": 1})]
    with pytest.raises(ValueError, match="unknown event type 'bogus'"):
        agent.add_event_callback("cfg", print, events=["bogus"])


def test_list_and_fetch_messages(agent, cloud):
    a = agent.create_message("log", {"n": 1})
    b = agent.create_message("log", {"n": 2})
    assert agent.flush(10)
    listed = agent.list_messages("log", after=a - 1)
    assert [(m.id, m.data) for m in listed] == [(b, {"n": 2}), (a, {"n": 1})]
    assert agent.fetch_message("log", a).data == {"n": 1}
    assert [c.name for c in agent.list_channels()] == ["log"]


def test_mock_keeps_messages_merges_aggregates_and_runs_callbacks():
    mock = MockDeviceAgentInterface("app")
    events = []
    mock.add_event_callback("tag_values", lambda e: events.append((e.event_type, e.aggregate.data)),
                            events=["channel_sync", "aggregate_update"])
    mock.update_channel_aggregate("tag_values", {"app": {"a": 1, "b": {"c": 1}}})
    mock.update_channel_aggregate("tag_values", {"app": {"b": {"d": 2}}})
    mid = mock.create_message("log", {"x": 1})
    assert mid > 0 and mock.messages["log"][0].id == mid
    assert mock.fetch_channel_aggregate("tag_values").data == {"app": {"a": 1, "b": {"c": 1, "d": 2}}}
    assert mock.dispatch_pending() == 3
    assert events[0] == ("channel_sync", {})
    assert events[-1] == ("aggregate_update", {"app": {"a": 1, "b": {"c": 1, "d": 2}}})


def test_async_callback_is_driven_by_dispatch(agent, cloud, wait):
    cloud.aggregates[(AGENT, "cmds")] = {"m": 1}
    seen = []

    async def cb(event):
        await asyncio.sleep(0)
        seen.append(event.aggregate.data)

    agent.add_event_callback("cmds", cb, events="channel_sync")
    assert wait(lambda: agent.pending_events() >= 1, 10)
    agent.dispatch_pending()
    assert seen == [{"m": 1}]
