"""Cloud processors: event-driven Doover apps that run on AWS Lambda.

Subclass :class:`Application`, override the hooks you need (``def`` or ``async def``) and
call :func:`run_app` from the Lambda handler::

    from doover.processor import Application, run_app

    class Alerts(Application):
        def on_message_create(self, event):
            if event.message.data.get("t", 0) > 40:
                self.send_notification("too hot", severity="warning")

    app = Alerts()

    def handler(event, context):
        return run_app(app, event, context)

Importing this package is cheap: names load on first use, and ``requests`` is imported only
when the first HTTP request is made (a ``pre_hook_filter`` rejection never pays for it).
"""

from .._lazy import lazy_exports

__all__ = [
    "Application",
    "run_app",
    "ProcessorDataClient",
    "ProcessorSkipped",
    "SkipReason",
    "DeploymentConfig",
    "LogMode",
    "JsonFormatter",
    "MessageCreateEvent",
    "AggregateUpdateEvent",
    "DeploymentEvent",
    "ScheduleEvent",
    "IngestionEndpointEvent",
    "ManualInvokeEvent",
    # config types (doover.processor.config; DataPermissions is reached there)
    "EgressChannelConfig",
    "ExtendedPermissionsConfig",
    "IngestionEndpointConfig",
    "InvocationPublishTarget",
    "ManySubscriptionConfig",
    "ProcessorConfig",
    "ScheduleConfig",
    "SerialNumberConfig",
    "SubscriptionConfig",
    "TimezoneConfig",
]

_LAZY = {
    "Application": "._app",
    "run_app": "._run",
    "ProcessorDataClient": "._client",
    "ProcessorSkipped": "._skip",
    "SkipReason": "._skip",
    "DeploymentConfig": "._rawconfig",
    "LogMode": "..tags",
    "JsonFormatter": "._logging",
    "MessageCreateEvent": "..models",
    "AggregateUpdateEvent": "..models",
    "DeploymentEvent": "..models",
    "ScheduleEvent": "..models",
    "IngestionEndpointEvent": "..models",
    "ManualInvokeEvent": "..models",
    "EgressChannelConfig": ".config",
    "ExtendedPermissionsConfig": ".config",
    "IngestionEndpointConfig": ".config",
    "InvocationPublishTarget": ".config",
    "ManySubscriptionConfig": ".config",
    "ProcessorConfig": ".config",
    "ScheduleConfig": ".config",
    "SerialNumberConfig": ".config",
    "SubscriptionConfig": ".config",
    "TimezoneConfig": ".config",
}


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, __all__)
