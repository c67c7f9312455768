"""A small edge app run as a subprocess by the tests.

Each iteration publishes ``{"run": RUN_ID, "n": n}`` on channel ``events``, sets the tag
``count`` to ``n`` and prints ``ITER n``. APP_MODE=async selects the ``async def`` version.
Shutdown is deferred while the file named by DEFER_FILE exists.
"""

import os
import sys

from doover.docker import Application, run_app

RUN = int(os.environ.get("RUN_ID", "1"))
PERIOD = float(os.environ.get("LOOP_PERIOD", "0.1"))
DEFER = os.environ.get("DEFER_FILE", "")


def say(*parts):
    sys.stdout.write(" ".join(str(p) for p in parts) + "\n")
    sys.stdout.flush()


class SyncCounter(Application):
    def setup(self):
        self.loop_target_period = PERIOD
        self.tag_upload_period = 0
        self.force_log_on_shutdown = True
        self.shutdown_flush_timeout = 15
        self.device_agent.max_backoff = 0.5  # keep test outages short
        self.n = 0
        self.set_tag("started", True)
        say("READY", self.health_port, self.config.get("pump_pin"))

    def main_loop(self):
        self.device_agent.create_message("events", {"run": RUN, "n": self.n})
        self.set_tag("count", self.n)
        say("ITER", self.n)
        self.n += 1

    def check_can_shutdown(self):
        return not (DEFER and os.path.exists(DEFER))

    def on_shutdown_at(self, dt):
        self.set_tag("stopped", True)  # only the final commit carries this
        say("SHUTDOWN_AT", int(dt.timestamp()))

    def close(self):
        say("CLOSED", self.n)


class AsyncCounter(Application):
    async def setup(self):
        self.loop_target_period = PERIOD
        self.tag_upload_period = 0
        self.force_log_on_shutdown = True
        self.shutdown_flush_timeout = 15
        self.device_agent.max_backoff = 0.5  # keep test outages short
        self.n = 0
        await self.set_tag("started", True)
        say("READY", self.health_port, self.config.get("pump_pin"))

    async def main_loop(self):
        await self.device_agent.create_message("events", {"run": RUN, "n": self.n})
        await self.set_tag("count", self.n)
        say("ITER", self.n)
        self.n += 1

    async def check_can_shutdown(self):
        return not (DEFER and os.path.exists(DEFER))

    async def on_shutdown_at(self, dt):
        await self.set_tag("stopped", True)  # only the final commit carries this
        say("SHUTDOWN_AT", int(dt.timestamp()))

    async def close(self):
        say("CLOSED", self.n)


if __name__ == "__main__":
    run_app(AsyncCounter if os.environ.get("APP_MODE") == "async" else SyncCounter)
