"""Every Python example in docs/tags.md runs, in order, in one namespace."""

import pathlib
import re

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "tags.md"


def test_every_python_block_of_docs_tags_md_runs():
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    assert len(blocks) >= 5
    namespace = {"__name__": "docs_tags"}
    for index, block in enumerate(blocks):
        exec(compile(block, "{}[block {}]".format(DOC.name, index), "exec"), namespace)
