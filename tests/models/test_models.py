"""Wire models: reference examples, tolerance, DecodeError paths, enums, events, Notification."""

import datetime as dt
from typing import List

import pytest

from doover.exceptions import DecodeError, InvalidArgumentError
from doover.models import (
    AgentAggregate,
    Aggregate,
    AggregateUpdateEvent,
    Alarm,
    AlarmOperator,
    AlarmState,
    BatchAggregateResponse,
    BatchMessageResponse,
    BatchMutationItem,
    BatchMutationResponse,
    Channel,
    ChannelID,
    ChannelSyncEvent,
    ConnectionConfig,
    ConnectionDetermination,
    ConnectionDisplay,
    ConnectionStatus,
    ConnectionType,
    DeploymentEvent,
    DooverConnectionStatus,
    IngestionEndpointEvent,
    ManualInvokeEvent,
    Message,
    MessageCreateEvent,
    MessageUpdateEvent,
    Notification,
    NotificationSeverity,
    NotificationType,
    OneShotMessage,
    ScheduleEvent,
    SubscriptionInfo,
    TimeseriesResponse,
    structure,
    unstructure,
)

UTC = dt.timezone.utc
MESSAGE = {
    "id": "193588160649819432",
    "author_id": "11111",
    "channel": {"agent_id": "12345", "name": "test_channel"},
    "data": {"temperature": 22.5},
    "attachments": [{"filename": "photo.jpg", "content_type": "image/jpeg", "size": 1024, "url": "https://x/a/9"}],
}


def test_message_reference_example_parses_and_round_trips():
    message = Message.from_dict(MESSAGE)
    assert message.id == 193588160649819432 and message.author_id == 11111
    assert message.channel == ChannelID(12345, "test_channel")
    assert message.attachments[0].size == 1024
    assert message.timestamp == dt.datetime(2026, 6, 19, 4, 50, 14, 193000, tzinfo=UTC)
    assert message.to_dict() == MESSAGE


def test_ids_accept_numbers_and_strings_and_reject_junk():
    assert Message.from_dict(dict(MESSAGE, id=5, author_id="6")).id == 5
    with pytest.raises(DecodeError) as info:
        Message.from_dict(dict(MESSAGE, id=True))
    assert info.value.path == "$.id"
    with pytest.raises(DecodeError) as info:
        Message.from_dict(dict(MESSAGE, channel={"agent_id": "12x", "name": "c"}))
    assert info.value.path == "$.channel.agent_id"
    assert "expected a decimal id, got '12x'" in str(info.value)


def test_unknown_fields_are_ignored_everywhere():
    raw = dict(MESSAGE, record_log=True, timestamp=1)
    raw["channel"] = dict(raw["channel"], extra=1)
    assert Message.from_dict(raw).data == {"temperature": 22.5}


def test_decode_error_names_path_in_nested_list():
    payload = {"count": 3, "results": [{"value": 1, "message_id": "1"}, {"value": 1, "message_id": "2"}, {"value": 1}]}
    with pytest.raises(DecodeError) as info:
        TimeseriesResponse.from_dict(payload)
    assert info.value.path == "$.results[2].message_id"
    assert str(info.value) == "could not decode TimeseriesResponse: required field missing @ $.results[2].message_id"


def test_decode_error_for_wrong_container():
    with pytest.raises(DecodeError) as info:
        structure({"not": "a list"}, List[Message])
    assert info.value.path == "$"
    assert "expected an array, got object" in str(info.value)
    with pytest.raises(DecodeError) as info:
        BatchMessageResponse.from_dict({"results": {"a": 1}, "count": 1})
    assert info.value.path == "$.results"
    with pytest.raises(DecodeError) as info:
        Message.from_dict([1, 2])
    assert "expected an object for Message, got array" in str(info.value)


def test_aggregate_last_updated_is_utc_datetime_and_ms_on_wire():
    agg = Aggregate.from_dict({"data": {"status": "ok"}, "attachments": [], "last_updated": 1700000000123})
    assert agg.last_updated == dt.datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=UTC)
    assert agg.to_dict()["last_updated"] == 1700000000123
    assert Aggregate.from_dict({"data": {}}).last_updated is None


