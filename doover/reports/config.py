"""Config elements every report generator shares.

:class:`ReportConfig` declares what the platform reads for a report generator: the devices
it may read (``dv_proc_extended_permissions``), when it runs (``dv_proc_schedules``, a
``cron(...)`` expression, default ``cron(0 8 1 * ?)``: 08:00 on the 1st of each month), the
time zone the schedule and the report periods are computed in (``dv_proc_timezone``) and
who receives the finished report (``dv_emails``). Subclass it and add your own elements::

    from doover import config
    from doover.reports import ReportConfig

    class FlowReportConfig(ReportConfig):
        layout = config.Enum("Output Layout", choices=["Single File", "Separate Files"],
                             default="Single File")
"""

from typing import Any, Optional

from ..config import Array, Schema, String
from ..processor.config import ExtendedPermissionsConfig, ScheduleConfig, TimezoneConfig
from ._period import DEFAULT_SCHEDULE

__all__ = ["EmailConfig", "ReportConfig", "DEFAULT_SCHEDULE"]


class EmailConfig(Array):
    """The email addresses a finished report goes to (key ``dv_emails``, a list of strings)."""

    def __init__(self, display_name: str = "Email Destinations", *,
                 description: Optional[str] = "Email addresses to send this report to", **kwargs: Any) -> None:
        super().__init__(display_name, name="dv_emails", description=description,
                         element=String("Email Address", name="dv_email"), **kwargs)


class ReportConfig(Schema):
    """The base config schema of a report generator (see the module docstring)."""

    dv_proc_extended_permissions = ExtendedPermissionsConfig()
    dv_proc_schedules = ScheduleConfig(allowed_modes=["cron"], default=DEFAULT_SCHEDULE)
    dv_proc_timezone = TimezoneConfig()
    dv_emails = EmailConfig()
