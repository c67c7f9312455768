"""Cloud processors (AWS Lambda): the processor runtime and its config types.

Importing this package is cheap: it must not import serial, minimalmodbus, the emulator,
the CLI or ``requests``. Add runtime names below their own heading, each listed in
``__all__``.
"""

# --------------------------------------------------------------------------- config types
from .config import (
    EgressChannelConfig,
    ExtendedPermissionsConfig,
    IngestionEndpointConfig,
    InvocationPublishTarget,
    ManySubscriptionConfig,
    ProcessorConfig,
    ScheduleConfig,
    SerialNumberConfig,
    SubscriptionConfig,
    TimezoneConfig,
)

__all__ = [
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
