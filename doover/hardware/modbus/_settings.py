"""Bus settings: one validated value object built from a dict, a config element or keywords.

The keys are those of the ``ModbusConfig`` config element. Both spellings in circulation
are accepted: the Python attribute names of the platform's SDK (``type``, ``serial_bits``,
``serial_stop``) and the JSON keys its config exports (``bus_type``, ``serial_data_bits``,
``serial_stop_bits``). Parity may be ``"None"``/``"Even"``/``"Odd"`` or ``"N"``/``"E"``/``"O"``.
"""

from typing import Any, Dict, Mapping, Optional, Tuple

import attrs

from ...exceptions import ModbusArgumentError

__all__ = ["BusSettings", "bus_settings", "settings_from_element", "DEFAULTS"]

#: Defaults of the ``ModbusConfig`` element.
DEFAULTS: Dict[str, Any] = {
    "type": "serial",
    "name": "default",
    "serial_port": "/dev/ttyAMA0",
    "serial_baud": 9600,
    "serial_method": "rtu",
    "serial_bits": 8,
    "serial_parity": "None",
    "serial_stop": 1,
    "serial_timeout": 0.3,
    "tcp_uri": "127.0.0.1:5000",
    "tcp_timeout": 2.0,
    "retries": None,
}

_ALIASES = {
    "bus_type": "type",
    "serial_data_bits": "serial_bits",
    "data_bits": "serial_bits",
    "serial_stop_bits": "serial_stop",
    "stop_bits": "serial_stop",
    "serial_baudrate": "serial_baud",
    "baudrate": "serial_baud",
}

_PARITY = {
    "none": "N",
    "n": "N",
    "even": "E",
    "e": "E",
    "odd": "O",
    "o": "O",
    "mark": "M",
    "m": "M",
    "space": "S",
    "s": "S",
}

_METHODS = ("rtu", "ascii", "socket", "tls")


@attrs.frozen(kw_only=True)
class BusSettings:
    """How to reach one Modbus bus. Build it with :func:`bus_settings`.

    ``type`` is ``"serial"`` (RTU or ASCII through minimalmodbus; ``serial_port`` may be a
    device path or a pyserial URL such as ``socket://host:port``, ``rfc2217://host:port``
    or ``loop://``) or ``"tcp"`` (Modbus TCP to ``tcp_uri``). ``serial_parity`` is stored as
    pyserial's letter (``N``, ``E``, ``O``). ``retries`` is this bus's default number of
    retries after a failed attempt (``None``: the interface's default).
    """

    type: str = "serial"
    name: str = "default"
    serial_port: str = "/dev/ttyAMA0"
    serial_baud: int = 9600
    serial_method: str = "rtu"
    serial_bits: int = 8
    serial_parity: str = "N"
    serial_stop: float = 1
    serial_timeout: float = 0.3
    tcp_uri: str = "127.0.0.1:5000"
    tcp_timeout: float = 2.0
    retries: Optional[int] = None

    @property
    def endpoint(self) -> str:
        """What identifies the physical bus: the serial port, or ``tcp://host:port``."""
        if self.type == "tcp":
            host, port = self.tcp_address
            return "tcp://{}:{}".format(host, port)
        return self.serial_port

    @property
    def tcp_address(self) -> Tuple[str, int]:
        """``(host, port)`` parsed from ``tcp_uri`` (port 502 when none is given)."""
        return _parse_tcp_uri(self.tcp_uri)

    @property
    def timeout(self) -> float:
        """The response timeout that applies to this bus, in seconds."""
        return self.tcp_timeout if self.type == "tcp" else self.serial_timeout

    def describe(self) -> str:
        """A short human description (``rtu on /dev/ttyUSB0 at 9600 8N1``)."""
        if self.type == "tcp":
            return "Modbus TCP to {}".format(self.tcp_uri)
        stop = int(self.serial_stop) if float(self.serial_stop).is_integer() else self.serial_stop
        return "{} on {} at {} {}{}{}".format(
            self.serial_method, self.serial_port, self.serial_baud, self.serial_bits, self.serial_parity, stop
        )


def _parse_tcp_uri(uri: str) -> Tuple[str, int]:
    text = uri.strip()
    if "://" in text:
        text = text.split("://", 1)[1]
    text = text.rstrip("/")
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    else:
        host, port_text = text, ""
    if not host:
        raise ModbusArgumentError("tcp_uri: expected 'host:port', got {!r}".format(uri))
    if not port_text:
        return host, 502
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ModbusArgumentError("tcp_uri: expected 'host:port' with a port 1..65535, got {!r}".format(uri))
    return host, int(port_text)


def _number(where: str, key: str, value: Any, kind: type, low: float) -> Any:
    if isinstance(value, bool):
        raise ModbusArgumentError("{}{}: expected a number, got {!r}".format(where, key, value))
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise ModbusArgumentError("{}{}: expected a number, got {!r}".format(where, key, value)) from None
    if kind is int and isinstance(value, float) and not value.is_integer():
        raise ModbusArgumentError("{}{}: expected an integer, got {!r}".format(where, key, value))
    if number < low:
        raise ModbusArgumentError("{}{}: expected at least {}, got {!r}".format(where, key, low, value))
    return number


