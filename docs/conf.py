"""Sphinx configuration for the doover documentation (Markdown pages through myst-parser).

Build: ``tox -e docs`` (warnings are errors), or
``sphinx-build -W --keep-going -b html docs docs/_build/html`` with the ``docs`` extra installed.
"""

import logging
import os
import sys

# Document the checkout this file lives in (tox installs the same package; this keeps a plain
# ``sphinx-build`` from a checkout working too).
sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))

from doover._version import __version__  # noqa: E402

project = "doover"
author = "the doover authors"
copyright = "the doover authors"
version = __version__
release = __version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
]

source_suffix = {".md": "markdown"}
root_doc = master_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

# Markdown: `[text](#section)` and `[text](page.md#section)` links resolve to heading anchors.
myst_heading_anchors = 4
myst_enable_extensions = ["colon_fence", "deflist"]

# autodoc: what imports with the core install is documented; the optional extras
# (``lambda``: awslambdaric, ``state``: transitions) are mocked so a docs build needs neither.
autodoc_mock_imports = ["awslambdaric", "transitions"]
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True, "inherited-members": "BaseException,object,dict,list,str,int,float,Enum,IntEnum"}

html_theme = "alabaster"
html_title = "doover " + __version__

# Pages arrive through glob toctrees (getting-started/*, guides/*, benchmarks*, and a catch-all
# for any other top-level page): a glob that matches nothing yet must not fail the build.
# Only that one warning is silenced: ``toc.empty_glob`` where Sphinx tags it with a type, and
# the same record by its subtype (Sphinx 8 and 9 log it without a type, which
# ``suppress_warnings`` cannot match) or by its text (Sphinx 5 to 7 give it neither).
suppress_warnings = ["toc.empty_glob"]


class _EmptyGlobFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "subtype", None) == "empty_glob":
            return False
        return not str(record.msg).startswith("toctree glob pattern")


# -- the public API page ------------------------------------------------------------------
# ``reference/api.md`` holds one ``doover-public-api`` directive. It documents every public
# module of the package (no path component starting with ``_``), found by walking the package,
# so a module added later is documented without editing the page. A class or function exported
# by several modules is documented once, in its home module (the public module its
# ``__module__`` lives under); the other modules say where to find it.

#: modules whose heading comes first, in this order; the rest follow alphabetically
API_MODULE_ORDER = [
    "doover.api",
    "doover.models",
    "doover.exceptions",
    "doover.emulator",
    "doover.processor",
    "doover.processor.config",
    "doover.docker",
    "doover.docker.modbus",
    "doover.hardware",
    "doover.hardware.modbus",
    "doover.hardware.modbus.config",
    "doover.hardware.platform",
    "doover.hardware.platform.config",
    "doover.hardware.simulators",
    "doover.config",
    "doover.tags",
    "doover.ui",
    "doover.rpc",
    "doover.cli",
]


def public_module_names():
    """Every public module under ``doover``, in page order."""
    import pkgutil

    import doover

    found = set()
    for info in pkgutil.walk_packages(doover.__path__, "doover."):
        if not any(part.startswith("_") for part in info.name.split(".")[1:]):
            found.add(info.name)
    ordered = [name for name in API_MODULE_ORDER if name in found]
    return ordered + sorted(found - set(ordered))


def api_plan(modules):
    """``[(module, documented_names, {re_exported_name: home "module.name"}, {name: error})]``.

    ``modules`` maps a public module name to the imported module. A class or function is
    documented in its home module: the exporting module that is the longest prefix of its
    ``__module__``, else the first exporting module in page order.
    """
    import inspect

    exporters = {}  # id(obj) -> [(module name, exported name)]
    objects = {}
    values = {}  # (module name, exported name) -> object
    broken = {}  # module name -> {exported name: why it cannot be imported}
    for module_name, module in modules.items():
        for name in getattr(module, "__all__", ()):
            try:
                obj = values[module_name, name] = getattr(module, name)
            except Exception as exc:  # an __all__ name that does not resolve is reported
                broken.setdefault(module_name, {})[name] = "{}: {}".format(type(exc).__name__, exc)
                continue
            if inspect.isclass(obj) or inspect.isroutine(obj):
                exporters.setdefault(id(obj), []).append((module_name, name))
                objects[id(obj)] = obj
    home = {}
    for key, places in exporters.items():
        origin = getattr(objects[key], "__module__", "") or ""
        prefixed = [p for p in places if origin == p[0] or origin.startswith(p[0] + ".")]
        if prefixed:
            home[key] = max(prefixed, key=lambda p: len(p[0]))
        else:
            home[key] = places[0]
    plan = []
    for module_name, module in modules.items():
        documented, elsewhere = [], {}
        for name in getattr(module, "__all__", ()):
            if (module_name, name) not in values:
                continue
            key = id(values[module_name, name])
            if key in home and home[key][0] != module_name:
                elsewhere[name] = "{}.{}".format(*home[key])
            else:
                documented.append(name)
        plan.append((module_name, documented, elsewhere, broken.get(module_name, {})))
    return plan


API_MARKER = "% doover-public-api"


def api_markdown(plan):
    """The Markdown (myst) of the public API page body for a plan from :func:`api_plan`."""
    lines = []
    for module_name, _documented, elsewhere, broken in plan:
        # autodoc writes reStructuredText: it runs inside an eval-rst block
        lines += ["## `{}`".format(module_name), "", "```{eval-rst}", ".. automodule:: " + module_name]
        if elsewhere or broken:
            lines += ["   :exclude-members: " + ", ".join(sorted(set(elsewhere) | set(broken)))]
        lines += ["```", ""]
        if elsewhere:
            lines += ["Also exported here, and described in their home module:", ""]
            for name in sorted(elsewhere):
                lines += ["- `{}`: {{py:obj}}`{}`".format(name, elsewhere[name])]
            lines += [""]
    return "\n".join(lines)


def _fill_api_page(app, docname, source):
    """``source-read``: put the generated module sections where the API page has its marker."""
    if API_MARKER not in source[0]:
        return
    import importlib

    from sphinx.ext.autodoc.mock import mock
    from sphinx.util import logging as sphinx_logging

    with mock(app.config.autodoc_mock_imports):
        modules = {name: importlib.import_module(name) for name in public_module_names()}
        plan = api_plan(modules)
    for module_name, _documented, _elsewhere, broken in plan:
        for name, why in sorted(broken.items()):
            sphinx_logging.getLogger(__name__).warning(
                "%s.%s is in __all__ but cannot be imported (%s)", module_name, name, why, location=docname
            )
    source[0] = source[0].replace(API_MARKER, api_markdown(plan))


def setup(app):  # noqa: D103 - Sphinx hook
    logging.getLogger("sphinx.sphinx.directives.other").addFilter(_EmptyGlobFilter())
    app.connect("source-read", _fill_api_page)
    return {"parallel_read_safe": True}
