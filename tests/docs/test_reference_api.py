"""The public API page (docs/reference/api.md, filled in by docs/conf.py) covers every public name once.

docs/conf.py walks the package for public modules and plans the page: each module's
``automodule`` with the names it re-exports from another public module excluded and linked
instead. These tests run that plan with the installed package (no Sphinx needed).
"""

import importlib
import importlib.util
import inspect
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "reference" / "api.md"


def _conf():
    spec = importlib.util.spec_from_file_location("doover_docs_conf", str(ROOT / "docs" / "conf.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CONF = _conf()


def _modules():
    """Every public module, imported; a module that needs an extra the docs mock is left out."""
    modules = {}
    for name in CONF.public_module_names():
        try:
            modules[name] = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            assert (exc.name or "").split(".")[0] in CONF.autodoc_mock_imports, name
    return modules


def _plan():
    return CONF.api_plan(_modules())


def test_the_walk_finds_every_module_and_package_without_a_private_part():
    expected = set()
    for path in (ROOT / "doover").rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        parts = parts[:-1] if parts[-1] == "__init__" else parts
        if "__pycache__" not in parts and not any(p.startswith("_") for p in parts[1:]):
            expected.add(".".join(parts))
    expected.discard("doover")  # the top package holds only __version__
    assert set(CONF.public_module_names()) == expected
    assert CONF.public_module_names()[:3] == ["doover.api", "doover.models", "doover.exceptions"]


def test_every_name_in_every_public_all_resolves():
    broken = {module: names for module, _doc, _else, names in _plan() if names}
    assert broken == {}


def test_each_public_class_and_function_is_documented_exactly_once():
    modules = _modules()
    seen = {}
    for module_name, documented, _elsewhere, _broken in _plan():
        for name in documented:
            obj = getattr(modules[module_name], name)
            if inspect.isclass(obj) or inspect.isroutine(obj):
                seen.setdefault(id(obj), set()).add(module_name)
    assert {k: v for k, v in seen.items() if len(v) > 1} == {}


def test_every_re_export_links_to_a_module_that_documents_the_object():
    plan = _plan()
    documented = {(module, name) for module, names, _e, _b in plan for name in names}
    for module_name, _names, elsewhere, _broken in plan:
        for name, home in elsewhere.items():
            home_module, _, home_name = home.rpartition(".")
            assert (home_module, home_name) in documented, "{}.{} -> {}".format(module_name, name, home)


def test_re_exports_are_documented_in_the_module_that_defines_them():
    plan = {module: elsewhere for module, _n, elsewhere, _b in _plan()}
    assert plan["doover.docker"]["ModbusInterface"] == "doover.hardware.modbus.ModbusInterface"
    assert plan["doover.processor"]["MessageCreateEvent"] == "doover.models.MessageCreateEvent"
    assert plan["doover.rpc"]["RPCError"] == "doover.exceptions.RPCError"


def test_every_public_class_and_function_has_a_docstring():
    modules = _modules()
    missing = []
    for module_name, documented, _elsewhere, _broken in _plan():
        for name in documented:
            obj = getattr(modules[module_name], name)
            if (inspect.isclass(obj) or inspect.isroutine(obj)) and not (obj.__doc__ or "").strip():
                missing.append("{}.{}".format(module_name, name))
    assert missing == []


def test_the_page_markdown_has_one_automodule_per_module_and_excludes_re_exports():
    plan = _plan()
    text = CONF.api_markdown(plan)
    assert text.count(".. automodule:: ") == len(plan) == len(_modules())
    docker = text.split("## `doover.docker`\n", 1)[1].split("\n## ", 1)[0]
    excluded = docker.split(":exclude-members: ", 1)[1].split("\n", 1)[0].split(", ")
    assert "ModbusInterface" in excluded and "Application" not in excluded
    assert "- `ModbusInterface`: {py:obj}`doover.hardware.modbus.ModbusInterface`" in docker
    assert CONF.API_MARKER in PAGE.read_text(encoding="utf-8")
