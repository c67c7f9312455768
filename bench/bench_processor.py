"""Processor cold-start and round-trip benchmarks. Prints numbers; asserts nothing.

Every measurement runs in a fresh interpreter (a Lambda cold start) and reports the median
wall time of ``--runs`` repetitions, with ratios against the floor: a bare interpreter
(``python -c pass``) and ``import requests``, each measured with the same interpreter.

  (a) ``from doover.processor import Application, run_app``
  (b) cold start + one event rejected by ``pre_hook_filter``
  (c) cold start + one full SNS message-create (set a tag, send a notification) against a
      local Doover emulator on loopback
  (d) the same with 20 ms latency added to every emulator response
  plus HTTP round trips per invocation.

The reference SDK (pydoover, ``--ref-python``) runs (a) and (b) on the same events, and (c)
and (d) against the same emulator when one is available; the ratio doover / pydoover is printed
for each.

Both SDKs run with compiled bytecode, as an installed package (or a Lambda zip built with pip)
has it: children get a private ``PYTHONPYCACHEPREFIX`` and one untimed warm-up run fills it, so
a ``PYTHONDONTWRITEBYTECODE`` in the caller's environment does not make doover compile its
sources on every run while pydoover's site-packages bytecode is used.

    python bench/bench_processor.py [--runs 15] [--ref-python /work/refsdk/bin/python]
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any, Dict, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

DOOVER_IMPORT = "from doover.processor import Application, run_app"
DOOVER_PREHOOK = """
from doover.processor import Application, run_app
class A(Application):
    def pre_hook_filter(self, event):
        return False
    def on_schedule(self, event):
        return 1
out = run_app(A(), {"op": "on_schedule", "token": "t", "d": {"schedule_id": "1"}}, None)
assert out["skip_reason"] == "pre_hook_filter", out
"""
REF_IMPORT = "from pydoover.processor import Application, run_app"
REF_PREHOOK = """
from pydoover.processor import Application, run_app
class A(Application):
    async def pre_hook_filter(self, event):
        return False
    async def on_schedule(self, event):
        return 1
run_app(A(), {"op": "on_schedule", "token": "t", "d": {"schedule_id": "1"}}, None)
"""
DOOVER_FULL = """
import json, os
from doover.processor import Application, run_app
class A(Application):
    def on_message_create(self, event):
        self.set_tag("counter", (self.get_tag("counter") or 0) + 1)
        self.send_notification("hot", severity="warning")
app = A()
out = run_app(app, json.loads(os.environ["BENCH_EVENT"]), None)
assert out["status"] == "success", out
"""
REF_FULL = """
import json, os
from pydoover.processor import Application, run_app
class A(Application):
    async def on_message_create(self, event):
        await self.set_tag("counter", (self.get_tag("counter") or 0) + 1)
        await self.send_notification("hot", severity="warning")
