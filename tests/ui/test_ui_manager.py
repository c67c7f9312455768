import asyncio
import logging
import re

import pytest
from ui_testkit import AGENT, NOW_MS, aggregate_event, command, create_event, message_id

from doover import config, ui
from doover._hooks import call_hook
from doover.tags import Done

APP = "pump_ctl_1"


class PumpUI(ui.UI):
    status = ui.TextVariable("Status", value="ok")
    test_message = ui.TextInput("Test Message")
    low_voltage = ui.FloatInput("Low Voltage", min_val=10, max_val=15, default=11.5)
    charge_mode = ui.Select("Charge Mode", options=[ui.Option("Charge"), ui.Option("Discharge")])
    enabled = ui.Switch("Enabled")
    reset = ui.Button("Reset", requires_confirm=True)
    window = ui.Slider("Window", min_val=0, max_val=100)
    start = ui.TimeInput("Start")


class DynamicUI(PumpUI):
    def setup(self):
        self.add_element(ui.NumericVariable("Extra", value=1))


class App:
    def __init__(self):
        self.seen = []

    @ui.handler("test_message")
    def on_test_message(self, ctx, value):
        self.seen.append(("test_message", value, ctx.element.name))
        ctx.set_value(None)

    @ui.handler(PumpUI.reset, auto_update=False)
    def on_reset(self, ctx, value):
        self.seen.append(("reset", value))
        return {"done": True}

    @ui.handler(re.compile(r"^bulk_\d+$"))
    def on_bulk(self, ctx, value):
        self.seen.append((ctx.method, value, ctx.element))

    @ui.handler("enabled")
    def on_enabled(self, ctx, value):
        raise RuntimeError("relay stuck")


def manager(client, ui_cls=PumpUI, **kwargs):
    instance = ui_cls(None, None, APP)
    call_hook(instance.setup)
    m = ui.UIManager(client, APP, clock_ms=lambda: NOW_MS, **kwargs)
    m.set_ui(instance)
    app = App()
    assert m.register_handlers(app) == 4
    return m, instance, app


# ---------------------------------------------------------------- interactions


def test_explicit_handler_replies_then_writes_the_value_as_the_reference_does(client):
    m, _, app = manager(client)
    mid = message_id()
    assert m.handle_event(create_event(command("test_message", "hello world"), mid=mid)) is True
    assert app.seen == [("test_message", "hello world", "test_message")]
    assert client.calls == [
        ("update_channel_aggregate", "ui_cmds", {APP: {"test_message": None}}, {}),
        ("create_message", "ui_cmds", {"type": "log", "app_key": APP, "key": "test_message", "value": None}, {}),
        ("update_message", "ui_cmds", mid, {"status": {"code": "success", "message": None}, "response": {}}, {}),
        ("update_channel_aggregate", "ui_cmds", {APP: {"test_message": "hello world"}}, {}),
        ("create_message", "ui_cmds", {"type": "log", "app_key": APP, "key": "test_message", "value": "hello world"}, {}),
    ]
    assert m.get_value("test_message") == "hello world"


def test_default_handler_writes_the_value_before_the_success_reply(client):
    m, _, _ = manager(client)
    mid = message_id()
    m.handle_event(create_event(command("low_voltage", 12.5), mid=mid))
    assert client.calls == [
        ("update_channel_aggregate", "ui_cmds", {APP: {"low_voltage": 12.5}}, {}),
        ("create_message", "ui_cmds", {"type": "log", "app_key": APP, "key": "low_voltage", "value": 12.5}, {}),
        ("update_message", "ui_cmds", mid, {"status": {"code": "success", "message": None}, "response": {}}, {}),
    ]


def test_handler_without_auto_update_replies_with_its_result_only(client):
    m, _, app = manager(client)
    mid = message_id()
    m.handle_event(create_event(command("reset", True), mid=mid))
    assert app.seen == [("reset", True)]
    assert client.calls == [
        ("update_message", "ui_cmds", mid, {"status": {"code": "success", "message": None}, "response": {"done": True}}, {}),
    ]


