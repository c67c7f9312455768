"""``on_alarm_trigger``: the AlarmTriggerEvent model and the processor op.

The expected values of the decoding tests were recorded by parsing the same bodies with the
platform SDK (pydoover 1.18.3, ``pydoover.models.AlarmTriggerEvent.from_dict``) by hand; where
doover differs on purpose it says so (ids are ints, numbers of float fields are floats).
"""

import copy
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doover import models as m
from doover.exceptions import DecodeError
from doover.models import AlarmOperator, AlarmState, AlarmTriggerEvent, structure
from doover.processor import Application, run_app
from wire_fuzz import json_values, one_value_changed_or_removed

UTC = dt.timezone.utc

BODY = {
    "channel": {"agent_id": "111", "name": "sensors"},
    "alarm": {"id": "164885485443898999", "name": "Hot tank", "description": "too hot", "enabled": True,
              "key": "tank.temp", "operator": "gt", "value": 30, "state": "Alarm",
              "entered_state_ts": 1775001139307, "expiry_mins": 15, "alarm_pending_ms": 60000,
              "topic_name": "tank", "channel_name": "sensors",
              "conditions": [{"id": "c1", "type": "threshold", "key": "tank.temp", "operator": "gt", "value": 30}]},
    "old_state": "OK",
    "new_state": "Alarm",
    "aggregate": {"data": {"tank": {"temp": 31.5, "level": 80}}, "attachments": [], "last_updated": 1775001139307},
    "request_data": {"data": {"tank": {"temp": 31.5}}},
    "organisation_id": "7",
}

# an alarm described by its conditions only (no key/operator/value): a time window and a rate
CONDITIONS_ONLY = {
    "channel": {"agent_id": 111, "name": "tank"},
    "alarm": {"id": 42, "name": "Rising", "description": "", "enabled": True, "state": "OK",
              "entered_state_ts": 1775001200000,
              "conditions": [{"id": "c1", "type": "time_of_day", "from_ms": 0, "to_ms": 1000},
                             {"id": "c2", "type": "rate", "key": "level", "operator": "lt",
                              "rate_threshold": -0.5, "rate_window_ms": 300000}]},
    "old_state": "AlarmPending",
    "new_state": "OK",
    "aggregate": {"data": {"level": "n/a"}},
    "request_data": {"data": {}},
    "organisation_id": 9,
}


# ---------------------------------------------------------------- decoding


def test_full_body_decodes_to_the_values_the_platform_sdk_reads():
    event = AlarmTriggerEvent.from_dict(copy.deepcopy(BODY))
    # pydoover: channel 111/sensors; alarm id 164885485443898999, 'Hot tank', key 'tank.temp', gt 30,
    # state Alarm, entered_state_ts 1775001139307, expiry_mins 15, alarm_pending_ms 60000, enabled,
    # 'too hot'; OK -> Alarm; is_alarm True, is_cleared False, value 31.5; organisation_id '7' (str)
    assert (event.channel.agent_id, event.channel.name) == (111, "sensors")
    alarm = event.alarm
    assert (alarm.id, alarm.name, alarm.key, alarm.operator, alarm.value) == (
        164885485443898999, "Hot tank", "tank.temp", AlarmOperator.gt, 30)
    assert (alarm.state, alarm.entered_state_ts, alarm.expiry_mins, alarm.alarm_pending_ms) == (
        AlarmState.Alarm, 1775001139307, 15.0, 60000)
    assert (alarm.enabled, alarm.description) == (True, "too hot")
    assert (event.old_state, event.new_state) == (AlarmState.OK, AlarmState.Alarm)
    assert (event.is_alarm, event.is_cleared, event.value) == (True, False, 31.5)
    assert event.aggregate.data == {"tank": {"temp": 31.5, "level": 80}}
    assert event.aggregate.last_updated == dt.datetime(2026, 3, 31, 23, 52, 19, 307000, tzinfo=UTC)
    assert event.request_data.data == {"tank": {"temp": 31.5}}
    assert event.organisation_id == 7  # doover: an int id (pydoover keeps the string '7')
    assert event.raw == BODY  # the body as received, conditions included
    assert event.raw["alarm"]["conditions"][0]["id"] == "c1"


def test_conditions_only_alarm_takes_key_and_operator_from_its_primary_condition():
    event = AlarmTriggerEvent.from_dict(copy.deepcopy(CONDITIONS_ONLY))
    # pydoover: key 'level', operator lt (the rate condition; a time window is never primary),
    # value None, id 42; AlarmPending -> OK: is_alarm False, is_cleared True, value 'n/a'
    assert (event.alarm.key, event.alarm.operator, event.alarm.value, event.alarm.id) == (
        "level", AlarmOperator.lt, None, 42)
    assert (event.old_state, event.new_state) == (AlarmState.AlarmPending, AlarmState.OK)
    assert (event.is_alarm, event.is_cleared, event.value) == (False, True, "n/a")
    assert (event.organisation_id, event.channel.agent_id) == (9, 111)
    assert "key" not in event.raw["alarm"]  # raw is untouched by the reshaping


