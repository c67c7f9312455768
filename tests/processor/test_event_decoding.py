"""The event decoder used before ``pre_hook_filter`` (no cattrs) agrees with the converter.

Every input is decoded twice: ``Event.from_dict`` (``doover.models._eventwire``) and
``doover.models.structure`` (the cattrs converter). The instances, or the DecodeError message,
path and problem list, must be identical.
"""

import copy

import pytest

from doover import models as m
from doover.exceptions import DecodeError
from doover.models import structure

ch = {"agent_id": "111", "name": "sensors"}
msg = {"id": "164885485443898671", "author_id": "5", "channel": ch, "data": {"t": 1}, "attachments": []}
CASES = [
 ("MessageCreateEvent", {"message": msg, "channel": ch}),
 ("MessageCreateEvent", msg),
 ("MessageCreateEvent", {"message": dict(msg, author_id=None)}),
 ("MessageCreateEvent", {"message": {k: v for k, v in msg.items() if k != "author_id"}}),
 ("MessageCreateEvent", {"message": dict(msg, id=True, author_id="x")}),
 ("MessageCreateEvent", {"message": dict(msg, channel=None)}),
 ("MessageCreateEvent", {"message": dict(msg, channel={"agent_id": 3, "name": 5})}),
 ("MessageCreateEvent", {"message": dict(msg, channel={"agent_id": 3, "name": None})}),
 ("MessageCreateEvent", {"message": dict(msg, channel={"agent_id": 3.5, "name": "x"})}),
 ("MessageCreateEvent", {"message": dict(msg, attachments=[{"filename": "a", "size": "12", "url": "u"}, {"filename": 3}])}),
 ("MessageCreateEvent", {"message": dict(msg, attachments={"a": 1})}),
 ("MessageCreateEvent", {"message": dict(msg, attachments=None)}),
 ("MessageCreateEvent", {"message": dict(msg, attachments=[{"filename": "a", "size": 1.7, "url": "u", "content_type": 5}])}),
 ("MessageCreateEvent", {"message": dict(msg, attachments=[{"filename": "a", "size": "x", "url": "u"}])}),
 ("MessageCreateEvent", {"message": "str"}),
 ("MessageCreateEvent", []),
 ("MessageCreateEvent", {}),
 ("AggregateUpdateEvent", {"author_id": "5", "organisation_id": "7", "channel": ch, "aggregate": {"data": {"a": 1}, "last_updated": 1775001139307}, "request_data": {"data": {"a": 1}}}),
 ("AggregateUpdateEvent", {"author_id": "5", "organisation_id": None, "channel": ch, "aggregate": {"data": {"a": 1}, "last_updated": "1775001139307.5"}, "request_data": {"a": 1}}),
 ("AggregateUpdateEvent", {"channel": ch, "aggregate": {"last_updated": "x"}, "request_data": 5}),
 # epoch ms beyond year 9999, infinities and NaN (found by hypothesis): a DecodeError, not a ValueError
 ("AggregateUpdateEvent", {"channel": ch, "aggregate": {"data": {}, "last_updated": 253402315489280.0}, "request_data": {}}),
 ("AggregateUpdateEvent", {"channel": ch, "aggregate": {"data": {}, "last_updated": "1e30"}, "request_data": {}}),
 ("AggregateUpdateEvent", {"channel": ch, "aggregate": {"data": {}, "last_updated": float("nan")}, "request_data": {}}),
 ("AggregateUpdateEvent", {"channel": ch, "aggregate": {"data": {}, "last_updated": -62135596800001}, "request_data": {}}),
 ("AggregateUpdateEvent", {"channel": ch, "aggregate": {"data": 1, "last_updated": True}, "request_data": {"data": 1}, "author_id": "q"}),
 ("AggregateUpdateEvent", {"channel": ch, "aggregate": None, "request_data": None}),
 ("DeploymentEvent", {"organisation_id": 7, "agent_id": "111", "app_id": "123", "app_install_id": "456", "app_key": "k", "app_display_name": "K"}),
 ("DeploymentEvent", {"agent_id": "111", "app_id": "123", "app_key": 5, "app_display_name": None}),
 ("ScheduleEvent", {"schedule_id": "sched-1", "organisation_id": "7"}),
 ("ScheduleEvent", {"schedule_id": " 42 "}),
 ("ScheduleEvent", {"schedule_id": 42}),
 ("ScheduleEvent", {"schedule_id": True}),
 ("ScheduleEvent", {"schedule_id": None}),
 ("ScheduleEvent", {"schedule_id": 4.5, "organisation_id": "x"}),
 ("ScheduleEvent", {}),
 ("ScheduleEvent", "x"),
 ("IngestionEndpointEvent", {"ingestion_id": "999", "agent_id": "111", "organisation_id": "7", "payload": "abc"}),
 ("IngestionEndpointEvent", {"ingestion_id": "999", "agent_id": "111", "organisation_id": "7", "payload": "abc", "invocation_url": 5, "content_type": None}),
 ("IngestionEndpointEvent", {"ingestion_id": "-5", "agent_id": "1x"}),
 ("ManualInvokeEvent", {"organisation_id": "7", "payload": {"report_id": 123}}),
 ("ManualInvokeEvent", {"payload": None}),
 ("ManualInvokeEvent", {"organisation_id": "7"}),
 ("ManualInvokeEvent", None),
 ("MessageUpdateEvent", {"channel": ch, "message": msg, "request_data": {"a": 1}}),
 ("ChannelSyncEvent", {"aggregate": {"data": 1}}),
 ("ChannelSyncEvent", {"aggregate": {"data": 1}, "channel": None}),
 ("OneShotMessage", msg),
]