def test_regex_handlers_serve_names_the_ui_does_not_declare(client):
    m, _, app = manager(client)
    m.handle_event(create_event(command("bulk_7", 3)))
    assert app.seen == [("bulk_7", 3, None)]
    assert [c[0] for c in client.calls] == ["update_message", "update_channel_aggregate", "create_message"]


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("low_voltage", "abc", "low_voltage: expected a number, got 'abc'"),
        ("low_voltage", 20, "low_voltage: 20 is above the maximum 15"),
        ("low_voltage", True, "low_voltage: expected a number, got True"),
        ("charge_mode", "Turbo", "charge_mode: expected one of the options ('charge', 'discharge'), got 'Turbo'"),
        ("enabled", "yes", "enabled: expected true or false, got 'yes'"),
        ("test_message", 5, "test_message: expected text, got 5"),
        ("window", [10, 200], "window: 200 is above the maximum 100"),
        ("start", 90000, "start: expected seconds into the day (0 to 86399), got 90000"),
    ],
)
def test_a_value_of_the_wrong_kind_gets_an_error_reply_and_nothing_is_written(client, caplog, name, value, message):
    m, _, app = manager(client)
    mid = message_id()
    with caplog.at_level(logging.WARNING, logger="doover.rpc"):
        assert m.handle_event(create_event(command(name, value), mid=mid)) is True
    assert client.calls == [
        ("update_message", "ui_cmds", mid,
         {"status": {"code": "error", "message": {"code": "INVALID_VALUE", "message": message}}, "response": {}}, {}),
    ]
    assert app.seen == []
    assert "UI handler for interaction {!r}".format(name) in caplog.text


@pytest.mark.parametrize("name, value", [("charge_mode", "discharge"), ("charge_mode", "Discharge"), ("window", [20, 30]),
                                         ("window", 40), ("low_voltage", None), ("start", 0)])
def test_values_of_the_right_kind_are_accepted(client, name, value):
    m, _, _ = manager(client)
    m.handle_event(create_event(command(name, value)))
    assert client.calls[-1][3]["status"]["code"] == "success"


def test_a_raising_handler_is_logged_with_the_element_name_and_answered_with_internal_error(client, caplog):
    m, _, _ = manager(client)
    mid = message_id()
    with caplog.at_level(logging.ERROR, logger="doover.rpc"):
        assert m.handle_event(create_event(command("enabled", True), mid=mid)) is True
    assert client.calls == [
        ("update_message", "ui_cmds", mid,
         {"status": {"code": "error", "message": {"code": "INTERNAL_ERROR", "message": "relay stuck"}}, "response": {}}, {}),
    ]
    assert "UI handler for interaction 'enabled'" in caplog.text and "relay stuck" in caplog.text
    # the manager keeps working afterwards
    m.handle_event(create_event(command("low_voltage", 12)))
    assert m.get_value("low_voltage") == 12


def test_unknown_interaction_addressed_to_this_app_gets_an_error_reply(client):
    m, _, _ = manager(client)
    mid = message_id()
    assert m.handle_event(create_event(command("nope", 1), mid=mid)) is True
    assert client.calls == [
        ("update_message", "ui_cmds", mid, {"status": {"code": "error", "message": {
            "code": "UNKNOWN_INTERACTION", "message": "this app has no interaction named 'nope'"}}, "response": {}}, {}),
    ]


def test_unknown_interaction_without_app_key_is_left_to_other_apps(client):
    m, _, _ = manager(client)
    data = command("nope", 1)
    del data["app_key"]
    assert m.handle_event(create_event(data)) is False
    assert client.calls == []


