"""Edge runtime numbers: idle memory and CPU, and outbox throughput.

Run: ``python bench/bench_edge.py`` (prints a table; no assertions).

* peak RSS of an idle edge app (``import doover.docker``, a real ``DeviceAgentInterface``
  against the emulator, a 1 s loop) vs a bare interpreter sleeping, and vs the platform
  SDK's docker app when ``/work/refsdk`` can run it (it needs ``grpc``);
* CPU time per idle iteration (user + system, averaged over the measured iterations);
* outbox throughput: messages per second durably queued (sqlite, WAL, synchronous=FULL),
  and drained to the emulator over loopback HTTP.
"""

import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

ITERATIONS = int(os.environ.get("BENCH_EDGE_ITERATIONS", "10"))

IDLE_APP = r"""
import os, resource, sys
from doover.docker import Application, DeviceAgentInterface
N = int(sys.argv[3])
class Idle(Application):
    def setup(self):
        self.t0 = None
    def main_loop(self):
        if self.iterations == 1:
            self.t0 = os.times()
        if self.iterations == N + 1:
            t = os.times()
            cpu = (t.user + t.system - self.t0.user - self.t0.system) / N
            print("cpu_per_iter", cpu)
            print("rss_kb", _peak_rss_kb())
            self.request_stop()
agent = DeviceAgentInterface("idle", 1, sys.argv[1], sys.argv[2])
app = Idle(app_key="idle", device_agent=agent)
app.dda_startup_timeout = 5
sys.exit(app.run())
"""

BARE = r"""
import resource, time
time.sleep(1)
print("rss_kb", _peak_rss_kb())
"""

REF_APP = r"""
import asyncio, os, resource
from pydoover.docker import Application
"""


def run_child(code, *args):
    from _common import PEAK_RSS_FUNCTION, PYCACHE  # children use compiled bytecode, as an installed app does

    code = PEAK_RSS_FUNCTION + code

    env = dict(os.environ, PYTHONPYCACHEPREFIX=PYCACHE)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    out = subprocess.run([sys.executable, "-c", code] + [str(a) for a in args], capture_output=True, text=True,
                         timeout=120, cwd=ROOT, env=env)
    values = {}
    for line in out.stdout.splitlines():
        key, _, value = line.partition(" ")
        values[key] = float(value)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return values


def reference_app():
    ref = "/work/refsdk/bin/python"
    if not os.path.exists(ref):
        return "skipped: /work/refsdk not present"
    out = subprocess.run([ref, "-c", REF_APP], capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        last = out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "exit {}".format(out.returncode)
        return "skipped: pydoover.docker cannot start without its gRPC sidecar stack ({})".format(last)
    return "skipped: needs the gRPC device agent sidecar to run a loop"


def outbox_throughput(emu, n=2000):
    from doover._snowflake import generate_snowflake
    from doover.docker import DeviceAgentInterface
    from doover.docker._outbox import Outbox

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "ob.sqlite")
        box = Outbox(path)
        t0 = time.perf_counter()
        for i in range(n):
            box.put_message("events", {"n": i, "v": 1.5}, generate_snowflake())
        queued = n / (time.perf_counter() - t0)
        agent = DeviceAgentInterface("bench", 1, emu.base_url, emu.token_for(1), box)
        t0 = time.perf_counter()
        agent.start()
        ok = agent.flush(600)
        drained = n / (time.perf_counter() - t0)
        agent.close()
        assert ok
    return queued, drained


def measure(iterations=ITERATIONS, messages=2000):
    """``{"bare_rss_kb", "idle_rss_kb", "cpu_per_iter" (s), "queued" (/s), "drained" (/s)}``."""
    from doover.emulator import Emulator

    emu = Emulator().start()
    try:
        run_child("import doover.docker")  # untimed: fills the bytecode cache
        bare = run_child(BARE)
        idle = run_child(IDLE_APP, emu.base_url, emu.token_for(1), iterations)
        queued, drained = outbox_throughput(emu, messages)
    finally:
        emu.close()
    return {"bare_rss_kb": bare["rss_kb"], "idle_rss_kb": idle["rss_kb"], "cpu_per_iter": idle["cpu_per_iter"],
            "queued": queued, "drained": drained}


def results(quick=False):
    """Rows for ``python -m bench``: idle edge app memory and CPU, outbox throughput."""
    m = measure(3, 300) if quick else measure()
    return [
        {"benchmark": "edge: peak RSS, bare interpreter", "value": m["bare_rss_kb"] / 1024, "unit": "MiB"},
        {"benchmark": "edge: peak RSS, idle edge app (1 s loop)", "value": m["idle_rss_kb"] / 1024, "unit": "MiB",
         "vs_bare": m["idle_rss_kb"] / m["bare_rss_kb"], "note": "pydoover: " + reference_app().split(" (")[0]},
        {"benchmark": "edge: CPU per idle iteration", "value": m["cpu_per_iter"] * 1000, "unit": "ms"},
        {"benchmark": "edge: outbox, messages durably queued", "value": m["queued"], "unit": "msg/s"},
        {"benchmark": "edge: outbox, drained to the emulator", "value": m["drained"], "unit": "msg/s"},
    ]


def main():
    m = measure()
    bare, idle = {"rss_kb": m["bare_rss_kb"]}, {"rss_kb": m["idle_rss_kb"], "cpu_per_iter": m["cpu_per_iter"]}
    queued, drained = m["queued"], m["drained"]
    print("python {}".format(sys.version.split()[0]))
    print("{:<48} {:>12}".format("measure", "value"))
    print("{:<48} {:>9.1f} MB".format("peak RSS, bare interpreter", bare["rss_kb"] / 1024))
    print("{:<48} {:>9.1f} MB".format("peak RSS, idle doover edge app (1 s loop)", idle["rss_kb"] / 1024))
    print("{:<48} {:>11.2f}x".format("ratio edge app / bare", idle["rss_kb"] / bare["rss_kb"]))
    print("{:<48} {:>9.3f} ms".format("CPU per idle iteration", idle["cpu_per_iter"] * 1000))
    print("{:<48} {:>9.0f} /s".format("outbox: messages durably queued", queued))
    print("{:<48} {:>9.0f} /s".format("outbox: messages drained to the emulator", drained))
    print("pydoover docker app: {}".format(reference_app()))


if __name__ == "__main__":
    main()
