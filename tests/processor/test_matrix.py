"""Every op x every filter and skip reason x sync/async apps; bad events; warm reuse across ops."""

import json

import pytest

from doover.processor import run_app

OPS = ["on_message_create", "on_aggregate_update", "on_schedule", "on_deployment", "on_ingestion_endpoint",
       "on_manual_invoke"]
#: the one request setup makes for each op's standard event (ingestion and manual carry d.upgrade)
INFO_CALLS = {
    "on_schedule": ["GET /processors/schedules/sched-1"],
    "on_ingestion_endpoint": [],
    "on_manual_invoke": [],
}
EVENT_CLASSES = {
    "on_message_create": "MessageCreateEvent", "on_aggregate_update": "AggregateUpdateEvent",
    "on_schedule": "ScheduleEvent", "on_deployment": "DeploymentEvent",
    "on_ingestion_endpoint": "IngestionEndpointEvent", "on_manual_invoke": "ManualInvokeEvent",
}


def _info_calls(h, op):
    return INFO_CALLS.get(op, ["GET /processors/subscriptions/" + h.ARN])


def _run(app, event):
    return run_app(app, event, None, setup_logging=False)


@pytest.mark.parametrize("op", OPS)
def test_pre_hook_filter_sees_the_typed_event_and_its_rejection_makes_no_request(cloud, h, kind, op):
    seen = []

    def pre_hook_filter(self, event):
        yield None
        seen.append((type(event).__name__, self.tags, self.config))
        return False

    handled = []
    App = h.make_app(kind, pre_hook_filter=pre_hook_filter, **{op: lambda self, e: handled.append(e)})
    out = _run(App(), h.event_for(op))
    assert out == {"status": "skipped", "result": None, "skip_reason": "pre_hook_filter", "error": None}
    assert seen == [(EVENT_CLASSES[op], None, None)]
    assert handled == [] and cloud.calls == []


@pytest.mark.parametrize("op", OPS)
def test_post_setup_filter_rejection_after_setup_publishes_a_skipped_summary(cloud, h, kind, op):
    seen = []

    def post_setup_filter(self, event):
        yield None
        seen.append((type(event).__name__, self.app_key, self.get_tag("counter")))
        return False

    handled = []
    App = h.make_app(kind, post_setup_filter=post_setup_filter, **{op: lambda self, e: handled.append(e)})
    out = _run(App(), h.event_for(op))
    assert out == {"status": "skipped", "result": None, "skip_reason": "post_setup_filter", "error": None}
    assert seen == [(EVENT_CLASSES[op], "my_app", 1)] and handled == []
    assert cloud.lines() == _info_calls(h, op) + ["POST /agents/messages"]
    summary = cloud.summaries()[0]
    assert (summary["event_type"], summary["status"], summary["skip_reason"]) == (op, "skipped", "post_setup_filter")


@pytest.mark.parametrize("op", ["on_schedule", "on_aggregate_update", "on_ingestion_endpoint", "on_manual_invoke",
                                "on_message_create"])
def test_no_handler_skip_happens_before_any_request(cloud, h, kind, op):
    App = h.make_app(kind, close=lambda self: None)  # a hook so the async flavour is really async
    out = _run(App(), h.event_for(op))
    assert out == {"status": "skipped", "result": None, "skip_reason": "no_handler", "error": None}
    assert cloud.calls == []


def test_deployment_without_handler_still_runs_setup_and_succeeds(cloud, h, kind):
    App = h.make_app(kind, close=lambda self: None)
    out = _run(App(), h.event_for("on_deployment"))
    assert out == {"status": "success", "result": None, "skip_reason": None, "error": None}
    assert cloud.lines() == _info_calls(h, "on_deployment") + ["POST /agents/messages"]