run_app(A(), json.loads(os.environ["BENCH_EVENT"]), None)
"""


PYCACHE = tempfile.mkdtemp(prefix="doover-bench-pyc-")
#: "lambda": children run with ``-S`` and find their packages through PYTHONPATH (the SDK's
#: site-packages), as a Lambda function finds its zip in /var/task: no ``.pth`` hooks run (such
#: as the finder of an editable install). "installed": children run the interpreter as it is.
LAYOUT = {"mode": "lambda"}
_PURELIB: dict = {}


def purelib(python: str) -> str:
    if python not in _PURELIB:
        _PURELIB[python] = subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True, text=True, check=True).stdout.strip()
    return _PURELIB[python]


def child_env(env: Optional[dict] = None, python: Optional[str] = None) -> dict:
    """The environment of a benchmark child: bytecode cached in ``PYCACHE``, doover on the path."""
    full_env = dict(os.environ, **(env or {}))
    full_env.pop("PYTHONDONTWRITEBYTECODE", None)
    full_env["PYTHONPYCACHEPREFIX"] = PYCACHE
    full_env.setdefault("PYTHONPATH", ROOT)
    if LAYOUT["mode"] == "lambda" and python:
        full_env["PYTHONPATH"] = os.pathsep.join(p for p in (full_env["PYTHONPATH"], purelib(python)) if p)
    return full_env


def argv(python: str, code: str) -> List[str]:
    return [python, "-S", "-c", code] if LAYOUT["mode"] == "lambda" else [python, "-c", code]


def timed(python: str, code: str, runs: int, env: Optional[dict] = None) -> float:
    """Median wall time in ms of ``python -c code`` over ``runs`` fresh processes (after one
    untimed warm-up run that compiles the bytecode)."""
    samples: List[float] = []
    full_env = child_env(env, python)
    subprocess.run(argv(python, code), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=full_env,
                   timeout=120)
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(argv(python, code), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              env=full_env, timeout=120)
        samples.append((time.perf_counter() - start) * 1000.0)
        if proc.returncode != 0:
            raise RuntimeError("benchmark child failed:\n" + proc.stderr.decode()[-2000:])
    return statistics.median(samples)


def stderr_of(python: str, code: str, env: dict) -> str:
    full_env = child_env(env, python)
    return subprocess.run(argv(python, code), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          env=full_env, timeout=120).stderr.decode()


def row(label: str, ms: float, bare: float, req: Optional[float]) -> None:
    ratio_req = "{:6.2f}x".format(ms / req) if req else "   n/a "
    print("  {:<62} {:8.1f} ms   {:6.2f}x bare   {} requests".format(label, ms, ms / bare, ratio_req))


def floors(python: str, runs: int, has_requests: bool):
    bare = timed(python, "pass", runs)
    req = timed(python, "import requests", runs) if has_requests else None
    return bare, req


def count_requests(emu: Any, python: str, code: str, extra_env: dict) -> int:
    """HTTP requests the emulator saw while ``code`` ran (it logs each just after answering)."""
    before = len(emu.request_log)
    stderr_of(python, code, extra_env)
    count, deadline = len(emu.request_log) - before, time.monotonic() + 5
    while time.monotonic() < deadline:
        time.sleep(0.05)
        if len(emu.request_log) - before == count:
            break
        count = len(emu.request_log) - before
    return count


def emulator_event(emu: Any) -> dict:
    """The environment of a full-invocation child: one SNS message-create event of the emulator."""
    emu.set_deployment_config(1, "bench", {})
    arn = emu.add_subscription(1, "sensors", "bench")
    delivered: List[dict] = []
    emu.add_listener(delivered.append)
    emu.publish(1, "sensors", {"t": 41})
    body = {"op": delivered[0]["op"], "token": emu.initial_token(arn, expires_in=3600), "d": delivered[0]["d"]}
    event = {"Records": [{"EventSource": "aws:sns", "EventSubscriptionArn": arn,
                          "Sns": {"Message": json.dumps(body)}}]}
    return {"BENCH_EVENT": json.dumps(event), "DOOVER_DATA_ENDPOINT": emu.base_url}


def results(quick: bool = False, ref_python: Optional[str] = "/work/refsdk/bin/python") -> List[Dict[str, Any]]:
    """Rows for ``python -m bench``: ``benchmark``, ``value`` (ms, median wall time), ``unit``,
    ``vs_bare``, ``vs_requests``, ``vs_ref`` (doover / pydoover, runs alternated) and a ``note``
    with pydoover's time and the CPU-time ratio."""
    runs = 3 if quick else 15
    py = sys.executable
    have_ref = bool(ref_python) and os.path.exists(str(ref_python))
    bare, req = floors(py, runs, True)
    rows: List[Dict[str, Any]] = [
        {"benchmark": "processor: bare interpreter", "value": bare, "unit": "ms"},
        {"benchmark": "processor: import requests", "value": req, "unit": "ms", "vs_bare": req / bare}]

    def add(label: str, code: str, ref_code: str, env: Optional[dict] = None) -> None:
        row: Dict[str, Any] = {"benchmark": "processor: " + label, "unit": "ms"}
        if have_ref:
            wall, ref_wall, cpu, ref_cpu = paired((py, code, env), (ref_python, ref_code, dict(env or {}, PYTHONPATH="")),
                                                  runs)
            ref_env = dict(env or {}, PYTHONPATH="")
            mine_mb, ref_mb = peak_rss_mb(py, code, env), peak_rss_mb(str(ref_python), ref_code, ref_env)
            row.update(vs_ref=wall / ref_wall,
                       note="pydoover {:.0f} ms; CPU {:.0f} vs {:.0f} ms ({:.3f}); peak RSS {:.1f} vs {:.1f} MB".format(
                           ref_wall, cpu, ref_cpu, cpu / ref_cpu, mine_mb, ref_mb))
        else:
            wall = timed(py, code, runs, env)
            row["note"] = "pydoover skipped: {} not found".format(ref_python)
        row.update(value=wall, vs_bare=wall / bare, vs_requests=wall / req)
        rows.append(row)

    add("(a) import Application, run_app", DOOVER_IMPORT, REF_IMPORT)
    add("(b) cold start, pre-hook-rejected event", DOOVER_PREHOOK, REF_PREHOOK)
    from doover.emulator import Emulator

    with Emulator() as emu:
        env = emulator_event(emu)
        ours = count_requests(emu, py, DOOVER_FULL, env)
        row = {"benchmark": "processor: HTTP requests per message-create", "value": ours, "unit": "requests"}
        if have_ref:
            theirs = count_requests(emu, str(ref_python), REF_FULL, dict(env, PYTHONPATH=""))
            row.update(vs_ref=ours / float(theirs), note="pydoover {}".format(theirs))
        rows.append(row)
        add("(c) cold start + full message-create", DOOVER_FULL, REF_FULL, env)
        emu.inject_delay(0.020, times=None)
        add("(d) the same, +20 ms per request", DOOVER_FULL, REF_FULL, env)
        emu.clear_faults()
    return rows


