"""``ModbusInterface``: the Modbus face an edge app uses, with the platform SDK's names.

It talks to the buses itself (no sidecar): serial RTU/ASCII through minimalmodbus, Modbus
TCP over a socket. Buses come from ``buses=`` or from the app config's ``modbus_config``
and open on first use.
"""

import logging
import threading
import warnings
from typing import Any, Callable, Dict, List, Mapping, Optional, Union

import attrs

from ..._hooks import call_hook
from ...exceptions import ModbusArgumentError, ModbusError
from . import _pdu
from ._bus import Bus
from ._settings import BusSettings, bus_settings, settings_from_element
from ._subscription import Deliver, ReadSubscription
from ._typed import TypedAccessMixin

__all__ = ["ModbusInterface"]

log = logging.getLogger("doover.hardware.modbus")

RegisterTypeArg = Union[int, str, _pdu.RegisterType]


def _unwrap(values: List[Any]) -> Any:
    return values[0] if len(values) == 1 else values


class ModbusInterface(TypedAccessMixin):
    """Read and write Modbus devices on one or more buses.

    Standalone::

        modbus = ModbusInterface(buses={"default": {"serial_port": "/dev/ttyUSB0", "serial_baud": 9600}})
        level = modbus.read_registers(modbus_id=1, start_address=0, num_registers=1, register_type="input")

    In an app the buses come from ``config.modbus_config`` (a ``ModbusConfig`` or a
    ``ManyModbusConfig``), as in the platform's SDK: ``ModbusInterface(app_key, config=cfg)``.

    Args:
        app_key: the app's key (kept for compatibility and logging).
        modbus_uri, service_name, timeout: accepted for compatibility with the platform
            SDK's constructor, which talked to a gRPC sidecar; ignored.
        config: an app config Schema with a ``modbus_config`` attribute.
        buses: named buses, ``{name: settings}`` where settings is a dict with the
            ``ModbusConfig`` keys, a ``ModbusConfig`` element or :class:`BusSettings`; or a
            list of those, named by their ``name`` key (or their index).
        retries: how many times a failed transaction (no answer, corrupt answer, port
            failure) is retried by default; a bus's ``retries`` setting and a call's
            ``retries=`` override it. Device exceptions are answers and never retried.
        lenient: the platform SDK's failure convention: reads return ``None`` and writes
            ``False`` when a transaction fails, instead of raising. Bad arguments still
            raise :class:`~doover.exceptions.ModbusArgumentError`.
        deliver: ``deliver(callback, *args)`` runs a subscription callback; the default
            calls it at once on the polling thread. The edge runtime passes one that queues
            the call onto the app's main thread.
        port_factory: ``port_factory(settings)`` returns an open pyserial-like port; the
            seam for tests and unusual ports (default :func:`serial.serial_for_url`).
        socket_factory: ``socket_factory((host, port), timeout)`` returns a connected
            socket for Modbus TCP (default :func:`socket.create_connection`).
    """

    def __init__(
        self,
        app_key: Optional[str] = None,
        modbus_uri: Optional[str] = None,
        service_name: Optional[str] = None,
        timeout: Optional[float] = None,
        config: Any = None,
        *,
        buses: Any = None,
        retries: int = 1,
        lenient: bool = False,
        deliver: Optional[Deliver] = None,
        port_factory: Optional[Callable[[BusSettings], Any]] = None,
        socket_factory: Optional[Callable[..., Any]] = None,
    ) -> None:
        self.app_key = app_key
        self.config = config
        self.retries = _pdu._check_int("retries", retries, 0, 100)
        self.lenient = bool(lenient)
        self._deliver: Deliver = deliver or call_hook
        self._port_factory = port_factory
        self._socket_factory = socket_factory
        self._lock = threading.Lock()
        self._named: Dict[str, BusSettings] = {}
        self._buses: Dict[str, Bus] = {}
        self._config_cache: Any = (None, {})
        self.subscriptions: List[ReadSubscription] = []
        for name, settings in _named_sources(buses):
            self.add_bus(name, settings)

    # ------------------------------------------------------------------ buses

    def add_bus(self, name: str, settings: Any) -> BusSettings:
        """Register (or replace) a named bus. ``settings`` as for ``buses=``. Returns the settings."""
        parsed = bus_settings(settings, name=str(name)) if isinstance(settings, Mapping) else bus_settings(settings)
        if parsed.name != name:
            parsed = attrs.evolve(parsed, name=str(name))
        with self._lock:
            self._named[str(name)] = parsed
        return parsed

    @property
    def bus_names(self) -> List[str]:
        """Names of the configured buses (from ``buses=`` and from the app config)."""
        return sorted(self._all_named())

    def set_delivery(self, deliver: Deliver) -> None:
        """Set how subscription callbacks are run: ``deliver(callback, *args)``."""
        self._deliver = deliver

    def setup(self) -> None:
        """Check the configured buses (nothing is opened until first use)."""
        names = self._all_named()
        if not names:
            log.info("no Modbus buses configured")
        for settings in names.values():
            log.info("Modbus bus %r: %s", settings.name, settings.describe())

    def _config_named(self) -> Dict[str, BusSettings]:
        element = getattr(self.config, "modbus_config", None) if self.config is not None else None
        if element is None:
            return {}
        raws = [dict(raw) if isinstance(raw, Mapping) else settings_from_element(raw) for raw in _element_values(element)]
        key = repr(raws)
        cached_key, cached = self._config_cache
        if cached_key == key:
            return cached
        named: Dict[str, BusSettings] = {}
        for index, raw in enumerate(raws):
            settings = bus_settings(raw, strict=False)
            name = settings.name if settings.name not in named else "{}_{}".format(settings.name, index)
            named[name] = attrs.evolve(settings, name=name)
            named.setdefault(str(index), named[name])
        self._config_cache = (key, named)
        return named

    def _all_named(self) -> Dict[str, BusSettings]:
        named = dict(self._config_named())
        named.update(self._named)
        return named

    def _settings_for(self, bus_id: Any, bus: Any) -> BusSettings:
        if bus is not None:
            return bus_settings(bus)
        named = self._all_named()
        if bus_id is not None and str(bus_id) in named:
            return named[str(bus_id)]
        distinct = {id(s): s for s in named.values()}
        if len(distinct) == 1:
            return next(iter(distinct.values()))
        if not named:
            raise ModbusArgumentError(
                "no Modbus bus is configured: pass buses={...} to ModbusInterface, or give the app config a "
                "modbus_config element"
            )
        raise ModbusArgumentError(
            "bus_id: no bus named {!r}; configured buses: {}".format(bus_id, ", ".join(sorted(named)))
        )

    def _bus(self, bus_id: Any, bus: Any) -> Bus:
        settings = self._settings_for(bus_id, bus)
        key = settings.endpoint
        with self._lock:
            current = self._buses.get(key)
            if current is None:
                current = self._buses[key] = Bus(settings, self._port_factory, self._socket_factory)
                return current
        if _line(current.settings) != _line(settings):
            current.reconfigure(settings)
        return current

    def _execute(self, bus_id: Any, bus: Any, modbus_id: Any, request: _pdu.Request, retries: Any, write: bool) -> Any:
        target = self._bus(bus_id, bus)
        slave = _pdu.check_slave(modbus_id, write=write, tcp=target.settings.type == "tcp")
        if retries is None:
            retries = target.settings.retries if target.settings.retries is not None else self.retries
        retries = _pdu._check_int("retries", retries, 0, 100)
        return target.execute(slave, request, retries)

    def _lenient(self, fallback: Any, action: Callable[[], Any]) -> Any:
        if not self.lenient:
            return action()
        try:
            return action()
        except ModbusArgumentError:
            raise
        except ModbusError as exc:
            log.error("Modbus transaction failed: %s", exc)
            return fallback

    # ------------------------------------------------------------------ reads

    def read_registers(
        self,
        bus_id: str = "default",
        modbus_id: int = 1,
        start_address: int = 0,
        num_registers: int = 1,
        register_type: RegisterTypeArg = 4,
        configure_bus: bool = True,
        bus: Any = None,
        retries: Optional[int] = None,
    ) -> Any:
        """Read ``num_registers`` values of ``register_type`` from ``start_address`` on slave ``modbus_id``.

        ``register_type``: ``4``/``"holding"`` (FC03), ``3``/``"input"`` (FC04), ``1``/``"coil"``
        (FC01) or ``2``/``"discrete"`` (FC02). Returns an int for one value and a list of ints
        for several (coils and discrete inputs read as 0/1). ``configure_bus`` is accepted
        and ignored (buses open on demand). ``bus`` selects a bus by its settings instead of
        ``bus_id``; ``retries`` overrides the retry count for this call.
        """
        request = _pdu.read_request(register_type, start_address, num_registers)
        return self._lenient(
            None, lambda: _unwrap(self._execute(bus_id, bus, modbus_id, request, retries, write=False))
        )

    def read_coils(
        self, modbus_id: int = 1, start_address: int = 0, count: int = 1, bus_id: str = "default", bus: Any = None,
        retries: Optional[int] = None,
    ) -> Optional[List[bool]]:
        """Read ``count`` coils (FC01) as a list of bools (always a list)."""
        request = _pdu.read_request(_pdu.RegisterType.COIL, start_address, count)
        return self._lenient(
            None, lambda: [bool(v) for v in self._execute(bus_id, bus, modbus_id, request, retries, write=False)]
        )

    def read_discrete_inputs(
        self, modbus_id: int = 1, start_address: int = 0, count: int = 1, bus_id: str = "default", bus: Any = None,
        retries: Optional[int] = None,
    ) -> Optional[List[bool]]:
        """Read ``count`` discrete inputs (FC02) as a list of bools (always a list)."""
        request = _pdu.read_request(_pdu.RegisterType.DISCRETE_INPUT, start_address, count)
        return self._lenient(
            None, lambda: [bool(v) for v in self._execute(bus_id, bus, modbus_id, request, retries, write=False)]
        )

    # ------------------------------------------------------------------ writes

    def write_registers(
        self,
        bus_id: str = "default",
        modbus_id: int = 1,
        start_address: int = 0,
        values: Optional[List[int]] = None,
        register_type: RegisterTypeArg = 4,
        configure_bus: bool = True,
        bus: Any = None,
        retries: Optional[int] = None,
    ) -> bool:
        """Write ``values`` from ``start_address``: holding registers with FC16, coils with FC15.

        Register values are 0..65535 (-32768..-1 are sent as two's complement); coil values
        are truthy/falsy. Returns True. Slave ``0`` broadcasts (no answer is awaited).
        """
        kind = _pdu.register_type(register_type)
        if not kind.writable:
            raise ModbusArgumentError(
                "register_type: {} is read-only; write holding registers (4) or coils (1)".format(kind.name.lower())
            )
        if kind is _pdu.RegisterType.COIL:
            request = _pdu.write_coils_request(start_address, values)
        else:
            request = _pdu.write_registers_request(start_address, values)
        return self._lenient(False, lambda: self._execute(bus_id, bus, modbus_id, request, retries, write=True))

    def write_single_register(
        self,
        modbus_id: int = 1,
        address: int = 0,
        value: int = 0,
        register_type: RegisterTypeArg = 4,
        bus: Any = None,
        retries: Optional[int] = None,
        bus_id: str = "default",
    ) -> bool:
        """Write one holding register with FC06 (or, with ``register_type`` coil, one coil with FC05)."""
        kind = _pdu.register_type(register_type)
        if kind is _pdu.RegisterType.COIL:
            request = _pdu.write_single_coil_request(address, value)
        elif kind is _pdu.RegisterType.HOLDING_REGISTER:
            request = _pdu.write_single_register_request(address, value)
        else:
            raise ModbusArgumentError(
                "register_type: {} is read-only; write holding registers (4) or coils (1)".format(kind.name.lower())
            )
        return self._lenient(False, lambda: self._execute(bus_id, bus, modbus_id, request, retries, write=True))

    def write_single_coil(
        self,
        modbus_id: int = 1,
        address: int = 0,
        value: Any = False,
        bus: Any = None,
        retries: Optional[int] = None,
        bus_id: str = "default",
    ) -> bool:
        """Switch one coil on or off with FC05."""
        request = _pdu.write_single_coil_request(address, value)
        return self._lenient(False, lambda: self._execute(bus_id, bus, modbus_id, request, retries, write=True))

    # ------------------------------------------------------------------ subscriptions

    def add_read_register_subscription(
        self,
        bus_id: str = "default",
        modbus_id: int = 1,
        start_address: int = 0,
        num_registers: int = 1,
        register_type: RegisterTypeArg = 4,
        poll_secs: float = 3,
        callback: Optional[Callable[..., Any]] = None,
        bus: Any = None,
    ) -> ReadSubscription:
        """Poll a read every ``poll_secs`` and pass each result to ``callback(values)``.

        ``values`` is an int for one register, a list for several, or ``None`` when that poll
        failed. The callback may be ``def`` or ``async def``; where it runs is decided by the
        delivery function (see ``deliver=``). Returns a :class:`ReadSubscription`; call its
        ``cancel()`` to stop. The arguments are checked at once.
        """
        request = _pdu.read_request(register_type, start_address, num_registers)
        self._bus(bus_id, bus)  # fail now, not on the polling thread, if the bus is unknown

        def read() -> Any:
            return _unwrap(self._execute(bus_id, bus, modbus_id, request, None, write=False))

        subscription = ReadSubscription(
            read, callback, poll_secs, lambda cb, *args: self._deliver(cb, *args),
            name="modbus-poll-{}-{}".format(modbus_id, start_address),
        )
        with self._lock:
            self.subscriptions = [s for s in self.subscriptions if not s.cancelled] + [subscription]
        return subscription.start()

    # ------------------------------------------------------------------ status and lifecycle

    def fetch_bus_status(self, bus_id: str = "default") -> bool:
        """True if the bus is open or can be opened now (it is opened if it was not)."""
        target = self._bus(bus_id, None)
        try:
            target.open()
        except ModbusError as exc:
            log.warning("Modbus bus %r is not available: %s", bus_id, exc)
            return False
        return target.is_open

    def test_comms(self, message: str = "Comms Check Message") -> str:
        """Echo ``message`` (there is no sidecar to ask; kept for compatibility)."""
        return message

    def close(self) -> None:
        """Stop every subscription and close every bus. The interface stays usable."""
        with self._lock:
            subscriptions, self.subscriptions = self.subscriptions, []
            buses = list(self._buses.values())
        for subscription in subscriptions:
            subscription.cancel()
        for subscription in subscriptions:
            subscription.join(timeout=5)
        for bus in buses:
            bus.close()

    def __enter__(self) -> "ModbusInterface":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    # ------------------------------------------------------------------ deprecated

    def open_bus(
        self,
        bus_type: str = "serial",
        name: str = "default",
        serial_port: str = "/dev/ttyS0",
        serial_baud: int = 9600,
        serial_method: str = "rtu",
        serial_bits: int = 8,
        serial_parity: str = "N",
        serial_stop: int = 1,
        serial_timeout: float = 0.3,
        tcp_uri: str = "127.0.0.1:5000",
        tcp_timeout: float = 2,
    ) -> bool:
        """Deprecated: register a named bus and open it. Buses open on demand; configure them instead."""
        warnings.warn(
            "open_bus is deprecated: configure buses (buses= or the app's modbus_config); they open on demand",
            DeprecationWarning,
            stacklevel=2,
        )
        self.add_bus(name, {
            "type": bus_type, "serial_port": serial_port, "serial_baud": serial_baud,
            "serial_method": serial_method, "serial_bits": serial_bits, "serial_parity": serial_parity,
            "serial_stop": serial_stop, "serial_timeout": serial_timeout, "tcp_uri": tcp_uri,
            "tcp_timeout": tcp_timeout,
        })
        return self.fetch_bus_status(name)

    def close_bus(self, bus_id: str = "default") -> bool:
        """Deprecated: close a bus's port (it reopens on the next call). Returns True."""
        warnings.warn("close_bus is deprecated: buses are opened and closed for you", DeprecationWarning, stacklevel=2)
        self._bus(bus_id, None).close()
        return True


def _line(settings: BusSettings) -> BusSettings:
    return attrs.evolve(settings, name="", retries=None)


def _named_sources(buses: Any) -> List[Any]:
    if buses is None:
        return []
    if isinstance(buses, Mapping):
        return [(str(name), settings) for name, settings in buses.items()]
    if isinstance(buses, (list, tuple)):
        pairs = []
        for index, settings in enumerate(buses):
            parsed = bus_settings(settings)
            name = parsed.name if isinstance(settings, Mapping) and settings.get("name") else str(index)
            pairs.append((name, parsed))
        return pairs
    raise ModbusArgumentError("buses: expected a dict of name -> settings or a list of settings, got {!r}".format(buses))


def _element_values(element: Any) -> List[Any]:
    """The bus settings held by a ModbusConfig (one) or ManyModbusConfig (several) element."""
    value = getattr(element, "value", None)
    if isinstance(value, Mapping) or isinstance(element, Mapping):
        return [element]
    if isinstance(element, (list, tuple)):
        return list(element)
    if isinstance(value, (list, tuple)):
        return list(value)
    if value is None and hasattr(element, "element"):  # an array with no items (or a None default)
        return []
    return [element]
