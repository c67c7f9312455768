from pydoover import tags


class PumpControllerTags(tags.Tags):
    pressure = tags.Tag("number", default=None)
    pump_running = tags.Tag("boolean", default=False)
    start_requests = tags.Tag("integer", default=0)
