from pydoover import ui

from .app_tags import TankMonitorTags


class TankMonitorUI(ui.UI):
    level = ui.NumericVariable("Tank Level", value=TankMonitorTags.level_percent, precision=1)
    volume = ui.NumericVariable("Volume", value=TankMonitorTags.volume_litres, precision=0)
