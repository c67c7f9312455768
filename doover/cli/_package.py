"""``doover package MODULE:HANDLER``: build a deployable AWS Lambda zip for a processor.

The zip holds doover, its runtime dependencies for the chosen Python version and
architecture (binary wheels from the package index, through pip) and the app's module or
package, with bytecode compiled by a Python of the target version when one is at hand. It
prints the zip's size and the handler string to give Lambda.
"""

import argparse
import os

from .._packaging import ARCHITECTURES, PYTHON_VERSIONS, build_package

__all__ = ["configure", "run"]


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="MODULE:HANDLER", help="the processor's Lambda handler, e.g. my_app:handler")
    parser.add_argument("--python", default="3.9", metavar="X.Y",
                        help="the Lambda runtime's Python version: {} (default 3.9)".format(", ".join(PYTHON_VERSIONS)))
    parser.add_argument("--arch", default="x86_64", metavar="ARCH",
                        help="the Lambda architecture: {} (default x86_64)".format(" or ".join(sorted(ARCHITECTURES))))
    parser.add_argument("-o", "--output", default="function.zip", help="where to write the zip (default function.zip)")
    parser.add_argument("--source", default=None, metavar="DIR",
                        help="the directory holding MODULE (default: the current directory)")
    parser.add_argument("-r", "--requirement", action="append", default=[], metavar="FILE",
                        help="a pip requirements file of the app's own dependencies (repeatable)")
    parser.add_argument("--compile-with", metavar="PYTHON", default=None,
                        help="a Python X.Y interpreter to compile the bytecode with (default: found on this machine)")
    parser.add_argument("--no-compile", action="store_true",
                        help="ship sources only (Lambda then compiles every module at every cold start)")


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return "{:.1f} MiB".format(size / (1024.0 * 1024.0))
    return "{:.1f} KiB".format(size / 1024.0)


def run(args: argparse.Namespace) -> int:
    result = build_package(args.target, args.output, python=args.python, arch=args.arch, source=args.source,
                           requirement_files=args.requirement, compile_with=args.compile_with,
                           bytecode=not args.no_compile)
    print("wrote {} ({} bytes, {}, {} files) for Python {} on {}".format(
        os.path.relpath(result.path), result.size, _size(result.size), result.files, result.python, result.arch))
    if result.compiled_with:
        print("bytecode compiled by {}".format(result.compiled_with))
    elif not args.no_compile:
        print("no bytecode: no Python {} found here (give one with --compile-with); Lambda will compile every "
              "module at every cold start".format(result.python))
    print("handler {}".format(result.handler))
    return 0
