import json

import pytest

from doover.processor import (
    AggregateUpdateEvent,
    DeploymentEvent,
    IngestionEndpointEvent,
    ManualInvokeEvent,
    MessageCreateEvent,
    ScheduleEvent,
    run_app,
)

EVENT_TYPES = {
    "on_message_create": MessageCreateEvent,
    "on_aggregate_update": AggregateUpdateEvent,
    "on_schedule": ScheduleEvent,
    "on_deployment": DeploymentEvent,
    "on_ingestion_endpoint": IngestionEndpointEvent,
    "on_manual_invoke": ManualInvokeEvent,
}


def test_message_create_with_tag_and_notification_spends_four_requests(cloud, h, kind):
    def on_message_create(self, event):
        yield self.set_tag("counter", self.get_tag("counter") + 1)
        yield self.send_notification("hi", severity="warning")
        return "done"

    App = h.make_app(kind, on_message_create=on_message_create)
    out = run_app(App(), h.sns(h.payload("on_message_create", h.message_d())), h.Context(), setup_logging=False)

    assert out == {"status": "success", "result": "done", "skip_reason": None, "error": None}
    assert cloud.lines() == [
        "GET /processors/subscriptions/" + h.ARN,
        "POST /agents/111/channels/notifications/messages",
        "PATCH /agents/111/channels/tag_values/aggregate?suppress_response=true",
        "POST /agents/messages",
    ]
    get, notify, patch, batch = cloud.calls
    assert (get["auth"], get["org"]) == ("Bearer initial-token", None)
    assert (notify["auth"], notify["org"]) == ("Bearer full-token", "7")
    assert notify["body"] == {"data": {"message": "hi", "severity": 6}}
    assert patch["body"] == {"my_app": {"counter": 2}}
    items = batch["body"]["items"]
    assert items[0] == {"agent_id": "111", "channel_name": "tag_values", "data": {"my_app": {"counter": 2}}}
    summary = items[1]["data"]
    assert items[1]["channel_name"] == "dv-proc-inv-app-uuid-1" and items[1]["agent_id"] == "111"
    assert list(summary) == ["app_key", "app_id", "agent_id", "event_type", "subscription_id", "schedule_id",
                             "ingestion_id", "started_at", "duration_ms", "status", "skip_reason", "error",
                             "requestId", "function_name", "function_version"]
    assert {k: summary[k] for k in summary if k not in ("started_at", "duration_ms")} == {
        "app_key": "my_app", "app_id": "app-uuid-1", "agent_id": "111", "event_type": "on_message_create",
        "subscription_id": h.ARN, "schedule_id": None, "ingestion_id": None, "status": "success",
        "skip_reason": None, "error": None, "requestId": "req-1", "function_name": "my-processor",
        "function_version": "$LATEST"}
    assert isinstance(summary["started_at"], int) and summary["duration_ms"] >= 0


@pytest.mark.parametrize("op", sorted(EVENT_TYPES))
def test_every_op_reaches_its_handler_with_the_typed_event(cloud, h, kind, op):
    seen = []

    def handler(self, event):
        seen.append(event)
        yield None
        return op

    App = h.make_app(kind, **{op: handler})
    out = run_app(App(), h.event_for(op), h.Context(), setup_logging=False)

    assert out["status"] == "success" and out["result"] == op
    assert type(seen[0]) is EVENT_TYPES[op]
    gets = [line for line in cloud.lines() if line.startswith("GET")]
    expected = {"on_schedule": ["GET /processors/schedules/sched-1"],
                "on_ingestion_endpoint": [], "on_manual_invoke": []}.get(op, ["GET /processors/subscriptions/" + h.ARN])
    assert gets == expected
    assert cloud.summaries()[0]["event_type"] == op
    assert cloud.summaries()[0]["schedule_id"] == ("sched-1" if op == "on_schedule" else None)


def test_message_event_fields_are_coerced_and_timestamped(cloud, h):
    seen = []
    App = h.make_app("sync", on_message_create=lambda self, e: seen.append(e))
    run_app(App(), h.sns(h.payload("on_message_create", h.message_d(data={"a": 1}))), None, setup_logging=False)
    event = seen[0]
    assert event.channel.agent_id == 111 and event.channel.name == "sensors"
    assert event.message.id == 164885485443898671 and event.message.author_id == 5
    assert event.message.data == {"a": 1}
    assert int(event.message.timestamp.timestamp() * 1000) == (164885485443898671 >> 22) + 1735689600000


def test_ingestion_payload_is_base64_json_by_default_and_overridable(cloud, h):
    seen = []
    App = h.make_app("sync", on_ingestion_endpoint=lambda self, e: seen.append(e.payload))
    run_app(App(), h.event_for("on_ingestion_endpoint"), None, setup_logging=False)

    class Raw(App):
        def parse_ingestion_event_payload(self, payload):
            return payload[::-1]

    run_app(Raw(), h.event_for("on_ingestion_endpoint"), None, setup_logging=False)
    assert seen == [{"temp": 3}, "eyJ0ZW1wIjogM30="[::-1]]


