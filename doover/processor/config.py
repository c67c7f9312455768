"""Config elements with meaning for cloud processors (subscriptions, schedules, permissions, ...).

Keys are fixed where the platform reads them (``dv_proc_subscriptions``, ``dv_proc_schedules``,
``dv_proc_ingestion``, ...). ``ProcessorConfig`` is the framework's own runtime config, which
the platform delivers under ``dv_proc_config``.
"""

from typing import Any, List, Optional, Sequence

from ..config import (
    Application,
    Array,
    Boolean,
    DevicesConfig,
    Enum,
    GroupsConfig,
    Integer,
    NotSet,
    Object,
    String,
)
from ..exceptions import ConfigSchemaError

__all__ = [
    "SubscriptionConfig",
    "ManySubscriptionConfig",
    "ScheduleConfig",
    "IngestionEndpointConfig",
    "DataPermissions",
    "ExtendedPermissionsConfig",
    "ALLOWED_EXTRA_DEVICE_FIELDS",
    "TimezoneConfig",
    "SerialNumberConfig",
    "EgressChannelConfig",
    "InvocationPublishTarget",
    "ProcessorConfig",
]


class SubscriptionConfig(String):
    """The one channel a processor subscribes to (key ``dv_proc_subscriptions``)."""

    def __init__(self, display_name: str = "Channel Subscription", *,
                 description: Optional[str] = "The name of the channel to subscribe to",
                 name: str = "dv_proc_subscriptions", **kwargs: Any) -> None:
        super().__init__(display_name, description=description, name=name, **kwargs)


class ManySubscriptionConfig(Array):
    """Several channels a processor subscribes to: a list under ``dv_proc_subscriptions``."""

    def __init__(self, display_name: str = "Subscription", *,
                 description: Optional[str] = "A list of channels to subscribe to.", **kwargs: Any) -> None:
        super().__init__(display_name, element=SubscriptionConfig(name="dv_proc_subscription"),
                         description=description, name="dv_proc_subscriptions", **kwargs)


class ScheduleConfig(String):
    """When a scheduled processor runs (key ``dv_proc_schedules``), e.g. ``"rate(5 minutes)"``.

    ``allowed_modes`` (default ``["cron", "rate", "disabled"]``) limits what the UI offers:
    fewer than three modes export ``format: doover-schedule-<modes joined by ->``. The string
    itself is interpreted by the platform and not checked here.
    """

    def __init__(self, display_name: str = "Schedule", *,
                 description: Optional[str] = "Specify a schedule to run this task.",
                 allowed_modes: Optional[Sequence[str]] = None, **kwargs: Any) -> None:
        modes: List[str] = list(allowed_modes or ["cron", "rate", "disabled"])
        if not all(isinstance(mode, str) and mode for mode in modes):
            raise ConfigSchemaError("ScheduleConfig: allowed_modes must be non-empty strings, got {!r}".format(modes))
        fmt = "doover-schedule" if len(modes) >= 3 else "doover-schedule-" + "-".join(modes)
        self.allowed_modes = modes
        super().__init__(display_name, description=description, format=fmt, name="dv_proc_schedules", **kwargs)


class IngestionEndpointConfig(Object):
    """An HTTP ingestion endpoint for the processor (key ``dv_proc_ingestion``)."""

    cidr_ranges = Array(
        "CIDR Ranges",
        element=String("IP Range", description="An IP range in CIDR notation, e.g. 203.0.113.0/24"),
        description="Source IP ranges allowed to call the endpoint.",
    )
    signing_key = String(
        "Signing Key", default="",
        description="Secret used to verify the SHA256 HMAC of each request. Empty: no signature check.",
    )
    signing_key_hash_header = String(
        "SHA256 Hash Header", default="x-hmac-sha256",
        description="Request header that carries the payload's HMAC.",
    )
    throttle = Integer(
        "Throttle", default=10, maximum=30,
        description="Requests allowed per second (at most 30).",
    )
    never_replace_token = Boolean(
        "Never Replace Token", default=False,
        description="Keep the endpoint token forever (for callers that cannot update it). Less secure.",
    )
    mini_token = Boolean(
        "Mini Token", default=False,
        description="Issue a short token for very constrained callers, at the cost of slower ingestion.",
    )

    def __init__(self, display_name: str = "Ingestion Endpoint", *,
                 description: Optional[str] = "Ingestion Endpoint configuration", **kwargs: Any) -> None:
        super().__init__(display_name, description=description, name="dv_proc_ingestion", **kwargs)


