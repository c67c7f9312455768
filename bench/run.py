"""Run every doover benchmark and print one table (``python -m bench`` or ``python bench/run.py``).

Each benchmark module of ``bench/`` exposes ``results(quick=False)``, returning rows::

    {"benchmark": str, "value": float, "unit": str,
     "vs_bare": ..., "vs_requests": ..., "vs_ref": ..., "vs_direct": ..., "note": str}

where the ratio keys are optional: ``vs_bare`` divides by the same measure for a bare
interpreter, ``vs_requests`` by ``import requests``, ``vs_ref`` by the reference SDK
(pydoover, ``/work/refsdk``) doing the same thing, ``vs_direct`` by the library doover wraps
used directly (a ``requests.Session.post`` loop, minimalmodbus). For times and memory a ratio
above 1 is slower/bigger; for rates (``/s``) above 1 is faster.

Where ``bench_processor.py`` has no ``results`` of its own, its rows are built here from its
public pieces (``timed``, ``stderr_of`` and the pydoover scripts).

    python -m bench [--quick] [--only api --only edge] [--list] [--json FILE]
"""

import argparse
import importlib
import json
import os
import subprocess
import sys
import time
from typing import Any, Callable, Dict, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for _path in (HERE, ROOT):
    if _path not in sys.path:
        sys.path.insert(0, _path)

REF_PYTHON = "/work/refsdk/bin/python"

#: benchmark name -> (module in bench/, what it measures)
BENCHMARKS = {
    "api": ("bench_api", "cold import time and memory of doover.api; DataClient throughput"),
    "processor": ("bench_processor", "processor cold starts and full invocations vs pydoover"),
    "emulator": ("bench_emulator", "emulator requests/s and latency, 1 and 8 clients"),
    "modbus": ("bench_modbus", "Modbus RTU reads/s over a pseudo-terminal vs minimalmodbus and pymodbus"),
    "edge": ("bench_edge", "idle edge app memory and CPU; outbox throughput"),
    "package": ("bench_package", "cold imports from a processor's Lambda zip, with and without its bytecode"),
}

#: the full message-create of bench_processor (set a tag, send a notification), doover side
FULL_INVOCATION = """
import json, os
from doover.processor import Application, run_app
class A(Application):
    def on_message_create(self, event):
        self.set_tag("counter", (self.get_tag("counter") or 0) + 1)
        self.send_notification("hot", severity="warning")
out = run_app(A(), json.loads(os.environ["BENCH_EVENT"]), None)
assert out["status"] == "success", out
"""

COLUMNS = [("vs_bare", "vs bare"), ("vs_requests", "vs requests"), ("vs_ref", "vs pydoover"), ("vs_direct", "vs direct")]


