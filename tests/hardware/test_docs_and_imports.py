"""The Python examples of docs/modbus.md and docs/platform.md run, and importing the packages
stays cheap."""

import os
import re
import subprocess
import sys

import pytest

DOCS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs")


def _examples(name):
    with open(os.path.join(DOCS, name), encoding="utf-8") as handle:
        text = handle.read()
    return re.findall(r"```python\n(.*?)```", text, re.S)


@pytest.mark.parametrize(
    "name, index",
    [("modbus.md", i) for i in range(len(_examples("modbus.md")))]
    + [("platform.md", i) for i in range(len(_examples("platform.md")))],
)
def test_doc_example_runs(name, index):
    source = _examples(name)[index]
    exec(compile(source, "{}[{}]".format(name, index), "exec"), {"__name__": "doc_example"})


def test_docs_have_examples():
    assert len(_examples("modbus.md")) >= 4 and len(_examples("platform.md")) >= 3


@pytest.mark.parametrize("module", ["doover.docker", "doover.hardware", "doover.docker.modbus", "doover.hardware.modbus"])
def test_import_does_not_pull_in_serial_or_minimalmodbus(module):
    code = (
        "import sys, {m}\n"
        "heavy = [n for n in ('serial', 'minimalmodbus', 'requests', 'pymodbus') if n in sys.modules]\n"
        "print(','.join(heavy))\n"
    ).format(m=module)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""