@pytest.mark.parametrize(
    "data, channel",
    [
        ({"type": "log", "app_key": APP, "key": "x", "value": 1}, "ui_cmds"),
        ({"type": "rpc", "request": 1}, "ui_cmds"),
        (command("low_voltage", 12, app_key="other_app"), "ui_cmds"),
        ({"type": "rpc", "method": "low_voltage", "app_key": APP}, "ui_cmds"),
        (command("low_voltage", 12), "dv-rpc"),
    ],
    ids=["not-rpc", "no-method", "other-app", "no-request", "other-channel"],
)
def test_messages_that_are_not_commands_for_this_app_are_ignored(client, data, channel):
    m, _, _ = manager(client)
    assert m.handle_event(create_event(data, channel=channel)) is False
    assert client.calls == []


def test_expired_commands_are_dropped_without_reply(client):
    m, _, _ = manager(client)
    old = message_id(age_ms=60_000)
    assert m.handle_event(create_event(command("low_voltage", 12, expires_after=30_000), mid=old)) is True
    assert client.calls == []
    fresh = message_id(age_ms=1_000)
    m.handle_event(create_event(command("low_voltage", 12, expires_after=30_000), mid=fresh))
    assert client.calls[-1][0] == "update_message"


def test_one_shot_commands_run_but_get_no_reply(client):
    m, _, _ = manager(client)
    m.handle_event(create_event(command("low_voltage", 13), oneshot=True))
    assert [c[0] for c in client.calls] == ["update_channel_aggregate", "create_message"]


def test_context_carries_request_fields_and_acknowledge_defer_shapes(client):
    seen = {}

    class Acking:
        @ui.handler("low_voltage", auto_update=False)
        def handle(self, ctx, value):
            seen.update(actor=ctx.actor, reason=ctx.reason, old=ctx.old_value, retry=ctx.retry_of,
                        after=ctx.expires_after, expired=ctx.is_expired, at=ctx.expires_at.isoformat(),
                        element=ctx.element.name, channel=ctx.channel.name)
            ctx.acknowledge()
            ctx.defer(2.5)

    m = ui.UIManager(client, APP, ui=PumpUI(None, None, APP), clock_ms=lambda: NOW_MS)
    m.register_handlers(Acking())
    mid = message_id(age_ms=1000)
    m.handle_event(create_event(command("low_voltage", 12, actor={"id": "u1", "name": "Jane"}, reason="calibration",
                                        old_value=11, retry_of="99", expires_after=30000), mid=mid))
    assert seen == {"actor": {"id": "u1", "name": "Jane"}, "reason": "calibration", "old": 11, "retry": "99",
                    "after": 30000, "expired": False, "at": "2026-09-21T14:13:49+00:00", "element": "low_voltage",
                    "channel": "ui_cmds"}
    assert client.calls == [
        ("update_message", "ui_cmds", mid, {"status": {"code": "acknowledged", "message": {"timestamp": NOW_MS}}}, {}),
        ("update_message", "ui_cmds", mid, {"status": {"code": "deferred", "message": {"until": NOW_MS + 2500, "at": NOW_MS}}}, {}),
        ("update_message", "ui_cmds", mid, {"status": {"code": "success", "message": None}, "response": {}}, {}),
    ]


@pytest.mark.parametrize("style", ["sync", "async"])
def test_sync_and_async_handlers_make_the_same_calls(client, style):
    if style == "sync":
        class Handlers:
            @ui.handler("low_voltage")
            def handle(self, ctx, value):
                ctx.acknowledge()
                ctx.set_value(value + 1, log_update=False)
                return {"v": value}
    else:
        class Handlers:
            @ui.handler("low_voltage")
            async def handle(self, ctx, value):
                await ctx.acknowledge()
                await ctx.set_value(value + 1, log_update=False)
                await asyncio.sleep(0)
                return {"v": value}

    m = ui.UIManager(client, APP, ui=PumpUI(None, None, APP), clock_ms=lambda: NOW_MS)
    m.register_handlers(Handlers())
    mid = message_id()
    m.handle_event(create_event(command("low_voltage", 12), mid=mid))
    assert client.calls == [
        ("update_message", "ui_cmds", mid, {"status": {"code": "acknowledged", "message": {"timestamp": NOW_MS}}}, {}),
        ("update_channel_aggregate", "ui_cmds", {APP: {"low_voltage": 13}}, {}),
        ("update_message", "ui_cmds", mid, {"status": {"code": "success", "message": None}, "response": {"v": 12}}, {}),
        ("update_channel_aggregate", "ui_cmds", {APP: {"low_voltage": 12}}, {}),
        ("create_message", "ui_cmds", {"type": "log", "app_key": APP, "key": "low_voltage", "value": 12}, {}),
    ]