def _processor_results(quick: bool = False, ref_python: Optional[str] = REF_PYTHON) -> List[Dict[str, Any]]:
    """Rows for the processor benchmark, built from bench_processor's scripts and timer."""
    import bench_processor as bp

    runs = 3 if quick else 15
    py = sys.executable
    have_ref = bool(ref_python) and os.path.exists(ref_python)
    ref_env = {"PYTHONPATH": ""}
    bare = bp.timed(py, "pass", runs)
    req = bp.timed(py, "import requests", runs)
    ref_bare = bp.timed(ref_python, "pass", runs, env=ref_env) if have_ref else None
    rows = [{"benchmark": "processor: bare interpreter", "value": bare, "unit": "ms"},
            {"benchmark": "processor: import requests", "value": req, "unit": "ms", "vs_bare": req / bare}]
    if have_ref:
        rows.append({"benchmark": "processor: bare interpreter [pydoover's Python]", "value": ref_bare, "unit": "ms"})

    def add(label: str, ms: float, ref_ms: Optional[float], ref_label: str) -> None:
        row = {"benchmark": "processor: " + label, "value": ms, "unit": "ms", "vs_bare": ms / bare, "vs_requests": ms / req}
        if ref_ms is not None:
            row["vs_ref"] = ms / ref_ms
            row["note"] = "pydoover {:.1f} ms ({:.2f}x its bare)".format(ref_ms, ref_ms / ref_bare)
        rows.append(row)

    add("(a) from doover.processor import Application, run_app", bp.timed(py, bp.DOOVER_IMPORT, runs),
        bp.timed(ref_python, bp.REF_IMPORT, runs, env=ref_env) if have_ref else None, "")
    add("(b) cold start, pre-hook-rejected event", bp.timed(py, bp.DOOVER_PREHOOK, runs),
        bp.timed(ref_python, bp.REF_PREHOOK, runs, env=ref_env) if have_ref else None, "")

    from doover.emulator import Emulator

    with Emulator() as emu:
        emu.set_deployment_config(1, "bench", {})
        arn = emu.add_subscription(1, "sensors", "bench")
        delivered = []  # type: List[dict]
        emu.add_listener(delivered.append)
        emu.publish(1, "sensors", {"t": 41})
        body = {"op": delivered[0]["op"], "token": emu.initial_token(arn, expires_in=3600), "d": delivered[0]["d"]}
        event = {"Records": [{"EventSource": "aws:sns", "EventSubscriptionArn": arn,
                              "Sns": {"Message": json.dumps(body)}}]}
        env = {"BENCH_EVENT": json.dumps(event), "DOOVER_DATA_ENDPOINT": emu.base_url}
        child_ref_env = dict(env, PYTHONPATH="")

        def round_trips(python: str, code: str, child_env: Dict[str, str]) -> int:
            before = len(emu.request_log)
            bp.stderr_of(python, code, child_env)
            deadline = time.monotonic() + 5  # the emulator logs a request just after answering it
            count = len(emu.request_log) - before
            while time.monotonic() < deadline:
                time.sleep(0.05)
                if len(emu.request_log) - before == count:
                    break
                count = len(emu.request_log) - before
            return count

        ours = round_trips(py, FULL_INVOCATION, env)
        theirs = round_trips(ref_python, bp.REF_FULL, child_ref_env) if have_ref else None
        row = {"benchmark": "processor: HTTP requests per message-create", "value": ours, "unit": "requests"}
        if theirs:
            row["vs_ref"] = ours / float(theirs)
            row["note"] = "pydoover {}".format(theirs)
        rows.append(row)
        for label, delay in (("(c) cold start + full message-create", 0.0), ("(d) the same, +20 ms per request", 0.020)):
            if delay:
                emu.inject_delay(delay, times=None)
            mine = bp.timed(py, FULL_INVOCATION, runs, env)
            ref_ms = bp.timed(ref_python, bp.REF_FULL, runs, child_ref_env) if have_ref else None
            add(label, mine, ref_ms, "")
            emu.clear_faults()
    return rows


def _processor_memory(quick: bool = False, ref_python: Optional[str] = REF_PYTHON) -> List[Dict[str, Any]]:
    """Peak RSS after the processor import (issue 5's memory target), doover vs pydoover."""
    import bench_processor as bp
    from _common import peak_rss_kb

    py = sys.executable
    have_ref = bool(ref_python) and os.path.exists(ref_python)
    rss_runs = 3 if quick else 5
    bare_kb, req_kb = peak_rss_kb(py, "pass", rss_runs), peak_rss_kb(py, "import requests", rss_runs)
    mine_kb = peak_rss_kb(py, bp.DOOVER_IMPORT, rss_runs)
    row = {"benchmark": "processor: (a) peak RSS after the import", "value": mine_kb / 1024.0, "unit": "MiB",
           "vs_bare": mine_kb / bare_kb, "vs_requests": mine_kb / req_kb}
    if have_ref:
        ref_kb = peak_rss_kb(ref_python, bp.REF_IMPORT, rss_runs, env={"PYTHONPATH": ""})
        row["vs_ref"] = mine_kb / ref_kb
        row["note"] = "pydoover {:.1f} MiB".format(ref_kb / 1024.0)
    return [row]


