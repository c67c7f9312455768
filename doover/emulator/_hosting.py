"""Hosting a processor on the emulator: subscriptions and schedules invoke a Lambda handler.

:class:`ProcessorHost` registers the app (deployment config, one subscription per channel,
an optional ``rate(...)`` or ``cron(...)`` schedule) on an :class:`~doover.emulator.Emulator`,
listens for writes on the subscribed channels, and builds the event Lambda would receive
(SNS-wrapped with a fresh initial token for subscriptions; direct with the schedule's token
for schedules; direct with ``d.upgrade`` for :meth:`ProcessorHost.invoke_manual` and
:meth:`ProcessorHost.invoke_deployment`). A subscribed channel invokes the processor on message creates, aggregate
updates and alarm transitions (``on_alarm_trigger``, after the aggregate update that caused
it). Events are queued and handed, one at a time, to ONE long-lived worker process (see
:mod:`doover.emulator._workers`): cold start once, warm after. By default the worker is the
real AWS Lambda runtime interface client (``python -m awslambdaric``) polling a local Lambda
Runtime API (:mod:`doover.emulator._runtime_api`); where awslambdaric is not
importable, a plain worker. The processor's own writes go back through the emulator's HTTP
server, so the anti-recursion rules and the ``tag_values`` self-loop guard are exercised for
real. An invocation that outlives ``timeout`` kills the worker (the next one starts cold) and
the host publishes the invocation summary the worker could not; so does a worker that dies.
"""

import datetime
import json
import logging
import os
import queue
import sys
import threading
import time
import uuid
from typing import Any, Dict, List, Optional, Sequence

from ..exceptions import DooverError, InvalidArgumentError, NotSupportedError
from ._runtime_api import RuntimeAPI
from ._schedule_expr import CronSchedule, RateSchedule, parse_schedule
from ._workers import RUNTIMES, make_worker, resolve_runtime, split_target

__all__ = ["ProcessorHost", "parse_rate"]

log = logging.getLogger("doover.emulator.hosting")

_DEFAULT_TARGETS = [{"agent_id": None, "channel": "dv-proc-inv-$app_id"}]

#: the listener events a channel subscription turns into invocations: an alarm transition
#: comes after the ``on_aggregate_update`` of the update that caused it, and both invoke
_SUBSCRIBED_OPS = ("on_message_create", "on_aggregate_update", "on_alarm_trigger")


def parse_rate(expression: str) -> float:
    """Seconds between firings of a ``rate(N unit)`` schedule expression."""
    schedule = parse_schedule(expression)
    if not isinstance(schedule, RateSchedule):
        raise NotSupportedError("schedule {!r}: a cron(...) schedule has no fixed period; use "
                                "doover.emulator._schedule_expr.parse_schedule".format(expression))
    return schedule.seconds


