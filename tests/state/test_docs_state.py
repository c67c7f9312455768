"""Every Python example in docs/state.md runs, in order, in one namespace."""

import pathlib
import re

import pytest

pytest.importorskip("transitions")

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "state.md"


def test_every_python_block_of_docs_state_md_runs():
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    assert len(blocks) == 2
    namespace = {"__name__": "docs_state"}
    for index, block in enumerate(blocks):
        exec(compile(block, "{}[block {}]".format(DOC.name, index), "exec"), namespace)
    assert namespace["pump"].state == "off"
    assert namespace["pump"].machine.pending_timeouts() == []
