"""docs/reference/environment.md lists exactly the environment variables doover reads."""

import ast
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "reference" / "environment.md"
ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


def _dotted(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return _dotted(node.value) + "." + node.attr
    return ""


def _is_environment(node):
    """``os.environ``, ``environ``, or a mapping the code calls ``env`` (an injectable environ)."""
    return _dotted(node).split(".")[-1] in ("environ", "env")


def _literal(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _scan(tree):
    """``(read, written)``: variable names read from / added to an environment in one module."""
    read, written = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            first = _literal(node.args[0]) if node.args else None
            if isinstance(func, ast.Attribute) and func.attr in ("get", "pop") and _is_environment(func.value):
                read.add(first)
            elif isinstance(func, ast.Attribute) and func.attr == "getenv":
                read.add(first)
            elif _dotted(func) == "dict" and node.args and _is_environment(node.args[0]):
                written.update(k.arg for k in node.keywords if k.arg)
            elif isinstance(func, ast.Attribute) and func.attr in ("update", "setdefault") and _is_environment(
                func.value
            ):
                written.update(k.arg for k in node.keywords if k.arg)
                if func.attr == "setdefault":
                    written.add(first)
        elif isinstance(node, ast.Subscript) and _is_environment(node.value):
            key = node.slice.value if sys.version_info < (3, 9) else node.slice  # 3.8 wraps it in ast.Index
            (written if isinstance(node.ctx, ast.Store) else read).add(_literal(key))
        elif isinstance(node, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops):
            if any(_is_environment(c) for c in node.comparators):
                read.add(_literal(node.left))
    return {n for n in read if n and ENV_NAME.match(n)}, {n for n in written if n and ENV_NAME.match(n)}


def _code_variables():
    read, written = set(), set()
    for path in sorted((ROOT / "doover").rglob("*.py")):
        r, w = _scan(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        read |= r
        written |= w
    # The edge runner resolves its flags from a table: (dest, flag, variable, default).
    from doover.docker._runner import _SETTINGS

    read |= {entry[2] for entry in _SETTINGS}
    return read, written


def _page_table(heading):
    text = PAGE.read_text(encoding="utf-8")
    section = text.split("## " + heading, 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", section, flags=re.M))


def test_every_environment_variable_read_in_doover_is_documented_and_nothing_else():
    read, _written = _code_variables()
    assert _page_table("Read by doover") == read


def test_variables_documented_as_set_for_child_processes_are_set_by_the_code():
    _read, written = _code_variables()
    documented = _page_table("Set for the processes doover starts")
    assert documented and documented <= written


def test_the_scanner_finds_each_way_of_reading_the_environment():
    source = (
        "import os\n"
        "a = os.environ.get('ONE')\n"
        "b = os.getenv('TWO', 'x')\n"
        "c = os.environ['THREE']\n"
        "d = 'FOUR' in os.environ\n"
        "e = env.get('FIVE')\n"
        "os.environ['SIX'] = '1'\n"
        "f = dict(os.environ, SEVEN='1')\n"
        "g = other.get('NOT_ENV')\n"
    )
    read, written = _scan(ast.parse(source))
    assert read == {"ONE", "TWO", "THREE", "FOUR", "FIVE"}
    assert written == {"SIX", "SEVEN"}
