"""Every Python example in docs/edge.md runs, in order, in one namespace."""

import pathlib
import re

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "edge.md"


def test_every_python_block_of_docs_edge_md_runs():
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    assert len(blocks) == 4
    namespace = {"__name__": "docs_edge"}
    for index, block in enumerate(blocks):
        exec(compile(block, "{}[block {}]".format(DOC.name, index), "exec"), namespace)
    assert namespace["seen"] == [{"mode": "auto"}]