class ProcessorHost:
    """Run ``target`` (``MODULE:HANDLER``) for ``app_key`` on ``agent_id`` of ``emulator``.

    ``schedule`` is ``rate(...)`` or ``cron(...)`` (EventBridge syntax, UTC). ``runtime`` is
    ``"auto"`` (awslambdaric when ``python`` can import it, else ``"plain"``),
    ``"awslambdaric"`` or ``"plain"``; :attr:`runtime_in_use` says which one :meth:`start`
    chose. ``invocations`` lists every finished invocation: ``{"request_id", "op", "cold",
    "result" | "error", "duration_ms", "runtime", "pid"}`` (plus ``"summary"``, the summary
    the host published, when the worker timed out or died, and ``"scheduled_for"``, an ISO
    UTC time, for timer firings); ``logs`` collects the worker's output lines.
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
        runtime: str = "auto",
    ) -> None:
        self.emulator = emulator
        self.target = target
        self.module, _handler = split_target(target)
        self.agent_id = int(agent_id)
        self.app_key = app_key
        self.channels = list(subscribe)
        self.schedule = parse_schedule(schedule) if schedule else None
        self.schedule_every = self.schedule.seconds if isinstance(self.schedule, RateSchedule) else None
        self.config = dict(config or {})
        self.timeout = timeout
        self.cwd = cwd or os.getcwd()
        self.python = python
        self.runtime = runtime
        if runtime not in RUNTIMES:
            raise InvalidArgumentError("runtime: expected one of {}, got {!r}".format(", ".join(RUNTIMES), runtime))
        self.runtime_in_use: Optional[str] = None
        self.function_name = self.module
        self.invocations: List[Dict[str, Any]] = []
        self.logs: List[str] = []
        self._arns: Dict[str, str] = {}
        self._schedule_id: Optional[str] = None
        self._app_id: Optional[str] = None
        self._queue: "queue.Queue[Any]" = queue.Queue()
        self._stop = threading.Event()
        self._done = threading.Condition()
        self._api: Optional[RuntimeAPI] = None
        self._worker: Any = None
        self._threads: List[threading.Thread] = []

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> "ProcessorHost":
        self.runtime_in_use = resolve_runtime(self.runtime, self.python)
        emu = self.emulator
        installed = emu.set_deployment_config(self.agent_id, self.app_key, self.config)
        self._app_id = installed.get("APP_ID") if isinstance(installed, dict) else None
        for channel in self.channels:
            self._arns[channel] = emu.add_subscription(self.agent_id, channel, self.app_key)
        if self.schedule is not None:
            self._schedule_id = emu.add_schedule(self.agent_id, self.app_key)
        if self.runtime_in_use == "awslambdaric":
            self._api = RuntimeAPI(self.function_name).start()
        self._worker = make_worker(self.runtime_in_use, self.target, cwd=self.cwd, python=self.python,
                                   base_url=emu.base_url, function_name=self.function_name,
                                   on_line=self._on_line, api=self._api)
        emu.add_listener(self._on_write)
        self._spawn(self._serve, "doover-processor-host")
        if self.schedule is not None:
            self._spawn(self._tick, "doover-processor-schedule")
        return self

    def stop(self) -> None:
        """Stop firing, finish nothing new, and end the worker process."""
        self._stop.set()
        self.emulator.remove_listener(self._on_write)
        self._queue.put(None)
        if self._worker is not None:  # ends an invocation in progress at once
            self._worker.kill()
        for thread in self._threads:
            thread.join(timeout=30)
        if self._worker is not None:  # in case one was starting as we stopped
            self._worker.kill()
        if self._api is not None:
            self._api.close()
            self._api = None

    def __enter__(self) -> "ProcessorHost":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def _spawn(self, target: Any, name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _on_line(self, stream: str, line: str) -> None:
        self.logs.append(line)

    # ------------------------------------------------------------------ events

    def _on_write(self, event: Dict[str, Any]) -> None:
        if event.get("op") not in _SUBSCRIBED_OPS:
            return
        if int(event.get("agent_id") or 0) != self.agent_id or event.get("channel") not in self._arns:
            return
        self._queue.put(("sns", event))

    def invoke_schedule(self) -> None:
        """Fire the schedule once now (also what the timer does)."""
        self._queue.put(("schedule", None))

    def invoke_manual(self, payload: Any) -> None:
        """Invoke the processor once with ``on_manual_invoke`` and ``payload`` (any JSON), as
        the platform delivers it: directly, with the SubscriptionInfo in ``d.upgrade``."""
        self._queue.put(("direct", {"op": "on_manual_invoke", "payload": payload}))

    def invoke_deployment(self) -> None:
        """Invoke the processor once with ``on_deployment`` (delivered like :meth:`invoke_manual`)."""
        self._queue.put(("direct", {"op": "on_deployment"}))

    # the schedule's clock (UTC) and how often a cron wait re-reads it, in seconds
    _poll = 1.0

    def _utcnow(self) -> datetime.datetime:
        return datetime.datetime.now(datetime.timezone.utc)

    def _tick(self) -> None:
        if isinstance(self.schedule, RateSchedule):
            while not self._stop.wait(self.schedule.seconds):
                self.invoke_schedule()
            return
        assert isinstance(self.schedule, CronSchedule)
        fire = self.schedule.next_fire(self._utcnow())
        while fire is not None:
            while True:
                left = (fire - self._utcnow()).total_seconds()
                if left <= 0:
                    break
                if self._stop.wait(min(left, self._poll)):
                    return
            self._queue.put(("schedule", {"scheduled_for": fire.isoformat()}))
            fire = self.schedule.next_fire(fire)

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
        if kind == "direct":
            info = emu.subscription_info(self.agent_id, self.app_key)
            config = info["deployment_config"]
            d = {"organisation_id": info["organisation_id"]}  # type: Dict[str, Any]
            if event["op"] == "on_manual_invoke":
                d["payload"] = event["payload"]
            else:
                d.update(agent_id=str(self.agent_id), app_id=config["APP_ID"], app_install_id=config["APP_ID"],
                         app_key=self.app_key, app_display_name=config["APP_DISPLAY_NAME"])
            d["upgrade"] = info
            return {"op": event["op"], "token": info["token"], "d": d}
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
                record = self._invoke(kind, self._lambda_event(kind, None if kind == "schedule" else event))
            except Exception as exc:  # keep serving: one bad event must not stop the host
                log.exception("processor host: invocation failed")
                record = {"op": kind, "error": {"type": type(exc).__name__, "message": str(exc)}}
            if kind == "schedule" and event:
                record["scheduled_for"] = event["scheduled_for"]
            with self._done:
                self.invocations.append(record)
                self._done.notify_all()

    def _invoke(self, kind: str, lambda_event: Dict[str, Any]) -> Dict[str, Any]:
        worker = self._worker
        cold = not worker.alive()
        if cold:
            worker.start()
        request_id = str(uuid.uuid4())
        started_at = time.time()
        started = time.monotonic()
        if kind == "schedule":
            op = "on_schedule"
        elif kind == "direct":
            op = lambda_event["op"]
        else:
            op = json.loads(lambda_event["Records"][0]["Sns"]["Message"])["op"]
        record: Dict[str, Any] = {"request_id": request_id, "op": op, "cold": cold,
                                  "runtime": worker.runtime, "pid": worker.pid}
        answer = worker.invoke(request_id, lambda_event, self.timeout)
        record.update((k, v) for k, v in answer.items() if k in ("result", "error"))
        record["duration_ms"] = int((time.monotonic() - started) * 1000)
        if answer.get("fault") and not self._stop.is_set():  # stop() ending a worker is no failure to report
            subscription = lambda_event["Records"][0]["EventSubscriptionArn"] if kind == "sns" else None
            record["summary"] = self._publish_summary(op, request_id, started_at, answer["error"], subscription)
        return record

    def _publish_summary(self, op: str, request_id: str, started_at: float, error: Dict[str, Any],
                         subscription: Optional[str]) -> Optional[Dict[str, Any]]:
        """Publish the invocation summary a killed or dead worker could not (reference §6)."""
        if not isinstance(self._app_id, str):
            return None
        summary = fault_summary(
            app_key=self.app_key, app_id=self._app_id, agent_id=self.agent_id, op=op, subscription_id=subscription,
            schedule_id=self._schedule_id if op == "on_schedule" else None, started_at=started_at, error=error,
            request_id=request_id, function_name=self.function_name)
        for agent, channel in summary_targets(self.config, self._app_id, self.agent_id):
            try:
                self.emulator.publish(agent, channel, summary)
            except Exception:  # one bad target must not stop the others
                log.exception("processor host: failed to post invocation summary to %s/%s", agent, channel)
        return summary


def fault_summary(*, app_key: str, app_id: str, agent_id: int, op: str, subscription_id: Optional[str],
                  schedule_id: Optional[str], started_at: float, error: Dict[str, Any], request_id: str,
                  function_name: str) -> Dict[str, Any]:
    """The invocation summary (reference §6, keys in order) for an invocation whose worker
    timed out or died: status ``error``, ``error`` ``{"type", "message"}``."""
    return {
        "app_key": app_key, "app_id": app_id, "agent_id": str(agent_id), "event_type": op,
        "subscription_id": subscription_id, "schedule_id": schedule_id, "ingestion_id": None,
        "started_at": int(started_at * 1000), "duration_ms": int((time.time() - started_at) * 1000),
        "status": "error", "skip_reason": None,
        "error": {"type": error.get("type"), "message": error.get("message")}, "requestId": request_id,
        "function_name": function_name, "function_version": "$LATEST",
    }


def summary_targets(config: Dict[str, Any], app_id: str, agent_id: int) -> List[Any]:
    """``[(agent_id, channel), ...]`` the app's summaries go to: ``dv_proc_config.inv_targets``
    from its deployment config, else ``dv-proc-inv-{APP_ID}`` on its own agent."""
    proc = config.get("dv_proc_config")
    targets = proc.get("inv_targets", _DEFAULT_TARGETS) if isinstance(proc, dict) else _DEFAULT_TARGETS
    return [(int(t.get("agent_id") or agent_id), str(t.get("channel") or "").replace("$app_id", app_id))
            for t in targets or [] if isinstance(t, dict)]
