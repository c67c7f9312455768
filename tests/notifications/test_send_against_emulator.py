"""End to end: processors (sync and async) and edge apps (sync and async) send declared
notifications and ``event=`` ones through the emulator's real HTTP server; the test reads the
stored ``notifications`` channel messages back.

The stored bodies are what pydoover 1.18.3 sends for the same calls: ``{"message", "title"?,
"severity" (the integer), "topic"?}``, with the declared severity always present (its default
is Info, 5) and the canonical topic ``dev/applications/<policy>/<app_key>/<event>``.
"""

import subprocess
import sys

import pytest

from doover.docker import Application as EdgeApplication
from doover.docker import DeviceAgentInterface
from doover.exceptions import DooverError, InvalidArgumentError
from doover.models import Notification as NotificationModel
from doover.notifications import Notification, NotificationPolicy, Notifications
from doover.processor import Application, run_app

EDGE_AGENT = 4242


class AlertNotifications(Notifications):
    low_battery = Notification("The battery is low", severity="warn", title="Pump 3")
    maintenance_due = Notification("Maintenance is due", policy=NotificationPolicy.opt_in)


def send_all(app, notifications):
    """One body for every flavour: ``yield x`` hands back ``x`` (sync) or ``await x`` (async)."""
    yield notifications.low_battery.send()
    yield notifications.maintenance_due.send("Service in 3 days", severity="critical")
    yield app.send_notification("Door open", event="door_open", notification_policy="opt-in", title="Shed")
    yield app.send_notification(NotificationModel("Raw model", severity=4, topic="custom/topic"))


def drive_sync(gen):
    out, value = [], None
    try:
        while True:
            value = gen.send(value)
            out.append(value)
    except StopIteration:
        return out


async def drive_async(gen):
    out, value = [], None
    try:
        while True:
            value = await gen.send(value)
            out.append(value)
    except StopIteration:
        return out


class SyncProcessor(Application):
    notifications_cls = AlertNotifications

    def on_message_create(self, event):
        self.sent = drive_sync(send_all(self, self.notifications))


class AsyncProcessor(Application):
    notifications_cls = AlertNotifications

    async def on_message_create(self, event):
        self.sent = await drive_async(send_all(self, self.notifications))


def expected_bodies(app_key):
    return [
        {"message": "The battery is low", "title": "Pump 3", "severity": 6,
         "topic": "dev/applications/default/{}/low_battery".format(app_key)},
        {"message": "Service in 3 days", "severity": 7,
         "topic": "dev/applications/opt-in/{}/maintenance_due".format(app_key)},
        {"message": "Door open", "title": "Shed", "topic": "dev/applications/opt-in/{}/door_open".format(app_key)},
        {"message": "Raw model", "severity": 4, "topic": "custom/topic"},
    ]


def expected_records(app_key, default_title):
    return [
        ("The battery is low", "Pump 3", "Warn", "dev/applications/default/{}/low_battery".format(app_key)),
        ("Service in 3 days", default_title, "Critical", "dev/applications/opt-in/{}/maintenance_due".format(app_key)),
        ("Door open", "Shed", "Info", "dev/applications/opt-in/{}/door_open".format(app_key)),
        ("Raw model", default_title, "Debug", "custom/topic"),
    ]


@pytest.mark.parametrize("app_cls", [SyncProcessor, AsyncProcessor])
def test_processor_sends_declared_and_event_notifications_stored_exactly(emu, subscription, app_cls):
    emu.add_agent(1, display_name="Pump station")
    app = app_cls()
    out = run_app(app, subscription.event({"t": 1}), None, setup_logging=False)
    assert out["status"] == "success", out
    stored = list(reversed(emu.messages(1, "notifications")))
    assert [m["data"] for m in stored] == expected_bodies("alerts")
    # each send returned the created message
    assert [(str(m.id), m.data) for m in app.sent] == [(m["id"], m["data"]) for m in stored]
    records = [(n["message"], n["title"], n["severity"], n["topic"]) for n in emu.notifications(1)]
    assert records == expected_records("alerts", "Pump station")
    assert all(n["valid"] for n in emu.notifications(1))


