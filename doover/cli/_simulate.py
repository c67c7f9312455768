"""``doover simulate modbus``: serve simulated Modbus devices until Ctrl-C or SIGTERM."""

import argparse
import signal
import sys
import threading
from typing import Any

__all__ = ["configure", "run"]


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``simulate`` arguments."""
    kinds = parser.add_subparsers(dest="kind", metavar="KIND")
    kinds.required = True
    modbus = kinds.add_parser(
        "modbus",
        help="serve Modbus devices on a pseudo-terminal or a TCP port",
        description="Serve simulated Modbus devices until Ctrl-C or SIGTERM. Without --registers, "
        "serves the tank level sensor map (see docs/modbus.md).",
    )
    modbus.add_argument(
        "--port",
        required=True,
        help="a path where a symlink to a new pseudo-terminal is made (open it like a serial port), "
        "or tcp://HOST:PORT to listen on",
    )
    modbus.add_argument("--registers", metavar="FILE", help="register map JSON file")
    modbus.add_argument("--slave", type=int, default=1, help="slave id for a map without 'slaves' (default 1)")
    modbus.add_argument(
        "--framing",
        choices=("rtu", "ascii", "tcp"),
        help="frame format (default: rtu on a pseudo-terminal, tcp on a TCP port)",
    )
    modbus.add_argument("--latency", type=float, default=0.0, help="seconds to wait before each answer")
    modbus.add_argument("--drop-rate", type=float, default=0.0, help="probability of not answering (0..1)")


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted; exit status 0 on Ctrl-C or SIGTERM."""
    from ..exceptions import ModbusArgumentError
    from ..hardware.simulators import ModbusSimulator, RegisterMap, tank_level_registers

    if args.registers:
        registers = RegisterMap.from_json_file(args.registers, default_slave=args.slave)
    else:
        registers = tank_level_registers(slave=args.slave)
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    simulator = ModbusSimulator(registers, latency=args.latency, drop_rate=args.drop_rate)
    try:
        if args.port.startswith("tcp://"):
            hostport = args.port[len("tcp://"):]
            host, _, port_text = hostport.rpartition(":")
            if not host or not port_text.isdigit():
                raise ModbusArgumentError("--port: expected tcp://HOST:PORT, got {!r}".format(args.port))
            framing = args.framing or "tcp"
            host, port = simulator.serve_tcp(host.strip("[]"), int(port_text), framing=framing)
            where = "tcp://{}:{}".format(host, port)
        else:
            framing = args.framing or "rtu"
            simulator.serve_pty(framing=framing, link=args.port)
            where = "{} (pseudo-terminal {})".format(args.port, _target(args.port))
        slaves = ", ".join(str(s) for s in sorted(registers.slaves)) or "none"
        print("doover: serving Modbus {} on {}; slaves {}; Ctrl-C to stop".format(framing.upper(), where, slaves))
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
    finally:
        simulator.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("doover: simulator stopped")
    return 0


def _target(path: str) -> str:
    import os

    return os.path.realpath(path)
