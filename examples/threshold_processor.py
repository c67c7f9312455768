"""A cloud processor that raises a notification when a tank level crosses a threshold.

The module is the processor (deploy it with ``handler`` as the Lambda handler): each message
on the subscribed channel sets the tag ``last_level``; a level above the configured
``threshold`` (default 80 %) also bumps the tag ``alerts`` and sends a warning notification.

Run as a program, it invokes the handler the way Lambda would, once per reading, with
``doover invoke`` (one fresh process per invocation) against an emulator, and prints each
result::

    python examples/threshold_processor.py

With ``DOOVER_DATA_ENDPOINT`` and ``DOOVER_TOKEN`` set (``doover emulator --agent 1``) it
uses that emulator instead of starting one in-process. One invocation by hand, from this
directory::

    doover invoke threshold_processor:handler --channel tank_readings --data '{"level": 92.5}' \\
        --app-key threshold_alert --config '{"threshold": 80}'
"""

import json
import os
import subprocess
import sys

from doover import config
from doover.processor import Application, run_app

APP_KEY = "threshold_alert"
CHANNEL = "tank_readings"


class AlertConfig(config.Schema):
    threshold = config.Number("Threshold", default=80.0, minimum=0, maximum=100,
                              description="Level (percent) above which a notification is sent")


class ThresholdAlert(Application):
    config_cls = AlertConfig

    def on_message_create(self, event):
        level = float(event.message.data["level"])
        threshold = self.config.threshold.value
        self.set_tag("last_level", level)
        if level > threshold:
            self.set_tag("alerts", (self.get_tag("alerts") or 0) + 1)
            self.send_notification("Tank level {:g}% is above {:g}%".format(level, threshold), severity="warning")
        return {"level": level, "alert": level > threshold}


app = ThresholdAlert()


def handler(event, context):
    """The Lambda handler."""
    return run_app(app, event, context)


# ------------------------------------------------------------------ running it locally

AGENT_ID = int(os.environ.get("AGENT_ID", "1"))
READINGS = [55.0, 92.5]


def invoke(base_url, token, level):
    """Run ``doover invoke`` for one reading; returns the handler's result."""
    command = [
        sys.executable, "-m", "doover", "invoke", "threshold_processor:handler",
        "--channel", CHANNEL, "--data", json.dumps({"level": level}), "--agent", str(AGENT_ID),
        "--app-key", APP_KEY, "--config", json.dumps({"threshold": 80}),
        "--emulator", base_url[: -len("/api")] if base_url.endswith("/api") else base_url, "--token", token,
    ]
    here = os.path.dirname(os.path.abspath(__file__))  # doover invoke imports the handler from its cwd
    done = subprocess.run(command, cwd=here, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=120)
    if done.returncode != 0:
        sys.exit("doover invoke failed:\n" + done.stdout + done.stderr)
    lines = done.stdout.splitlines()
    return json.loads(lines[lines.index("== result") + 1])


def main():
    from doover.api import DataClient
    from doover.emulator import Emulator

    emulator = None
    base_url = os.environ.get("DOOVER_DATA_ENDPOINT")
    token = os.environ.get("DOOVER_TOKEN")
    if not base_url:
        emulator = Emulator().start()
        print("started an in-process emulator at", emulator.base_url)
        base_url, token = emulator.base_url, emulator.token_for(AGENT_ID)
    elif not token:
        sys.exit("DOOVER_DATA_ENDPOINT is set but DOOVER_TOKEN is not: set both, or neither")
    try:
        for level in READINGS:
            print("level {:g}: {}".format(level, json.dumps(invoke(base_url, token, level))))
        with DataClient(base_url, token=token, agent_id=AGENT_ID) as client:
            notes = client.list_messages("notifications")
            tags = client.fetch_channel_aggregate("tag_values").data.get(APP_KEY)
        for note in notes:
            print("notification:", note.data["message"])
        print("notifications sent: {}; tags {}".format(len(notes), tags))
    finally:
        if emulator is not None:
            emulator.close()


if __name__ == "__main__":
    main()