def emulator_cases(runs: int, ref_python: Optional[str]) -> None:
    try:
        from doover.emulator import Emulator
    except ImportError as exc:
        print("  (c)/(d) skipped: doover.emulator is not importable here ({})".format(exc))
        return
    with Emulator() as emu:
        env = emulator_event(emu)
        ref_env = dict(env, PYTHONPATH="")
        have_ref = bool(ref_python)

        def requests_for(python: str, code: str, extra_env: dict) -> int:
            return count_requests(emu, python, code, extra_env)

        bare, req = floors(sys.executable, runs, True)
        print("  HTTP requests per message-create (set 1 tag, send 1 notification):")
        print("    doover   {}".format(requests_for(sys.executable, DOOVER_FULL, env)))
        if have_ref:
            print("    pydoover {}".format(requests_for(ref_python, REF_FULL, ref_env)))
        for label, delay in (("(c)", 0.0), ("(d)", 0.020)):
            if delay:
                emu.inject_delay(delay, times=None)
            name = "{} cold start + full message-create{}".format(label, " +20 ms/request" if delay else "")
            if have_ref:
                print("  " + name)
                compare("  doover vs pydoover", (sys.executable, DOOVER_FULL, env), (ref_python, REF_FULL, ref_env),
                        runs)
            else:
                row(name + " [doover]", timed(sys.executable, DOOVER_FULL, runs, env), bare, req)
            emu.clear_faults()


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def paired(first: tuple, second: tuple, runs: int) -> tuple:
    """``(wall_a, wall_b, cpu_a, cpu_b)``: median wall and CPU (user+system) ms of two
    ``(python, code, env)`` commands run alternately, so load on the machine weighs on both
    alike. CPU time barely moves when other processes compete for the cores; wall time does."""
    envs = [child_env(first[2], first[0]), child_env(second[2], second[0])]
    wall: List[List[float]] = [[], []]
    cpu: List[List[float]] = [[], []]
    for index, (python, code, _) in enumerate((first, second)):
        subprocess.run(argv(python, code), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env=envs[index], timeout=120)
    for _ in range(runs):
        for index, (python, code, _) in enumerate((first, second)):
            cpu_start, start = _cpu_seconds(), time.perf_counter()
            proc = subprocess.run(argv(python, code), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  env=envs[index], timeout=120)
            wall[index].append((time.perf_counter() - start) * 1000.0)
            cpu[index].append((_cpu_seconds() - cpu_start) * 1000.0)
            if proc.returncode != 0:
                raise RuntimeError("benchmark child failed:\n" + proc.stderr.decode()[-2000:])
    return (statistics.median(wall[0]), statistics.median(wall[1]),
            statistics.median(cpu[0]), statistics.median(cpu[1]))


