"""Value types returned by the platform interface (field names as in the platform's SDK)."""

from typing import List, Optional

import attrs

__all__ = ["Location", "EventDetail", "IoChannel", "IoDevice", "IoDetails", "DIConfig", "SleepLogEntry", "DIReading"]


@attrs.define
class Location:
    """A position fix. ``fetch_location()`` returns ``None`` instead when there is no fix."""

    latitude: float
    longitude: float
    altitude_m: Optional[float] = None
    accuracy_m: Optional[float] = None
    speed_mps: Optional[float] = None
    heading_deg: Optional[float] = None
    sat_count: Optional[int] = None
    timestamp: Optional[str] = None


@attrs.define
class EventDetail:
    """A stored I/O event: ``event`` is ``DI_R``/``DI_F`` (edges) or a system event name."""

    event_id: int
    event: str
    pin: int
    value: str
    time: int
    cm4_online: Optional[bool] = None


@attrs.define
class IoChannel:
    """One channel: ``channel`` is the flat number used by ``fetch_di``/``set_do``/..."""

    channel: int
    device_channel: int
    io_type: str
    kind: Optional[str] = None
    units: Optional[str] = None
    supports_events: bool = False
    supports_pulse_counter: bool = False
    supports_di_config: bool = False
    supports_pulse_count: bool = False
    supports_pulse_rate: bool = False


@attrs.define
class IoDevice:
    """The master board or an extra I/O device, with the channels it contributes."""

    name: str
    type: str
    index: int
    is_master: bool
    online: bool
    channels: List[IoChannel] = attrs.field(factory=list)

    def channels_of(self, io_type: str) -> List[IoChannel]:
        """This device's channels of one type (``"DI"``, ``"DO"``, ``"AI"``, ``"AO"``)."""
        return [c for c in self.channels if c.io_type == io_type]


@attrs.define
class IoDetails:
    """The I/O layout: devices in flat-channel order."""

    devices: List[IoDevice] = attrs.field(factory=list)

    @property
    def master(self) -> Optional[IoDevice]:
        """The master device, or ``None`` if no device is marked master."""
        for device in self.devices:
            if device.is_master:
                return device
        return None

    def channels(self, io_type: str) -> List[IoChannel]:
        """All channels of one type across devices, sorted by flat channel number."""
        found = [c for d in self.devices for c in d.channels if c.io_type == io_type]
        return sorted(found, key=lambda c: c.channel)

    def io_table(self) -> dict:
        """``{"DI": [...], "DO": [...], "AI": [...], "AO": [...]}`` of flat channel numbers."""
        return {kind: [c.channel for c in self.channels(kind)] for kind in ("DI", "DO", "AI", "AO")}


@attrs.define
class DIConfig:
    """Digital input settings: PNP mode, interrupt edge, debounce and wake-on-event."""

    pin: int
    pnp_mode: bool = False
    irq_edge: str = "both"
    debounce_ms: int = 0
    wake_on_event: bool = False


@attrs.define
class SleepLogEntry:
    """A snapshot recorded while the compute module slept."""

    timestamp: int
    input_voltage: float
    system_current: float
    di: List[bool] = attrs.field(factory=list)
    do: List[bool] = attrs.field(factory=list)
    ai: List[float] = attrs.field(factory=list)
    ao: List[float] = attrs.field(factory=list)
    system_power: float = 0.0


@attrs.define
class DIReading:
    """A digital input's level plus its hardware pulse count and rate, where it has them."""

    pin: int
    value: bool
    pulse_count: Optional[int] = None
    pulse_rate_hz: Optional[float] = None
