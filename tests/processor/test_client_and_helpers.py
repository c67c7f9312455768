import datetime
import logging

import pytest

from doover.exceptions import DooverError, InvokingChannelError
from doover.processor import ProcessorDataClient, run_app


def _run(app, event):
    return run_app(app, event, None, setup_logging=False)


@pytest.mark.parametrize("call", [
    lambda api: api.create_message("sensors", {"a": 1}),
    lambda api: api.update_channel_aggregate("sensors", {"a": 1}),
    lambda api: api.update_message("sensors", 5, {"a": 1}),
])
def test_write_to_invoking_channel_is_refused_with_a_runtime_error(cloud, h, kind, call):
    caught = []

    def on_message_create(self, event):
        try:
            yield call(self.api)
        except RuntimeError as exc:
            caught.append(exc)

    _run(h.make_app(kind, on_message_create=on_message_create)(), h.event_for("on_message_create"))
    assert len(caught) == 1 and isinstance(caught[0], InvokingChannelError)
    assert "Cannot publish to the invoking channel 'sensors'" in str(caught[0])
    assert [c["method"] for c in cloud.calls] == ["GET", "POST"]


def test_allow_invoking_channel_writes_and_warns(cloud, h, kind, caplog):
    def on_message_create(self, event):
        yield self.api.update_channel_aggregate("sensors", {"seen": 1}, allow_invoking_channel=True)

    with caplog.at_level(logging.WARNING, logger="doover.processor.api"):
        out = _run(h.make_app(kind, on_message_create=on_message_create)(), h.event_for("on_message_create"))
    assert out["status"] == "success"
    assert cloud.calls[1]["path"] == "/agents/111/channels/sensors/aggregate"
    assert cloud.calls[1]["body"] == {"seen": 1}
    assert "Publishing to invoking channel 'sensors' with allow_invoking_channel=True" in caplog.text


def test_agent_and_organisation_default_from_the_invocation_and_can_be_overridden(cloud, h):
    def on_schedule(self, event):
        self.api.create_message("out", {"a": 1})
        self.api.create_message("out", {"a": 2}, agent_id=222, organisation_id=9)
        self.publish("out", {"a": 3})

    _run(h.make_app("sync", on_schedule=on_schedule)(), h.event_for("on_schedule"))
    writes = [(c["path"], c["org"], c["body"]) for c in cloud.calls[1:4]]
    assert writes == [("/agents/111/channels/out/messages", "7", {"data": {"a": 1}}),
                      ("/agents/222/channels/out/messages", "9", {"data": {"a": 2}}),
                      ("/agents/111/channels/out/messages", "7", {"data": {"a": 3}})]


def test_tag_values_write_scoped_to_own_key_is_allowed_when_tag_values_invoked(h):
    client = ProcessorDataClient(base_url="http://x")
    client.invoking_channel, client.app_key = "tag_values", "my_app"
    client.check_write("tag_values", {"my_app": {"a": 1}}, False)
    with pytest.raises(InvokingChannelError, match="outside the scope of app 'my_app'"):
        client.check_write("tag_values", {"my_app": {}, "other": {}}, False)


def test_fetch_channel_and_send_notification_validation(cloud, h, kind):
    got = []

    def on_schedule(self, event):
        got.append((yield self.fetch_channel("status")))
        with pytest.raises(DooverError, match="severity: expected an integer 3..7"):
            self.send_notification("x", severity=12)
        with pytest.raises(DooverError, match="title: expected a string or None"):
            self.send_notification("x", title=5)
        yield self.send_notification("hello", title="T", topic="alarm", agent_id=222)

    _run(h.make_app(kind, on_schedule=on_schedule)(), h.event_for("on_schedule"))
    assert (got[0].name, got[0].aggregate.data) == ("x", {"v": 1})  # a doover.models Channel
    assert cloud.calls[1]["path"] == "/agents/111/channels/status?include_aggregate=true"
    assert cloud.calls[2]["path"] == "/agents/222/channels/notifications/messages"
    assert cloud.calls[2]["body"] == {"data": {"message": "hello", "title": "T", "topic": "alarm"}}


@pytest.mark.parametrize("connection,expected", [
    ({"config": {"connection_type": "Periodic", "offline_after": None}}, "Online"),
    (None, "Online"),
    ({"config": {"connection_type": "Periodic", "offline_after": 60}}, "Offline"),
])
def test_ping_connection_threshold_and_null_offline_after(cloud, h, kind, connection, expected):
    cloud.info = h.info(connection=connection)
    online = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=600)

    def on_schedule(self, event):
        yield self.ping_connection(online_at=online)

    out = _run(h.make_app(kind, on_schedule=on_schedule)(), h.event_for("on_schedule"))
    assert out["status"] == "success"
    message, patch = cloud.calls[1], cloud.calls[2]
    assert message["path"] == "/agents/111/channels/doover_connection/messages"
    assert patch["path"] == "/agents/111/channels/doover_connection/aggregate"
    assert patch["body"] == message["body"]["data"]
    assert patch["body"]["determination"] == expected
    assert "ip" not in patch["body"]["status"]  # no outbound IP lookup unless asked; unknown IP not sent
    assert patch["body"]["status"]["last_online"] == int(round(online.timestamp() * 1000))
    assert patch["body"]["status"]["user_agent"] == "doover-processor,app_key=my_app"


def test_ping_connection_with_offline_at_updates_the_config_first(cloud, h):
    cloud.info = h.info(connection={"config": {"connection_type": "Periodic", "offline_after": 60}})
    now = datetime.datetime.now(datetime.timezone.utc)
    App = h.make_app("sync", on_schedule=lambda self, e: self.ping_connection(
        online_at=now, offline_at=now + datetime.timedelta(seconds=900)))
    _run(App(), h.event_for("on_schedule"))
    assert cloud.calls[1]["body"] == {"data": {"config": {"connection_type": "Periodic", "offline_after": 900}}}
    assert cloud.calls[2]["body"] == {"config": {"connection_type": "Periodic", "offline_after": 900}}
    assert cloud.calls[4]["body"]["determination"] == "Online"


def test_client_before_setup_names_the_missing_agent():
    client = ProcessorDataClient(base_url="http://x")
    with pytest.raises(DooverError, match="agent_id: no agent given"):
        client.create_message("c", {})
    assert client.lookup_ip is False


def test_batch_size_is_checked_before_sending():
    client = ProcessorDataClient(base_url="http://x")
    client.agent_id = 1
    with pytest.raises(DooverError, match="items: expected 1 to 50 batch items, got 0"):
        client.batch_create_messages([])


def test_tags_are_unavailable_in_pre_hook_filter(cloud, h):
    errors = []

    def pre_hook_filter(self, event):
        try:
            self.get_tag("counter")
        except DooverError as exc:
            errors.append(str(exc))
        return False

    _run(h.make_app("sync", pre_hook_filter=pre_hook_filter, on_schedule=lambda s, e: 1)(), h.event_for("on_schedule"))
    assert errors == ["tags: the tag manager exists only after setup (not in pre_hook_filter)"]
