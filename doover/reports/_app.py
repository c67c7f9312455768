"""``Application``: the base class of a report generator (a cloud processor subclass)."""

import datetime
import itertools
import logging
import os
import time
from typing import Any, Dict, List, Optional, Sequence

from ..exceptions import DecodeError, DooverError, InvalidArgumentError, InvalidEventError, NotSupportedError
from ..processor._app import Application as ProcessorApplication
from .._done import Done, in_async_context
from ..processor._app import call_hook, is_coroutine_function
from ._capture import LogCapture
from ._files import zip_files
from ._period import DEFAULT_SCHEDULE, report_name, report_period

__all__ = ["Application", "MAX_REPORT_BYTES", "REPORTS_CHANNEL", "DEFAULT_TIMEZONE"]

log = logging.getLogger("doover.reports")

#: files totalling more than this many bytes are zipped into one before upload
MAX_REPORT_BYTES = 45_000_000
#: the channel (on the generator's organisation agent) holding one message per report
REPORTS_CHANNEL = "reports"
#: the zone used when the deployment config has no ``dv_proc_timezone``
DEFAULT_TIMEZONE = "Australia/Brisbane"

_ASYNC_NAMES = ("generate",)


class Application(ProcessorApplication):
    """A report generator: override :meth:`generate`; the base class does the rest.

    On a schedule it computes the period (the last firing of ``dv_proc_schedules`` before
    "now - 5 minutes" and the firing after it, in ``dv_proc_timezone``), creates a message on
    the ``reports`` channel with status ``"Generating"``, calls :meth:`generate` and updates
    the message to ``"Complete"`` with the files attached (zipped into one above 45 MB), or
    to ``"Failed"``. A manual invocation with ``{"report_id": ...}`` regenerates that report.
    Either way the message's ``logs`` field holds the log lines of this invocation.

    While a report is generated, ``report_id``, ``devices`` (the ``DEVICE_LIST`` of the
    deployment config), ``period_start`` and ``period_end`` describe it. ``generate`` and
    ``filter_messages`` may be ``def`` or ``async def``; with an ``async def generate``,
    ``self.api`` and :meth:`fetch_messages` are awaitable, as in any async processor.
    """

    def __init__(self) -> None:
        super().__init__()
        self._start_report()

    def _reset_invocation(self) -> None:
        super()._reset_invocation()
        self._start_report()  # nothing about one report survives into the next invocation
        # the report's logs: every line from the start of this invocation (its setup's too)
        self._stop_capture()
        self._capture = LogCapture().__enter__()

    def _start_report(self) -> None:
        self.report_id: Optional[int] = None
        self.devices: Optional[List[Any]] = None
        self.period_start: Optional[datetime.datetime] = None
        self.period_end: Optional[datetime.datetime] = None
        self._report_metadata: Dict[str, Any] = {}

    @property
    def is_async(self) -> bool:
        """True when any processor hook or :meth:`generate` is ``async def``."""
        return super().is_async or any(is_coroutine_function(getattr(self, name, None)) for name in _ASYNC_NAMES)

    # ------------------------------------------------------------------ to override

    def generate(self, agent_ids: List[Any], period_start: datetime.datetime,
                 period_end: datetime.datetime) -> Any:
        """Build the report for ``agent_ids`` over ``[period_start, period_end)``: return a
        :class:`~doover.models.File` or a list of them. Override it (``def`` or ``async def``);
        an exception marks the report ``"Failed"`` with the traceback in its logs."""
        raise NotSupportedError("generate: a report generator must override generate(agent_ids, period_start, "
                                "period_end) and return a doover.models.File or a list of them")

    def filter_messages(self, data: Any) -> Any:
        """Called by :meth:`fetch_messages` with the fetched messages; returns what it returns.
        The default returns them as a list. Override (``def`` or ``async def``) to filter or
        combine."""
        return list(data)

    def fetch_messages(self, channel_name: str, period_start: Any, period_end: Any,
                       agent_ids: Sequence[Any]) -> Any:
        """The messages of ``channel_name`` on each agent in ``agent_ids`` strictly between
        ``period_start`` and ``period_end`` (datetimes or snowflake ids), each agent's newest
        first, passed through :meth:`filter_messages`. Awaitable in an async app (the agents
        are then fetched concurrently)."""
        if self.is_async:
            return self._fetch_messages_async(channel_name, period_start, period_end, agent_ids)
        messages: List[Any] = []
        for agent_id in agent_ids:
            messages.extend(self._collect(agent_id, channel_name, period_start, period_end))
        return call_hook(self.filter_messages, messages)

    async def _fetch_messages_async(self, channel_name: str, period_start: Any, period_end: Any,
                                    agent_ids: Sequence[Any]) -> Any:
        import asyncio
        import inspect

        chunks = await asyncio.gather(*[
            self._blocking(self._collect, agent_id, channel_name, period_start, period_end)
            for agent_id in agent_ids
        ])
        result = self.filter_messages(list(itertools.chain.from_iterable(chunks)))
        if inspect.isawaitable(result):
            result = await result
        return result

    def _collect(self, agent_id: Any, channel_name: str, period_start: Any, period_end: Any) -> List[Any]:
        return self._report_client().iter_messages(
            channel_name, before=period_end, after=period_start, agent_id=int(agent_id)).collect()

    # ------------------------------------------------------------------ hooks

    def on_message_create(self, event: Any) -> Any:
        """Refused: a report generator runs on schedules and manual invocations only."""
        raise NotSupportedError("a report generator does not handle message-create events; it runs on its "
                                "schedule (dv_proc_schedules) and on manual invocations with a report_id")

    def on_deployment(self, event: Any) -> Any:
        """Nothing to do when a report generator is deployed."""
        return None

    def on_schedule(self, event: Any) -> Any:
        """Create the report message for the period that just ended, then generate it."""
        self._start_report()
        log.info("Scheduled report generation")
        schedule = self._setting("dv_proc_schedules", DEFAULT_SCHEDULE)
        timezone = self._setting("dv_proc_timezone", DEFAULT_TIMEZONE)
        self.period_start, self.period_end = report_period(schedule, timezone, self._now())
        deployment = self.received_deployment_config or {}
        self.devices = list(deployment.get("DEVICE_LIST") or [])
        name = report_name(self.display_name or self.app_key or "Report", self.period_start, self.period_end)
        self._report_metadata = {
            "name": name,
            "devices": self.devices,
            "period_start": _epoch_ms(self.period_start),
            "period_end": _epoch_ms(self.period_end),
            "report_generator": os.environ.get("APPLICATION_ID", ""),
            "config": deployment,
            "status": "Generating",
            "logs": "",
        }
        log.info("Creating the report message %r", name)
        started = time.perf_counter()
        message = self._report_client().create_message(
            REPORTS_CHANNEL, self._report_metadata, organisation_id=self.agent_id)
        self.report_id = message.id
        log.info("Report %s created in %.3f s", self.report_id, time.perf_counter() - started)
        return self._generate()

    def on_manual_invoke(self, event: Any) -> Any:
        """Regenerate the report whose message id is ``event.payload["report_id"]``."""
        self._start_report()
        payload = event.payload
        raw_id = payload.get("report_id") if isinstance(payload, dict) else None
        try:
            report_id = int(raw_id)  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            raise InvalidEventError(
                "payload.report_id: a report generator's manual invocation needs {{\"report_id\": <id of the "
                "reports message>}}, got payload {!r}".format(payload)) from exc
        log.info("Regenerating report %s", report_id)
        message = self._report_client().fetch_message(REPORTS_CHANNEL, report_id, organisation_id=self.agent_id)
        self.report_id = message.id
        self._report_metadata = dict(message.data) if isinstance(message.data, dict) else {}
        zone = self._zone_or_utc()
        self.period_start = _from_epoch_ms(self._report_metadata.get("period_start"), "period_start", zone)
        self.period_end = _from_epoch_ms(self._report_metadata.get("period_end"), "period_end", zone)
        deployment = self.received_deployment_config or {}
        self.devices = list(deployment.get("DEVICE_LIST") or [])
        return self._generate()

    # ------------------------------------------------------------------ internals

    def _now(self) -> datetime.datetime:
        """The current time (aware, UTC); the schedule's period is computed from it."""
        return datetime.datetime.now(datetime.timezone.utc)

    def _report_client(self) -> Any:
        client = self._client
        if client is None:
            raise DooverError("reports: the Data API client exists only during an invocation")
        return client

    def _stop_capture(self) -> None:
        capture = getattr(self, "_capture", None)
        if capture is not None:
            capture.__exit__(None, None, None)

    def _logs(self) -> str:
        capture = getattr(self, "_capture", None)
        return capture.text() if capture is not None else ""

    def _setting(self, name: str, default: Any) -> Any:
        """``name`` from the loaded config schema when it declares it, else from the raw
        deployment config, else ``default``."""
        element = getattr(self.config, name, None) if self.config is not None else None
        value = getattr(element, "value", None)
        if value is None:
            value = (self.received_deployment_config or {}).get(name)
        return default if value is None else value

    def _zone_or_utc(self) -> datetime.tzinfo:
        from .._cron import resolve_timezone

        timezone = self._setting("dv_proc_timezone", DEFAULT_TIMEZONE)
        try:
            return resolve_timezone(timezone, "dv_proc_timezone")
        except DooverError as exc:
            log.warning("Report period shown in UTC: %s", exc)
            return datetime.timezone.utc

    def _update(self, files: Optional[List[Any]] = None) -> None:
        self._report_client().update_message(
            REPORTS_CHANNEL, self.report_id, self._report_metadata, organisation_id=self.agent_id, files=files)

    def _generate(self) -> Any:
        """Run :meth:`generate` and complete the report. Returns the outcome, or (when called
        from a coroutine, as ``await super().on_schedule(event)`` does with an ``async def
        generate``) a coroutine giving it."""
        log.info("Generating the report from %s to %s", self.period_start, self.period_end)
        started = time.perf_counter()
        try:
            produced = self.generate(self.devices, self.period_start, self.period_end)
            if isinstance(produced, Done):
                produced = produced.result
            elif hasattr(produced, "__await__"):
                if in_async_context():
                    return self._finish_later(produced, started)
                from .._hooks import run_awaitable

                produced = run_awaitable(produced)
            files = _as_files(produced)
        except Exception as exc:
            return self._failed(exc)
        return self._finish(files, started)

    async def _finish_later(self, produced: Any, started: float) -> Dict[str, Any]:
        try:
            files = _as_files(await produced)
        except Exception as exc:
            return self._failed(exc)
        return self._finish(files, started)

    def _failed(self, exc: BaseException) -> Dict[str, Any]:
        log.error("Error generating the report: %s", exc, exc_info=exc)
        self._report_metadata["status"] = "Failed"
        self._report_metadata["logs"] = self._logs()
        self._update()
        self._stop_capture()
        return {"report_id": self.report_id, "status": "Failed"}

    def _finish(self, files: List[Any], started: float) -> Dict[str, Any]:
        metadata = self._report_metadata
        total = sum(item.size or 0 for item in files)
        log.info("Report generated in %.3f s: %d file(s), %d bytes", time.perf_counter() - started, len(files), total)
        if total > MAX_REPORT_BYTES:
            log.info("The report is over %d bytes: zipping its files into one", MAX_REPORT_BYTES)
            files = [zip_files(files)]
        started = time.perf_counter()
        metadata["status"] = "Complete"
        metadata["logs"] = self._logs()
        try:
            self._update(files)
        except Exception as exc:
            log.error("Error uploading the report: %s", exc, exc_info=exc)
            metadata["status"] = "Failed"
            metadata["logs"] = self._logs()
            self._update()
            self._stop_capture()
            return {"report_id": self.report_id, "status": "Failed"}
        log.info("Report uploaded in %.3f s", time.perf_counter() - started)
        self._stop_capture()
        return {"report_id": self.report_id, "status": "Complete"}


def _as_files(result: Any) -> List[Any]:
    from ..models import File

    items = list(result) if isinstance(result, (list, tuple)) else [result]
    for index, item in enumerate(items):
        if not isinstance(item, File):
            raise InvalidArgumentError(
                "generate() must return a doover.models.File or a list of them; item {} is {!r}".format(index, item))
    return items


def _epoch_ms(moment: datetime.datetime) -> int:
    return int(moment.timestamp() * 1000)


def _from_epoch_ms(value: Any, field: str, zone: datetime.tzinfo) -> datetime.datetime:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DecodeError("reports message: {}: expected epoch milliseconds, got {!r}".format(field, value),
                          "$.data." + field)
    return datetime.datetime.fromtimestamp(value / 1000.0, tz=datetime.timezone.utc).astimezone(zone)