def test_processor_mode_allows_writes_to_the_invoking_channel_and_replies_to_the_request_agent(client):
    m, _, _ = manager(client, processor=True)
    mid = message_id()
    m.handle_event(create_event(command("low_voltage", 12), mid=mid))
    assert client.calls == [
        ("update_channel_aggregate", "ui_cmds", {APP: {"low_voltage": 12}}, {"allow_invoking_channel": True}),
        ("create_message", "ui_cmds", {"type": "log", "app_key": APP, "key": "low_voltage", "value": 12}, {"allow_invoking_channel": True}),
        ("update_message", "ui_cmds", mid, {"status": {"code": "success", "message": None}, "response": {}},
         {"allow_invoking_channel": True, "agent_id": AGENT}),
    ]


def test_handle_event_can_reply_through_a_client_given_per_call(client):
    m = ui.UIManager(None, APP, ui=PumpUI(None, None, APP), clock_ms=lambda: NOW_MS)
    m.handle_event(create_event(command("low_voltage", 12)), client)
    assert [c[0] for c in client.calls] == ["update_channel_aggregate", "create_message", "update_message"]


# ---------------------------------------------------------------- values


def test_values_come_from_the_cache_then_the_default_then_key_error(client):
    m, instance, _ = manager(client)
    m.seed_values({APP: {"test_message": "hi"}, "other_app": {"low_voltage": 1}})
    assert m.get_value("test_message") == "hi"
    assert m.get_value("low_voltage") == 11.5
    assert instance.low_voltage.value == 11.5
    with pytest.raises(KeyError):
        m.get_value("charge_mode")
    assert m.handle_event(aggregate_event({APP: {"charge_mode": "charge"}})) is True
    assert instance.charge_mode.value == "charge"
    with pytest.raises(KeyError):
        m.get_value("test_message")
    assert m.handle_event(aggregate_event({APP: {"x": 1}}, channel="tag_values")) is False


def test_own_writes_update_the_cache_at_once(client):
    m, instance, _ = manager(client)
    result = instance.enabled.set(True)
    assert isinstance(result, Done)
    assert instance.enabled.value is True
    m.set_value("enabled", None, log_update=False)
    with pytest.raises(KeyError):
        instance.enabled.value  # noqa: B018
    assert client.calls == [
        ("update_channel_aggregate", "ui_cmds", {APP: {"enabled": True}}, {}),
        ("create_message", "ui_cmds", {"type": "log", "app_key": APP, "key": "enabled", "value": True}, {}),
        ("update_channel_aggregate", "ui_cmds", {APP: {"enabled": None}}, {}),
    ]


def test_await_interaction_set_works_in_async_code(client):
    m, instance, _ = manager(client)

    async def main():
        await instance.enabled.set(False)

    asyncio.run(main())
    assert m.values == {"enabled": False}


def test_interaction_without_manager_reads_its_default_and_refuses_writes():
    element = ui.FloatInput("F", default=3)
    assert element.value == 3
    with pytest.raises(KeyError):
        ui.FloatInput("G").value  # noqa: B018
    with pytest.raises(Exception, match="needs the UI manager"):
        element.set(4)


# ---------------------------------------------------------------- publishing


def children_of(write):
    return write.data["state"]["children"][APP]


