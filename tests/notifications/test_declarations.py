"""Declaring notifications: schema entries, canonical topics, lookups, errors and the export."""

import json

import pytest

from doover.exceptions import DooverError, InvalidArgumentError
from doover.models import NotificationPolicy, NotificationSeverity, NotificationTopic, NotificationTopicFilterMode
from doover.notifications import BoundNotification, Notification, Notifications


class PumpNotifications(Notifications):
    low_battery = Notification("The battery is low", severity="warn")
    maintenance_due = Notification(
        "Maintenance is due", policy=NotificationPolicy.opt_in, description="Every 500 running hours",
        title="Service", display_name="Service reminder",
    )


class TankNotifications(PumpNotifications):
    tank_full = Notification("The tank is full", name="tank-full.v2", severity=7)


def test_topic_is_dev_applications_policy_app_key_event():
    assert NotificationTopic.application("pump_ctl_1", "low_battery") == "dev/applications/default/pump_ctl_1/low_battery"
    topic = NotificationTopic.application("pump_ctl_1", "door.open-2", NotificationPolicy.opt_in)
    assert (topic, type(topic), isinstance(topic, str)) == (
        "dev/applications/opt-in/pump_ctl_1/door.open-2", NotificationTopic, True)
    assert NotificationTopic.application("a", "b", "opt_in") == "dev/applications/opt-in/a/b"
    assert NotificationTopic.application("a", "b", "opt-in") == "dev/applications/opt-in/a/b"


@pytest.mark.parametrize("app_key,event,field,bad", [
    ("Pump", "low", "app_key", "'Pump'"),
    ("pump", "low battery", "event", "'low battery'"),
    ("pump", "_low", "event", "'_low'"),
    ("pump", "low\n", "event", "'low\\n'"),
    ("", "low", "app_key", "''"),
    ("pump", "a/b", "event", "'a/b'"),
])
def test_bad_topic_segment_raises_naming_the_segment(app_key, event, field, bad):
    with pytest.raises(InvalidArgumentError) as exc:
        NotificationTopic.application(app_key, event)
    assert str(exc.value) == (
        "{}: expected lower-case letters, digits, '.', '_' or '-', starting with a letter or digit "
        "(^[a-z0-9][a-z0-9._-]*$), got {}".format(field, bad))
    assert isinstance(exc.value, ValueError)


def test_non_str_segment_and_unknown_policy_are_refused():
    with pytest.raises(InvalidArgumentError, match=r"^event: expected a str matching .*, got int: 5$"):
        NotificationTopic.application("pump", 5)
    with pytest.raises(InvalidArgumentError, match=r"^policy: expected a NotificationPolicy, 'default' or 'opt-in', got 'sometimes'$"):
        NotificationTopic.application("pump", "low", "sometimes")


def test_policy_and_filter_mode_wire_values():
    assert [(m.name, m.value) for m in NotificationPolicy] == [("default", "default"), ("opt_in", "opt-in")]
    assert [(m.name, m.value) for m in NotificationTopicFilterMode] == [("exact", "exact"), ("regex", "regex")]
    assert NotificationPolicy("OPT_IN") is NotificationPolicy.opt_in
    assert json.dumps([NotificationPolicy.opt_in, NotificationTopicFilterMode.regex]) == '["opt-in", "regex"]'


def test_schema_lists_declarations_in_order_with_inherited_ones_first():
    assert json.dumps(TankNotifications().to_schema()) == json.dumps({
        "low_battery": {"event": "low_battery", "display_name": "Low battery", "message": "The battery is low",
                        "severity": "Warn", "policy": "default"},
        "maintenance_due": {"event": "maintenance_due", "display_name": "Service reminder",
                            "message": "Maintenance is due", "severity": "Info", "policy": "opt-in",
                            "description": "Every 500 running hours", "title": "Service"},
        "tank-full.v2": {"event": "tank-full.v2", "display_name": "Tank full.v2", "message": "The tank is full",
                         "severity": "Critical", "policy": "default"},
    })
    assert list(PumpNotifications().to_schema()) == ["low_battery", "maintenance_due"]