def bus_settings(source: Any = None, strict: bool = True, **overrides: Any) -> BusSettings:
    """Build :class:`BusSettings` from a dict, a ``ModbusConfig`` element, settings, or keywords.

    Missing keys take the ``ModbusConfig`` defaults. With ``strict`` (the default for
    dicts a caller passes), an unknown key raises :class:`ModbusArgumentError`, so a typo
    such as ``serial_baudrate_`` is not silently ignored; settings read from an app's config
    are read with ``strict=False``.
    """
    if isinstance(source, BusSettings) and not overrides:
        return source
    if isinstance(source, BusSettings):
        raw: Dict[str, Any] = attrs.asdict(source)
    elif source is None:
        raw = {}
    elif isinstance(source, Mapping):
        raw = dict(source)
    else:
        raw = settings_from_element(source)
        strict = False
    raw.update(overrides)
    name = raw.get("name") or "default"
    where = "modbus bus {!r}: ".format(name)
    values: Dict[str, Any] = {}
    for key, value in raw.items():
        canonical = _ALIASES.get(key, key)
        if canonical not in DEFAULTS:
            if strict:
                raise ModbusArgumentError(
                    "{}unknown setting {!r}; expected one of {}".format(where, key, ", ".join(sorted(DEFAULTS)))
                )
            continue
        if value is None and canonical != "retries":
            continue  # explicit null falls back to the default
        values[canonical] = value
    merged = dict(DEFAULTS)
    merged.update(values)

    bus_type = str(merged["type"]).strip().lower()
    if bus_type not in ("serial", "tcp"):
        raise ModbusArgumentError("{}type: expected 'serial' or 'tcp', got {!r}".format(where, merged["type"]))
    method = str(merged["serial_method"]).strip().lower()
    if method not in _METHODS:
        raise ModbusArgumentError(
            "{}serial_method: expected one of {}, got {!r}".format(where, ", ".join(_METHODS), merged["serial_method"])
        )
    parity_key = "none" if merged["serial_parity"] is None else str(merged["serial_parity"]).strip().lower()
    if parity_key not in _PARITY:
        raise ModbusArgumentError(
            "{}serial_parity: expected None/Even/Odd or N/E/O, got {!r}".format(where, merged["serial_parity"])
        )
    bits = _number(where, "serial_bits", merged["serial_bits"], int, 5)
    if bits > 8:
        raise ModbusArgumentError("{}serial_bits: expected 5..8, got {!r}".format(where, bits))
    stop = _number(where, "serial_stop", merged["serial_stop"], float, 1)
    if stop not in (1, 1.5, 2):
        raise ModbusArgumentError("{}serial_stop: expected 1, 1.5 or 2, got {!r}".format(where, merged["serial_stop"]))
    retries = merged["retries"]
    if retries is not None:
        retries = _number(where, "retries", retries, int, 0)
    port = merged["serial_port"]
    if not isinstance(port, str) or not port.strip():
        raise ModbusArgumentError("{}serial_port: expected a device path or URL, got {!r}".format(where, port))
    tcp_uri = str(merged["tcp_uri"])
    if bus_type == "tcp":
        _parse_tcp_uri(tcp_uri)
    return BusSettings(
        type=bus_type,
        name=str(name),
        serial_port=port.strip(),
        serial_baud=_number(where, "serial_baud", merged["serial_baud"], int, 1),
        serial_method=method,
        serial_bits=bits,
        serial_parity=_PARITY[parity_key],
        serial_stop=int(stop) if stop.is_integer() else stop,
        serial_timeout=_number(where, "serial_timeout", merged["serial_timeout"], float, 0.001),
        tcp_uri=tcp_uri,
        tcp_timeout=_number(where, "tcp_timeout", merged["tcp_timeout"], float, 0.001),
        retries=retries,
    )


#: Python attribute names of the ModbusConfig element's children -> settings keys.
_ELEMENT_FIELDS = (
    ("type", "type"),
    ("name", "name"),
    ("serial_port", "serial_port"),
    ("serial_baud", "serial_baud"),
    ("serial_method", "serial_method"),
    ("serial_bits", "serial_bits"),
    ("serial_parity", "serial_parity"),
    ("serial_stop", "serial_stop"),
    ("serial_timeout", "serial_timeout"),
    ("tcp_uri", "tcp_uri"),
    ("tcp_timeout", "tcp_timeout"),
)


def settings_from_element(element: Any) -> Dict[str, Any]:
    """Read the values of a ``ModbusConfig``-shaped config element into a settings dict.

    Works with doover's ``ModbusConfig`` and with any object whose children carry a
    ``.value`` under the attribute names of the platform's SDK, or whose ``.value`` is a
    dict of the exported JSON keys.
    """
    value = getattr(element, "value", None)
    if isinstance(value, Mapping):
        return dict(value)
    found: Dict[str, Any] = {}
    for attribute, key in _ELEMENT_FIELDS:
        child = getattr(element, attribute, None)
        if child is None:
            continue
        found[key] = getattr(child, "value", child)
    if not found:
        raise ModbusArgumentError(
            "bus: expected a ModbusConfig element, a dict of bus settings or BusSettings, got {!r}".format(element)
        )
    return found
