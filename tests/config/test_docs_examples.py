"""Every ```python block of docs/config.md runs, in order, in one namespace."""

import os
import re

DOC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "config.md")


def python_blocks():
    with open(DOC, encoding="utf-8") as handle:
        text = handle.read()
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_docs_have_examples():
    assert len(python_blocks()) >= 8


def test_every_docs_example_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the export example writes doover_config.json
    namespace = {"__name__": "docs_config_example"}
    for index, block in enumerate(python_blocks()):
        code = compile(block, "docs/config.md[block {}]".format(index), "exec")
        exec(code, namespace)
    assert (tmp_path / "doover_config.json").exists()