def _outcome(fn, data, cls):
    try:
        event = fn(copy.deepcopy(data), cls)
    except DecodeError as exc:
        return ("error", str(exc), exc.path, exc.problems)
    return ("ok", event, type(event), event.raw)


def _with_converter(data, cls):
    event = structure(data, cls)
    object.__setattr__(event, "raw", data)
    return event


@pytest.mark.parametrize("index", range(len(CASES)))
def test_from_dict_matches_the_converter(index):
    name, data = CASES[index]
    cls = getattr(m, name)
    ours = _outcome(lambda d, c: c.from_dict(d), data, cls)
    assert ours == _outcome(_with_converter, data, cls)
    if ours[0] == "ok":
        assert ours[1].raw == data  # the body as received, before any reshaping


@pytest.mark.parametrize("stamp", [253402315489280.0, "1e30", float("inf"), -62135596800001])
def test_an_epoch_ms_outside_the_calendar_is_a_decode_error_naming_the_path(stamp):
    body = {"channel": ch, "aggregate": {"data": {}, "last_updated": stamp}, "request_data": {}}
    with pytest.raises(DecodeError) as info:
        m.AggregateUpdateEvent.from_dict(body)
    assert str(info.value) == "could not decode AggregateUpdateEvent: epoch milliseconds out of range: {!r} " \
                              "@ $.aggregate.last_updated".format(stamp)


def test_decoder_reports_every_problem_with_its_path():
    with pytest.raises(DecodeError) as info:
        m.MessageCreateEvent.from_dict({"message": dict(msg, id=True, author_id="x")})
    assert info.value.path == "$.message.id"
    assert info.value.problems == ["expected a decimal id (string or integer), got True @ $.message.id",
                                   "expected a decimal id, got 'x' @ $.message.author_id"]
    assert str(info.value).startswith("could not decode MessageCreateEvent: expected a decimal id (string or "
                                      "integer), got True (and 1 more problem)")


def test_event_classes_are_built_once_and_live_in_doover_models():
    from doover.models import _events

    assert _events.ScheduleEvent is m.ScheduleEvent
    assert (m.ScheduleEvent.__module__, m.ScheduleEvent.__qualname__) == ("doover.models._events", "ScheduleEvent")
    assert issubclass(m.OneShotMessage, m.MessageCreateEvent)
    import pickle

    event = m.ScheduleEvent.from_dict({"schedule_id": "7"})
    assert pickle.loads(pickle.dumps(event)) == event and event.schedule_id == 7


# ---------------------------------------------------------------- random bodies

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from wire_fuzz import json_values, one_value_changed_or_removed  # noqa: E402

_KEYS = ["id", "author_id", "channel", "data", "attachments", "message", "agent_id", "name", "aggregate",
         "request_data", "last_updated", "organisation_id", "schedule_id", "app_id", "app_install_id", "app_key",
         "app_display_name", "ingestion_id", "payload", "invocation_url", "content_type", "filename", "size", "url"]
_VALUES = json_values(_KEYS, ["sensors"])
_BODIES = st.dictionaries(st.sampled_from(_KEYS), _VALUES, max_size=8)
_CLASSES = ["MessageCreateEvent", "AggregateUpdateEvent", "DeploymentEvent", "ScheduleEvent",
            "IngestionEndpointEvent", "ManualInvokeEvent", "MessageUpdateEvent", "ChannelSyncEvent", "OneShotMessage"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(_CLASSES), body=st.one_of(_BODIES, _VALUES))
def test_random_bodies_decode_exactly_as_the_converter_decodes_them(name, body):
    cls = getattr(m, name)
    assert _outcome(lambda d, c: c.from_dict(d), body, cls) == _outcome(_with_converter, body, cls)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_valid_bodies_with_one_value_changed_or_removed_decode_as_the_converter_does(data):
    name, body = data.draw(st.sampled_from([case for case in CASES if _outcome(
        lambda d, c: c.from_dict(d), case[1], getattr(m, case[0]))[0] == "ok"]))
    body = one_value_changed_or_removed(data, body, _VALUES)
    cls = getattr(m, name)
    assert _outcome(lambda d, c: c.from_dict(d), body, cls) == _outcome(_with_converter, body, cls)
