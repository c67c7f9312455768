import pytest

from doover.exceptions import InvokingChannelError, UnauthorizedError
from doover.processor import SkipReason, run_app


def _run(app, event):
    return run_app(app, event, None, setup_logging=False)


def test_pre_hook_filter_rejection_makes_no_request(cloud, h, kind):
    def pre_hook_filter(self, event):
        yield None
        return event.message.data["t"] > 50

    App = h.make_app(kind, pre_hook_filter=pre_hook_filter, on_message_create=lambda self, e: 1)
    out = _run(App(), h.event_for("on_message_create"))
    assert out == {"status": "skipped", "result": None, "skip_reason": "pre_hook_filter", "error": None}
    assert cloud.calls == []


@pytest.mark.parametrize("op", ["on_schedule", "on_aggregate_update", "on_manual_invoke", "on_message_create"])
def test_op_without_handler_is_skipped_before_any_request(cloud, h, op):
    out = _run(h.make_app("sync")(), h.event_for(op))
    assert out["status"] == "skipped" and out["skip_reason"] == SkipReason.no_handler.value
    assert cloud.calls == []


def test_message_create_without_handler_still_runs_rpc_manager(cloud, h, kind):
    class Manager:
        def __init__(self):
            self.seen = []

        def handle_event(self, event, client):
            self.seen.append((event.message.data, client.agent_id))

    app = h.make_app(kind)()
    app.rpc = Manager()
    out = _run(app, h.event_for("on_message_create"))
    assert out["status"] == "success"
    assert app.rpc.seen == [({"t": 41}, 111)]


def test_post_setup_filter_skip_publishes_summary_and_commits_no_tags(cloud, h, kind):
    def post_setup_filter(self, event):
        yield self.set_tag("counter", 99)
        return False

    App = h.make_app(kind, post_setup_filter=post_setup_filter, on_schedule=lambda self, e: 1)
    out = _run(App(), h.event_for("on_schedule"))
    assert out["skip_reason"] == "post_setup_filter"
    assert cloud.lines() == ["GET /processors/schedules/sched-1", "POST /agents/messages"]
    assert cloud.summaries()[0]["status"] == "skipped"
    assert cloud.summaries()[0]["skip_reason"] == "post_setup_filter"


@pytest.mark.parametrize("op,d", [
    ("on_message_create", "message"), ("on_aggregate_update", "aggregate")])
def test_tag_values_write_of_this_app_is_a_self_loop_skip(cloud, h, op, d):
    seen = []
    App = h.make_app("sync", **{op: lambda self, e: seen.append(e)})
    ours = {"my_app": {"counter": 2}}
    body = h.message_d("tag_values", data=ours) if d == "message" else h.aggregate_d("tag_values", ours)
    out = _run(App(), h.sns(h.payload(op, body)))
    assert out["skip_reason"] == "tag_values_self_loop" and seen == []

    other = {"other_app": {"x": 2}}
    body = h.message_d("tag_values", data=other) if d == "message" else h.aggregate_d("tag_values", other)
    assert _run(App(), h.sns(h.payload(op, body)))["status"] == "success" and len(seen) == 1


def test_handler_error_marks_summary_error_and_still_commits_tags(cloud, h, kind):
    def on_schedule(self, event):
        yield self.set_tag("counter", 5)
        raise KeyError("boom")

    closed = []
    App = h.make_app(kind, on_schedule=on_schedule, close=lambda self: closed.append(1))
    out = _run(App(), h.event_for("on_schedule"))
    assert out == {"status": "error", "result": None, "skip_reason": None,
                   "error": {"type": "KeyError", "message": "'boom'"}}
    assert cloud.calls[1]["body"] == {"my_app": {"counter": 5}}
    assert cloud.summaries()[0]["error"] == {"type": "KeyError", "message": "'boom'"}
    assert closed == [1]


def test_raise_on_error_reraises_after_the_summary(cloud, h):
    App = h.make_app("sync", on_schedule=lambda self, e: 1 / 0, raise_on_error=True)
    with pytest.raises(ZeroDivisionError):
        _run(App(), h.event_for("on_schedule"))
    assert cloud.summaries()[0]["error"]["type"] == "ZeroDivisionError"


def test_missing_token_is_a_clear_error_without_requests(cloud, h):
    out = _run(h.make_app("sync", on_schedule=lambda s, e: 1)(), h.payload("on_schedule", {"schedule_id": 1}, token=None))
    assert out["status"] == "error" and out["error"]["type"] == "InvalidEventError"
    assert "token" in out["error"]["message"]
    assert cloud.calls == []


def test_unknown_op_publishes_an_error_summary(cloud, h):
    out = _run(h.make_app("sync")(), h.sns(h.payload("on_banana", {"organisation_id": "7"})))
    assert out["error"]["type"] == "InvalidEventError"
    assert "op: expected one of on_aggregate_update" in out["error"]["message"]
    assert cloud.lines() == ["GET /processors/subscriptions/" + h.ARN, "POST /agents/messages"]
    assert cloud.summaries()[0]["status"] == "error"
    assert cloud.summaries()[0]["event_type"] == "on_banana"


