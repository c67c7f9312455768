"""Regenerate the golden files from the platform's reference SDK, then apply doover's documented fixes.

Run with the reference SDK's interpreter (not part of the test suite)::

    /work/refsdk/bin/python tests/config/golden/regenerate.py

The reference is imported under the name ``doover`` so that ``apps.py`` runs unchanged. The
fixes applied are exactly those listed in docs/config.md ("Deliberate differences"):
optional enums list ``null``; an enum of ints gets ``"type": "integer"``; an untyped array
item has no ``"type": "unknown"``.
"""

import json
import os
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))


def _alias_reference_as_doover():
    import pydoover
    import pydoover.config
    import pydoover.processor.config

    doover = types.ModuleType("doover")
    doover.config = pydoover.config
    processor = types.ModuleType("doover.processor")
    processor.config = pydoover.processor.config
    doover.processor = processor
    sys.modules.update({"doover": doover, "doover.config": pydoover.config,
                        "doover.processor": processor, "doover.processor.config": pydoover.processor.config})


def _choice_type(choices):
    names = []
    for choice in choices:
        name = {bool: "boolean", int: "integer", float: "number", str: "string"}[type(choice)]
        if name not in names:
            names.append(name)
    if "number" in names and "integer" in names:
        names.remove("integer")
    return names[0] if len(names) == 1 else names


def _fix(node):
    if isinstance(node, list):
        return [_fix(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _fix(value) for key, value in node.items()}
    if "enum" in node and "x-name" in node:
        required = node["x-required"]
        if "type" not in node:
            kind = _choice_type([c for c in node["enum"] if c is not None])
            rebuilt = {}
            for key, value in node.items():
                if key == "x-required":
                    rebuilt["type"] = kind if required else [kind, "null"]
                rebuilt[key] = value
            node = rebuilt
        if not required and None not in node["enum"]:
            node["enum"] = node["enum"] + [None]
    if node.get("type") == "unknown":
        del node["type"]
    return node


def main():
    _alias_reference_as_doover()
    sys.path.insert(0, HERE)
    import apps

    for key, cls in apps.APPS.items():
        with open(os.path.join(HERE, key + ".json"), "w", encoding="utf-8") as handle:
            json.dump(_fix(cls.to_schema()), handle, indent=4)
            handle.write("\n")


if __name__ == "__main__":
    main()
