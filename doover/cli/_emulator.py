"""``doover emulator``: run a local Doover Data API until Ctrl-C or SIGTERM.

It prints machine-readable lines first, then one line per request::

    base_url http://127.0.0.1:8787/api
    admin token eyJ...
    agent 1 token eyJ...
    ready
    POST /api/agents/1/channels/c/messages 201 1.4ms
"""

import argparse
import signal
import sys
import threading
from typing import Any, List, Optional, TextIO


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8787, help="port to bind; 0 picks a free one (default: 8787)")
    parser.add_argument(
        "--db", metavar="PATH", default=None, help="SQLite file to keep data in across restarts (default: in memory)"
    )
    parser.add_argument(
        "--agent",
        metavar="ID",
        type=_agent_id,
        action="append",
        default=[],
        help="print a ready-to-use token for this agent id (repeatable)",
    )
    parser.add_argument(
        "--token-expires",
        metavar="SECONDS",
        type=int,
        default=86400,
        help="lifetime of the printed tokens (default: 86400)",
    )
    parser.add_argument("--quiet", action="store_true", help="do not log each request")


def _agent_id(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("expected a positive agent id, got {!r}".format(text))
    return int(text)


def _request_line(out: TextIO) -> Any:
    lock = threading.Lock()

    def log(record: Any) -> None:
        status = "dropped" if record.status is None else str(record.status)
        extra = " (injected {})".format(record.fault) if record.fault else ""
        line = "{} {} {} {:.1f}ms{}\n".format(record.method, record.path, status, record.duration_ms, extra)
        with lock:
            out.write(line)
            out.flush()

    return log


def run(args: argparse.Namespace, out: Optional[TextIO] = None) -> int:
    from ..emulator import Emulator

    out = out or sys.stdout
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:  # only sets a flag
        stop.set()

    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[signum] = signal.signal(signum, on_signal)
    try:
        try:
            emu = Emulator(
                host=args.host,
                port=args.port,
                db=args.db,
                request_logger=None if args.quiet else _request_line(out),
                request_log_size=1000,
            )
        except Exception as exc:  # sqlite cannot open the file
            print("doover: error: cannot open database {!r}: {}".format(args.db, exc), file=sys.stderr)
            return 1
        try:
            emu.start()
        except OSError as exc:
            emu.close()
            print("doover: error: cannot listen on {}:{}: {}".format(args.host, args.port, exc), file=sys.stderr)
            return 1
        try:
            lines = ["base_url {}".format(emu.base_url), "admin token {}".format(emu.admin_token(expires_in=args.token_expires))]
            for agent_id in _unique(args.agent):
                lines.append("agent {} token {}".format(agent_id, emu.token_for(agent_id, expires_in=args.token_expires)))
            lines.append("ready")
            out.write("\n".join(lines) + "\n")
            out.flush()
            while not stop.wait(0.5):
                pass
        finally:
            emu.close()
        out.write("stopped\n")
        out.flush()
        return 0
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _unique(values: List[int]) -> List[int]:
    seen = []  # type: List[int]
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen
