"""Every Python example in docs/utils.md runs, in order, in one namespace."""

import pathlib
import re

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "utils.md"


def test_every_python_block_of_docs_utils_md_runs():
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    assert len(blocks) == 7
    namespace = {"__name__": "docs_utils"}
    for index, block in enumerate(blocks):
        exec(compile(block, "{}[block {}]".format(DOC.name, index), "exec"), namespace)
    assert namespace["diff"] == {"pump": {"state": "on"}, "alarm": None}
    assert len(namespace["Pump"].changes) == 2
