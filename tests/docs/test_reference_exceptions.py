"""docs/reference/exceptions.md draws exactly the class hierarchy of doover.exceptions."""

import inspect
import pathlib
import re

import doover.exceptions

PAGE = pathlib.Path(__file__).resolve().parents[2] / "docs" / "reference" / "exceptions.md"


def _page_tree():
    """``{class name: (doover parent or None, (builtin mixin names...))}`` from the text tree."""
    block = re.search(r"```text\n(DooverError\n.*?)```", PAGE.read_text(encoding="utf-8"), flags=re.S)
    assert block, "exceptions.md has no ```text tree starting at DooverError"
    tree = {}
    stack = []  # class names by depth
    for line in block.group(1).splitlines():
        match = re.match(r"^((?:[│ ]   )*)(?:[├└]── )?(\w+)(?: \+ (.*))?$", line)
        assert match, "cannot read tree line {!r}".format(line)
        depth = len(match.group(1)) // 4 + (1 if "── " in line else 0)
        name = match.group(2)
        mixins = tuple(part.strip() for part in match.group(3).split(",")) if match.group(3) else ()
        del stack[depth:]
        parent = stack[-1] if stack else None
        assert name not in tree, "{} appears twice in the tree".format(name)
        tree[name] = (parent, mixins)
        stack.append(name)
    return tree


def _real_tree():
    tree = {}
    for name, cls in vars(doover.exceptions).items():
        if inspect.isclass(cls) and issubclass(cls, doover.exceptions.DooverError):
            doover_bases = [b for b in cls.__bases__ if issubclass(b, doover.exceptions.DooverError)]
            others = tuple(b.__name__ for b in cls.__bases__ if not issubclass(b, doover.exceptions.DooverError))
            assert len(doover_bases) <= 1, "{} has several DooverError bases".format(name)
            if doover_bases:
                tree[name] = (doover_bases[0].__name__, others)
            else:
                tree[name] = (None, ())  # DooverError itself: its only base is Exception
    return tree


def test_exception_tree_page_matches_the_class_hierarchy_of_doover_exceptions():
    page, real = _page_tree(), _real_tree()
    assert sorted(page) == sorted(real)
    for name in real:
        assert page[name] == real[name], name


def test_every_exception_class_has_a_row_in_the_meaning_table():
    text = PAGE.read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| `(\w+)` \|", text, flags=re.M))
    assert rows == set(_real_tree())


def test_the_tree_reader_sees_nesting_and_mixins():
    tree = _page_tree()
    assert tree["DooverError"] == (None, ())
    assert tree["APITimeoutError"] == ("APIConnectionError", ())
    assert tree["InvalidArgumentError"] == ("DooverError", ("ValueError", "TypeError"))
    assert tree["ModbusDeviceError"] == ("ModbusError", ())
