"""Every ```python example in docs/client.md runs, against the emulator, in a fresh namespace."""

import pathlib
import re

import pytest

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "client.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_the_guide_has_examples():
    assert len(BLOCKS) >= 8


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_docs_client_example_runs(index, capsys):
    code = compile(BLOCKS[index], "{}[block {}]".format(DOC.name, index), "exec")
    exec(code, {"__name__": "__docs__"})