def test_eventbridge_envelope_with_detail_is_unwrapped(cloud, h):
    seen = []
    App = h.make_app("sync", on_schedule=lambda self, e: seen.append(e.schedule_id))
    event = {"version": "0", "detail-type": "Scheduled Event", "detail": h.event_for("on_schedule")}
    assert run_app(App(), event, None, setup_logging=False)["status"] == "success"
    assert seen == ["sched-1"]


def test_json_string_event_is_accepted(cloud, h):
    App = h.make_app("sync", on_schedule=lambda self, e: 5)
    assert run_app(App(), json.dumps(h.event_for("on_schedule")), None, setup_logging=False)["result"] == 5


def test_unserialisable_result_becomes_null(cloud, h):
    App = h.make_app("sync", on_schedule=lambda self, e: NotImplemented)
    out = run_app(App(), h.event_for("on_schedule"), None, setup_logging=False)
    assert out == {"status": "success", "result": None, "skip_reason": None, "error": None}
    json.dumps(out)


def test_default_deployment_handler_returns_json_null(cloud, h):
    out = run_app(h.make_app("sync")(), h.event_for("on_deployment"), None, setup_logging=False)
    assert out["status"] == "success" and out["result"] is None


def test_deployment_config_reaches_the_app_as_attribute_and_key(cloud, h):
    cloud.info = h.info(extra_config={"threshold": 40})
    seen = []
    App = h.make_app("sync", on_schedule=lambda self, e: seen.append(
        (self.config.threshold, self.config["APP_KEY"], self.app_id, self.display_name, self.agent_id)))
    run_app(App(), h.event_for("on_schedule"), None, setup_logging=False)
    assert seen == [(40, "my_app", "app-uuid-1", "My App", 111)]


def test_inv_targets_choose_summary_channels_and_empty_list_disables(cloud, h):
    cloud.info = h.info(dv_proc_config={"inv_targets": [{"agent_id": "222", "channel": "audit-$app_id"}]})
    App = h.make_app("sync", on_schedule=lambda self, e: None)
    run_app(App(), h.event_for("on_schedule"), None, setup_logging=False)
    assert [(i["agent_id"], i["channel_name"]) for i in cloud.calls[-1]["body"]["items"]] == [("222", "audit-app-uuid-1")]

    cloud.calls.clear()
    cloud.info = h.info(dv_proc_config={"inv_targets": []})
    run_app(App(), h.event_for("on_schedule"), None, setup_logging=False)
    assert cloud.lines() == ["GET /processors/schedules/sched-1"]


def test_config_cls_is_loaded_per_invocation_and_bad_config_is_an_error_with_summary(cloud, h, kind):
    from doover import config

    class Cfg(config.Schema):
        threshold = config.Integer("Threshold", default=40)

    seen = []

    def on_schedule(self, event):
        yield None
        seen.append(self.config.threshold.value)

    App = h.make_app(kind, on_schedule=on_schedule, config_cls=Cfg)
    app = App()
    cloud.info = h.info(extra_config={"threshold": 55})
    assert run_app(app, h.event_for("on_schedule"), None, setup_logging=False)["status"] == "success"
    cloud.info = h.info()
    assert run_app(app, h.event_for("on_schedule"), None, setup_logging=False)["status"] == "success"
    assert seen == [55, 40]

    cloud.calls.clear()
    cloud.info = h.info(extra_config={"threshold": "fast"})
    out = run_app(app, h.event_for("on_schedule"), None, setup_logging=False)
    assert out["status"] == "error" and out["error"]["type"] == "ConfigError"
    assert "threshold" in out["error"]["message"]
    assert cloud.summaries()[0]["error"]["type"] == "ConfigError"


def test_pre_hook_filter_sees_an_unloaded_config_cls_instance(cloud, h, kind):
    from doover.exceptions import ConfigError
    from doover import config

    class Cfg(config.Schema):
        threshold = config.Integer("Threshold", default=40)

    seen = []

    def pre_hook_filter(self, event):
        yield None
        with pytest.raises(ConfigError, match="threshold: no value: no config has been loaded"):
            self.config.threshold.value
        seen.append((type(self.config).__name__, self.config.threshold.default))
        return False

    def on_schedule(self, event):
        yield None
        seen.append(("loaded", self.config.threshold.value))

    App = h.make_app(kind, pre_hook_filter=pre_hook_filter, on_schedule=on_schedule, config_cls=Cfg)
    app = App()
    cloud.info = h.info(extra_config={"threshold": 55})
    out = run_app(app, h.event_for("on_schedule"), None, setup_logging=False)
    assert out == {"status": "skipped", "result": None, "skip_reason": "pre_hook_filter", "error": None}
    assert seen == [("Cfg", 40)]
    assert cloud.lines() == []  # the skip happened before any request
