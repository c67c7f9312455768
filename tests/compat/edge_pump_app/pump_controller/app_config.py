from pydoover import config


class PumpControllerConfig(config.Schema):
    modbus_id = config.Integer("Modbus ID", default=1)
    pressure_register = config.Integer("Pressure Register", default=0)
    max_pressure = config.Number("Max Pressure", default=80.0, description="kPa; the pump stops above it")