def test_channel_with_null_or_empty_aggregate_has_none():
    base = {"name": "s", "owner_id": "55555", "is_private": False, "aggregate_schema": {"type": "object"}, "message_schema": None}
    assert Channel.from_dict(dict(base, aggregate=None)).aggregate is None
    assert Channel.from_dict(dict(base, aggregate={})).aggregate is None
    full = Channel.from_dict(dict(base, aggregate={"data": {"a": 1}}, alarms_enabled=True, daily_message_summaries=[{"d": 1}]))
    assert full.aggregate.data == {"a": 1} and full.alarms_enabled is True and full.owner_id == 55555


def test_bool_fields_do_not_accept_arbitrary_strings():
    base = {"name": "s", "owner_id": "1"}
    assert Channel.from_dict(dict(base, is_private="false")).is_private is False
    with pytest.raises(DecodeError) as info:
        Channel.from_dict(dict(base, is_private="maybe"))
    assert info.value.path == "$.is_private"


def test_batch_models_reference_examples():
    response = BatchMessageResponse.from_dict({"results": [MESSAGE], "count": 1, "next": "1935"})
    assert response.next == 1935 and response.to_dict()["next"] == "1935"
    aggs = BatchAggregateResponse.from_dict(
        {"results": [{"agent_id": "1", "data": {"x": 1}, "attachments": [], "last_updated": 1700000000000}], "count": 1}
    )
    assert isinstance(aggs.results[0], AgentAggregate) and aggs.results[0].aggregate.data == {"x": 1}
    mutation = BatchMutationResponse.from_dict(
        {"items": [{"agent_id": "1", "channel_name": "c", "success": True, "message_id": "9", "error": None}],
         "count": 1, "succeeded": 1, "failed": 0}
    )
    assert mutation.items[0].message_id == 9
    assert mutation.to_dict()["items"][0] == {"agent_id": "1", "channel_name": "c", "success": True, "message_id": "9"}


def test_batch_mutation_item_wire_form_sends_only_set_keys():
    item = BatchMutationItem(1, "c", {"a": 1}, message_id=9, timestamp=1748736000000, ttl=60, replace=["a.b"], suppress_hooks=True)
    assert item.to_dict() == {
        "agent_id": "1", "channel_name": "c", "data": {"a": 1}, "message_id": "9", "ts": 1748736000000,
        "ttl": 60, "replace": ["a.b"], "suppress_hooks": True,
    }
    assert BatchMutationItem("2", "d").to_dict() == {"agent_id": "2", "channel_name": "d"}
    assert BatchMutationItem(1, "c", timestamp=dt.datetime(2025, 6, 1, tzinfo=UTC)).timestamp == 1748736000000


def test_alarm_reference_example_and_alarm_pending():
    alarm = Alarm.from_dict({"id": "7", "name": "high temp", "description": "", "enabled": True, "key": "temperature",
                             "operator": "gt", "value": 30, "state": "AlarmPending", "entered_state_ts": 1700000000000,
                             "expiry_mins": 10.0})
    assert alarm.operator is AlarmOperator.gt and alarm.state is AlarmState.AlarmPending
    assert alarm.to_dict()["state"] == "AlarmPending"


@pytest.mark.parametrize(
    "enum_cls, value, member",
    [
        (ConnectionStatus, "PeriodicUnknown", ConnectionStatus.periodic_unknown),
        (ConnectionStatus, "continuous_online_no_ping", ConnectionStatus.continuous_online_no_ping),
        (ConnectionDetermination, "online", ConnectionDetermination.online),
        (ConnectionType, "constant", ConnectionType.continuous),
        (ConnectionType, "continuous", ConnectionType.continuous),
        (ConnectionType, "periodic", ConnectionType.periodic),
        (ConnectionType, "periodic_continuous", ConnectionType.periodic_continuous),
        (ConnectionDisplay, "OnlineOnly", ConnectionDisplay.online_only),
        (AlarmOperator, ">=", AlarmOperator.ge),
        (NotificationType, "sms", NotificationType.Sms),
        (NotificationType, 1, NotificationType.Email),
        (NotificationSeverity, "warning", NotificationSeverity.Warn),
        (NotificationSeverity, "ERROR", NotificationSeverity.Critical),
        (NotificationSeverity, "err", NotificationSeverity.Critical),
        (NotificationSeverity, "fatal", NotificationSeverity.Critical),
        (NotificationSeverity, "crit", NotificationSeverity.Critical),
        (NotificationSeverity, 3, NotificationSeverity.Trace),
        (NotificationSeverity, "Info", NotificationSeverity.Info),
    ],
)
def test_enum_input_spellings(enum_cls, value, member):
    assert enum_cls(value) is member
    assert structure(value, enum_cls) is member


