"""Data API client benchmarks. Prints numbers; asserts nothing.

1. Cold import: wall time and peak RSS of ``import doover.api`` in fresh interpreters, against
   a bare interpreter (``pass``) and ``import requests``, as ratios (median of ``--runs``).
2. Throughput of ``create_message`` over keep-alive against a local stdlib
   ``ThreadingHTTPServer`` (run in its own process, so it does not share the client's GIL):
   the blocking client one call after another, the async client with 16 calls in flight, and
   a bare ``requests.Session.post`` loop as the floor.

    python bench/bench_api.py [--runs 9] [--messages 1000] [--rounds 3] [--concurrency 16]
"""

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from _common import ROOT, cold_ms, peak_rss_kb, print_table, ratio  # noqa: E402

SERVER = r"""
import json, socket, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ANSWER = json.dumps({"id": "193588160649819432", "author_id": "1",
                     "channel": {"agent_id": "1", "name": "bench"}, "data": {"n": 1}, "attachments": []}).encode()

class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a):
        pass
    def setup(self):
        BaseHTTPRequestHandler.setup(self)
        # answer in one segment: without this, headers and body go out as two writes and
        # Nagle + the client's delayed ACK add ~40 ms to every keep-alive round trip
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(ANSWER)))
        self.end_headers()
        self.wfile.write(ANSWER)

srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
srv.daemon_threads = True
print(srv.server_address[1], flush=True)
srv.serve_forever()
"""


IMPORT_CASES = [("bare interpreter", "pass"), ("import requests", "import requests"),
                ("import doover.api", "import doover.api"), ("import doover.models", "import doover.models")]


