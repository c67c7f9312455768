"""docs/reference/logging.md names exactly the loggers doover creates."""

import ast
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "reference" / "logging.md"


def _literal(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _logger_names(tree, module_name):
    """Logger names one module creates: ``getLogger("x")``, ``getLogger(__name__)`` and the
    processor's line loggers for stdout/stderr (``_LineWriter("print", ...)``)."""
    names = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if called not in ("getLogger", "_LineWriter"):
            continue
        first = node.args[0]
        if isinstance(first, ast.Name) and first.id == "__name__":
            names.add(module_name)
        elif _literal(first) is not None:
            names.add(_literal(first))
    return names


def _code_loggers():
    names = {"doover"}  # the parent of them all, documented as such
    for path in sorted((ROOT / "doover").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        module_name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        names |= _logger_names(ast.parse(path.read_text(encoding="utf-8")), module_name)
    return names


def test_logger_table_names_exactly_the_loggers_of_doover():
    documented = set(re.findall(r"^\| `([\w.]+)` \|", PAGE.read_text(encoding="utf-8"), flags=re.M))
    assert documented == _code_loggers()


def test_every_logger_under_doover_is_a_child_of_the_doover_logger():
    outside = {n for n in _code_loggers() if n not in ("print", "stderr") and not n.startswith("doover")}
    assert outside == set()


def test_the_logger_scanner_reads_literals_module_names_and_line_writers():
    source = (
        "import logging\n"
        "a = logging.getLogger('doover.x')\n"
        "b = logging.getLogger(__name__)\n"
        "c = logging.getLogger()\n"
        "d = logging.getLogger(name)\n"
        "e = _LineWriter('print', 20, out)\n"
    )
    assert _logger_names(ast.parse(source), "doover.mod") == {"doover.x", "doover.mod", "print"}
