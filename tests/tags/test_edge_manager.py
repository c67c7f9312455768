import logging

import pytest

from doover.tags import CommitPlan, EdgeTagManager, LogMode, Number, Tags, TagsManagerDocker, UIPresence


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def edge(**kwargs):
    kwargs.setdefault("clock", Clock())
    return EdgeTagManager(app_key="pump_ctl_1", **kwargs)


def test_reference_traffic_of_the_first_two_iterations_with_per_iteration_uploads(client):
    m = edge(client=client, min_upload_interval=0)
    m.seed({})
    m.set_tag("is_working", True)
    m.set_tag("uptime", 0.2)
    m.set_tag("battery_voltage", 20.7)
    m.commit(now=0.0)
    m.set_tag("is_working", True)
    m.set_tag("uptime", 1.2)
    m.set_tag("battery_voltage", 11.81)
    m.commit(now=1.0)
    assert client.calls == [
        ("update_channel_aggregate", "tag_values", {"pump_ctl_1": {"is_working": True, "uptime": 0.2, "battery_voltage": 20.7}}, {"max_age_secs": 900}),
        ("create_message", "tag_values", {"pump_ctl_1": {"is_working": True, "uptime": 0.2, "battery_voltage": 20.7}}, {}),
        ("update_channel_aggregate", "tag_values", {"pump_ctl_1": {"uptime": 1.2, "battery_voltage": 11.81}}, {"max_age_secs": 900}),
    ]


def test_watched_app_uses_max_age_3_and_sends_watched_live_tags_as_one_shot(client):
    presence = UIPresence(
        "app",
        {"app_open": {"u1": {"ts": 1_000_000, "apps": ["app"]}}, "live_tag_open": {"u1": {"ts": 1_000_000, "tags": ["app.level"]}}},
        clock_ms=lambda: 1_050_000,
    )
    m = EdgeTagManager(client, app_key="app", presence=presence, clock=Clock())
    m.set_live_tags([("app", "level"), ("app", "flow")])
    m.set_tag("level", 2)
    m.set_tag("flow", 7)
    m.commit(now=0.0)
    assert client.calls[0] == ("update_channel_aggregate", "tag_values", {"app": {"level": 2, "flow": 7}}, {"max_age_secs": 3})
    assert client.calls[2] == ("send_oneshot_message", "tag_values", {"app": {"level": 2}}, {})
    # every iteration while watched, even without changes
    assert m.build_commit(now=1.0) == CommitPlan(live_message={"app": {"level": 2}})


def test_changes_coalesce_between_uploads_while_nobody_watches():
    m = edge(min_upload_interval=60)
    m.set_tag("level", 1)
    assert m.build_commit(now=0).aggregate_patch == {"pump_ctl_1": {"level": 1}}
    for t in range(1, 60):
        m.set_tag("level", t)
        plan = m.build_commit(now=float(t))
        assert plan is None or plan.aggregate_patch is None
    m.set_tag("level", 1)  # back to the uploaded value: nothing to send at t=60
    assert m.build_commit(now=60.0) is None
    m.set_tag("level", 99)
    assert m.build_commit(now=61.0).aggregate_patch == {"pump_ctl_1": {"level": 99}}


def test_observed_app_uploads_every_iteration():
    m = edge(min_upload_interval=60, is_app_open=lambda: True)
    m.set_tag("level", 1)
    assert m.build_commit(now=0).aggregate_patch == {"pump_ctl_1": {"level": 1}}
    m.set_tag("level", 2)
    assert m.build_commit(now=0.5).aggregate_patch == {"pump_ctl_1": {"level": 2}}


def test_log_true_and_flush_upload_at_once_despite_the_cadence():
    m = edge(min_upload_interval=60)
    m.set_tag("a", 1)
    m.build_commit(now=0)
    m.set_tag("a", 2, log=True)
    assert m.build_commit(now=1) == CommitPlan(aggregate_patch={"pump_ctl_1": {"a": 2}}, log_message={"pump_ctl_1": {"a": 2}}, max_age_secs=900)
    m.set_tag("a", 3, flush=True)
    assert m.build_commit(now=2) == CommitPlan(aggregate_patch={"pump_ctl_1": {"a": 3}}, max_age_secs=900)


