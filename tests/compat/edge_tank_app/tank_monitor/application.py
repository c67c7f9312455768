import logging

from pydoover.docker import Application
from pydoover.utils import map_reading

from .app_config import TankMonitorConfig
from .app_tags import TankMonitorTags
from .app_ui import TankMonitorUI

log = logging.getLogger(__name__)


class TankMonitorApplication(Application):
    config_cls = TankMonitorConfig
    tags_cls = TankMonitorTags
    ui_cls = TankMonitorUI

    async def setup(self):
        self.loop_target_period = 1
        self.low_alerts = 0

    async def main_loop(self):
        milliamps = await self.platform_iface.fetch_ai(self.config.sensor_pin.value)
        level = map_reading(milliamps, [0, 100])
        if level is None:
            log.warning("sensor loop broken: %s mA", milliamps)
            return
        level = round(level, 1)
        volume = round(self.config.capacity.value * level / 100.0, 1)
        was_low = self.tags.low_level.value
        is_low = level < self.config.low_level_percent.value

        await self.tags.level_percent.set(level)
        await self.tags.volume_litres.set(volume)
        await self.tags.low_level.set(is_low)
        await self.device_agent.update_channel_aggregate(
            "tank_level", {"tank": {"name": self.config.tank_name.value, "level": level}}
        )
        if is_low and not was_low:
            self.low_alerts += 1
            await self.device_agent.update_channel_aggregate(
                "tank_level", {"tank": {"alerts": self.low_alerts}}
            )