def test_processor_builds_notifications_per_invocation_with_that_invocations_app_key(emu, make_subscription):
    first, second = make_subscription("alerts"), make_subscription("pumps")
    seen = []

    class Probe(Application):
        notifications_cls = AlertNotifications

        def pre_hook_filter(self, event):
            seen.append(("pre", self.notifications))
            return True

        def on_message_create(self, event):
            seen.append(("handler", self.notifications))
            self.notifications.low_battery.send()

    app = Probe()
    assert run_app(app, first.event({"t": 1}), None, setup_logging=False)["status"] == "success"
    assert run_app(app, second.event({"t": 2}), None, setup_logging=False)["status"] == "success"
    assert [s[0] for s in seen] == ["pre", "handler", "pre", "handler"]
    assert seen[0][1] is None and seen[2][1] is None  # nothing left over from the last invocation
    assert (type(seen[1][1]), type(seen[3][1])) == (AlertNotifications, AlertNotifications)
    assert seen[1][1] is not seen[3][1] and seen[1][1].app_key == "alerts" and seen[3][1].app_key == "pumps"
    assert [n["topic"] for n in emu.notifications(1)] == [
        "dev/applications/default/alerts/low_battery", "dev/applications/default/pumps/low_battery"]


def test_processor_send_notification_refuses_topic_with_event_and_args_with_a_model(emu, subscription):
    errors = []

    class Wrong(Application):
        def on_message_create(self, event):
            for call in (lambda: self.send_notification("   "),
                         lambda: self.send_notification("m", severity=99),
                         lambda: self.send_notification("m", topic="t", event="e"),
                         lambda: self.send_notification("m", event="Bad Event"),
                         lambda: self.send_notification(NotificationModel("m"), title="t"),
                         lambda: self.send_notification("m", event="e", notification_policy="maybe")):
                try:
                    call()
                except DooverError as exc:
                    errors.append((type(exc).__name__, str(exc)))

    assert run_app(Wrong(), subscription.event({"t": 1}), None, setup_logging=False)["status"] == "success"
    assert errors == [
        ("InvalidArgumentError", "message: expected a non-empty string, got '   '"),
        ("InvalidArgumentError", "severity: expected an integer 3..7 or one of crit, critical, debug, err, error, "
                                 "fatal, info, trace, warn, warning, got 99"),
        ("InvalidArgumentError", "topic, event: give one or the other, not both (event='e' builds the canonical "
                                 "topic dev/applications/<policy>/<app_key>/<event> itself)"),
        ("InvalidArgumentError", "event: expected lower-case letters, digits, '.', '_' or '-', starting with a "
                                 "letter or digit (^[a-z0-9][a-z0-9._-]*$), got 'Bad Event'"),
        ("InvalidArgumentError", "title: not used when message is a doover.models.Notification (it carries its "
                                 "own title, severity and topic); set them on the model instead"),
        ("InvalidArgumentError", "notification_policy: expected a NotificationPolicy, 'default' or 'opt-in', "
                                 "got 'maybe'"),
    ]
    assert emu.notifications(1) == []


def test_processor_notifications_cls_defaults_to_the_base_class():
    from doover.notifications import Notifications as Base

    assert Application.notifications_cls is Base and Application().notifications is None


def test_prehook_rejected_invocation_never_imports_or_builds_notifications():
    child = (
        "import sys\n"
        "from doover.processor import Application, run_app\n"
        "class A(Application):\n"
        "    def pre_hook_filter(self, event):\n"
        "        return False\n"
        "    def on_schedule(self, event):\n"
        "        pass\n"
        "app = A()\n"
        "out = run_app(app, {'op': 'on_schedule', 'token': 't', 'd': {'schedule_id': '1'}}, None)\n"
        "sys.__stdout__.write('RESULT %s %s %s\\n' % (out['status'], app.notifications,"
        " sorted(m for m in sys.modules if 'notification' in m or m == 'doover.models._topics')))\n"
    )
    proc = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")] == ["RESULT skipped None []"]


