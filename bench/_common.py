"""Shared helpers for the benchmarks: fresh-process timing and peak memory.

Every measurement runs ``python -c <code>`` in a new interpreter, so it includes interpreter
start-up and every import, as a cold start does, with bytecode already compiled (one untimed
warm-up run fills a private cache). Numbers are medians of several runs.

    from _common import cold_ms, peak_rss_kb, ratio

    floor = cold_ms(sys.executable, "pass", runs=9)
    mine = cold_ms(sys.executable, "import doover.api", runs=9)
    print(ratio(mine, floor))
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Dict, List, Optional, Sequence, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

__all__ = ["ROOT", "run_python", "cold_ms", "peak_rss_kb", "ratio", "print_table"]

#: Source of ``_peak_rss_kb()`` for a child: the process's own peak RSS in KiB. On Linux it
#: reads ``VmHWM`` (the high-water mark of this process image): ``ru_maxrss`` carries the
#: parent's peak over ``fork``/``vfork`` + ``exec``, so a child of a big benchmark process
#: would report its parent's size.
PEAK_RSS_FUNCTION = r"""
def _peak_rss_kb():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""

_RSS_SUFFIX = "\n" + PEAK_RSS_FUNCTION + "\nimport sys as _s\n_s.__stdout__.write('\\nPEAK_RSS_KB %d\\n' % _peak_rss_kb())\n"


#: Children keep their bytecode here (``PYTHONPYCACHEPREFIX``): every package, doover's checkout
#: and the installed ones alike, is measured with compiled bytecode, as an installed package is,
#: even where the caller's environment sets ``PYTHONDONTWRITEBYTECODE``.
PYCACHE = tempfile.mkdtemp(prefix="doover-bench-pyc-")


def _env(extra: Optional[Dict[str, str]]) -> Dict[str, str]:
    env = dict(os.environ, **(extra or {}))
    env["PYTHONPATH"] = ROOT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYTHONPYCACHEPREFIX"] = PYCACHE
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_python(python: str, code: str, env: Optional[Dict[str, str]] = None, timeout: float = 120) -> Tuple[float, str]:
    """Run ``python -c code`` once; returns (wall ms, stdout). Raises if it fails."""
    started = time.perf_counter()
    result = subprocess.run([python, "-c", code], capture_output=True, text=True, env=_env(env), timeout=timeout)
    elapsed = (time.perf_counter() - started) * 1000
    if result.returncode != 0:
        raise RuntimeError("{} -c {!r} failed:\n{}".format(python, code[:80], result.stderr[-2000:]))
    return elapsed, result.stdout


def cold_ms(python: str, code: str, runs: int = 9, env: Optional[Dict[str, str]] = None) -> float:
    """Median wall time (ms) of ``python -c code`` in ``runs`` fresh processes (one warm-up)."""
    run_python(python, code, env)  # warm the OS file cache and the .pyc files
    return statistics.median(run_python(python, code, env)[0] for _ in range(runs))


def peak_rss_kb(python: str, code: str, runs: int = 5, env: Optional[Dict[str, str]] = None) -> float:
    """Median peak resident memory (KiB, the child's own high-water mark) after ``code``."""
    samples: List[float] = []
    run_python(python, code, env)  # fill the bytecode cache: compiling costs memory a warm start does not
    for _ in range(runs):
        _, out = run_python(python, code + _RSS_SUFFIX, env)
        line = [l for l in out.splitlines() if l.startswith("PEAK_RSS_KB ")][-1]
        kb = float(line.split()[1])
        if sys.platform == "darwin":  # bytes there
            kb /= 1024.0
        samples.append(kb)
    return statistics.median(samples)


def ratio(value: float, floor: float) -> str:
    """``"1.23x"``: how many times the floor."""
    return "{:.2f}x".format(value / floor) if floor else "n/a"


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A plain fixed-width table."""
    cells = [list(map(str, header))] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    print("\n" + title)
    for index, row in enumerate(cells):
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)))
        if index == 0:
            print("  " + "  ".join("-" * width for width in widths))
