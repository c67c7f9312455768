"""The whole ``doover demo``: a tank, an edge app, a processor and a cloud outage, on one machine.

Real parts, wired as in production:

* an :class:`~doover.emulator.Emulator` on loopback with a SQLite file in a temporary
  directory (the "cloud");
* a simulated Modbus RTU tank-level sensor on a pseudo-terminal (:mod:`._tank_app`);
* the edge app :class:`~._tank_app.TankMonitor`, run by :func:`doover.docker.run_app` on a
  thread of this process, with a real :class:`~doover.docker.DeviceAgentInterface` (HTTP
  over loopback, durable SQLite outbox). A thread rather than a subprocess: the edge runtime
  is a plain blocking loop that runs on any thread (signals are only hooked on the main
  thread), it costs no second interpreter start, and the story can watch the app's readings
  and outbox directly; everything it sends still crosses real HTTP;
* the processor :mod:`._alert_processor`, hosted by
  :class:`~doover.emulator._hosting.ProcessorHost` in its own long-lived worker process
  and invoked for every message on the readings channel, as Lambda would be.

Midway the story stops the emulator for ``outage`` seconds and starts it again on the same
port; the edge app keeps reading while its outbox holds what the emulator cannot take.
At the end it compares what the edge app sent with what the emulator stored.
"""

import contextlib
import logging
import os
import shutil
import signal
import sqlite3
import tempfile
import threading
import time
from typing import Any, Dict, List, Optional, TextIO

from ..emulator import Emulator
from ..exceptions import APIConnectionError, DooverError, HTTPError
from ._alert_processor import APP_KEY as ALERT_APP_KEY
from ._tank_app import APP_KEY as TANK_APP_KEY
from ._tank_app import READINGS_CHANNEL, TankMonitor, start_sensor
from ._timeline import Timeline, format_summary

__all__ = ["DemoOptions", "Story", "run_story"]

AGENT_ID = 1
PROCESSOR_TARGET = "doover.demo._alert_processor:handler"
NOTIFICATIONS_CHANNEL = "notifications"
#: tokens printed with --keep-running stay valid this long
TOKEN_LIFETIME = 30 * 86400
_TICK = 0.05


