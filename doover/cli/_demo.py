"""``doover demo``: the newcomer's first command.

The full story (default): a local Doover, a simulated Modbus tank sensor on a pseudo-terminal,
an edge app reading it and publishing through its outbox, a processor raising notifications
on threshold crossings, and a cloud outage midway that loses nothing. ``--quick`` tells the
short DataClient-only story instead.
"""

import argparse
import sys
from typing import Any


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("expected a positive integer, got {!r}".format(text))
    return int(text)


def _at_least_4(text: str) -> int:
    if not text.isdigit() or int(text) < 4:
        raise argparse.ArgumentTypeError("expected an integer of at least 4, got {!r}".format(text))
    return int(text)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.05 <= value <= 3600:
        raise argparse.ArgumentTypeError("expected seconds between 0.05 and 3600, got {!r}".format(text))
    return value


def _percent(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 25 < value < 85:
        raise argparse.ArgumentTypeError("expected a level strictly between 25 and 85 (percent), got {!r}".format(text))
    return value


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--interval", type=_seconds, default=1.0, metavar="SECONDS",
                        help="seconds between two sensor readings (default: 1)")
    parser.add_argument("--readings", type=_at_least_4, default=8, metavar="N",
                        help="readings to take, one rise and fall of the tank (default: 8)")
    parser.add_argument("--outage", type=_seconds, default=2.0, metavar="SECONDS",
                        help="how long the emulator is down midway (default: 2)")
    parser.add_argument("--threshold", type=_percent, default=75.0, metavar="PERCENT",
                        help="the tank level that raises a notification (default: 75)")
    parser.add_argument("--keep-running", action="store_true",
                        help="after the story, leave everything up and print the emulator URL; Ctrl-C stops")
    parser.add_argument("--quick", action="store_true",
                        help="the short story instead: a DataClient against a local Doover, about a second")
    parser.add_argument("--messages", type=_positive, default=60, metavar="N",
                        help="with --quick: how many readings to publish (default: 60)")
    parser.add_argument("--page-size", type=_positive, default=25, metavar="N",
                        help="with --quick: page size when paging through history (default: 25)")


def run(args: Any) -> int:
    if args.quick:
        from ..demo._quick import run_demo

        return run_demo(messages=args.messages, page_size=args.page_size)
    from ..demo._story import DemoOptions, run_story

    options = DemoOptions(interval=args.interval, readings=args.readings, outage=args.outage,
                          threshold=args.threshold, keep_running=args.keep_running)
    return run_story(options, sys.stdout)
