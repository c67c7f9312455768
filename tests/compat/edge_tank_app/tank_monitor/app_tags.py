from pydoover import tags


class TankMonitorTags(tags.Tags):
    level_percent = tags.Tag("number", default=None)
    volume_litres = tags.Tag("number", default=None)
    low_level = tags.Tag("boolean", default=False)
