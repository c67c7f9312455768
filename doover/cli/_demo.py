"""``doover demo``: the newcomer's first command. Starts a local Doover in-process, runs a
short story with the DataClient against it, prints what happened, exits 0."""

import argparse
from typing import Any


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("expected a positive integer, got {!r}".format(text))
    return int(text)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--messages", type=_positive, default=60, metavar="N", help="how many readings to publish (default: 60)"
    )
    parser.add_argument(
        "--page-size", type=_positive, default=25, metavar="N", help="page size when paging through history (default: 25)"
    )


def run(args: Any) -> int:
    from ..emulator._demo_story import run_demo

    return run_demo(messages=args.messages, page_size=args.page_size)
