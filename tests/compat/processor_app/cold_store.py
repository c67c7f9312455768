"""A cold-store monitor written the way an app author writes for the platform SDK (pydoover 1.18.3).

Kept with the ``pydoover`` import names on purpose: ``tests/compat/test_processor_app.py`` copies
this file, replaces only ``pydoover`` with ``doover`` and runs it against the emulator.

* ``pre_hook_filter``: messages without a temperature (door events, say) are skipped before
  any setup or request.
* ``on_message_create``: a temperature reading on the subscribed channel. Tags keep the last
  reading, a reading count and whether the store is alerting; crossing the configured threshold
  sends one notification (not one per reading while it stays hot).
* ``on_schedule``: posts a report message to the ``reports`` channel with the count so far and
  the current aggregate of the subscribed channel, then starts a new count.
"""

from pydoover import config, tags
from pydoover.models import MessageCreateEvent, NotificationSeverity
from pydoover.processor import Application, ScheduleConfig, SubscriptionConfig, run_app


class ColdStoreConfig(config.Schema):
    subscription = SubscriptionConfig()
    schedule = ScheduleConfig(default="rate(1 hour)")
    threshold = config.Number("Alert Threshold", default=8.0, description="Alert above this temperature (C).")
    site_name = config.String("Site Name", default="Cold store", description="Used in notifications.")


class ColdStoreTags(tags.Tags):
    last_temperature = tags.Number(default=None)
    readings = tags.Number(default=0)
    alerting = tags.Boolean(default=False)
    last_report = tags.String(default="")


class ColdStore(Application):
    config_cls = ColdStoreConfig
    tags_cls = ColdStoreTags

    async def setup(self):
        self.site = self.config.site_name.value

    async def pre_hook_filter(self, event):
        if isinstance(event, MessageCreateEvent):
            return isinstance(event.message.data, dict) and "t" in event.message.data
        return True

    async def on_message_create(self, event):
        temperature = event.message.data["t"]
        threshold = self.config.threshold.value
        await self.tags.last_temperature.set(temperature)
        await self.tags.readings.increment()
        hot = temperature > threshold
        if hot and not self.tags.alerting.value:
            await self.send_notification(
                f"{self.site}: {temperature} C is above {threshold} C",
                title="Cold store too warm",
                severity=NotificationSeverity.Warn,
            )
        await self.tags.alerting.set(hot)
        return {"temperature": temperature, "alerting": hot}

    async def on_schedule(self, event):
        channel = await self.fetch_channel(self.config.subscription.value)
        latest = channel.aggregate.data if channel.aggregate is not None else None
        report = {"site": self.site, "readings": self.tags.readings.value, "latest": latest,
                  "alerting": self.tags.alerting.value}
        message = await self.api.create_message("reports", report)
        await self.tags.last_report.set(str(message.id))
        await self.tags.readings.set(0)
        return report


def handler(event, context):
    return run_app(ColdStore(), event, context)