def test_bound_notifications_carry_name_topic_and_template():
    n = TankNotifications("tank_ctl_2")
    assert isinstance(n.tank_full, BoundNotification)
    assert (n.tank_full.name, n.tank_full.topic, n.tank_full.template) == (
        "tank-full.v2", "dev/applications/default/tank_ctl_2/tank-full.v2", TankNotifications.tank_full)
    assert n.maintenance_due.topic == "dev/applications/opt-in/tank_ctl_2/maintenance_due"
    assert n.topic_for("tank_full") == n.topic_for("tank-full.v2") == "dev/applications/default/tank_ctl_2/tank-full.v2"
    assert [b.name for b in n] == ["low_battery", "maintenance_due", "tank-full.v2"]
    assert len(n) == 3 and len(Notifications()) == 0
    assert n["tank-full.v2"].name == n.get("tank_full").name == "tank-full.v2"
    assert n.get("nope") is None
    assert repr(n) == "TankNotifications(['low_battery', 'maintenance_due', 'tank_full'])"
    assert isinstance(TankNotifications.low_battery, Notification)
    assert TankNotifications.low_battery.severity is NotificationSeverity.Warn


def test_unknown_name_is_a_key_error_listing_the_declared_ones():
    n = PumpNotifications("pump")
    with pytest.raises(KeyError) as exc:
        n["nope"]
    assert isinstance(exc.value, InvalidArgumentError)
    assert str(exc.value) == "'nope': no notification declared under that name on PumpNotifications " \
                             "(declared: low_battery, maintenance_due)"
    with pytest.raises(InvalidArgumentError, match="^'x': no notification declared"):
        n.topic_for("x")


def test_duplicate_event_names_are_refused_when_the_class_is_defined():
    with pytest.raises(InvalidArgumentError) as exc:
        class Clash(PumpNotifications):
            battery = Notification("Battery", name="low_battery")
    assert str(exc.value) == ("Clash: event name 'low_battery' is declared twice, by 'low_battery' and "
                              "'battery'; give one of them another name=")


def test_attribute_name_that_is_no_topic_segment_is_refused_at_class_definition():
    with pytest.raises(InvalidArgumentError) as exc:
        class Camel(Notifications):
            lowBattery = Notification("Battery")
    assert str(exc.value).startswith(
        "Camel.lowBattery (the attribute name is the event name; give name= to use another): expected "
        "lower-case letters")

    class Named(Notifications):
        lowBattery = Notification("Battery", name="low_battery")
    assert Named("k").lowBattery.topic == "dev/applications/default/k/low_battery"


def test_overriding_an_inherited_declaration_with_a_plain_attribute_drops_it():
    class Fewer(PumpNotifications):
        maintenance_due = None
    assert list(Fewer().to_schema()) == ["low_battery"]


@pytest.mark.parametrize("kwargs,message", [
    ({"message": ""}, "message: expected a non-empty str, got ''"),
    ({"message": 3}, "message: expected a non-empty str, got 3"),
    ({"message": "m", "severity": "loud"}, "severity: expected a NotificationSeverity, an int 3..7 or one of "
     "Trace/Debug/Info/Warn/Critical (or warning/error/err/fatal/crit), got 'loud'"),
    ({"message": "m", "severity": True}, "severity: expected a NotificationSeverity, an int 3..7 or one of "
     "Trace/Debug/Info/Warn/Critical (or warning/error/err/fatal/crit), got True"),
    ({"message": "m", "policy": "never"}, "policy: expected a NotificationPolicy, 'default' or 'opt-in', got 'never'"),
    ({"message": "m", "title": 5}, "title: expected a str or None, got int: 5"),
    ({"message": "m", "name": "Low"}, "name: expected lower-case letters, digits, '.', '_' or '-', starting "
     "with a letter or digit (^[a-z0-9][a-z0-9._-]*$), got 'Low'"),
])
def test_bad_declaration_fields_raise_naming_the_field(kwargs, message):
    with pytest.raises(InvalidArgumentError) as exc:
        Notification(**kwargs)
    assert str(exc.value) == message


