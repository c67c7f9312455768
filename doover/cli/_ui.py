"""``doover ui``: export a UI class's schema into doover_config.json.

    doover ui export MODULE:UIClass --app-key KEY [--file doover_config.json] [--stdout]

``MODULE`` is a dotted module name (importable from the current directory) or a path to a
``.py`` file. The UI is built as ``UIClass(None, None, None)``; ``$config`` lookups stay in
the exported schema. Only static UIs are meant to be exported (a dynamic UI is published
by the app at runtime); exporting one still works but prints a note.
"""

import argparse
import json
import sys
from typing import Any

from ._target import load_target

DEFAULT_FILE = "doover_config.json"


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="ui_action", metavar="ACTION")
    actions.required = True
    export = actions.add_parser(
        "export", help="write a UI class's schema into doover_config.json",
        description="Write UIClass(None, None, None).to_schema(resolve_config=False) as [APP_KEY].ui_schema "
        "of doover_config.json, keeping every other key of the file.",
    )
    export.add_argument("target", metavar="MODULE:UIClass", help="the UI class, e.g. my_app.app_ui:PumpUI or src/app_ui.py:PumpUI")
    export.add_argument("--app-key", required=True, help="the app entry to write (a top-level key of the file)")
    export.add_argument("--file", default=DEFAULT_FILE, help="path of doover_config.json (default: %(default)s)")
    export.add_argument("--stdout", action="store_true", help="print the schema instead of writing the file")


def _load_ui_class(target: str) -> Any:
    from ..ui import UI

    obj = load_target(target, "UIClass")
    if not (isinstance(obj, type) and issubclass(obj, UI)):
        raise ValueError("{} is not a doover.ui.UI subclass".format(target))
    return obj


def run(args: argparse.Namespace) -> int:
    try:
        ui_class = _load_ui_class(args.target)
    except (ValueError, ImportError) as exc:
        print("doover ui: error: {}".format(exc), file=sys.stderr)
        return 2
    instance = ui_class(None, None, None)
    if args.stdout:
        print(json.dumps(instance.to_schema(resolve_config=False), indent=4))
        return 0
    instance.export(args.file, args.app_key)
    note = " (note: {} overrides setup(), so the app also publishes it at runtime)".format(ui_class.__name__) if not instance.is_static else ""
    print("wrote {}.ui_schema to {}{}".format(args.app_key, args.file, note))
    return 0