def test_enum_wire_forms():
    assert [m.value for m in ConnectionStatus] == [
        "ContinuousOnline", "ContinuousOnlineNoPing", "ContinuousOffline", "ContinuousPending", "PeriodicUnknown", "Unknown",
    ]
    assert [m.value for m in ConnectionDisplay] == ["Always", "OnlineOnly", "OfflineOnly", "Never"]
    assert unstructure(NotificationSeverity.Warn) == "Warn" and unstructure(NotificationType.WebPush) == "WebPush"
    assert ConnectionType.from_v1("constant") is ConnectionType.continuous
    with pytest.raises(DecodeError, match="expected one of Continuous, PeriodicContinuous, Periodic"):
        structure("sometimes", ConnectionType)


def test_connection_models_wire_rules():
    assert ConnectionConfig(ConnectionType.continuous, offline_after=3600, display=ConnectionDisplay.always).to_dict() == {
        "connection_type": "Continuous", "expected_interval": None, "offline_after": 3600, "sleep_time": None,
        "next_wake_time": None, "display": "Always",
    }
    status = DooverConnectionStatus.from_dict(
        {"status": "PeriodicUnknown", "last_online": 1767225600000, "last_ping": 1767225900000,
         "user_agent": "ua", "ip": "1.2.3.4", "latency_ms": 50}
    )
    assert status.last_online == dt.datetime(2026, 1, 1, tzinfo=UTC)
    assert status.to_dict() == {"status": "PeriodicUnknown", "last_online": 1767225600000, "last_ping": 1767225900000,
                                "user_agent": "ua", "ip": "1.2.3.4", "latency_ms": 50}


def test_subscription_info_tolerates_null_parts_and_bad_connection_data(caplog):
    info = SubscriptionInfo.from_dict({
        "agent_id": "111", "organisation_id": "7", "app_key": "a", "token": "T", "deployment_config": {},
        "ui_state": None, "ui_cmds": None, "tag_values": None,
        "connection_data": {"config": {"connection_type": "Weird"}, "status": {"status": "PeriodicUnknown"}},
    })
    assert info.tag_values is None
    assert info.connection_config is None and "connection_data.config" in caplog.text
    assert info.connection_status.status is ConnectionStatus.periodic_unknown


# ------------------------------------------------------------------ events

PROCESSOR_MESSAGE_D = {
    "organisation_id": "7363803534221262848",
    "owner_id": "164589663015689482",
    "channel_name": "dv-rpc",
    "channel": {"agent_id": "1", "name": "ignored"},
    "message": {
        "id": "164885485443898671", "author_id": "7363803534221262848",
        "channel": {"agent_id": "164589663015689482", "name": "dv-rpc"},
        "data": {"type": "rpc", "method": "record_service"}, "attachments": [],
    },
}


def test_message_create_event_wrapped_layout_takes_channel_from_message():
    event = MessageCreateEvent.from_dict(PROCESSOR_MESSAGE_D)
    assert event.channel == ChannelID(164589663015689482, "dv-rpc")
    assert event.message.id == 164885485443898671
    assert event.raw is PROCESSOR_MESSAGE_D


def test_message_create_event_bare_layout_and_one_shot():
    bare = PROCESSOR_MESSAGE_D["message"]
    event = MessageCreateEvent.from_dict(bare)
    assert event.channel.name == "dv-rpc" and event.message.data["method"] == "record_service"
    one_shot = OneShotMessage.from_dict(bare)
    assert isinstance(one_shot, MessageCreateEvent)


def test_message_create_event_without_channel_names_path():
    with pytest.raises(DecodeError) as info:
        MessageCreateEvent.from_dict({"id": "1", "author_id": "2", "data": {}})
    assert info.value.path == "$.channel"


