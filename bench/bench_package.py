"""Cold start of a processor from its Lambda zip (``doover package``), with and without the
bytecode the zip ships. Prints numbers; asserts nothing.

Builds a small processor's zip for this interpreter's version (needs the package index),
unzips it into a fresh directory and times, in fresh interpreters run as Lambda runs them
(``-I -S -B``: only the unzipped directory and the standard library, nothing written), the
import of the app and of what a full invocation loads (requests, doover.api, doover.models,
cattrs, attrs). The same with a ``--no-compile`` zip shows what the shipped bytecode saves.

    python bench/bench_package.py [--runs 15]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from typing import Dict, List

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

APP = '''
from doover.processor import Application, run_app


class Level(Application):
    def on_message_create(self, event):
        self.set_tag("last_level", event.message.data.get("level"))


def handler(event, context):
    return run_app(Level(), event, context)
'''

IMPORTS = "import sys; sys.path.insert(0, '.'); import tankapp, requests, doover.api, doover.models, cattrs, attrs"


def _build(workdir: str, name: str, bytecode: bool) -> str:
    from doover._packaging import build_package

    source = os.path.join(workdir, "app")
    os.makedirs(source, exist_ok=True)
    with open(os.path.join(source, "tankapp.py"), "w") as handle:
        handle.write(APP)
    python = "{}.{}".format(*sys.version_info[:2])
    result = build_package("tankapp:handler", os.path.join(workdir, name + ".zip"), python=python, source=source,
                           bytecode=bytecode)
    task = os.path.join(workdir, name)
    with zipfile.ZipFile(result.path) as archive:
        archive.extractall(task)
    return task


def _alternated(cases: Dict[str, List[str]], runs: int) -> Dict[str, float]:
    """Median wall ms of each ``[cwd, code]`` case, the cases taking turns (one warm-up each)."""
    samples = {name: [] for name in cases}  # type: Dict[str, List[float]]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    for round_index in range(runs + 1):
        for name, (cwd, code) in cases.items():
            started = time.perf_counter()
            subprocess.run([sys.executable, "-I", "-S", "-B", "-c", code], cwd=cwd, env=env, check=True)
            if round_index:
                samples[name].append((time.perf_counter() - started) * 1000.0)
    return {name: statistics.median(values) for name, values in samples.items()}


def measure(runs: int = 15) -> Dict[str, float]:
    workdir = tempfile.mkdtemp(prefix="doover-bench-package-")
    try:
        with_pyc = _build(workdir, "with_pyc", True)
        without_pyc = _build(workdir, "without_pyc", False)
        times = _alternated({"bare": [workdir, "pass"], "with": [with_pyc, IMPORTS], "without": [without_pyc, IMPORTS]},
                            runs)
        times["size_with"] = os.path.getsize(os.path.join(workdir, "with_pyc.zip"))
        times["size_without"] = os.path.getsize(os.path.join(workdir, "without_pyc.zip"))
        return times
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def results(quick: bool = False) -> list:
    """Rows for ``python -m bench``: zip sizes and cold imports from the unzipped zip."""
    m = measure(3 if quick else 15)
    version = "{}.{}".format(*sys.version_info[:2])
    return [
        {"benchmark": "package: Lambda zip for Python {} (with bytecode)".format(version),
         "value": m["size_with"] / 1048576.0, "unit": "MiB", "note": "{:.1f} MiB without".format(m["size_without"] / 1048576.0)},
        {"benchmark": "package: bare interpreter (-I -S -B)", "value": m["bare"], "unit": "ms"},
        {"benchmark": "package: cold import from the zip, shipped bytecode", "value": m["with"], "unit": "ms",
         "vs_bare": m["with"] / m["bare"]},
        {"benchmark": "package: cold import from the zip, --no-compile", "value": m["without"], "unit": "ms",
         "vs_bare": m["without"] / m["bare"], "note": "{:.2f}x the time with bytecode".format(m["without"] / m["with"])},
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    m = measure(args.runs)
    print("python {}: a processor's Lambda zip, unzipped, imported by fresh interpreters (-I -S -B), median of {} "
          "alternated runs".format(sys.version.split()[0], args.runs))
    print("  {:<44} {:>9.1f} MiB".format("zip size with bytecode", m["size_with"] / 1048576.0))
    print("  {:<44} {:>9.1f} MiB".format("zip size without bytecode", m["size_without"] / 1048576.0))
    print("  {:<44} {:>9.1f} ms".format("bare interpreter", m["bare"]))
    print("  {:<44} {:>9.1f} ms".format("imports, shipped bytecode", m["with"]))
    print("  {:<44} {:>9.1f} ms   ({:.2f}x)".format("imports, --no-compile", m["without"], m["without"] / m["with"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
