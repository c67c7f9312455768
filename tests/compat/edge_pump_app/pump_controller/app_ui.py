from pydoover import ui

from .app_tags import PumpControllerTags


class PumpControllerUI(ui.UI):
    pressure = ui.NumericVariable("Pressure", value=PumpControllerTags.pressure, precision=1)
    running = ui.BooleanVariable("Pump Running", value=PumpControllerTags.pump_running)
    start_pump = ui.Button("Start Pump")
    stop_pump = ui.Button("Stop Pump")
