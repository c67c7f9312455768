"""Realistic app schemas whose exported JSON is kept as golden files next to this module.

Written against the public names only, so ``regenerate.py`` can also run it against the
platform's reference SDK (aliased as ``doover``) to produce the golden files.
"""

import enum

from doover import config
from doover.processor import config as pconfig


# ---------------------------------------------------------------- a Modbus sensor app


class BusType(enum.Enum):
    SERIAL = "serial"
    TCP = "tcp"


class ModbusSettings(config.Object):
    bus_type = config.Enum("Bus Type", choices=BusType, default=BusType.SERIAL)
    serial_port = config.String("Serial Port", default="/dev/ttyAMA0")
    serial_baud = config.Integer("Serial Baud", default=9600)
    serial_parity = config.Enum("Serial Parity", choices=["None", "Even", "Odd"], default="None")
    serial_timeout = config.Number("Serial Timeout", default=0.3)
    tcp_uri = config.String("TCP URI", default="127.0.0.1:5000")


class Register(config.Object):
    address = config.Integer("Address", minimum=0, maximum=65535)
    count = config.Integer("Count", default=1, minimum=1, maximum=125)
    register_type = config.Enum("Register Type", choices=["holding", "input"], default="holding")
    scale = config.Number("Scale", default=1.0)
    json_key = config.String("JSON Key", pattern="^[a-z_]+$")


class ModbusSensorConfig(config.Schema, name="Modbus Sensor"):
    modbus_config = ModbusSettings("Modbus Config", description="Bus settings", default_collapsed=True)
    modbus_id = config.Integer("Modbus ID", default=1, minimum=1, maximum=247)
    poll_period = config.Number("Poll Period (s)", default=5.0, minimum=0.5)
    registers = config.Array("Registers", element=Register("Register"), min_items=1)
    position = config.ApplicationPosition(description="Where the app sits in the UI.")


# ---------------------------------------------------------------- a processor


class AlertProcessorConfig(config.Schema, name="Alert Processor"):
    dv_proc_subscriptions = pconfig.ManySubscriptionConfig()
    dv_proc_schedules = pconfig.ScheduleConfig(allowed_modes=["cron", "disabled"])
    threshold = config.Number("Alert Threshold", default=40.0, description="Degrees C")
    severity = config.Enum("Severity", choices=[1, 2, 3], default=2)
    recipients = config.Array("Recipients", element=config.Device(), default=[], unique_items=True)
    quiet = config.Boolean("Quiet Hours", default=False, advanced=True)


# ---------------------------------------------------------------- nested objects and arrays


class Location(config.Object):
    lat = config.Number("Latitude", minimum=-90, maximum=90)
    lon = config.Number("Longitude", minimum=-180, maximum=180)


class Pump(config.Object):
    pin = config.Integer("Pin", minimum=0, maximum=7)
    name = config.String("Name", default="pump", length=16)


class Site(config.Object):
    site_name = config.String("Site Name")
    location = Location("Location", default=None, required=False)
    pumps = config.Array("Pumps", element=Pump("Pump"), max_items=4, default=[])
    notes = config.Object("Notes", default={}, collapsible=False)


class FleetConfig(config.Schema, name="Fleet"):
    sites = config.Array("Sites", element=Site("Site"))
    source = config.TagRef(
        "Level Source", default=None, required=False,
        reference_name__description="Handle", agent_id__description="Owner agent",
        app_name__description="Publishing app", tag_name__description="Tag", tag_name__length=64,
    )
    started = config.DateTime("Started", default=None)


# ---------------------------------------------------------------- conditional fields


class ConnectionConfig(config.Schema, name="Connection", advanced=False):
    protocol = config.Enum("Protocol", choices=["serial", "tcp"], default="serial")
    enabled = config.Boolean("Enabled", default=True)
    port = config.String("Port", default="/dev/ttyUSB0", show_if=config.equal(protocol, "serial"))
    baud = config.Integer("Baud", show_if=config.equal(protocol, "serial"))
    host = config.String("Host", show_if=config.equal("protocol", "tcp"))
    retries = config.Integer("Retries", default=3, minimum=0, show_if=config.equal(enabled, False))


APPS = {
    "modbus_sensor": ModbusSensorConfig,
    "alert_processor": AlertProcessorConfig,
    "fleet": FleetConfig,
    "connection": ConnectionConfig,
}
