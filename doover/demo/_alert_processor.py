"""The demo's processor: a threshold alert on the tank level readings.

Subscribed to the readings channel, it is invoked once per reading. It keeps which side of
the threshold the level was on in a tag (``above_threshold``), so it sends a notification
only when a reading crosses the threshold (up: a warning; back down: an info), never for
every reading above it. The threshold comes from the deployment config
(``threshold_percent``, default 75).

The emulator hosts it as ``doover.demo._alert_processor:handler``.
"""

from typing import Any, Dict

from .. import config
from ..processor import Application, run_app
from ..tags import Boolean, Tags

__all__ = ["AlertConfig", "AlertTags", "TankAlert", "handler", "APP_KEY", "LEVEL_FIELD"]

#: the processor's app key (its tags live under this key of ``tag_values``)
APP_KEY = "tank_alert"
#: the field of a reading that holds the level in percent
LEVEL_FIELD = "level_pct"


class AlertConfig(config.Schema):
    threshold = config.Number("Threshold Percent", default=75.0, minimum=0, maximum=100)


class AlertTags(Tags):
    above_threshold = Boolean(default=False)


class TankAlert(Application):
    """Notify when the tank level crosses the configured threshold (either way)."""

    config_cls = AlertConfig
    tags_cls = AlertTags

    def on_message_create(self, event: Any) -> Dict[str, Any]:
        data = event.message.data if isinstance(event.message.data, dict) else {}
        level = data.get(LEVEL_FIELD)
        if isinstance(level, bool) or not isinstance(level, (int, float)):
            return {"crossed": None, "ignored": "no {} in the message".format(LEVEL_FIELD)}
        threshold = float(self.config.threshold.value)
        above = level >= threshold
        was_above = bool(self.tags.above_threshold.value)
        if above == was_above:
            return {"level": level, "crossed": None}
        self.tags.above_threshold.set(above)
        if above:
            self.send_notification(
                "Tank level {:.1f}% is above {:g}%".format(level, threshold), title="Tank level high", severity="warning"
            )
        else:
            self.send_notification(
                "Tank level {:.1f}% is back below {:g}%".format(level, threshold), title="Tank level normal", severity="info"
            )
        return {"level": level, "crossed": "up" if above else "down"}


app = TankAlert()


def handler(event: Dict[str, Any], context: Any) -> Dict[str, Any]:
    """The Lambda entry point."""
    return run_app(app, event, context)