@pytest.mark.parametrize("op", ["on_message_create", "on_aggregate_update"])
def test_tag_values_self_loop_skip_for_sync_and_async_apps(cloud, h, kind, op):
    handled = []

    def handler(self, event):
        yield self.set_tag("counter", 100)
        handled.append(event)

    App = h.make_app(kind, **{op: handler})
    ours = {"my_app": {"counter": 2}, "other_app": {"x": 5}}
    body = h.message_d("tag_values", data=ours) if op == "on_message_create" else h.aggregate_d("tag_values", ours)
    out = _run(App(), h.sns(h.payload(op, body)))
    assert out == {"status": "skipped", "result": None, "skip_reason": "tag_values_self_loop", "error": None}
    assert handled == []
    # one setup round trip, then the summary; no tag commit
    assert cloud.lines() == ["GET /processors/subscriptions/" + h.ARN, "POST /agents/messages"]
    assert cloud.summaries()[0]["skip_reason"] == "tag_values_self_loop"


def _error_lines(jsonlog):
    return [(r["level"], r["message"], r.get("exc_info", "").splitlines()[-1:]) for r in jsonlog.records()
            if r["level"] == "ERROR"]


BAD_EVENTS = {
    "missing token": (
        lambda h: h.payload("on_schedule", {"schedule_id": "sched-1"}, token=None),
        "InvalidEventError", "token: the invocation event carries no initial token", []),
    "null token": (
        lambda h: dict(h.payload("on_schedule", {"schedule_id": "sched-1"}), token=None),
        "InvalidEventError", "token: the invocation event carries no initial token", []),
    "unknown op": (
        lambda h: h.sns(h.payload("on_banana", {"organisation_id": "7"})),
        "InvalidEventError",
        "op: expected one of on_aggregate_update, on_alarm_trigger, on_deployment, on_ingestion_endpoint, "
        "on_manual_invoke, on_message_create, on_schedule, got 'on_banana'",
        "summary"),
    "missing op": (
        lambda h: {"token": "initial-token", "d": {"schedule_id": "sched-1"}},
        "InvalidEventError",
        "op: expected one of on_aggregate_update, on_alarm_trigger, on_deployment, on_ingestion_endpoint, "
        "on_manual_invoke, on_message_create, on_schedule, got None",
        "summary"),
    "malformed JSON in the SNS message": (
        lambda h: {"Records": [{"EventSource": "aws:sns", "EventSubscriptionArn": h.ARN,
                                "Sns": {"Message": "{not json"}}]},
        "InvalidEventError", "Records[0].Sns.Message: expected JSON, got malformed JSON", []),
    "malformed JSON event string": (
        lambda h: '{"op": "on_schedule", ',
        "InvalidEventError", "event: expected a JSON object, got malformed JSON", []),
    "SQS-style records": (
        lambda h: {"Records": [{"eventSource": "aws:sqs", "messageId": "m-1", "body": "{}"}]},
        "InvalidEventError",
        "Records[0].EventSource: expected 'aws:sns', got 'aws:sqs' (SQS-style records are not a processor event)",
        []),
    "empty Records": (
        lambda h: {"Records": []},
        "InvalidEventError", "Records: expected a non-empty list of SNS records", []),
    "event is a list": (
        lambda h: [1, 2],
        "InvalidEventError", "event: expected a JSON object, got list", []),
    "d is not an object": (
        lambda h: h.payload("on_schedule", ["sched-1"]),
        "InvalidEventError", "d: expected an object, got list", []),
    "bad field in d": (
        lambda h: h.sns(h.payload("on_message_create", dict(h.message_d(), message={"id": "x"}))),
        "InvalidEventError",
        "d: could not decode MessageCreateEvent: expected an object for ChannelID, got null (and 4 more problems)"
        " @ $.channel",
        "summary"),
}


@pytest.mark.parametrize("case", sorted(BAD_EVENTS))
def test_bad_event_gives_an_error_result_a_log_line_and_a_summary_when_possible(cloud, h, kind, jsonlog, case):
    build, error_type, message, published = BAD_EVENTS[case]
    App = h.make_app(kind, on_schedule=lambda self, e: 1, on_message_create=lambda self, e: 1)
    out = run_app(App(), build(h), None)  # never raises: raise_on_error is off
    assert out == {"status": "error", "result": None, "skip_reason": None,
                   "error": {"type": error_type, "message": message}}
    json.dumps(out)
    assert _error_lines(jsonlog) == [("ERROR", "Unhandled error in invocation",
                                      ["doover.exceptions.{}: {}".format(error_type, message)])]
    if published == "summary":
        # the event carried a token and an upgrade source: the error is published too
        summary = cloud.summaries()
        assert [(s["status"], s["error"]) for s in summary] == [("error", out["error"])]
    else:
        # no token (or no parsable event): nothing can be sent, the result and the log line are all
        assert cloud.calls == []


