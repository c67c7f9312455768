import logging

from pydoover import ui
from pydoover.docker import Application

from .app_config import PumpControllerConfig
from .app_tags import PumpControllerTags
from .app_ui import PumpControllerUI

log = logging.getLogger(__name__)

RUN_COIL_REGISTER = 10  # holding register: 1 runs the pump, 0 stops it


class PumpControllerApplication(Application):
    config_cls = PumpControllerConfig
    tags_cls = PumpControllerTags
    ui_cls = PumpControllerUI

    async def setup(self):
        self.loop_target_period = 1
        self._command = None
        self.writes = []

    async def read_pressure(self):
        raw = await self.modbus_iface.read_registers(
            modbus_id=self.config.modbus_id.value,
            start_address=self.config.pressure_register.value,
            num_registers=1,
            register_type=4,
        )
        if isinstance(raw, list):  # one register may come back bare or as a list
            raw = raw[0]
        return None if raw is None else raw / 10.0

    async def set_pump(self, run):
        ok = await self.modbus_iface.write_registers(
            modbus_id=self.config.modbus_id.value,
            start_address=RUN_COIL_REGISTER,
            values=[1 if run else 0],
            register_type=4,
        )
        self.writes.append(1 if run else 0)
        if ok:
            await self.tags.pump_running.set(run)

    async def main_loop(self):
        pressure = await self.read_pressure()
        if pressure is None:
            log.warning("no answer from the pressure sensor")
            return
        await self.tags.pressure.set(pressure)

        if pressure > self.config.max_pressure.value:
            if self.tags.pump_running.value:
                log.warning("pressure %s above %s: stopping", pressure, self.config.max_pressure.value)
                await self.set_pump(False)
            self._command = None
        elif self._command is not None:
            await self.set_pump(self._command)
            self._command = None

    @ui.handler("start_pump")
    async def on_start_pump(self, ctx, value):
        self._command = True
        await self.tags.start_requests.set(self.tags.start_requests.value + 1)

    @ui.handler("stop_pump")
    async def on_stop_pump(self, ctx, value):
        self._command = False
