"""Report generators: cloud processors that turn a period of device data into files.

Subclass :class:`Application`, override ``generate`` (``def`` or ``async def``) to return a
:class:`~doover.models.File` (or a list of them) and hand the app to
:func:`doover.processor.run_app`::

    from doover.models import File
    from doover.processor import run_app
    from doover.reports import Application, ReportConfig

    class FlowReport(Application):
        config_cls = ReportConfig

        def generate(self, agent_ids, period_start, period_end):
            rows = self.fetch_messages("flow", period_start, period_end, agent_ids)
            text = "\\n".join(str(m.data.get("litres")) for m in rows)
            return File("flow.csv", "text/csv", data=text.encode())

    app = FlowReport()

    def handler(event, context):
        return run_app(app, event, context)

On its schedule the app creates a message on the ``reports`` channel (status
``"Generating"``), generates, then updates that message to ``"Complete"`` with the files
attached, or to ``"Failed"``; the message's ``logs`` holds the invocation's log lines. A
manual invocation with ``{"report_id": ...}`` regenerates an existing report. See
``docs/reports.md``.
"""

from .._lazy import lazy_exports

__all__ = [
    "Application",
    "ReportConfig",
    "EmailConfig",
    "zip_files",
    "DEFAULT_SCHEDULE",
    "DEFAULT_TIMEZONE",
    "MAX_REPORT_BYTES",
    "REPORTS_CHANNEL",
]

_LAZY = {
    "Application": "._app",
    "DEFAULT_TIMEZONE": "._app",
    "MAX_REPORT_BYTES": "._app",
    "REPORTS_CHANNEL": "._app",
    "ReportConfig": ".config",
    "EmailConfig": ".config",
    "DEFAULT_SCHEDULE": ".config",
    "zip_files": "._files",
}


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, __all__)
