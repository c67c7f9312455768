import asyncio
import json

from pydoover.docker import MockDeviceAgentInterface
from tank_monitor.application import TankMonitorApplication

APP_KEY = "tank_monitor_1"


class FakePlatform:
    """Analog input 0 reads the queued milliamp values, one per loop."""

    def __init__(self, readings):
        self.readings = list(readings)
        self.pins = []

    async def fetch_ai(self, pin):
        self.pins.append(pin)
        return self.readings.pop(0)


def test_loop_publishes_level_tags_and_alerts_once(tmp_path):
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps({"tank_name": "North", "capacity_litres": 2000}))
    platform = FakePlatform([12.0, 6.4, 5.6, 16.0])
    app = TankMonitorApplication(
        app_key=APP_KEY,
        device_agent=MockDeviceAgentInterface(APP_KEY),
        platform_iface=platform,
        modbus_iface=None,
        test_mode=True,
        config_fp=config_file,
    )

    async def scenario():
        task = asyncio.create_task(app._run())
        await app.wait_until_ready()
        seen = []
        for _ in range(4):
            await app.next()
            seen.append((app.tags.level_percent.value, app.tags.volume_litres.value, app.tags.low_level.value))
        aggregate = await app.device_agent.fetch_channel_aggregate("tank_level")
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        return seen, aggregate.data

    seen, aggregate = asyncio.run(scenario())
    assert seen == [
        (50.0, 1000.0, False),
        (15.0, 300.0, True),
        (10.0, 200.0, True),
        (75.0, 1500.0, False),
    ]
    assert platform.pins == [0, 0, 0, 0]
    assert app.low_alerts == 1
    assert aggregate["tank"]["level"] == 75.0