def test_periodic_log_at_most_every_15_minutes_with_changes_since_the_last():
    m = edge(min_upload_interval=0)
    m.set_tag("a", 1)
    assert m.build_commit(now=0).log_message == {"pump_ctl_1": {"a": 1}}  # first commit logs
    m.set_tag("a", 2)
    m.build_commit(now=10)
    m.set_tag("b", 5)
    assert m.build_commit(now=899).log_message is None
    m.set_tag("c", 1)
    assert m.build_commit(now=900).log_message == {"pump_ctl_1": {"a": 2, "b": 5, "c": 1}}
    assert m.build_commit(now=1800) is None


def test_immediate_and_due_periodic_logs_travel_as_one_message():
    m = edge(min_upload_interval=0)
    m.set_tag("a", 1)
    m.set_tag("alarm", True, log=True)
    assert m.build_commit(now=0).log_message == {"pump_ctl_1": {"alarm": True, "a": 1}}


def test_unchanged_log_true_writes_are_dropped_like_the_reference_edge_manager():
    m = edge(tag_values={"pump_ctl_1": {"a": 1}})
    m.set_tag("a", 1, log=True)
    assert m.build_commit(now=0) is None


def test_log_mode_never_sends_no_logs():
    m = edge(min_upload_interval=0)
    m.log_mode = LogMode.NEVER
    m.set_tag("a", 1, log=True)
    assert m.build_commit(now=0) == CommitPlan(aggregate_patch={"pump_ctl_1": {"a": 1}}, max_age_secs=900)


def test_deleting_a_tag_is_a_null_in_patch_and_log():
    m = edge(tag_values={"pump_ctl_1": {"a": 1}}, min_upload_interval=0)
    m.set_tag("a", None)
    assert m.build_commit(now=0) == CommitPlan(
        aggregate_patch={"pump_ctl_1": {"a": None}}, log_message={"pump_ctl_1": {"a": None}}, max_age_secs=900
    )


def test_incoming_aggregates_replace_the_cache_but_pending_writes_stay_on_top():
    m = edge(tag_values={"pump_ctl_1": {"a": 1, "b": 1}}, min_upload_interval=60)
    m.build_commit(now=0)
    m.set_tag("a", 2)
    m.on_aggregate_update({"pump_ctl_1": {"a": 1, "b": 7}, "other": {"z": 1}})
    assert (m.get_tag("a"), m.get_tag("b"), m.get_tag("z", app_key="other")) == (2, 7, 1)
    assert m.build_commit(now=60).aggregate_patch == {"pump_ctl_1": {"a": 2}}


def test_aggregate_events_and_aggregate_shapes_are_accepted():
    class Agg:
        data = {"pump_ctl_1": {"a": 3}}

    class Event:
        aggregate = Agg()

    m = edge()
    m.on_aggregate_update(Event())
    assert m.get_tag("a") == 3
    m.seed({"data": {"pump_ctl_1": {"a": 4}}, "attachments": [], "last_updated": 1})
    assert m.get_tag("a") == 4


def test_subscriptions_fire_on_incoming_changes_only_and_allow_several_callbacks():
    m = edge()
    seen = []
    m.subscribe_to_tag("level", lambda key, value: seen.append(("first", key, value)))
    m.subscribe_to_tag("level", lambda key, value: seen.append(("second", key, value)))
    m.subscribe_to_tag("shutdown_at", lambda key, value: seen.append(("global", key, value)), global_tag=True)
    m.subscribe_to_tag(["cfg", "p"], lambda key, value: seen.append(("nested", key, value)))
    m.seed({"pump_ctl_1": {"level": 1}})  # initial sync: no callbacks
    m.set_tag("level", 5)  # own write: no callback
    m.on_aggregate_update({"pump_ctl_1": {"level": 2}, "shutdown_at": 100})  # pending local write wins
    m.build_commit(now=0)
    m.on_aggregate_update({"pump_ctl_1": {"level": 3, "cfg": {"p": 1}}, "shutdown_at": 100})
    m.on_aggregate_update({"pump_ctl_1": {"cfg": {"p": 1}}})
    assert seen == [
        ("global", "shutdown_at", 100),
        ("first", "level", 3),
        ("second", "level", 3),
        ("nested", ["cfg", "p"], 1),
        ("first", "level", None),
        ("second", "level", None),
        ("global", "shutdown_at", None),
    ]