class DataPermissions(String):
    """Permissions granted on each permitted device: a decimal bitmask string (key ``dd_permissions``).

    ``None``/unset grants every permission (the behaviour before this field existed); ``"0"``
    grants none (for an app that only needs ``DEVICE_MAP``).
    """

    def __init__(self, display_name: str = "Data Permissions", *,
                 description: Optional[str] = (
                     "Permissions granted on each device this app may access. Empty grants all; 0 grants none."
                 ),
                 name: str = "dd_permissions", **kwargs: Any) -> None:
        super().__init__(display_name, description=description, name=name, format="dd_permissions", **kwargs)


#: Device fields an app may request in ``DEVICE_MAP`` (``ExtendedPermissionsConfig(extra_fields=...)``).
#: Any name starting with ``extra_config__`` or ``type__config__`` is allowed too.
ALLOWED_EXTRA_DEVICE_FIELDS = (
    "id", "name", "display_name", "type__id", "type__name", "type__config", "group__id",
    "group__name", "organisation__id", "organisation__name", "latitude", "longitude", "fa_icon",
    "notes", "extra_config",
    "app_installs", "app_installs__id", "app_installs__name", "app_installs__display_name",
    "app_installs__application_id", "app_installs__application_name",
    "solution_installs", "solution_installs__id", "solution_installs__display_name",
    "solution_installs__solution_id", "solution_installs__solution_display_name",
)
_EXTRA_FIELD_PREFIXES = ("extra_config__", "type__config__")


class ExtendedPermissionsConfig(Object):
    """Access to other devices (key ``dv_proc_extended_permissions``).

    ``default_device_group`` is exported as ``x-defaultDeviceGroup``; ``extra_fields`` (names
    from :data:`ALLOWED_EXTRA_DEVICE_FIELDS`, or ``extra_config__*``/``type__config__*``) as
    ``x-extraDeviceFields``.
    """

    devices = DevicesConfig(description="List of devices to grant extended permissions to.")
    groups = GroupsConfig()
    apps_installed = Array(
        "Apps Installed", element=Application("Application"),
        description="Grant access to every device that has one of these applications installed.",
    )
    all_devices = Boolean(
        "All Devices", default=False,
        description="Grant access to every device of the organisation. Use with care.",
    )
    dd_permissions = DataPermissions(hidden=True, default=None)

    def __init__(self, default_device_group: Any = NotSet, extra_fields: Optional[Sequence[str]] = None,
                 **kwargs: Any) -> None:
        super().__init__("Devices", description="Give Permission to access devices.",
                         name="dv_proc_extended_permissions", **kwargs)
        if extra_fields is not None:
            if isinstance(extra_fields, str):
                raise ConfigSchemaError("ExtendedPermissionsConfig: extra_fields must be a list of names, not a string")
            invalid = [
                field for field in extra_fields
                if not isinstance(field, str) or (
                    field not in ALLOWED_EXTRA_DEVICE_FIELDS and not field.startswith(_EXTRA_FIELD_PREFIXES)
                )
            ]
            if invalid:
                raise ConfigSchemaError(
                    "ExtendedPermissionsConfig: unknown extra_fields {!r}; allowed: {}, or names starting "
                    "with extra_config__ / type__config__".format(invalid, ", ".join(ALLOWED_EXTRA_DEVICE_FIELDS))
                )
            extra_fields = list(extra_fields)
        self.default_device_group = default_device_group
        self.extra_fields = extra_fields

    def _export(self) -> Any:
        out = super()._export()
        if self.default_device_group is not NotSet:
            out["x-defaultDeviceGroup"] = self.default_device_group
        if self.extra_fields is not None:
            out["x-extraDeviceFields"] = list(self.extra_fields)
        return out


