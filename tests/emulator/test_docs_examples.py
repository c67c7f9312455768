"""Every ```python block of docs/emulator.md runs, unchanged, against a real emulator."""

import os
import re

import pytest

DOC = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "docs", "emulator.md")


def _blocks():
    with open(DOC, encoding="utf-8") as handle:
        text = handle.read()
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_the_page_has_python_examples():
    assert len(_blocks()) == 4


@pytest.mark.parametrize("index", range(4))
def test_docs_example_runs(index):
    code = _blocks()[index]
    exec(compile(code, "{}#example{}".format(DOC, index + 1), "exec"), {"__name__": "docs_example"})