def test_a_declaration_cannot_send_by_itself():
    with pytest.raises(DooverError) as exc:
        PumpNotifications.low_battery.send("x")
    assert str(exc.value) == ("low_battery: a declared Notification cannot send by itself; send it through "
                              "the app's Notifications instance, e.g. self.notifications.low_battery.send()")


def test_sending_needs_an_app_and_the_topic_needs_an_app_key():
    with pytest.raises(DooverError, match=r"^PumpNotifications: not attached to an app, so nothing can be sent"):
        PumpNotifications("pump").low_battery.send()
    with pytest.raises(DooverError, match=r"^low_battery: the topic needs the app key, which is not set"):
        PumpNotifications().low_battery.topic


def test_send_fills_everything_from_the_declaration_and_passes_extras_through():
    calls = []

    class App:
        app_key = "pump_ctl_1"

        def send_notification(self, message, **kwargs):
            calls.append((message, kwargs))
            return "sent"

    n = PumpNotifications(None, App())  # no app key given: the app's is used
    assert n.maintenance_due.send() == "sent"
    assert n.low_battery.send("Battery at 10.2 V", title="Pump 3", severity="critical", agent_id=9) == "sent"
    assert calls == [
        ("Maintenance is due", {"title": "Service", "severity": NotificationSeverity.Info,
                                "topic": "dev/applications/opt-in/pump_ctl_1/maintenance_due"}),
        ("Battery at 10.2 V", {"title": "Pump 3", "severity": "critical", "agent_id": 9,
                               "topic": "dev/applications/default/pump_ctl_1/low_battery"}),
    ]
    with pytest.raises(InvalidArgumentError, match=r"^topic: a declared notification is sent on its own topic"):
        n.low_battery.send(topic="other")


def test_undeclared_notification_schema_needs_a_name():
    assert Notification("m", name="ad-hoc").to_schema()["event"] == "ad-hoc"
    with pytest.raises(DooverError, match=r"^Notification\('m'\): no event name yet"):
        Notification("m").to_schema()


def test_export_writes_notification_schema_next_to_the_other_keys(tmp_path):
    path = tmp_path / "doover_config.json"
    path.write_text(json.dumps({"pump": {"config_schema": {"type": "object"}}, "other": {"x": 1}}))
    PumpNotifications.export(path, "pump")
    assert path.read_text() == json.dumps({
        "pump": {"config_schema": {"type": "object"}, "notification_schema": PumpNotifications().to_schema()},
        "other": {"x": 1},
    }, indent=4) + "\n"
    fresh = tmp_path / "new" / "doover_config.json"
    fresh.parent.mkdir()
    Notifications.export(str(fresh), "empty_app")
    assert json.loads(fresh.read_text()) == {"empty_app": {"notification_schema": {}}}


def test_the_platform_sdk_spelling_works_with_only_the_import_renamed():
    from doover import notifications

    class MyNotifications(notifications.Notifications):
        low_battery = notifications.Notification("The battery is low")
        maintenance_due = notifications.Notification(
            "Maintenance is due", policy=notifications.NotificationPolicy.opt_in)

    n = MyNotifications("pump_controller_1")
    assert [(b.name, b.topic) for b in n] == [
        ("low_battery", "dev/applications/default/pump_controller_1/low_battery"),
        ("maintenance_due", "dev/applications/opt-in/pump_controller_1/maintenance_due"),
    ]
    assert notifications.NotificationSeverity.Warn == 6
    assert sorted(notifications.__all__) == [
        "BoundNotification", "Notification", "NotificationPolicy", "NotificationSeverity", "Notifications"]


def test_a_set_adjusted_in_setup_does_not_leak_into_the_next_instance():
    from doover.notifications import Notification, Notifications

    class Pump(Notifications):
        high = Notification("Level high")
        low = Notification("Level low")

        def setup(self):
            self._notification_declarations.pop("high")  # as apps written for the platform SDK do

    first = Pump("pump_1")
    first.setup()
    assert [n.name for n in first] == ["low"] and len(first) == 1
    assert list(first.to_schema()) == ["low"]
    fresh = Pump("pump_1")  # a warm container's next invocation builds a new one
    assert [n.name for n in fresh] == ["high", "low"]
    assert list(Pump._declarations) == ["high", "low"]
