from pydoover import config


class TankMonitorConfig(config.Schema):
    tank_name = config.String("Tank Name", description="Shown on notifications")
    capacity = config.Number("Capacity Litres", default=1000.0)
    low_level_percent = config.Number("Low Level Percent", default=20.0)
    sensor_pin = config.Integer("Sensor Pin", default=0)