class DemoOptions:
    """What ``doover demo`` was asked for (see ``doover demo --help``)."""

    def __init__(
        self,
        interval: float = 1.0,
        readings: int = 8,
        outage: float = 2.0,
        threshold: float = 75.0,
        keep_running: bool = False,
    ) -> None:
        self.interval = float(interval)
        self.readings = int(readings)
        self.outage = float(outage)
        self.threshold = float(threshold)
        self.keep_running = bool(keep_running)

    @property
    def outage_after(self) -> int:
        """The emulator goes down once this many readings are stored and processed."""
        return max(1, (self.readings + 1) // 2 - 1)


class _CountingClient:
    """The edge app's DataClient, counting its requests: answered, and refused (no connection)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._lock = threading.Lock()
        self.answered = 0
        self.refused = 0

    def _request(self, *args: Any, **kwargs: Any) -> Any:
        try:
            result = self._client._request(*args, **kwargs)
        except APIConnectionError:
            with self._lock:
                self.refused += 1
            raise
        except HTTPError:
            with self._lock:
                self.answered += 1
            raise
        with self._lock:
            self.answered += 1
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


class _LogTap(logging.Handler):
    """Keeps the runtime's log records off the terminal; the story reports what matters."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: List[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def problems(self) -> List[str]:
        """Errors logged by the runtime (an unexpected failure somewhere)."""
        return [r.getMessage() for r in self.records if r.levelno >= logging.ERROR]


class Story:
    """One run of the demo. :meth:`run` returns the exit code."""

    def __init__(self, options: DemoOptions, out: TextIO, *, tty: Optional[bool] = None) -> None:
        self.options = options
        self.interrupted = threading.Event()
        self.timeline = Timeline(out, tty=tty, on_closed=self.interrupted.set)  # nobody reads: stop
        self.stored = 0  # readings stored by the emulator (message creates seen by the listener)
        self._last_stored_at = 0.0
        self.notified = 0
        self._count_lock = threading.Lock()
        self.emu: Any = None
        self.host: Any = None
        self.app: Any = None
        self.agent: Any = None
        self.client: Any = None
        self._edge_thread: Optional[threading.Thread] = None
        self._edge_code: List[Any] = []
        self._seen_invocations = 0
        self._phase = "before"
        self._down_at = 0.0
        self._held = 0
        self._stored_before_outage = 0
        self._announced = False
        self.tmp = ""
        self.tap = _LogTap()

    # ------------------------------------------------------------------ listeners

    def _on_write(self, event: Dict[str, Any]) -> None:
        if event.get("op") != "on_message_create" or int(event.get("agent_id") or 0) != AGENT_ID:
            return
        channel = event.get("channel")
        if channel == READINGS_CHANNEL:
            with self._count_lock:
                self.stored += 1
                self._last_stored_at = time.monotonic()
        elif channel == NOTIFICATIONS_CHANNEL:
            data = ((event.get("d") or {}).get("message") or {}).get("data") or {}
            with self._count_lock:
                self.notified += 1
            self.timeline.event("processor -> notification ({}): {}".format(
                _severity_name(data.get("severity")), data.get("message")))

    # ------------------------------------------------------------------ start

    def _start(self, stack: contextlib.ExitStack) -> None:
        opts, tl = self.options, self.timeline
        self.tmp = tempfile.mkdtemp(prefix="doover-demo-")
        stack.callback(shutil.rmtree, self.tmp, True)

        tl.say("doover demo: a tank level sensor, an edge app, a processor and a cloud outage, all on this "
               "machine ({} readings, one every {:g} s)".format(opts.readings, opts.interval))
        db = os.path.join(self.tmp, "emulator.sqlite")
        self.emu = Emulator(db=db)
        stack.callback(self.emu.close)
        self.emu.start()
        self.emu.add_agent(AGENT_ID, display_name="North tank")
        self.emu.add_listener(self._on_write)
        tl.event("emulator: the Data API at {} (SQLite file {})".format(self.emu.base_url, db))

        simulator, port = start_sensor(opts.readings)
        stack.callback(simulator.stop)
        tl.event("sensor: a simulated Modbus RTU tank level sensor (slave 1) on pseudo-terminal {}".format(port))

        from ..emulator._hosting import ProcessorHost

        self.host = ProcessorHost(
            self.emu, PROCESSOR_TARGET, agent_id=AGENT_ID, app_key=ALERT_APP_KEY, subscribe=[READINGS_CHANNEL],
            config={"threshold_percent": opts.threshold}, timeout=60, cwd=self.tmp,
        )
        _without_sigint(self.host.start)  # the worker must not die of the terminal's Ctrl-C
        stack.callback(self.host.stop)
        runtime = getattr(self.host, "runtime_in_use", None)
        tl.event("processor: {} hosted in a worker process{}, subscribed to {!r}; alerts at {:g}%".format(
            PROCESSOR_TARGET, " under awslambdaric (AWS's Lambda runtime client)" if runtime == "awslambdaric" else "",
            READINGS_CHANNEL, opts.threshold))

        self._start_edge(stack, port)

    def _start_edge(self, stack: contextlib.ExitStack, port: str) -> None:
        from ..api import DataClient
        from ..docker import DeviceAgentInterface

        opts, emu = self.options, self.emu
        emu.set_deployment_config(AGENT_ID, TANK_APP_KEY, {
            "modbus_config": {"serial_port": port, "serial_baud": 19200, "serial_timeout": 2.0},
        })
        token = emu.token_for(AGENT_ID, expires_in=TOKEN_LIFETIME)
        self.client = _CountingClient(DataClient(emu.base_url, token=token, retry=False, timeout=(5.0, 10.0)))
        stack.callback(self.client.close)
        outbox = os.path.join(self.tmp, "outbox.sqlite")
        self.agent = DeviceAgentInterface(
            TANK_APP_KEY, AGENT_ID, emu.base_url, token, outbox, max_backoff=min(1.0, opts.interval), client=self.client,
        )
        self.app = TankMonitor(
            app_key=TANK_APP_KEY, device_agent=self.agent, interval=opts.interval,
            max_readings=None if opts.keep_running else opts.readings,
        )
        self._edge_thread = threading.Thread(target=self._run_edge, name="doover-demo-edge", daemon=True)
        self._edge_thread.start()
        stack.callback(self._stop_edge)
        if not self.app.wait_until_ready(60):
            raise DooverError("the edge app did not become ready within 60 s")
        self.timeline.event("edge app: {} reads the sensor over Modbus every {:g} s; outbox {}".format(
            TANK_APP_KEY, opts.interval, outbox))

    def _run_edge(self) -> None:
        from ..docker import run_app

        try:
            self._edge_code.append(run_app(self.app, argv=["--healthcheck-port", "0"], env={}, setup_logging=False))
        except SystemExit as exc:
            self._edge_code.append(exc.code)
        except Exception as exc:  # noqa: BLE001 - reported in the summary
            self._edge_code.append(repr(exc))

    def _stop_edge(self) -> None:
        thread = self._edge_thread
        if thread is not None and thread.is_alive():
            self.app.request_stop()
            thread.join(self.app.shutdown_flush_timeout + 30)

    # ------------------------------------------------------------------ watching

    def _edge_done(self) -> bool:
        return self._edge_thread is not None and not self._edge_thread.is_alive()

    def _host_caught_up(self) -> bool:
        return len(self.host.invocations) >= self.stored

    def _quiet(self, now: float) -> bool:
        """A good moment to go down: the processor has handled every reading, and the last one
        was stored just now, so the next is about an interval away (no invocation is cut off).
        Two readings later it goes down anyway (an invocation cut off retries its requests)."""
        if self.stored >= self.options.outage_after + 2:
            return True
        return self._host_caught_up() and now - self._last_stored_at < self.options.interval / 2

    def _report_invocations(self) -> None:
        runs = self.host.invocations
        for index in range(self._seen_invocations, len(runs)):
            record = runs[index]
            if record.get("cold"):
                self.timeline.event("processor: {} invocation was a cold start ({} ms: a new worker process "
                                    "imported the app); the ones after reuse it warm".format(
                                        "the first" if index == 0 else "an", record.get("duration_ms")))
            error = record.get("error") or (record.get("result") or {}).get("error")
            if error:
                if isinstance(error, dict):
                    error = "{}: {}".format(error.get("type"), error.get("message"))
                self.timeline.event("processor: invocation failed: {}".format(error))
        self._seen_invocations = len(runs)

    def _step(self) -> None:
        opts, tl, emu = self.options, self.timeline, self.emu
        now = time.monotonic()
        taken = self.app.taken
        if self._phase == "before" and self.stored >= opts.outage_after and self._quiet(now):
            self._stored_before_outage = self.stored
            emu.stop()
            self._down_at = now
            self._phase = "down"
            tl.event("outage: emulator stopped (port {} closed); the edge app keeps reading into its outbox".format(
                emu.port))
        elif self._phase == "down" and now - self._down_at >= opts.outage:
            emu.start()
            self._held = max(0, taken - self.stored)
            self._phase = "recovering"
            kept = len(emu.messages(AGENT_ID, READINGS_CHANNEL))
            tl.event("outage over after {:.1f} s: emulator up again on port {} with its {} stored readings; "
                     "the outbox holds {} more".format(now - self._down_at, emu.port, kept, self._held))
        elif self._phase == "recovering" and self.stored >= self._stored_before_outage + self._held:
            self._phase = "after"
            tl.event("outbox delivered the {} readings it held during the outage".format(self._held))
        if opts.keep_running and self._phase == "after" and taken >= opts.readings and not self._announced:
            self._announced = True
            self._announce()
        if tl.tty:
            tl.progress(self._progress_text(taken))

    def _progress_text(self, taken: int) -> str:
        last = self.app.readings[-1].level if taken else None
        goal = "" if self.options.keep_running else "/{}".format(self.options.readings)
        parts = [
            "reading {}{}".format(taken, goal),
            "level {}".format("-" if last is None else "{:.1f}%".format(last)),
            "stored {}".format(self.stored),
            "outbox {}".format(self._outbox_depth()),
            "invocations {}".format(len(self.host.invocations)),
            "notifications {}".format(self.notified),
        ]
        if self._phase == "down":
            parts.append("EMULATOR DOWN")
        return "  ".join(parts)

    def _outbox_depth(self) -> str:
        try:
            return str(self.agent.outbox_depth())
        except sqlite3.ProgrammingError:  # closed: the edge app has shut down
            return "-"

    def _announce(self) -> None:
        emu, tl = self.emu, self.timeline
        token = emu.token_for(AGENT_ID, expires_in=TOKEN_LIFETIME)
        tl.say("")
        tl.say("everything keeps running:")
        tl.say("emulator URL: {}".format(emu.base_url))
        tl.say("token for agent {}: {}".format(AGENT_ID, token))
        tl.say("try: curl -H 'Authorization: Bearer {}' '{}/agents/{}/channels/{}/messages?limit=3'".format(
            token, emu.base_url, AGENT_ID, READINGS_CHANNEL))
        if self.app.health_port:
            tl.say("edge app health: http://127.0.0.1:{}/health".format(self.app.health_port))
        tl.say("press Ctrl-C to stop everything")
        tl.say("")

    def _watch(self) -> bool:
        """Run until the story is told (or Ctrl-C); False if it got stuck."""
        opts = self.options
        deadline = time.monotonic() + 120 + opts.outage + 5 * opts.readings * opts.interval
        while not self.interrupted.is_set():
            self._report_invocations()
            self._step()
            if not opts.keep_running and self._edge_done() and self._phase in ("after", "before"):
                return True
            if not opts.keep_running and time.monotonic() > deadline:
                self.timeline.event("gave up: the story did not finish in time")
                return False
            self.interrupted.wait(_TICK)
        self.timeline.clear_progress()
        self.timeline.event("Ctrl-C: stopping everything")
        return True

    # ------------------------------------------------------------------ ending

    def _wind_down(self) -> None:
        tl = self.timeline
        if not self.emu.running:
            self.emu.start()
            self._phase = "after"
        if not self._edge_done():
            self._stop_edge()
        tl.clear_progress()
        unsent = [r for r in self.tap.records if "still queued in the outbox" in r.getMessage()]
        tl.event("edge app stopped after {} readings: final tag commit, outbox {}".format(
            self.app.taken, unsent[0].getMessage() if unsent else "flushed"))
        try:
            self.host.wait_for(self.stored, timeout=60)
        except DooverError as exc:
            tl.event("processor: {}".format(exc))
        self._report_invocations()

    def _summary(self, started: float) -> int:
        emu, host, tl = self.emu, self.host, self.timeline
        sent = self.app.taken
        stored = len(emu.messages(AGENT_ID, READINGS_CHANNEL))
        notifications = len(emu.notifications(AGENT_ID))
        runs = list(host.invocations)
        cold = sum(1 for r in runs if r.get("cold"))
        failed = [r for r in runs if r.get("error") or (r.get("result") or {}).get("status") == "error"]
        total = len(emu.request_log)
        edge = self.client.answered
        lost = sent - stored
        rows = [
            ("messages sent", "{} (the edge app's readings)".format(sent)),
            ("messages stored", "{} ({})".format(
                stored, "nothing lost" if lost == 0 else "{} MISSING".format(lost))),
            ("held by the outbox during the outage", str(self._held)),
            ("tags", _compact(emu.aggregate(AGENT_ID, "tag_values")["data"])),
            ("notifications", "{} (on the threshold crossings only)".format(notifications)),
            ("invocations", "{} ({} cold, {} warm{}, {} failed)".format(
                len(runs), cold, len(runs) - cold, _median_ms([r for r in runs if not r.get("cold")]), len(failed))),
            ("HTTP round trips", "{} (edge app {}, {} {}); {} edge attempts refused during the outage".format(
                total, edge, "processor and other clients" if self.options.keep_running else "processor",
                total - edge, self.client.refused)),
            ("wall time", "{:.1f} s".format(time.monotonic() - started)),
        ]
        tl.say("")
        for line in format_summary(rows):
            tl.say(line)
        for problem in self.tap.problems()[:5]:
            tl.say("logged: {}".format(problem))
        edge_code = self._edge_code[0] if self._edge_code else None
        if lost or failed or edge_code not in (0, None):
            if edge_code not in (0, None):
                tl.say("the edge app ended with {!r}".format(edge_code))
            return 1
        return 0

    def run(self) -> int:
        """Tell the story; 0 when everything sent was stored and nothing failed."""
        started = time.monotonic()
        tap = self.tap
        doover_log = logging.getLogger("doover")
        old_propagate = doover_log.propagate
        doover_log.addHandler(tap)
        doover_log.propagate = False
        restore = _on_interrupt(self.interrupted.set)
        try:
            with contextlib.ExitStack() as stack:
                self._start(stack)
                finished = self._watch()
                self._wind_down()
                code = self._summary(started)
            if not finished:
                code = 1
            if self.interrupted.is_set() and not self.options.keep_running:
                code = 130
            return code
        finally:
            restore()
            doover_log.removeHandler(tap)
            doover_log.propagate = old_propagate


def _compact(value: Any) -> str:
    import json

    return json.dumps(value, sort_keys=True, separators=(", ", ": "))


def _median_ms(runs: List[Dict[str, Any]]) -> str:
    durations = sorted(int(r.get("duration_ms") or 0) for r in runs)
    return " taking {} ms (median)".format(durations[len(durations) // 2]) if durations else ""


def _severity_name(value: Any) -> str:
    return {3: "trace", 4: "debug", 5: "info", 6: "warning", 7: "critical"}.get(value, str(value))


def _without_sigint(start: Any) -> Any:
    """Call ``start()`` with SIGINT blocked on this thread, so that the threads it creates, and
    the processes they spawn, never see the terminal's Ctrl-C (the story stops them itself)."""
    mask = getattr(signal, "pthread_sigmask", None)
    if mask is None:
        return start()
    old = mask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        return start()
    finally:
        mask(signal.SIG_SETMASK, old)


def _on_interrupt(callback: Any) -> Any:
    """Route SIGINT and SIGTERM to ``callback()`` (main thread only; a second one raises
    ``KeyboardInterrupt``); returns the undo."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    calls = []

    def handler(signum: int, frame: Any) -> None:
        calls.append(signum)
        if len(calls) > 1:  # a second Ctrl-C: stop waiting, unwind (children are still stopped)
            raise KeyboardInterrupt
        callback()

    old_int = signal.signal(signal.SIGINT, handler)
    old_term = signal.signal(signal.SIGTERM, handler)

    def restore() -> None:
        signal.signal(signal.SIGINT, old_int)
        signal.signal(signal.SIGTERM, old_term)

    return restore


def run_story(options: DemoOptions, out: TextIO, *, tty: Optional[bool] = None) -> int:
    """Run the full demo, printing to ``out``; returns the exit code."""
    return Story(options, out, tty=tty).run()
