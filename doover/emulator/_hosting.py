"""Hosting a processor on the emulator: subscriptions and schedules invoke a Lambda handler.

:class:`ProcessorHost` registers the app (deployment config, one subscription per channel,
an optional ``rate(...)`` schedule) on an :class:`~doover.emulator.Emulator`, listens for
writes on the subscribed channels, and builds the event Lambda would receive (SNS-wrapped
with a fresh initial token for subscriptions; direct with the schedule's token for
schedules). Events are queued and handed, one at a time, to ONE long-lived worker process
(``doover.emulator._lambda_worker``): cold start once, warm after. The processor's own
writes go back through the emulator's HTTP server, so the anti-recursion rules and the
``tag_values`` self-loop guard are exercised for real. An invocation that outlives
``timeout`` kills the worker; the next invocation starts a fresh (cold) one.

This is the plain-process host. Running the worker under ``awslambdaric`` and a local
Lambda Runtime API is not implemented.
"""

import json
import logging
import os
import queue
import re
import subprocess
import sys
import threading
import time
import uuid
from typing import Any, Dict, List, Optional, Sequence

from ..exceptions import DooverError, NotSupportedError
from ._lambda_worker import RESULT_PREFIX

__all__ = ["ProcessorHost", "parse_rate"]

log = logging.getLogger("doover.emulator.hosting")

_RATE = re.compile(r"^rate\(\s*(\d+)\s+(second|seconds|minute|minutes|hour|hours|day|days)\s*\)$")
_UNIT = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def parse_rate(expression: str) -> float:
    """Seconds between firings of a ``rate(N unit)`` schedule expression."""
    match = _RATE.match(expression.strip())
    if match is None:
        if expression.strip().startswith("cron("):
            raise NotSupportedError("schedule {!r}: cron(...) schedules are not supported by the "
                                    "emulator's host; use rate(N minutes)".format(expression))
        raise DooverError("schedule: expected rate(N seconds|minutes|hours|days), got {!r}".format(expression))
    return int(match.group(1)) * _UNIT[match.group(2).rstrip("s")]