def import_numbers(python: str, runs: int) -> dict:
    """``{case: (median wall ms, median peak RSS KiB)}`` for the cold-import cases."""
    times = {name: cold_ms(python, code, runs) for name, code in IMPORT_CASES}
    rss = {name: peak_rss_kb(python, code, max(3, runs // 2)) for name, code in IMPORT_CASES}
    return {name: (times[name], rss[name]) for name, _ in IMPORT_CASES}


def bench_imports(python: str, runs: int) -> None:
    numbers = import_numbers(python, runs)
    times = {name: value[0] for name, value in numbers.items()}
    rss = {name: value[1] for name, value in numbers.items()}
    floor_t, req_t = times["bare interpreter"], times["import requests"]
    floor_m, req_m = rss["bare interpreter"], rss["import requests"]
    rows = [
        (name, "{:.1f}".format(times[name]), ratio(times[name], floor_t), ratio(times[name], req_t),
         "{:.0f}".format(rss[name] / 1024 * 1024), ratio(rss[name], floor_m), ratio(rss[name], req_m))
        for name, _ in IMPORT_CASES
    ]
    print_table(
        "Cold start, fresh processes, median of {} ({})".format(runs, python),
        ["case", "wall ms", "vs bare", "vs requests", "peak RSS KiB", "vs bare", "vs requests"],
        rows,
    )


def start_server(python: str):
    proc = subprocess.Popen([python, "-c", SERVER], stdout=subprocess.PIPE, text=True)
    port = int(proc.stdout.readline())
    return proc, "http://127.0.0.1:{}/api".format(port)


def throughput_numbers(base: str, count: int, concurrency: int, rounds: int) -> dict:
    """Median messages/s: ``{"floor": requests.Session.post, "sync": DataClient, "async": AsyncDataClient}``."""
    import statistics

    import requests

    from doover.api import AsyncDataClient, DataClient

    payload = {"temperature": 22.5, "pump": True}
    url = base + "/agents/1/channels/bench/messages"
    body = json.dumps({"data": payload}).encode()
    headers = {"Content-Type": "application/json"}
    session = requests.Session()
    client = DataClient(base, token="t", agent_id=1)
    aclient = AsyncDataClient(base, token="t", agent_id=1, max_workers=concurrency)

    def floor_round() -> float:
        started = time.perf_counter()
        for _ in range(count):
            session.post(url, data=body, headers=headers).json()
        return count / (time.perf_counter() - started)

    def sync_round() -> float:
        started = time.perf_counter()
        for _ in range(count):
            client.create_message("bench", payload)
        return count / (time.perf_counter() - started)

    async def async_round() -> float:
        sem = asyncio.Semaphore(concurrency)

        async def one():
            async with sem:
                await aclient.create_message("bench", payload)

        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(count)))
        return count / (time.perf_counter() - started)

    loop = asyncio.new_event_loop()
    # warm-up: connections, pools, converter
    for _ in range(20):
        session.post(url, data=body, headers=headers)
        client.create_message("bench", payload)
    async def warm() -> None:
        await asyncio.gather(*(aclient.create_message("bench", payload) for _ in range(concurrency)))

    loop.run_until_complete(warm())
    results = {"floor": [], "sync": [], "async": []}
    for _ in range(rounds):  # interleaved, so background load hits every client alike
        results["floor"].append(floor_round())
        results["sync"].append(sync_round())
        results["async"].append(loop.run_until_complete(async_round()))
    loop.run_until_complete(aclient.aclose())
    loop.close()
    client.close()
    session.close()
    return {key: statistics.median(values) for key, values in results.items()}


def bench_throughput(base: str, count: int, concurrency: int, rounds: int) -> None:
    med = throughput_numbers(base, count, concurrency, rounds)
    rows = [
        ("requests.Session.post (floor)", "1", "{:.0f}".format(med["floor"]), "1.00x"),
        ("DataClient.create_message", "1", "{:.0f}".format(med["sync"]), ratio(med["sync"], med["floor"])),
        ("AsyncDataClient.create_message", str(concurrency), "{:.0f}".format(med["async"]), ratio(med["async"], med["floor"])),
    ]
    print_table(
        "create_message over keep-alive, {} messages x {} interleaved rounds (median), local ThreadingHTTPServer "
        "in another process ({} CPUs)".format(count, rounds, os.cpu_count()),
        ["client", "in flight", "messages/s", "vs floor"],
        rows,
    )


def results(quick: bool = False, python: str = sys.executable) -> list:
    """Rows for ``python -m bench``: cold import time and memory, and client throughput."""
    runs, count, rounds, concurrency = (3, 200, 1, 16) if quick else (9, 1000, 3, 16)
    numbers = import_numbers(python, runs)
    bare_t, bare_m = numbers["bare interpreter"]
    req_t, req_m = numbers["import requests"]
    rows = []
    for name in ("bare interpreter", "import requests", "import doover.api", "import doover.models"):
        ms, kib = numbers[name]
        rows.append({"benchmark": "cold start: " + name, "value": ms, "unit": "ms",
                     "vs_bare": ms / bare_t, "vs_requests": ms / req_t})
    for name in ("bare interpreter", "import requests", "import doover.api"):
        kib = numbers[name][1]
        rows.append({"benchmark": "peak RSS: " + name, "value": kib / 1024.0, "unit": "MiB",
                     "vs_bare": kib / bare_m, "vs_requests": kib / req_m})
    proc, base = start_server(python)
    try:
        med = throughput_numbers(base, count, concurrency, rounds)
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()
    rows.append({"benchmark": "create_message: requests.Session.post loop", "value": med["floor"], "unit": "msg/s"})
    rows.append({"benchmark": "create_message: DataClient", "value": med["sync"], "unit": "msg/s",
                 "vs_direct": med["sync"] / med["floor"]})
    rows.append({"benchmark": "create_message: AsyncDataClient, {} in flight".format(concurrency), "value": med["async"],
                 "unit": "msg/s", "vs_direct": med["async"] / med["floor"]})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args()
    print("doover bench_api: python {} in {}".format(sys.version.split()[0], ROOT))
    bench_imports(args.python, args.runs)
    proc, base = start_server(args.python)
    try:
        bench_throughput(base, args.messages, args.concurrency, args.rounds)
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
