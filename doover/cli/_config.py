"""``doover config``: export a config schema to doover_config.json, or validate that file.

    doover config export MODULE:SchemaClass --app-key KEY [--file doover_config.json] [--stdout]
    doover config validate [--file doover_config.json] [--structural]

``MODULE`` is a dotted module name (importable from the current directory) or a path to a
``.py`` file; ``SchemaClass`` may be dotted (``module:Outer.Config``).
"""

import argparse
import json
import sys
from typing import Any, List

from ._target import load_target

DEFAULT_FILE = "doover_config.json"


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="config_action", metavar="ACTION")
    actions.required = True
    export = actions.add_parser(
        "export", help="write a Schema's JSON Schema into doover_config.json",
        description="Write SchemaClass.to_schema() as [APP_KEY].config_schema of doover_config.json, "
        "keeping every other key of the file.",
    )
    export.add_argument("target", metavar="MODULE:SchemaClass",
                        help="the config schema class, e.g. my_app.app_config:MyConfig or src/app.py:Config")
    export.add_argument("--app-key", required=True, help="the app entry to write (a top-level key of the file)")
    export.add_argument("--file", default=DEFAULT_FILE, help="path of doover_config.json (default: %(default)s)")
    export.add_argument("--stdout", action="store_true", help="print the schema instead of writing the file")
    validate = actions.add_parser(
        "validate", help="check every config_schema in doover_config.json is valid JSON Schema",
        description="Check each app entry's config_schema against the JSON Schema draft 2020-12 "
        "meta-schema (with the jsonschema package if installed, else a structural check).",
    )
    validate.add_argument("--file", default=DEFAULT_FILE, help="path of doover_config.json (default: %(default)s)")
    validate.add_argument("--structural", action="store_true",
                          help="use the built-in structural check even if jsonschema is installed")


def run(args: argparse.Namespace) -> int:
    if args.config_action == "export":
        return _export(args)
    return _validate(args)


def _fail(message: str, status: int = 2) -> int:
    print("doover config: error: {}".format(message), file=sys.stderr)
    return status


def _load_target(target: str) -> Any:
    return load_target(target, "SchemaClass")


def _export(args: argparse.Namespace) -> int:
    from ..config import Schema

    try:
        target = _load_target(args.target)
    except ImportError as exc:
        return _fail("cannot import {}: {}".format(args.target, exc))
    except ValueError as exc:
        return _fail(str(exc))
    schema_cls = target if isinstance(target, type) else type(target)
    if not issubclass(schema_cls, Schema):
        return _fail("{} is not a doover.config.Schema subclass".format(args.target))
    if args.stdout:
        print(json.dumps(schema_cls.to_schema(), indent=4))
        return 0
    try:
        schema_cls.export(args.file, args.app_key)
    except OSError as exc:
        return _fail("cannot write {}: {}".format(args.file, exc.strerror or exc))
    count = len(schema_cls.to_schema()["properties"])
    print("wrote {}.config_schema ({} top-level fields) to {}".format(args.app_key, count, args.file))
    return 0


def _validate(args: argparse.Namespace) -> int:
    from ..config._metacheck import check_json_schema

    try:
        with open(args.file, "r", encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        return _fail("{} not found".format(args.file))
    except ValueError as exc:
        return _fail("{} is not valid JSON: {}".format(args.file, exc))
    if not isinstance(data, dict):
        return _fail("{}: expected a JSON object at the top level".format(args.file))
    entries = [(key, value["config_schema"]) for key, value in data.items()
               if isinstance(value, dict) and "config_schema" in value]
    if not entries:
        return _fail("{}: no app entry has a config_schema".format(args.file), status=1)
    failed: List[str] = []
    method = None
    for key, schema in entries:
        method, problems = check_json_schema(schema, use_jsonschema=False if args.structural else None)
        if problems:
            failed.append(key)
            print("{}: config_schema INVALID".format(key))
            for problem in problems:
                print("    {}".format(problem))
        else:
            print("{}: config_schema OK".format(key))
    print("checked {} config_schema(s) in {} with {}".format(len(entries), args.file, method))
    return 1 if failed else 0
