"""The ``doover`` command line (argparse).

Each subcommand lives in its own module under ``doover.cli`` and is imported only when it
is the command being run, so ``doover --help`` and every command start fast. A module
provides ``configure(parser)`` and ``run(args) -> int``.

A :class:`~doover.exceptions.DooverError` escaping a command prints one line on stderr
and exits with status 1.
"""

import argparse
import importlib
import sys
from typing import List, Optional

from .._version import __version__

__all__ = ["main", "COMMANDS"]

#: command name -> (module under doover.cli, one-line help)
COMMANDS = {
    "config": ("_config", "export or validate app config schemas (doover_config.json)"),
    "demo": ("_demo", "the first thing to run: a tank sensor, an edge app, a processor and an outage, all local"),
    "emulator": ("_emulator", "run a local Doover Data API (emulator) until Ctrl-C or SIGTERM"),
    "invoke": ("_invoke", "run a processor's Lambda handler once against an emulator, as Lambda would"),
    "migrate": ("_migrate", "check an app written for the platform SDK (pydoover) for what doover lacks"),
    "package": ("_package", "build a deployable AWS Lambda zip of a processor and its dependencies"),
    "simulate": ("_simulate", "serve simulated Modbus devices on a pseudo-terminal or TCP port"),
    "ui": ("_ui", "export a UI class's schema into doover_config.json"),
}


def _build_parser(selected: Optional[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="doover",
        description="doover: a local Doover, processors, edge apps and Modbus tools.",
    )
    parser.add_argument("--version", action="version", version="doover-sync " + __version__)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        if name == selected:
            module = importlib.import_module("doover.cli." + module_name)
            module.configure(sub)
            sub.set_defaults(_module=module)
    return parser


def _selected_command(argv: List[str]) -> Optional[str]:
    for token in argv:
        if token.startswith("-"):
            continue
        return token if token in COMMANDS else None
    return None


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point of the ``doover`` console script. Returns the exit status."""
    from ..exceptions import DooverError

    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _build_parser(_selected_command(argv))
    args = parser.parse_args(argv)
    module = getattr(args, "_module", None)
    if module is None:
        parser.print_help()
        return 2
    try:
        return int(module.run(args) or 0)
    except DooverError as exc:
        text = "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())
        print("doover: error: {}".format(text), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