def test_one_instance_serves_100_events_of_every_kind_without_leaking_state(cloud, h, kind):
    """Ops, skips, handler errors and bad events interleaved; two deployments alternate."""
    infos = [h.info(app_key="app_a", agent_id="111", org="7", app_id="A", tag_values={"app_a": {"n": 1}},
                    extra_config={"limit": 1}),
             h.info(app_key="app_b", agent_id="222", org="8", app_id="B", tag_values={"app_b": {"n": 50}},
                    dv_proc_config={"log_level": "WARNING"}, extra_config={"limit": 2})]
    seen = []

    def handle(self, event):
        before = self.get_tag("n")
        yield self.set_tag("n", before + 1)
        seen.append((self.event_type, self.app_key, self.agent_id, self.config["limit"], before,
                     self.api.invoking_channel if kind == "sync" else None, self.proc_config.log_level.value))
        if isinstance(event.raw, dict) and event.raw.get("payload") == {"report_id": "boom"}:
            raise RuntimeError("boom")
        return self.event_type

    def pre_hook_filter(self, event):
        yield None
        return not (self.event_type == "on_schedule" and event.schedule_id == "skip-me")

    App = h.make_app(kind, pre_hook_filter=pre_hook_filter, **{op: handle for op in OPS})
    app = App()
    kinds = OPS + ["prehook-skip", "handler-error", "bad-event"]
    expected_status = []
    for i in range(100):
        cloud.info = infos[i % 2]
        case = kinds[i % len(kinds)]
        if case == "prehook-skip":
            event, status = h.payload("on_schedule", {"schedule_id": "skip-me"}), "skipped"
        elif case == "handler-error":
            event = h.payload("on_manual_invoke", {"organisation_id": "7", "payload": {"report_id": "boom"},
                                                   "upgrade": infos[i % 2]})
            status = "error"
        elif case == "bad-event":
            event, status = {"Records": [{"eventSource": "aws:sqs"}]}, "error"
        else:
            event = h.event_for(case, upgrade=infos[i % 2]) if case in ("on_ingestion_endpoint",
                                                                         "on_manual_invoke") else h.event_for(case)
            status = "success"
        out = _run(app, event)
        assert out["status"] == status, (i, case, out)
        expected_status.append(status)
        if case in ("prehook-skip", "bad-event"):
            # nothing of the previous invocation survives into one that ends before setup
            assert (app.app_key, app.agent_id, app.tags, app.config, app._client) == (None, None, None, None, None)
            assert (app.proc_config.log_level.value, app.proc_config.inv_targets.value[0].channel.value) == (
                "INFO", "dv-proc-inv-$app_id")  # the defaults, not app_b's WARNING

    handler_runs = [i for i in range(100) if kinds[i % len(kinds)] not in ("prehook-skip", "bad-event")]
    assert len(seen) == len(handler_runs)
    for event_type, app_key, agent_id, limit, before, invoking, level in seen:
        assert (app_key, agent_id, limit, before, level) in (("app_a", 111, 1, 1, "INFO"), ("app_b", 222, 2, 50, "WARNING"))
        if kind == "sync":
            assert invoking == ("sensors" if event_type in ("on_message_create", "on_aggregate_update") else None)
    patches = [c for c in cloud.calls if c["method"] == "PATCH"]
    assert {json.dumps(p["body"]) for p in patches} == {'{"app_a": {"n": 2}}', '{"app_b": {"n": 51}}'}
    assert all(p["org"] == ("7" if "app_a" in p["body"] else "8") for p in patches)
    summaries = cloud.summaries()
    assert len(summaries) == len(handler_runs)
    assert [s["status"] for s in summaries] == [expected_status[i] for i in handler_runs]
    assert {(s["app_id"], s["agent_id"]) for s in summaries} == {("A", "111"), ("B", "222")}