def test_a_raising_callback_is_logged_and_the_others_still_run(caplog):
    m = edge()
    seen = []

    def broken(key, value):
        raise RuntimeError("boom")

    async def async_cb(key, value):
        seen.append(value)

    m.subscribe_to_tag("x", broken)
    m.subscribe_to_tag("x", async_cb)
    with caplog.at_level(logging.ERROR, logger="doover.tags"):
        m.on_aggregate_update({"pump_ctl_1": {"x": 1}})
    assert seen == [1]
    assert "tag subscription callback" in caplog.text and "pump_ctl_1.x" in caplog.text and "boom" in caplog.text


def test_unsubscribe_one_or_all_callbacks():
    m = edge()
    seen = []
    a = lambda k, v: seen.append("a")  # noqa: E731
    b = lambda k, v: seen.append("b")  # noqa: E731
    m.subscribe_to_tag("x", a)
    m.subscribe_to_tag("x", b)
    m.unsubscribe_from_tag("x", callback=a)
    m.on_aggregate_update({"pump_ctl_1": {"x": 1}})
    m.unsubscribe_from_tag("x")
    m.on_aggregate_update({"pump_ctl_1": {"x": 2}})
    assert seen == ["b"]


def test_commit_tags_ignores_the_cadence(client):
    m = EdgeTagManager(client, app_key="a", min_upload_interval=3600, clock=Clock())
    m.set_tag("x", 1)
    m.commit()
    m.set_tag("x", 2)
    m.commit_tags()
    assert [c[2] for c in client.calls if c[0] == "update_channel_aggregate"] == [{"a": {"x": 1}}, {"a": {"x": 2}}]


def test_reference_constructor_order_and_alias():
    m = TagsManagerDocker(None, 60, "k")
    assert (m.tag_log_interval, m.app_key) == (60, "k")


def test_tags_over_an_edge_manager():
    class T(Tags):
        level = Number(default=0, live=True)

    m = edge(min_upload_interval=0)
    tags = T("pump_ctl_1", m, None)
    m.set_live_tags(tags.get_live_tag_keys())
    tags.level.set(3)
    assert m.build_commit(now=0).aggregate_patch == {"pump_ctl_1": {"level": 3}}


# ---------------------------------------------------------------- presence


def test_presence_ignores_stale_entries_and_reads_buckets():
    now = {"ms": 10_000_000}
    p = UIPresence("app", clock_ms=lambda: now["ms"])
    p.update({
        "agent_open": {"u1": 9_900_000},
        "group_open": {"u2": 9_000_000},
        "app_open": {"u1": {"ts": 9_950_000, "apps": ["app", "other"]}},
        "live_tag_open": {"u1": {"ts": 9_950_000, "tags": ["app.level", "other.x"]}, "u3": None},
    })
    assert p.is_agent_open is True
    assert p.is_group_open is False  # older than 120 s
    assert p.is_app_open() is True and p.is_app_open("nope") is False
    assert p.is_live_tag_open("level") is True and p.is_live_tag_open("x", "other") is True
    assert p.open_live_tags() == {"app.level", "other.x"}
    now["ms"] += 200_000
    assert p.is_being_observed is False


@pytest.mark.parametrize("aggregate", [None, {}, {"data": None}, "junk"])
def test_presence_tolerates_empty_or_odd_aggregates(aggregate):
    p = UIPresence("app", aggregate)
    assert p.is_being_observed is False
