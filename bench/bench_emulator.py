"""Emulator throughput and latency. Prints numbers; asserts nothing.

For ``create_message`` (``POST .../messages``) and aggregate merges (``PATCH .../aggregate``,
answer included) with 1 and 8 concurrent clients, each client a separate process with one
keep-alive ``requests.Session``: requests per second over the whole run, and p50/p99
latency of single requests. By default the emulator runs as ``doover emulator`` in its own
process (as in the CLI), with in-memory storage; ``--db`` uses a SQLite file instead and
``--in-process`` runs it inside this process (as the test suite does, sharing the GIL with
the clients' parent but not with the client processes).

    python bench/bench_emulator.py [--requests 2000] [--db PATH] [--in-process]
"""

import argparse
import multiprocessing
import os
import statistics
import subprocess
import sys
import threading
import time
from typing import Any, Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)


def _worker(args: Tuple[str, str, str, int, int]) -> Tuple[float, float, List[float]]:
    """One client: ``count`` requests after a short warm-up; returns (start, end, latencies)."""
    import requests

    base_url, token, op, agent_id, count = args
    session = requests.Session()
    session.headers["Authorization"] = "Bearer " + token
    if op == "create_message":
        url = "{}/agents/{}/channels/bench/messages".format(base_url, agent_id)
        method = "POST"

        def body(i: int) -> Dict[str, Any]:
            return {"data": {"temperature": 20.0 + (i % 50) / 10.0, "reading": i}}

    else:
        url = "{}/agents/{}/channels/bench/aggregate".format(base_url, agent_id)
        method = "PATCH"

        def body(i: int) -> Dict[str, Any]:
            return {"app": {"tag_{}".format(i % 50): i, "last": i}}

    for i in range(50):  # warm-up: connection, token cache, sqlite pages
        session.request(method, url, json=body(i)).raise_for_status()
    latencies = []
    start = time.time()
    for i in range(count):
        t0 = time.perf_counter()
        resp = session.request(method, url, json=body(i))
        latencies.append((time.perf_counter() - t0) * 1000.0)
        if resp.status_code >= 400:
            raise RuntimeError("{} {} -> {} {}".format(method, url, resp.status_code, resp.text))
    end = time.time()
    session.close()
    return start, end, latencies


def _percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(q * (len(ordered) - 1)))))
    return ordered[index]


def _run(base_url: str, tokens: Dict[int, str], op: str, clients: int, total: int, first_agent: int) -> Dict[str, float]:
    per_client = max(1, total // clients)
    jobs = [(base_url, tokens[first_agent + n], op, first_agent + n, per_client) for n in range(clients)]
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(clients) as pool:
        results = pool.map(_worker, jobs)
    start = min(r[0] for r in results)
    end = max(r[1] for r in results)
    latencies = [lat for r in results for lat in r[2]]
    return {
        "requests": len(latencies),
        "rps": len(latencies) / (end - start),
        "p50": statistics.median(latencies),
        "p99": _percentile(latencies, 0.99),
    }


class _Server:
    """The emulator under test: a ``doover emulator`` subprocess, or in this process."""

    def __init__(self, db: Optional[str], in_process: bool, agents: List[int]) -> None:
        self.tokens = {}  # type: Dict[int, str]
        self._proc = None  # type: Optional[subprocess.Popen]
        self._emu = None  # type: Any
        if in_process:
            from doover.emulator import Emulator

            self._emu = Emulator(db=db, request_log_size=1000).start()
            self.base_url = self._emu.base_url
            self.tokens = {a: self._emu.token_for(a) for a in agents}
            return
        cmd = [sys.executable, "-m", "doover", "emulator", "--port", "0", "--quiet"]
        if db:
            cmd += ["--db", db]
        for agent in agents:
            cmd += ["--agent", str(agent)]
        env = dict(os.environ, PYTHONPATH=ROOT)
        self._proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=env, universal_newlines=True, cwd=ROOT)
        ready = threading.Event()
        lines = []  # type: List[str]

        def read() -> None:
            assert self._proc is not None and self._proc.stdout is not None
            for line in self._proc.stdout:
                lines.append(line.strip())
                if line.strip() == "ready":
                    ready.set()
                    return

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(60):
            raise RuntimeError("doover emulator did not start: {}".format(lines))
        self.base_url = [l.split()[1] for l in lines if l.startswith("base_url ")][0]
        for line in lines:
            parts = line.split()
            if len(parts) == 4 and parts[0] == "agent":
                self.tokens[int(parts[1])] = parts[3]

    def close(self) -> None:
        if self._emu is not None:
            self._emu.close()
        if self._proc is not None:
            self._proc.terminate()
            self._proc.wait(30)


CONFIGS = [(op, clients) for op in ("create_message", "aggregate merge") for clients in (1, 8)]


def measure(requests_per_row: int = 2000, db: Optional[str] = None, in_process: bool = False) -> List[Dict[str, Any]]:
    """One dict per (operation, clients): ``requests``, ``rps``, ``p50`` and ``p99`` (ms)."""
    agents = list(range(1, 1 + 8 * len(CONFIGS)))
    server = _Server(db, in_process, agents)
    rows = []
    try:
        first = 1
        for op, clients in CONFIGS:
            row = _run(server.base_url, server.tokens, op if op == "create_message" else "merge", clients,
                       requests_per_row, first)
            first += 8
            rows.append(dict(row, op=op, clients=clients))
    finally:
        server.close()
    return rows


def results(quick: bool = False) -> List[Dict[str, Any]]:
    """Rows for ``python -m bench``: emulator throughput and p50/p99 latency (separate process)."""
    rows = []
    for row in measure(400 if quick else 2000):
        label = "emulator: {}, {} client{}".format(row["op"], row["clients"], "s" if row["clients"] > 1 else "")
        rows.append({"benchmark": label, "value": row["rps"], "unit": "req/s",
                     "note": "p50 {:.2f} ms, p99 {:.2f} ms".format(row["p50"], row["p99"])})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per configuration (default 2000)")
    parser.add_argument("--db", default=None, help="SQLite file for the emulator (default: in memory)")
    parser.add_argument("--in-process", action="store_true", help="run the emulator inside this process")
    args = parser.parse_args()

    configs = [(op, clients) for op in ("create_message", "aggregate merge") for clients in (1, 8)]
    agents = list(range(1, 1 + 8 * len(configs)))
    server = _Server(args.db, args.in_process, agents)
    try:
        print(
            "doover emulator benchmark: {} ({}), {} requests per row, Python {}".format(
                "in-process" if args.in_process else "separate process",
                "file " + args.db if args.db else "in memory",
                args.requests,
                sys.version.split()[0],
            )
        )
        print("{:<16} {:>7} {:>9} {:>10} {:>9} {:>9}".format("operation", "clients", "requests", "req/s", "p50 ms", "p99 ms"))
        first = 1
        for op, clients in configs:
            row = _run(server.base_url, server.tokens, op if op == "create_message" else "merge", clients, args.requests, first)
            first += 8
            print(
                "{:<16} {:>7} {:>9} {:>10.0f} {:>9.2f} {:>9.2f}".format(
                    op, clients, int(row["requests"]), row["rps"], row["p50"], row["p99"]
                )
            )
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