def test_time_window_only_alarm_has_no_key_operator_or_value_and_its_handler_runs():
    body = copy.deepcopy(CONDITIONS_ONLY)
    body["alarm"]["conditions"] = body["alarm"]["conditions"][:1]  # the time window alone
    event = AlarmTriggerEvent.from_dict(body)
    # pydoover 1.18.3 on this body: key '', operator None, value None, event.value None
    assert (event.alarm.key, event.alarm.operator, event.alarm.value, event.value) == ("", None, None, None)
    assert event.raw["alarm"]["conditions"] == [{"id": "c1", "type": "time_of_day", "from_ms": 0, "to_ms": 1000}]
    assert "operator" not in event.alarm.to_dict() and event.alarm.to_dict()["key"] == ""

    seen = []

    class App(Application):
        def pre_hook_filter(self, event):  # reached: the event decoded
            seen.append((event.alarm.name, event.alarm.key, event.is_cleared))
            return False

        def on_alarm_trigger(self, event):
            pass

    out = run_app(App(), {"op": "on_alarm_trigger", "token": "t", "d": body}, None, setup_logging=False)
    assert (out["status"], out["skip_reason"], seen) == ("skipped", "pre_hook_filter", [("Rising", "", True)])


@pytest.mark.parametrize("new_state, is_alarm, is_cleared", [
    ("Alarm", True, False), ("OK", False, True), ("AlarmPending", False, False), ("NoData", False, False),
])
def test_is_alarm_and_is_cleared_follow_the_new_state(new_state, is_alarm, is_cleared):
    event = AlarmTriggerEvent.from_dict(dict(BODY, new_state=new_state))
    assert (event.is_alarm, event.is_cleared) == (is_alarm, is_cleared)


@pytest.mark.parametrize("data, expected", [
    ({}, None), ({"tank": 5}, None), ({"tank": {"level": 1}}, None), ({"tank": {"temp": None}}, None),
    ({"tank": {"temp": [1, 2]}}, [1, 2]), ({"tank": {"temp": "hot"}}, "hot"),
])
def test_value_walks_the_dotted_key_and_is_none_when_absent(data, expected):
    event = AlarmTriggerEvent.from_dict(dict(BODY, aggregate={"data": data}))
    assert event.value == expected


def test_bare_request_data_patch_is_accepted_and_state_names_in_any_case():
    event = AlarmTriggerEvent.from_dict(dict(BODY, request_data={"tank": {"temp": 1}}, new_state="alarmpending"))
    assert event.request_data.data == {"tank": {"temp": 1}}
    assert event.new_state is AlarmState.AlarmPending


def test_bad_state_and_missing_alarm_fields_name_every_path():
    body = copy.deepcopy(BODY)
    body["new_state"] = "Exploded"
    del body["alarm"]["name"]
    body["alarm"]["enabled"] = "yes"
    with pytest.raises(DecodeError) as info:
        AlarmTriggerEvent.from_dict(body)
    assert info.value.path == "$.alarm.name"
    assert info.value.problems == [
        "required field missing @ $.alarm.name",
        "expected a boolean, got 'yes' @ $.alarm.enabled",
        "expected one of NoData, OK, Alarm, AlarmPending, got 'Exploded' @ $.new_state",
    ]


def test_wire_form_round_trips():
    event = AlarmTriggerEvent.from_dict(copy.deepcopy(BODY))
    wire = event.to_dict()
    assert wire["old_state"] == "OK" and wire["new_state"] == "Alarm" and wire["organisation_id"] == "7"
    assert wire["alarm"]["id"] == "164885485443898999" and wire["alarm"]["operator"] == "gt"
    again = AlarmTriggerEvent.from_dict(wire)
    assert again == event


# ---------------------------------------------------------------- same as the converter

CASES = [
    BODY,
    CONDITIONS_ONLY,
    dict(BODY, organisation_id=None, request_data={"a": 1}),
    dict(BODY, old_state=3, new_state=None),
    dict(BODY, alarm=dict(BODY["alarm"], id="x", enabled=2, expiry_mins="soon", alarm_pending_ms="1.5")),
    dict(BODY, alarm=dict(BODY["alarm"], expiry_mins="2.5", enabled="TRUE", operator=">=", entered_state_ts=None)),
    dict(BODY, alarm={"conditions": [{"type": "time_of_day"}], "id": 1, "name": "n", "value": 1, "state": "OK"}),
    dict(BODY, alarm={"conditions": "x", "id": 1}),
    dict(BODY, alarm=[]),
    dict(BODY, alarm=dict(BODY["alarm"], alarm_pending_ms=float("inf"), expiry_mins=float("-inf"))),
    dict(BODY, alarm=dict(BODY["alarm"], entered_state_ts=float("nan"))),
    dict(BODY, channel=None, aggregate=None),
    {k: v for k, v in BODY.items() if k != "aggregate"},
    [],
    "x",
]


