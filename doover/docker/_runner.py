"""``run_app``: parse flags and environment, build the device agent, run the app, exit.

Each setting is taken from its flag, else its environment variable, else its default:

=====================  ======================  ==================================
flag                   variable                default
=====================  ======================  ==================================
``--app-key``          ``APP_KEY``             required
``--agent-id``         ``AGENT_ID``            required
``--token``            ``DOOVER_TOKEN``        required
``--data-url``         ``DOOVER_DATA_ENDPOINT`` ``https://data.doover.com/api``
``--config-fp``        ``CONFIG_FP``           none (use the ``deployment_config`` channel)
``--healthcheck-port`` ``HEALTHCHECK_PORT``    ``49200`` (``0`` picks a free port)
``--outbox``           ``DOOVER_OUTBOX``       ``doover-outbox-<app_key>.sqlite``
``--debug``            ``DEBUG`` (``1``)        off
=====================  ======================  ==================================

A missing required value exits with status 2 and one line naming the flag and the
variable. Signals: the first SIGTERM or SIGINT starts the graceful shutdown (the handler
only sets a flag); a second SIGINT exits at once with status 130.
"""

import argparse
import logging
import os
import signal
import sys
import threading
from typing import Any, Mapping, Optional, Sequence

__all__ = ["run_app", "parse_settings"]

_SETTINGS = (
    ("app_key", "--app-key", "APP_KEY", None),
    ("agent_id", "--agent-id", "AGENT_ID", None),
    ("token", "--token", "DOOVER_TOKEN", None),
    ("data_url", "--data-url", "DOOVER_DATA_ENDPOINT", "https://data.doover.com/api"),
    ("config_fp", "--config-fp", "CONFIG_FP", None),
    ("healthcheck_port", "--healthcheck-port", "HEALTHCHECK_PORT", "49200"),
    ("outbox", "--outbox", "DOOVER_OUTBOX", None),
)


class _UsageError(Exception):
    pass


def parse_settings(argv: Optional[Sequence[str]] = None, env: Optional[Mapping[str, str]] = None,
                   required: Sequence[str] = ("app_key", "agent_id", "token")) -> argparse.Namespace:
    """Resolve the settings (flag > environment > default); raises SystemExit(2) on a missing one."""
    env = os.environ if env is None else env
    parser = argparse.ArgumentParser(prog=os.path.basename(sys.argv[0]) or "app", add_help=True)
    for dest, flag, var, _default in _SETTINGS:
        parser.add_argument(flag, dest=dest, default=None, help="(env {})".format(var))
    parser.add_argument("--debug", action="store_true", default=None, help="(env DEBUG=1)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    for dest, flag, var, default in _SETTINGS:
        if getattr(args, dest) in (None, ""):
            value = env.get(var) or default
            setattr(args, dest, value)
        if dest in required and getattr(args, dest) in (None, ""):
            sys.stderr.write("error: missing {}: pass {} or set {}\n".format(dest.replace("_", " "), flag, var))
            raise SystemExit(2)
    if args.debug is None:
        args.debug = env.get("DEBUG") == "1"
    try:
        args.healthcheck_port = int(args.healthcheck_port) if args.healthcheck_port not in (None, "") else None
    except ValueError:
        sys.stderr.write("error: --healthcheck-port/HEALTHCHECK_PORT: expected an integer, got {!r}\n".format(
            args.healthcheck_port))
        raise SystemExit(2)
    if args.agent_id not in (None, ""):
        try:
            args.agent_id = int(args.agent_id)
        except ValueError:
            sys.stderr.write("error: --agent-id/AGENT_ID: expected an integer, got {!r}\n".format(args.agent_id))
            raise SystemExit(2)
    return args


def run_app(app: Any, argv: Optional[Sequence[str]] = None, env: Optional[Mapping[str, str]] = None,
            setup_logging: bool = True) -> int:
    """Run an ``Application`` subclass (or instance) as a process; returns, or exits with, its code.

    A class is constructed with the resolved settings; an instance keeps its own device
    agent if it has a real one and only takes the settings it lacks. An app without a
    ``platform_iface`` / ``modbus_iface`` gets a ``PlatformInterface`` (simulated board) and
    a ``ModbusInterface(app_key, config=app.config)``, both delivering their callbacks onto
    the loop thread (:meth:`Application.deliver_on_loop`).
    """
    from ._application import Application
    from ._device_agent import DeviceAgentInterface
    from ._mock import MockDeviceAgentInterface

    instance = app if isinstance(app, Application) else None
    has_agent = instance is not None and not isinstance(instance._agent, MockDeviceAgentInterface)
    required = ("app_key",) if has_agent else ("app_key", "agent_id", "token")
    if instance is not None and instance.app_key:
        required = tuple(r for r in required if r != "app_key")
    settings = parse_settings(argv, env, required)
    if setup_logging:
        logging.basicConfig(
            level=logging.DEBUG if settings.debug else logging.INFO,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
    app_key = (instance.app_key if instance is not None and instance.app_key else None) or settings.app_key
    if has_agent:
        agent = instance._agent
    else:
        outbox = settings.outbox or "doover-outbox-{}.sqlite".format(app_key)
        agent = DeviceAgentInterface(app_key, settings.agent_id, settings.data_url, settings.token, outbox)
    if instance is None:
        instance = app(app_key=app_key, device_agent=agent, config_fp=settings.config_fp,
                       healthcheck_port=settings.healthcheck_port)
    else:
        instance.app_key = app_key
        instance.tag_store.app_key = app_key
        instance.device_agent = agent
        instance.config_fp = instance.config_fp or settings.config_fp
        if instance.healthcheck_port is None:
            instance.healthcheck_port = settings.healthcheck_port
    built = _attach_hardware(instance)
    restore = _install_signals(instance)
    try:
        code = instance.run()
    finally:
        restore()
        for iface in built:
            close = getattr(iface, "close", None)
            if close is not None:
                close()
    if code:
        sys.exit(code)
    return code


def _attach_hardware(app: Any) -> list:
    """Give the app a PlatformInterface (simulated board) and a ModbusInterface (buses from
    ``config.modbus_config``) unless it has its own; their callbacks run on the loop thread."""
    built = []
    if app.platform_iface is None:
        from ..hardware.platform import PlatformInterface

        platform = PlatformInterface(app.app_key, deliver=app.deliver_on_loop)
        app.platform_iface = platform
        built.append(platform)
    if app.modbus_iface is None:
        from ..hardware.modbus import ModbusInterface

        modbus = ModbusInterface(app.app_key, config=app.config, deliver=app.deliver_on_loop)
        app.modbus_iface = modbus
        built.append(modbus)
    return built


def _install_signals(app: Any):
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    state = {"sigint": 0}

    def on_term(signum: int, frame: Any) -> None:
        app.request_stop()

    def on_int(signum: int, frame: Any) -> None:
        state["sigint"] += 1
        if state["sigint"] > 1:
            os._exit(130)
        app.request_stop()

    old_term = signal.signal(signal.SIGTERM, on_term)
    old_int = signal.signal(signal.SIGINT, on_int)

    def restore() -> None:
        signal.signal(signal.SIGTERM, old_term)
        signal.signal(signal.SIGINT, old_int)

    return restore