def test_dynamic_ui_initial_publish_is_one_replacing_aggregate_update(client):
    m, instance, _ = manager(client, ui_cls=DynamicUI)
    write = m.initial_publish()
    assert write.channel_name == "ui_state"
    assert write.replace_keys == ["state.children.pump_ctl_1"]
    schema = children_of(write)
    assert (schema["name"], schema["position"], schema["type"]) == (APP, 100, "uiApplication")
    assert "icon" not in schema  # nulls are not sent
    assert list(schema["children"])[-1] == "extra"
    write.execute(client)
    assert client.calls == [("update_channel_aggregate", "ui_state", write.data, {"replace_keys": ["state.children.pump_ctl_1"]})]
    assert m.pending_ui_patch() is None


def test_changes_after_setup_are_republished_as_minimal_coalesced_patches(client):
    m, instance, _ = manager(client, ui_cls=DynamicUI)
    m.initial_publish().execute(client)
    instance.status.hidden = True
    instance.status.value = "fault"
    instance.charge_mode.options.append(ui.Option("Float"))
    instance.remove_element("reset")
    write = m.pending_ui_patch()
    assert write.replace_keys == []
    assert children_of(write) == {"children": {
        "status": {"hidden": True, "currentValue": "fault"},
        "charge_mode": {"options": {"float": {"name": "float", "displayString": "Float", "type": "uiElement"}}},
        "reset": None,
    }}
    write.execute(client)
    stored = client.aggregates["ui_state"]["state"]["children"][APP]
    assert stored == m._current_schema()
    assert m.pending_ui_patch() is None
    instance.add_element(ui.TextVariable("Late", value="x"))
    late = children_of(m.pending_ui_patch())["children"]["late"]
    assert (late["position"], late["currentValue"]) == (60, "x")  # 8 declared, "extra" 59


def test_static_ui_is_not_published_until_something_changes_then_it_is_sent_whole(client):
    m, instance, _ = manager(client)
    assert m.initial_publish() is None
    assert m.pending_ui_patch() is None
    instance.status.hidden = True
    first = m.pending_ui_patch()
    assert first.replace_keys == ["state.children.pump_ctl_1"]
    assert children_of(first)["children"]["status"]["hidden"] is True
    instance.status.hidden = False
    assert children_of(m.pending_ui_patch()) == {"children": {"status": {"hidden": False}}}


def test_a_processor_seeds_the_published_schema_and_patches_only_the_difference(client):
    m, instance, _ = manager(client, ui_cls=DynamicUI)
    stored = m._current_schema()
    stored["children"]["status"]["currentValue"] = "stale"
    m.seed_published({"state": {"children": {APP: stored, "other_app": {"x": 1}}}})
    assert children_of(m.pending_ui_patch()) == {"children": {"status": {"currentValue": "ok"}}}
    assert m.pending_ui_patch() is None


def test_config_lookups_are_resolved_before_publishing(client):
    class Cfg(config.Schema):
        position = config.ApplicationPosition()

    cfg = Cfg.from_dict({"dv_app_position": 3, "APP_DISPLAY_NAME": "Pump"})
    instance = DynamicUI(cfg, None, APP)
    instance.setup()
    m = ui.UIManager(client, APP, ui=instance)
    schema = children_of(m.initial_publish())
    assert (schema["displayString"], schema["position"], schema["name"], schema["hidden"]) == ("Pump", 3, APP, False)


def test_publish_sends_the_pending_patch(client):
    m, instance, _ = manager(client, ui_cls=DynamicUI)
    m.initial_publish()
    assert m.publish() is False
    instance.status.hidden = True
    assert m.publish() is True
    assert client.calls == [("update_channel_aggregate", "ui_state",
                             {"state": {"children": {APP: {"children": {"status": {"hidden": True}}}}}}, {})]


def test_ui_manager_listens_on_ui_cmds_only():
    m = ui.UIManager(None, APP)
    m.add_handler("x", lambda ctx, v: None)
    assert m.channels == {"ui_cmds"}
    assert ui.UICommandsManager is ui.UIManager