class TimezoneConfig(Enum):
    """An IANA time zone (key ``dv_proc_timezone``, default ``"Australia/Brisbane"``).

    The exported choices are doover's fixed snapshot of the IANA names (tzdata 2025b), the
    same on every machine. On load, a zone missing from the snapshot is still accepted if
    this machine's ``zoneinfo`` knows it (a newer tz database).
    """

    def __init__(self, display_name: str = "Timezone", *,
                 description: Optional[str] = "The timezone to use for the report.",
                 default: Any = "Australia/Brisbane", **kwargs: Any) -> None:
        from ..config._timezones import IANA_TIMEZONES

        super().__init__(display_name, choices=IANA_TIMEZONES, description=description, default=default,
                         name="dv_proc_timezone", **kwargs)

    def _check(self, raw: Any, path: str, errors: List[str]) -> Any:
        if isinstance(raw, str) and raw not in self.choices and _known_zone(raw):
            return raw
        return super()._check(raw, path, errors)


def _known_zone(name: str) -> bool:
    try:
        import zoneinfo  # Python 3.9+
    except ImportError:  # pragma: no cover - Python 3.8
        return False
    return name in zoneinfo.available_timezones()


class SerialNumberConfig(String):
    """A device serial number (key ``dv_serial_number``); required unless given a default."""

    def __init__(self, display_name: str = "Serial Number", *,
                 description: Optional[str] = "Device Serial Number", **kwargs: Any) -> None:
        super().__init__(display_name, description=description, name="dv_serial_number", **kwargs)


class EgressChannelConfig(String):
    """The channel an integration subscribes to on every configured device (key ``dv_egress_channel``).

    Hidden by default; apps usually give it a default such as ``"tts_downlink_request"``.
    """

    def __init__(self, display_name: str = "Egress Channel", *,
                 description: Optional[str] = "Channel this integration subscribes to on every configured device.",
                 hidden: bool = True, **kwargs: Any) -> None:
        super().__init__(display_name, description=description, name="dv_egress_channel", hidden=hidden, **kwargs)


class InvocationPublishTarget(Object):
    """One place the per-invocation summary is posted to (``agent_id`` null: this agent).

    Exported as strict (``additionalElements: false``); on load unknown keys are ignored with
    a warning, so a newer platform adding a key does not break older processors.
    """

    _ignore_unknown = True

    agent_id = String(
        "Agent ID", default=None,
        description="Agent the summary is posted to. Empty: this processor's own agent.",
    )
    channel = String("Channel", description="Channel name on the target agent.")

    def __init__(self, display_name: str = "Invocation Publish Target", **kwargs: Any) -> None:
        super().__init__(display_name, name="inv_target", additional_elements=False, **kwargs)


class ProcessorConfig(Object):
    """The processor framework's runtime config, delivered as ``dv_proc_config`` (key fixed).

    ``log_level`` (root logger level after setup, default ``"INFO"``), ``log_overrides``
    (logger name -> level), ``inv_targets`` (where invocation summaries go; ``$app_id`` in a
    channel name is replaced by the app id; an empty list disables them) and ``live_logs``.
    Exported as strict; on load unknown keys are ignored with a warning (forward compatible).
    """

    _ignore_unknown = True

    log_level = Enum(
        "Log Level", choices=["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], default="INFO",
        description="Default log level for the root logger after setup.", name="log_level",
    )
    log_overrides = Object(
        "Log Level Overrides", additional_elements=True, default={}, name="log_overrides",
        description="Log level per logger name, e.g. {\"doover.api\": \"WARNING\"}.",
    )
    inv_targets = Array(
        "Invocation Publish Targets", element=InvocationPublishTarget(),
        default=[{"agent_id": None, "channel": "dv-proc-inv-$app_id"}], name="inv_targets",
        description="Where each invocation summary is posted. An empty list turns summaries off.",
    )
    live_logs = Boolean(
        "Live Logs", default=False, hidden=True, name="live_logs",
        description="Stream log records to a channel while the invocation runs (for development).",
    )

    def __init__(self, display_name: str = "Processor Config", *,
                 description: Optional[str] = "Framework-level processor runtime config.", **kwargs: Any) -> None:
        super().__init__(display_name, description=description, name="dv_proc_config",
                         additional_elements=False, **kwargs)

    @classmethod
    def from_deployment(cls, data: Any) -> "ProcessorConfig":
        """A fresh ``ProcessorConfig`` loaded from ``deployment_config.get("dv_proc_config")``.

        ``None`` or a missing key gives all defaults; invalid values raise
        :class:`~doover.exceptions.ConfigError` naming ``dv_proc_config.<path>``.
        """
        instance = cls()
        instance.value = {} if data is None else data
        return instance