def test_aggregate_update_event_processor_example():
    d = {
        "author_id": "7363803534221262848", "organisation_id": "7363803534221262848",
        "channel": {"agent_id": "164589663015689482", "name": "tag_values"},
        "aggregate": {"data": {"app_a": {"odometer_km": 5}}, "attachments": [], "last_updated": 1775001139307},
        "request_data": {"data": {"app_a": {"odometer_km": 5}}},
    }
    event = AggregateUpdateEvent.from_dict(d)
    assert event.channel.name == "tag_values" and event.author_id == 7363803534221262848
    assert event.request_data.data == {"app_a": {"odometer_km": 5}}
    assert event.aggregate.last_updated.year == 2026
    bare_patch = AggregateUpdateEvent.from_dict(dict(d, request_data={"app_a": {"odometer_km": 6}}))
    assert bare_patch.request_data.data == {"app_a": {"odometer_km": 6}}


def test_message_update_event_edge_example():
    d = {"channel": {"agent_id": 12345, "name": "ui_cmds"}, "author_id": 1, "organisation_id": 7,
         "message": {"id": 250705985746763812, "author_id": 1, "channel": {"agent_id": 12345, "name": "ui_cmds"},
                     "data": {"status": {"code": "success", "message": None}}, "attachments": []},
         "request_data": {"status": {"code": "success", "message": None}}}
    event = MessageUpdateEvent.from_dict(d)
    assert event.message.id == 250705985746763812 and event.request_data == d["request_data"]


def test_small_events():
    deployment = DeploymentEvent.from_dict({"organisation_id": 7, "agent_id": "111", "app_id": "123", "app_install_id": "456",
                                            "app_key": "my_app", "app_display_name": "My App"})
    assert (deployment.agent_id, deployment.app_id, deployment.app_install_id, deployment.app_key) == (111, 123, 456, "my_app")
    assert ScheduleEvent.from_dict({"schedule_id": "sched-1", "organisation_id": "7"}).schedule_id == "sched-1"
    assert ScheduleEvent.from_dict({"schedule_id": "42"}).schedule_id == 42
    manual = ManualInvokeEvent.from_dict({"organisation_id": "7", "payload": {"report_id": 123}})
    assert manual.payload == {"report_id": 123} and manual.organisation_id == 7
    sync = ChannelSyncEvent.from_dict({"aggregate": {"data": {"x": 1}}})
    assert sync.aggregate.data == {"x": 1} and sync.channel is None


def test_ingestion_event_takes_parsed_payload():
    d = {"ingestion_id": "999", "agent_id": "111", "organisation_id": "7", "payload": "eyJ0ZW1wIjogM30=",
         "invocation_url": "https://x", "content_type": "application/json", "upgrade": {}}
    event = IngestionEndpointEvent.from_dict(d, payload={"temp": 3})
    assert event.payload == {"temp": 3} and event.ingestion_id == 999 and event.content_type == "application/json"
    assert IngestionEndpointEvent.from_dict(d).payload == "eyJ0ZW1wIjogM30="
    assert event.raw is d


# ------------------------------------------------------------------ Notification


def test_notification_wire_form_uses_integer_severity():
    note = Notification("Pump stopped", title="Site 4", severity="warning", topic="pumps")
    assert note.to_dict() == {"message": "Pump stopped", "title": "Site 4", "severity": 6, "topic": "pumps"}
    assert Notification("x").to_dict() == {"message": "x"}
    assert Notification.from_dict({"message": "x", "severity": 7}).severity is NotificationSeverity.Critical


@pytest.mark.parametrize(
    "args, text",
    [
        (("",), "message: expected a non-empty str, got an empty string"),
        (("   ",), "message: expected a non-empty str"),
        ((None,), "message: expected a non-empty str, got NoneType"),
        (("m", 5), "title: expected a str or None, got int"),
        (("m", None, "loud"), "severity: expected a NotificationSeverity"),
        (("m", None, 2), "severity: expected"),
        (("m", None, True), "severity: expected"),
        (("m", None, None, ["t"]), "topic: expected a str or None, got list"),
    ],
)
def test_notification_validates_eagerly(args, text):
    with pytest.raises(InvalidArgumentError, match=text) as info:
        Notification(*args)
    assert isinstance(info.value, ValueError) and isinstance(info.value, TypeError)