def _outcome(fn, data):
    try:
        event = fn(copy.deepcopy(data))
    except DecodeError as exc:
        return ("error", str(exc), exc.path, exc.problems)
    return ("ok", event, type(event), event.raw)


def _with_converter(data):
    event = structure(data, AlarmTriggerEvent)
    object.__setattr__(event, "raw", data)
    return event


@pytest.mark.parametrize("index", range(len(CASES)))
def test_from_dict_matches_the_converter(index):
    ours = _outcome(AlarmTriggerEvent.from_dict, CASES[index])
    assert ours == _outcome(_with_converter, CASES[index])


_KEYS = ["channel", "alarm", "old_state", "new_state", "aggregate", "request_data", "organisation_id", "agent_id",
         "name", "id", "key", "operator", "value", "state", "enabled", "description", "entered_state_ts",
         "expiry_mins", "alarm_pending_ms", "conditions", "type", "data", "last_updated"]
_VALUES = json_values(_KEYS, ["true", "OK", "alarm", "gt", "<", "Alarm"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.one_of(st.dictionaries(st.sampled_from(_KEYS), _VALUES, max_size=8), _VALUES))
def test_random_bodies_decode_exactly_as_the_converter_decodes_them(body):
    assert _outcome(AlarmTriggerEvent.from_dict, body) == _outcome(_with_converter, body)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_valid_bodies_with_one_value_changed_or_removed_decode_as_the_converter_does(data):
    body = one_value_changed_or_removed(data, data.draw(st.sampled_from([BODY, CONDITIONS_ONLY])), _VALUES)
    assert _outcome(AlarmTriggerEvent.from_dict, body) == _outcome(_with_converter, body)


_ids = st.integers(min_value=0, max_value=(1 << 63) - 1)
_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=12)
_json_scalars = st.none() | st.booleans() | st.integers(-(2 ** 53), 2 ** 53) | st.floats(
    allow_nan=False, allow_infinity=False) | st.text(max_size=8)
_json_objects = st.dictionaries(st.text(max_size=6), st.recursive(
    _json_scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8), max_size=4)