_PEAK_SUFFIX = """
import sys as _sys
with open("/proc/self/status") as _status:
    _peak = [int(_line.split()[1]) for _line in _status if _line.startswith("VmHWM:")]
_sys.__stdout__.write("\\nPEAK_RSS_KB %d\\n" % _peak[0])
"""


def peak_rss_mb(python: str, code: str, env: Optional[dict] = None) -> float:
    """Peak resident memory (MB) of one fresh ``python -c code``, read by the child itself
    (``VmHWM``: ``ru_maxrss`` would carry this benchmark process's own peak across fork+exec)."""
    proc = subprocess.run(argv(python, code + "\n" + _PEAK_SUFFIX), stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, env=child_env(env, python), timeout=120)
    lines = [line for line in proc.stdout.decode().splitlines() if line.startswith("PEAK_RSS_KB ")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError("benchmark child failed (peak RSS of {})".format(python))
    return int(lines[-1].split()[1]) / 1024.0


def compare(label: str, mine: tuple, theirs: tuple, runs: int) -> None:
    wall_a, wall_b, cpu_a, cpu_b = paired(mine, theirs, runs)
    print("  {:<44} wall: doover {:7.1f} ms  pydoover {:7.1f} ms  ratio {:.3f}".format(label, wall_a, wall_b,
                                                                                   wall_a / wall_b))
    print("  {:<44} cpu:  doover {:7.1f} ms  pydoover {:7.1f} ms  ratio {:.3f}".format("", cpu_a, cpu_b,
                                                                                   cpu_a / cpu_b))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--ref-python", default="/work/refsdk/bin/python")
    parser.add_argument("--layout", choices=("lambda", "installed"), default="lambda",
                        help="lambda: python -S with each SDK's site-packages on PYTHONPATH (no .pth hooks, "
                             "as in a Lambda zip); installed: the interpreters as they are")
    args = parser.parse_args()
    LAYOUT["mode"] = args.layout

    print("doover processor, {} ({} runs per median, {} layout)".format(
        sys.version.split()[0], args.runs, args.layout))
    bare, req = floors(sys.executable, args.runs, True)
    print("  {:<62} {:8.1f} ms".format("bare interpreter", bare))
    print("  {:<62} {:8.1f} ms".format("import requests", req))
    row("(a) import doover.processor", timed(sys.executable, "import doover.processor", args.runs), bare, req)
    row("(a) from doover.processor import Application, run_app", timed(sys.executable, DOOVER_IMPORT, args.runs), bare, req)
    row("(b) cold start + pre-hook-rejected event", timed(sys.executable, DOOVER_PREHOOK, args.runs), bare, req)

    ref = args.ref_python
    if ref and os.path.exists(ref):
        no_path = {"PYTHONPATH": ""}
        ref_bare = timed(ref, "pass", args.runs, env=no_path)
        print("pydoover (reference), {}".format(subprocess.run(
            [ref, "-c", "import sys; print(sys.version.split()[0])"], capture_output=True, text=True).stdout.strip()))
        print("  {:<62} {:8.1f} ms   (requests not installed there)".format("bare interpreter", ref_bare))
        print("doover vs pydoover, run alternately (target: (a) < 1/3, (b) < 1/5)")
        for label, ours, theirs in (
            ("(a) import Application, run_app", DOOVER_IMPORT, REF_IMPORT),
            ("(b) cold start + pre-hook-rejected event", DOOVER_PREHOOK, REF_PREHOOK),
        ):
            compare(label, (sys.executable, ours, None), (ref, theirs, no_path), args.runs)
            mine_mb, ref_mb = peak_rss_mb(sys.executable, ours), peak_rss_mb(ref, theirs, no_path)
            print("  {:<44} peak RSS: doover {:5.1f} MB  pydoover {:5.1f} MB  ratio {:.3f}".format(
                "", mine_mb, ref_mb, mine_mb / ref_mb))
    else:
        print("pydoover skipped: {} not found".format(ref))
        ref = None

    print("round trips and full invocations")
    emulator_cases(args.runs, ref)
    return 0


if __name__ == "__main__":
    sys.exit(main())