def test_malformed_json_in_sns_message_is_a_clear_error(cloud, h):
    event = {"Records": [{"EventSource": "aws:sns", "EventSubscriptionArn": h.ARN, "Sns": {"Message": "{not json"}}]}
    out = _run(h.make_app("sync")(), event)
    assert out["error"] == {"type": "InvalidEventError",
                            "message": "Records[0].Sns.Message: expected JSON, got malformed JSON"}
    assert cloud.calls == []


def test_sqs_style_records_are_rejected_by_name(cloud, h):
    event = {"Records": [{"eventSource": "aws:sqs", "body": "{}"}]}
    out = _run(h.make_app("sync")(), event)
    assert out["error"]["message"] == ("Records[0].EventSource: expected 'aws:sns', got 'aws:sqs' "
                                       "(SQS-style records are not a processor event)")


def test_missing_message_field_names_the_path(cloud, h):
    d = h.message_d()
    del d["message"]["author_id"]
    out = _run(h.make_app("sync", on_message_create=lambda s, e: 1)(), h.sns(h.payload("on_message_create", d)))
    expected = "d: could not decode MessageCreateEvent: required field missing @ $.message.author_id"
    assert out["error"] == {"type": "InvalidEventError", "message": expected}
    assert cloud.summaries()[0]["error"]["message"] == expected


def test_rejected_upgrade_is_an_error_without_summary(cloud, h):
    cloud.info_status = 401
    out = _run(h.make_app("sync", on_schedule=lambda s, e: 1)(), h.event_for("on_schedule"))
    assert out["status"] == "error" and out["error"]["type"] == UnauthorizedError.__name__
    assert cloud.summaries() == []


def test_direct_invoke_without_upgrade_source_names_what_is_missing(cloud, h):
    out = _run(h.make_app("sync", on_manual_invoke=lambda s, e: 1)(),
               h.payload("on_manual_invoke", {"organisation_id": "7", "payload": {}}))
    assert out["error"]["message"] == "d.upgrade: no upgrade info, SNS subscription or d.schedule_id in the event"


def test_user_setup_error_skips_handler_and_reports_error(cloud, h, kind):
    def setup(self):
        yield None
        raise ValueError("bad setup")

    ran = []
    App = h.make_app(kind, setup=setup, on_schedule=lambda s, e: ran.append(1))
    out = _run(App(), h.event_for("on_schedule"))
    assert out["error"] == {"type": "ValueError", "message": "bad setup"} and ran == []


def test_write_to_tag_values_of_other_app_while_triggered_by_tag_values_fails_the_commit(cloud, h):
    def on_aggregate_update(self, event):
        self.set_tag("x", 9, app_key="other_app")

    App = h.make_app("sync", on_aggregate_update=on_aggregate_update)
    out = _run(App(), h.sns(h.payload("on_aggregate_update", h.aggregate_d("tag_values", {"third": {"a": 1}}))))
    assert out["error"]["type"] == InvokingChannelError.__name__
    assert [c for c in cloud.calls if c["method"] == "PATCH"] == []


def test_external_tag_write_patches_only_the_changed_tag(cloud, h):
    App = h.make_app("sync", on_schedule=lambda self, e: self.set_tag("x", 2, app_key="other_app"))
    _run(App(), h.event_for("on_schedule"))
    # a minimal merge patch: other apps' (possibly stale) cached values are never re-sent
    assert cloud.calls[1]["body"] == {"other_app": {"x": 2}}
    assert cloud.calls[2]["body"]["items"][0]["data"] == {"my_app": {"counter": 1}, "other_app": {"x": 2}}


def test_unchanged_tag_commits_nothing_and_log_true_logs_only(cloud, h):
    App = h.make_app("sync", on_schedule=lambda self, e: self.set_tag("counter", 1))
    _run(App(), h.event_for("on_schedule"))
    assert cloud.lines() == ["GET /processors/schedules/sched-1", "POST /agents/messages"]
    assert [i["channel_name"] for i in cloud.calls[-1]["body"]["items"]] == ["dv-proc-inv-app-uuid-1"]

    cloud.calls.clear()
    App = h.make_app("sync", on_schedule=lambda self, e: self.set_tag("counter", 1, log=True))
    _run(App(), h.event_for("on_schedule"))
    assert cloud.lines() == ["GET /processors/schedules/sched-1", "POST /agents/messages"]
    assert cloud.calls[-1]["body"]["items"][0]["data"] == {"my_app": {"counter": 1}}


def test_null_deletes_a_tag(cloud, h):
    App = h.make_app("sync", on_schedule=lambda self, e: self.set_tag("counter", None))
    _run(App(), h.event_for("on_schedule"))
    assert cloud.calls[1]["body"] == {"my_app": {"counter": None}}


def test_declared_tags_are_set_through_app_tags_and_committed(cloud, h, kind):
    from doover.tags import Number, Tags

    class MyTags(Tags):
        counter = Number(default=0)
        level = Number(default=1.5)

    def on_schedule(self, event):
        yield self.tags.counter.set(self.tags.counter.value + 10)
        return self.tags.level.value

    out = _run(h.make_app(kind, on_schedule=on_schedule, tags_cls=MyTags)(), h.event_for("on_schedule"))
    assert out["result"] == 1.5
    assert cloud.calls[1]["body"] == {"my_app": {"counter": 11}}