_ms = st.integers(min_value=1735689600000, max_value=1735689600000 + (1 << 41))
_aggregates = st.builds(m.Aggregate, data=_json_objects, last_updated=st.none() | _ms.map(
    lambda v: dt.datetime.fromtimestamp(v // 1000, tz=UTC).replace(microsecond=(v % 1000) * 1000)))
_alarms = st.builds(m.Alarm, id=_ids, name=_names, key=st.lists(_names, min_size=1, max_size=3).map(".".join),
                    operator=st.sampled_from(AlarmOperator), value=_json_scalars, state=st.sampled_from(AlarmState),
                    description=st.text(max_size=8), enabled=st.booleans(), entered_state_ts=st.none() | _ms,
                    expiry_mins=st.none() | st.floats(0, 1e6), alarm_pending_ms=st.none() | st.integers(0, 10 ** 7))
_events = st.builds(AlarmTriggerEvent, channel=st.builds(m.ChannelID, _ids, _names), alarm=_alarms,
                    old_state=st.sampled_from(AlarmState), new_state=st.sampled_from(AlarmState),
                    aggregate=_aggregates, request_data=_aggregates, organisation_id=st.none() | _ids)


@settings(max_examples=150, deadline=None)
@given(_events)
def test_any_event_round_trips_through_its_json_wire_form(event):
    import json

    wire = json.loads(json.dumps(event.to_dict()))
    again = AlarmTriggerEvent.from_dict(wire)
    assert again == event and again.raw == wire
    assert structure(wire, AlarmTriggerEvent) == event
    assert (again.is_alarm, again.is_cleared) == (event.new_state == "Alarm", event.new_state == "OK")


def test_event_class_is_built_once_and_exported_from_doover_models():
    from doover.models import _events

    assert _events.AlarmTriggerEvent is m.AlarmTriggerEvent
    assert (AlarmTriggerEvent.__module__, AlarmTriggerEvent.__qualname__) == (
        "doover.models._events", "AlarmTriggerEvent")
    assert "AlarmTriggerEvent" in m.__all__


# ---------------------------------------------------------------- the processor op


def alarm_d(channel="sensors"):
    body = copy.deepcopy(BODY)
    body["channel"]["name"] = channel
    return body


def test_sync_and_async_handlers_get_the_typed_event_and_the_summary_names_the_op(cloud, h, kind):
    seen = []

    def on_alarm_trigger(self, event):
        seen.append(event)
        yield self.publish("alerts", {"alarm": event.alarm.name, "value": event.value, "raised": event.is_alarm})
        return "handled"

    App = h.make_app(kind, on_alarm_trigger=on_alarm_trigger)
    out = run_app(App(), h.sns(h.payload("on_alarm_trigger", alarm_d())), h.Context(), setup_logging=False)

    assert out == {"status": "success", "result": "handled", "skip_reason": None, "error": None}
    assert type(seen[0]) is AlarmTriggerEvent and seen[0].raw == BODY
    assert cloud.lines() == [
        "GET /processors/subscriptions/" + h.ARN,
        "POST /agents/111/channels/alerts/messages",
        "POST /agents/messages",
    ]
    assert cloud.calls[1]["body"] == {"data": {"alarm": "Hot tank", "value": 31.5, "raised": True}}
    summary = cloud.summaries()[0]
    assert (summary["event_type"], summary["status"], summary["subscription_id"]) == (
        "on_alarm_trigger", "success", h.ARN)


def test_app_without_the_hook_is_skipped_before_any_request(cloud, h, kind):
    App = h.make_app(kind, on_aggregate_update=lambda self, event: None)
    out = run_app(App(), h.sns(h.payload("on_alarm_trigger", alarm_d())), h.Context(), setup_logging=False)
    assert out == {"status": "skipped", "result": None, "skip_reason": "no_handler", "error": None}
    assert cloud.calls == []


def test_writing_to_the_alarm_channel_is_refused_unless_allowed(cloud, h, kind):
    def on_alarm_trigger(self, event):
        yield self.publish("sensors", {"ack": True})

    App = h.make_app(kind, on_alarm_trigger=on_alarm_trigger)
    out = run_app(App(), h.sns(h.payload("on_alarm_trigger", alarm_d())), h.Context(), setup_logging=False)
    assert out["status"] == "error" and out["error"]["type"] == "InvokingChannelError"
    assert "Cannot publish to the invoking channel 'sensors'" in out["error"]["message"]
    assert "POST /agents/111/channels/sensors/messages" not in cloud.lines()
    assert cloud.summaries()[0]["error"]["type"] == "InvokingChannelError"

    def allowed(self, event):
        yield self.publish("sensors", {"ack": True}, allow_invoking_channel=True)

    App = h.make_app(kind, on_alarm_trigger=allowed)
    out = run_app(App(), h.sns(h.payload("on_alarm_trigger", alarm_d())), h.Context(), setup_logging=False)
    assert out["status"] == "success"
    assert "POST /agents/111/channels/sensors/messages" in cloud.lines()


def test_tag_values_self_loop_skip_does_not_apply_to_alarm_triggers(cloud, h):
    # as with the platform's SDK: only message creates and aggregate updates are guarded
    class App(Application):
        def on_alarm_trigger(self, event):
            return event.request_data.data

    body = dict(alarm_d("tag_values"), request_data={"data": {"my_app": {"temp": 31.5}}})
    out = run_app(App(), h.sns(h.payload("on_alarm_trigger", body)), None, setup_logging=False)
    assert out == {"status": "success", "result": {"my_app": {"temp": 31.5}}, "skip_reason": None, "error": None}


def test_pre_hook_filter_sees_the_alarm_event(cloud, h):
    class App(Application):
        def pre_hook_filter(self, event):
            return event.is_cleared

        def on_alarm_trigger(self, event):
            return "ran"

    out = run_app(App(), h.sns(h.payload("on_alarm_trigger", alarm_d())), None, setup_logging=False)
    assert out["skip_reason"] == "pre_hook_filter" and cloud.calls == []
    cleared = dict(alarm_d(), old_state="Alarm", new_state="OK")
    out = run_app(App(), h.sns(h.payload("on_alarm_trigger", cleared)), None, setup_logging=False)
    assert (out["status"], out["result"]) == ("success", "ran")


def test_malformed_alarm_event_is_an_invalid_event_error_naming_the_path(cloud, h):
    class App(Application):
        def on_alarm_trigger(self, event):
            return "ran"

    body = dict(alarm_d(), new_state="Exploded")
    out = run_app(App(), h.sns(h.payload("on_alarm_trigger", body)), None, setup_logging=False)
    assert out["status"] == "error" and out["error"]["type"] == "InvalidEventError"
    assert out["error"]["message"] == (
        "d: could not decode AlarmTriggerEvent: expected one of NoData, OK, Alarm, AlarmPending, "
        "got 'Exploded' @ $.new_state")


def test_is_async_counts_an_async_alarm_hook():
    class Sync(Application):
        def on_alarm_trigger(self, event):
            return None

    class Async(Application):
        async def on_alarm_trigger(self, event):
            return None

    assert (Sync().is_async, Async().is_async) == (False, True)