def run_one(name: str, quick: bool) -> List[Dict[str, Any]]:
    """The rows of one benchmark (``name`` from :data:`BENCHMARKS`)."""
    module = importlib.import_module(BENCHMARKS[name][0])
    results = getattr(module, "results", None)  # type: Optional[Callable[..., List[Dict[str, Any]]]]
    if name == "processor":
        rows = results(quick=quick) if results is not None else _processor_results(quick)
        return rows + _processor_memory(quick)
    if results is None:
        raise RuntimeError("bench/{}.py has no results(quick) function".format(BENCHMARKS[name][0]))
    return results(quick=quick)


def _fmt_value(value: float) -> str:
    if isinstance(value, int) or value >= 100:
        return "{:.0f}".format(value)
    return "{:.1f}".format(value) if value >= 10 else "{:.2f}".format(value)


def format_table(rows: List[Dict[str, Any]]) -> str:
    """The single fixed-width table of every row."""
    header = ["benchmark", "value", "unit"] + [title for _, title in COLUMNS] + ["note"]
    cells = [header]
    for row in rows:
        if "error" in row:
            cells.append([row["benchmark"], "-", "-"] + ["" for _ in COLUMNS] + ["failed: " + row["error"]])
            continue
        ratios = ["{:.2f}x".format(row[key]) if row.get(key) is not None else "" for key, _ in COLUMNS]
        cells.append([row["benchmark"], _fmt_value(row["value"]), row["unit"]] + ratios + [row.get("note", "")])
    widths = [max(len(line[i]) for line in cells) for i in range(len(header))]
    right = {1} | set(range(3, 3 + len(COLUMNS)))
    lines = []
    for index, line in enumerate(cells):
        parts = [cell.rjust(widths[i]) if i in right and index else cell.ljust(widths[i]) for i, cell in enumerate(line)]
        lines.append("  ".join(parts).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _describe() -> str:
    ref = "absent"
    if os.path.exists(REF_PYTHON):
        out = subprocess.run([REF_PYTHON, "-c", "import sys; print(sys.version.split()[0])"],
                             stdout=subprocess.PIPE, universal_newlines=True)
        ref = "Python " + out.stdout.strip()
    return "doover benchmarks: Python {} ({}), {} CPUs, load average {}; pydoover: {}".format(
        sys.version.split()[0], sys.executable, os.cpu_count(),
        " ".join("{:.2f}".format(x) for x in os.getloadavg()), ref)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Run doover's benchmarks; print one table.")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (about a minute; rougher numbers)")
    parser.add_argument("--only", action="append", choices=sorted(BENCHMARKS), metavar="NAME",
                        help="run only this benchmark (repeatable): " + ", ".join(BENCHMARKS))
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("--json", metavar="FILE", help="also write the rows as JSON to FILE")
    args = parser.parse_args(argv)
    if args.list:
        for name, (module, text) in BENCHMARKS.items():
            print("{:<10} bench/{}.py: {}".format(name, module, text))
        return 0
    print(_describe(), flush=True)
    rows = []  # type: List[Dict[str, Any]]
    failed = False
    for name in args.only or list(BENCHMARKS):
        started = time.perf_counter()
        print("running {}{} ...".format(name, " (quick)" if args.quick else ""), file=sys.stderr, flush=True)
        try:
            rows.extend(run_one(name, args.quick))
        except Exception as exc:  # one broken benchmark must not hide the others
            failed = True
            rows.append({"benchmark": name, "error": "{}: {}".format(type(exc).__name__, str(exc).strip()[-300:])})
        print("  {} took {:.0f} s".format(name, time.perf_counter() - started), file=sys.stderr, flush=True)
    print(format_table(rows))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"python": sys.version.split()[0], "quick": args.quick, "rows": rows}, handle, indent=1)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