class ProcessorHost:
    """Run ``target`` (``MODULE:HANDLER``) for ``app_key`` on ``agent_id`` of ``emulator``.

    ``invocations`` lists every finished invocation: ``{"request_id", "op", "cold",
    "result" | "error", "duration_ms"}``; ``logs`` collects the worker's output lines.
    """

    def __init__(
        self,
        emulator: Any,
        target: str,
        *,
        agent_id: int = 1,
        app_key: str = "hosted_app",
        subscribe: Sequence[str] = (),
        schedule: Optional[str] = None,
        config: Optional[Dict[str, Any]] = None,
        timeout: float = 60.0,
        cwd: Optional[str] = None,
        python: str = sys.executable,
    ) -> None:
        self.emulator = emulator
        self.target = target
        self.agent_id = int(agent_id)
        self.app_key = app_key
        self.channels = list(subscribe)
        self.schedule_every = parse_rate(schedule) if schedule else None
        self.config = dict(config or {})
        self.timeout = timeout
        self.cwd = cwd or os.getcwd()
        self.python = python
        self.invocations: List[Dict[str, Any]] = []
        self.logs: List[str] = []
        self._arns: Dict[str, str] = {}
        self._schedule_id: Optional[str] = None
        self._queue: "queue.Queue[Any]" = queue.Queue()
        self._stop = threading.Event()
        self._done = threading.Condition()
        self._proc: Optional[subprocess.Popen] = None
        self._lines: "queue.Queue[Optional[str]]" = queue.Queue()
        self._threads: List[threading.Thread] = []

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> "ProcessorHost":
        emu = self.emulator
        emu.set_deployment_config(self.agent_id, self.app_key, self.config)
        for channel in self.channels:
            self._arns[channel] = emu.add_subscription(self.agent_id, channel, self.app_key)
        if self.schedule_every is not None:
            self._schedule_id = emu.add_schedule(self.agent_id, self.app_key)
        emu.add_listener(self._on_write)
        self._spawn(self._serve, "doover-processor-host")
        if self.schedule_every is not None:
            self._spawn(self._tick, "doover-processor-schedule")
        return self

    def stop(self) -> None:
        """Stop firing, finish nothing new, and end the worker process."""
        self._stop.set()
        self.emulator.remove_listener(self._on_write)
        self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout=30)
        self._kill()

    def __enter__(self) -> "ProcessorHost":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def _spawn(self, target: Any, name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    # ------------------------------------------------------------------ events

    def _on_write(self, event: Dict[str, Any]) -> None:
        if event.get("op") not in ("on_message_create", "on_aggregate_update"):
            return
        if int(event.get("agent_id") or 0) != self.agent_id or event.get("channel") not in self._arns:
            return
        self._queue.put(("sns", event))

    def invoke_schedule(self) -> None:
        """Fire the schedule once now (also what the timer does)."""
        self._queue.put(("schedule", None))

    def _tick(self) -> None:
        while not self._stop.wait(self.schedule_every):
            self.invoke_schedule()

    def wait_for(self, count: int, timeout: float = 60.0) -> List[Dict[str, Any]]:
        """Block until ``count`` invocations have finished; returns them."""
        deadline = time.monotonic() + timeout
        with self._done:
            while len(self.invocations) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise DooverError("processor host: {} invocation(s) after {}s, expected {}".format(
                        len(self.invocations), timeout, count))
                self._done.wait(left)
            return list(self.invocations)

    def _lambda_event(self, kind: str, event: Any) -> Dict[str, Any]:
        emu = self.emulator
        if kind == "schedule":
            token = emu.initial_token(schedule_id=self._schedule_id)
            return {"op": "on_schedule", "token": token, "d": {"schedule_id": self._schedule_id}}
        arn = self._arns[event["channel"]]
        body = {"op": event["op"], "token": emu.initial_token(arn), "d": event["d"]}
        return {"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": arn,
                             "Sns": {"Type": "Notification", "MessageId": str(uuid.uuid4()),
                                     "Message": json.dumps(body)}}]}

    # ------------------------------------------------------------------ worker

    def _serve(self) -> None:
        while True:
            item = self._queue.get()
            if item is None or self._stop.is_set():
                return
            kind, event = item
            try:
                record = self._invoke(kind, self._lambda_event(kind, event))
            except Exception as exc:  # keep serving: one bad event must not stop the host
                log.exception("processor host: invocation failed")
                record = {"op": kind, "error": {"type": type(exc).__name__, "message": str(exc)}}
            with self._done:
                self.invocations.append(record)
                self._done.notify_all()

    def _ensure_worker(self) -> bool:
        if self._proc is not None and self._proc.poll() is None:
            return False
        env = dict(os.environ, DOOVER_DATA_ENDPOINT=self.emulator.base_url,
                   AWS_LAMBDA_FUNCTION_NAME=self.target.partition(":")[0])
        self._proc = subprocess.Popen(
            [self.python, "-m", "doover.emulator._lambda_worker", self.target],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            cwd=self.cwd, env=env, text=True, bufsize=1,
        )
        lines: "queue.Queue[Optional[str]]" = queue.Queue()
        self._lines = lines
        proc = self._proc

        def pump() -> None:
            try:
                for line in proc.stdout:  # type: ignore[union-attr]
                    lines.put(line.rstrip("\n"))
            except (ValueError, OSError):  # the stream was closed by _kill
                pass
            lines.put(None)

        threading.Thread(target=pump, name="doover-processor-output", daemon=True).start()
        return True

    def _invoke(self, kind: str, lambda_event: Dict[str, Any]) -> Dict[str, Any]:
        cold = self._ensure_worker()
        request_id = str(uuid.uuid4())
        started = time.monotonic()
        deadline_ms = int((time.time() + self.timeout) * 1000)
        op = "on_schedule" if kind == "schedule" else json.loads(
            lambda_event["Records"][0]["Sns"]["Message"])["op"]
        assert self._proc is not None and self._proc.stdin is not None
        self._proc.stdin.write(json.dumps({"request_id": request_id, "event": lambda_event,
                                           "deadline_ms": deadline_ms}) + "\n")
        self._proc.stdin.flush()
        record: Dict[str, Any] = {"request_id": request_id, "op": op, "cold": cold}
        while True:
            left = self.timeout - (time.monotonic() - started)
            try:
                line = self._lines.get(timeout=max(left, 0.001))
            except queue.Empty:
                self._kill()
                record["error"] = {"type": "Timeout", "message": "invocation exceeded {}s; worker killed".format(self.timeout)}
                break
            if line is None:
                record["error"] = {"type": "WorkerExited", "message": "the worker process exited"}
                self._kill()
                break
            if line.startswith(RESULT_PREFIX):
                answer = json.loads(line[len(RESULT_PREFIX):])
                if "error" in answer:
                    record["error"] = answer["error"]
                else:
                    record["result"] = answer["result"]
                break
            self.logs.append(line)
        record["duration_ms"] = int((time.monotonic() - started) * 1000)
        return record

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        for stream in (proc.stdin, proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