class SyncEdge(EdgeApplication):
    notifications_cls = AlertNotifications

    def main_loop(self):
        self.sent = drive_sync(send_all(self, self.notifications))


class AsyncEdge(EdgeApplication):
    notifications_cls = AlertNotifications

    async def main_loop(self):
        self.sent = await drive_async(send_all(self, self.notifications))


@pytest.mark.parametrize("app_cls", [SyncEdge, AsyncEdge])
def test_edge_app_sends_declared_and_event_notifications_stored_exactly(emu, tmp_path, edge_once, app_cls):
    emu.add_agent(EDGE_AGENT, display_name="Field unit")
    agent = DeviceAgentInterface("pump_ctl_1", EDGE_AGENT, emu.base_url, emu.token_for(EDGE_AGENT),
                                 str(tmp_path / "outbox.sqlite"), poll_interval=0.05)
    app = app_cls(app_key="pump_ctl_1", device_agent=agent, test_mode=True)
    app.shutdown_flush_timeout = 60  # the outbox is flushed at shutdown: give a loaded machine time
    assert edge_once(app) == 0
    stored = sorted(emu.messages(EDGE_AGENT, "notifications"), key=lambda m: int(m["id"]))
    assert [m["data"] for m in stored] == expected_bodies("pump_ctl_1")
    assert [str(i) for i in app.sent] == [m["id"] for m in stored]  # each send returned the message id
    records = [(n["message"], n["title"], n["severity"], n["topic"]) for n in emu.notifications(EDGE_AGENT)]
    assert records == expected_records("pump_ctl_1", "Field unit")


def test_edge_app_key_given_later_is_used_and_bad_calls_are_refused():
    app = EdgeApplication()
    assert type(app.notifications) is Notifications and EdgeApplication.notifications_cls is Notifications
    with pytest.raises(DooverError, match=r"^event='low': the canonical topic needs the app key"):
        app.send_notification("m", event="low")
    app.app_key = "late_key"  # what run_app does when APP_KEY comes from the environment
    assert app.send_notification("m", event="low", severity="warn") > 0
    assert app._agent.messages["notifications"][0].data == {
        "message": "m", "severity": 6, "topic": "dev/applications/default/late_key/low"}
    with pytest.raises(InvalidArgumentError, match=r"^topic, event: give one or the other"):
        app.send_notification("m", topic="t", event="low")
    with pytest.raises(InvalidArgumentError, match=r"^message: expected a non-empty string, got ''$"):
        app.send_notification("")


def test_edge_app_runs_the_notifications_setup_before_its_own_setup(emu, tmp_path, edge_once):
    order = []

    class Tailored(Notifications):
        pump_stalled = Notification("The pump stalled")

        def setup(self):
            order.append(("notifications.setup", self.app_key))

    class Edge(EdgeApplication):
        notifications_cls = Tailored

        def setup(self):
            order.append(("app.setup", self.notifications.pump_stalled.topic))

        def main_loop(self):
            self.request_stop()

    emu.add_agent(EDGE_AGENT, display_name="Field unit")
    agent = DeviceAgentInterface("pump_ctl_1", EDGE_AGENT, emu.base_url, emu.token_for(EDGE_AGENT),
                                 str(tmp_path / "outbox.sqlite"), poll_interval=0.05)
    assert edge_once(Edge(app_key="pump_ctl_1", device_agent=agent, test_mode=True)) == 0
    assert order == [("notifications.setup", "pump_ctl_1"),
                     ("app.setup", "dev/applications/default/pump_ctl_1/pump_stalled")]
