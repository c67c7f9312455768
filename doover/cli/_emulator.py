"""``doover emulator``: run a local Doover Data API until Ctrl-C or SIGTERM.

It prints machine-readable lines first, then one line per request::

    base_url http://127.0.0.1:8787/api
    admin token eyJ...
    agent 1 token eyJ...
    ready
    POST /api/agents/1/channels/c/messages 201 1.4ms

With ``--processor MODULE:HANDLER`` it also hosts a processor (see
:class:`doover.emulator._hosting.ProcessorHost`): each ``--subscribe CHANNEL`` registers a
subscription on the processor's agent, ``--schedule "rate(5 minutes)"`` or
``--schedule "cron(0 12 * * ? *)"`` (EventBridge syntax, UTC) fires ``on_schedule``, and
every invocation is printed as a line::

    processor my_app:handler app_key my_app agent 1 subscribed sensors
    processor runtime awslambdaric
    invocation on_message_create cold success 412ms

``--runtime`` picks the worker: ``awslambdaric`` (the real AWS Lambda runtime interface
client against a local Runtime API), ``plain``, or ``auto`` (the default: awslambdaric when
it is importable).
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
    hosting = parser.add_argument_group("hosting a processor")
    hosting.add_argument("--processor", metavar="MODULE:HANDLER", default=None,
                         help="a Lambda handler to invoke as subscriptions and schedules fire "
                              "(imported from the current directory)")
    hosting.add_argument("--subscribe", metavar="CHANNEL", action="append", default=[],
                         help="channel whose message creates, aggregate updates and alarm transitions invoke "
                              "the processor (repeatable)")
    hosting.add_argument("--schedule", metavar="EXPR", default=None,
                         help='a schedule for on_schedule: "rate(5 minutes)" or "cron(0 12 * * ? *)" (UTC)')
    hosting.add_argument("--app-key", default=None, help="the processor's app key (default: the handler's module name)")
    hosting.add_argument("--processor-agent", metavar="ID", type=_agent_id, default=None,
                         help="agent the processor is installed on (default: the first --agent, else 1)")
    hosting.add_argument("--config", metavar="FILE", default=None,
                         help="JSON file with the processor's deployment config")
    hosting.add_argument("--timeout", type=float, default=60.0, help="invocation timeout in seconds (default: 60)")
    hosting.add_argument("--runtime", choices=("auto", "awslambdaric", "plain"), default="auto",
                         help="run the handler under the AWS Lambda runtime interface client (awslambdaric), "
                              "in a plain worker, or auto: awslambdaric when importable (default: auto)")


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
            host = _host_processor(args, emu, lines, out) if args.processor else None
            lines.append("ready")
            out.write("\n".join(lines) + "\n")
            out.flush()
            try:
                while not stop.wait(0.5):
                    pass
            finally:
                if host is not None:
                    host.stop()
        finally:
            emu.close()
        out.write("stopped\n")
        out.flush()
        return 0
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _host_processor(args: argparse.Namespace, emu: Any, lines: List[str], out: TextIO) -> Any:
    """Start a :class:`ProcessorHost` for ``--processor`` and describe it in ``lines``."""
    import json

    from ..emulator._hosting import ProcessorHost
    from ..exceptions import DooverError

    if ":" not in args.processor:
        raise DooverError("--processor: expected MODULE:HANDLER, got {!r}".format(args.processor))
    if not args.subscribe and not args.schedule:
        raise DooverError("--processor needs at least one --subscribe CHANNEL or a --schedule")
    config = {}
    if args.config:
        try:
            with open(args.config, encoding="utf-8") as handle:
                config = json.load(handle)
        except (OSError, ValueError) as exc:
            raise DooverError("--config {}: {}".format(args.config, exc)) from exc
        if not isinstance(config, dict):
            raise DooverError("--config {}: expected a JSON object".format(args.config))
    agent_id = args.processor_agent or (args.agent[0] if args.agent else 1)
    app_key = args.app_key or args.processor.split(":", 1)[0].rsplit(".", 1)[-1]
    lock = threading.Lock()

    class _Host(ProcessorHost):
        def _invoke(self, kind: str, lambda_event: Any) -> Any:  # print each invocation as it ends
            record = super()._invoke(kind, lambda_event)
            result = record.get("result") or {}
            status = result.get("status") if isinstance(result, dict) else None
            if "error" in record:
                status = "error {}: {}".format(record["error"].get("type"), record["error"].get("message"))
            elif result.get("skip_reason"):
                status = "{} ({})".format(status, result["skip_reason"])
            with lock:
                out.write("invocation {} {} {} {}ms\n".format(
                    record["op"], "cold" if record["cold"] else "warm", status, record["duration_ms"]))
                out.flush()
            return record

    host = _Host(emu, args.processor, agent_id=agent_id, app_key=app_key, subscribe=args.subscribe,
                 schedule=args.schedule, config=config, timeout=args.timeout, runtime=args.runtime)
    host.start()
    described = "processor {} app_key {} agent {}".format(args.processor, app_key, agent_id)
    if args.subscribe:
        described += " subscribed " + ",".join(args.subscribe)
    if args.schedule:
        described += " schedule " + args.schedule
    lines.append(described)
    lines.append("processor runtime {}".format(host.runtime_in_use))
    return host


def _unique(values: List[int]) -> List[int]:
    seen = []  # type: List[int]
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen
