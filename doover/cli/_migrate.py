"""``doover migrate``: moving an app from the platform SDK (``pydoover``) to doover.

    doover migrate check PATH [PATH ...]

Reads every ``.py`` file under each PATH (without importing the app) and lists each
``pydoover``/``doover`` import or attribute that doover does not provide, as
``file:line:col: name: what (hint: ...)``. Exit status: 0 when there is nothing to report,
1 when there are findings, 2 on usage errors (such as a PATH that does not exist).
"""

import argparse
import os
import sys


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="migrate_action", metavar="ACTION")
    actions.required = True
    check = actions.add_parser(
        "check", help="list what in an app's source doover does not provide",
        description="Parse every .py file under PATH and list each pydoover/doover import or attribute "
        "that doover does not provide, with file:line and a hint. Exit 0: clean, 1: findings, 2: usage error.",
    )
    check.add_argument("paths", nargs="+", metavar="PATH", help="a .py file or a directory (searched recursively)")


def run(args: argparse.Namespace) -> int:
    from .._migrate import check_path, format_finding

    missing = [p for p in args.paths if not os.path.exists(p)]
    if missing:
        for path in missing:
            print("doover migrate check: error: no such file or directory: {}".format(path), file=sys.stderr)
        return 2
    count, findings = check_path(args.paths)
    for finding in findings:
        print(format_finding(finding))
    noun = "file" if count == 1 else "files"
    if findings:
        print("{} finding{} in {} {}".format(len(findings), "" if len(findings) == 1 else "s", count, noun))
        return 1
    print("{} {} checked: nothing doover lacks".format(count, noun))
    return 0
