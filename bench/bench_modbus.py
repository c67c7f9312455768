"""Modbus RTU throughput: doover's ModbusInterface vs minimalmodbus directly vs pymodbus.

Reads 10 holding registers from slave 1, over and over, through a pseudo-terminal served by
``doover simulate modbus`` running in a **separate process** (so the device's CPU time is not
counted against the client). Prints transactions per second and client CPU time per
transaction for each client at two configured baud rates, next to the physical time budget
of the same transaction on a real RS-485 line. A pseudo-terminal does not enforce the baud
rate; the only baud-dependent wait on loopback is the inter-frame silence that minimalmodbus
keeps (3.5 characters, at least 1.75 ms).

Run: ``python bench/bench_modbus.py [--count N]``. Prints numbers; asserts nothing.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

REQUEST_BYTES = 8  # slave, FC03, address (2), count (2), CRC (2)
RESPONSE_BYTES = 5 + 2 * 10  # slave, FC03, byte count, 20 data bytes, CRC (2)
BITS_PER_CHAR = 11  # start + 8 data + parity or second stop + stop


def physical_budget(baud: int) -> dict:
    """Seconds per 10-register read on a real line: both frames plus two inter-frame silences."""
    char = BITS_PER_CHAR / baud
    frames = (REQUEST_BYTES + RESPONSE_BYTES) * char
    silence_35 = 3.5 * char
    silence_spec = max(silence_35, 0.00175)  # the spec fixes 1.75 ms above 19200 baud
    return {"frames": frames, "pure": frames + 2 * silence_35, "spec": frames + 2 * silence_spec}


def measure(name: str, call, count: int) -> dict:
    for _ in range(20):  # warm up: open ports, fill caches
        call()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for _ in range(count):
        call()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return {"name": name, "tps": count / wall, "cpu_us": cpu / count * 1e6, "wall_ms": wall / count * 1e3}


def run_case(link: str, baud: int, count: int) -> list:
    from doover.hardware.modbus import ModbusInterface
    import minimalmodbus
    from pymodbus.client import ModbusSerialClient
    import inspect

    expected = list(range(100, 110))
    results = []

    ours = ModbusInterface(buses={"b": {"serial_port": link, "serial_baud": baud, "serial_timeout": 1.0}})

    def doover_read():
        assert ours.read_registers(modbus_id=1, start_address=0, num_registers=10) == expected

    results.append(measure("doover ModbusInterface", doover_read, count))
    ours.close()

    instrument = minimalmodbus.Instrument(link, 1)
    instrument.serial.baudrate = baud
    instrument.serial.timeout = 1.0

    def minimal_read():
        assert instrument.read_registers(0, 10, functioncode=3) == expected

    results.append(measure("minimalmodbus direct", minimal_read, count))
    instrument.serial.close()

    client = ModbusSerialClient(port=link, baudrate=baud, timeout=1)
    client.connect()
    unit_kw = "device_id" if "device_id" in inspect.signature(client.read_holding_registers).parameters else "slave"

    def pymodbus_read():
        rr = client.read_holding_registers(0, count=10, **{unit_kw: 1})
        assert list(rr.registers) == expected

    results.append(measure("pymodbus sync client", pymodbus_read, count))
    client.close()
    return results


class Simulator:
    """``doover simulate modbus`` in its own process on a fresh pseudo-terminal link."""

    def __init__(self) -> None:
        self.workdir = tempfile.mkdtemp(prefix="doover-bench-")
        regs = os.path.join(self.workdir, "regs.json")
        with open(regs, "w") as handle:
            json.dump({"holding": {"0": list(range(100, 110))}}, handle)
        self.link = os.path.join(self.workdir, "ttyBENCH")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "doover", "simulate", "modbus", "--port", self.link, "--registers", regs],
            stdout=subprocess.PIPE, text=True,
        )
        self.banner = self.proc.stdout.readline().strip()

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(20)
        self.proc.stdout.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


def results(quick: bool = False) -> list:
    """Rows for ``python -m bench``: reads/s of each client at 9600 and 115200 baud."""
    count = 60 if quick else 300
    sim = Simulator()
    rows = []
    try:
        for baud in (9600, 115200):
            measured = {row["name"]: row for row in run_case(sim.link, baud, count)}
            direct = measured["minimalmodbus direct"]["tps"]
            limit = 1 / physical_budget(baud)["spec"]
            for name in ("doover ModbusInterface", "minimalmodbus direct", "pymodbus sync client"):
                row = measured[name]
                out = {"benchmark": "modbus {} baud: {}".format(baud, name), "value": row["tps"], "unit": "reads/s",
                       "note": "{:.0f} us CPU/read; a real line allows {:.1f} reads/s".format(row["cpu_us"], limit)}
                if name != "minimalmodbus direct":
                    out["vs_direct"] = row["tps"] / direct
                rows.append(out)
    finally:
        sim.close()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="transactions per client and baud rate")
    args = parser.parse_args()
    import minimalmodbus
    import pymodbus

    sim = Simulator()
    try:
        print(sim.banner)
        print("python {}, minimalmodbus {}, pymodbus {}, {} reads of 10 holding registers per row".format(
            sys.version.split()[0], minimalmodbus.__version__, pymodbus.__version__, args.count))
        print()
        for baud in (9600, 115200):
            budget = physical_budget(baud)
            print("configured {} baud; physical limit on a real line: {:.2f} ms/read = {:.1f} reads/s "
                  "(frames {:.2f} ms + 2 x 3.5-char silence; with the spec's 1.75 ms floor: {:.1f} reads/s)".format(
                      baud, budget["pure"] * 1e3, 1 / budget["pure"], budget["frames"] * 1e3, 1 / budget["spec"]))
            for row in run_case(sim.link, baud, args.count):
                print("  {:<24} {:>8.1f} reads/s  {:>7.3f} ms/read  {:>7.1f} us CPU/read".format(
                    row["name"], row["tps"], row["wall_ms"], row["cpu_us"]))
            print()
    finally:
        sim.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
