"""docs/reports.md runs: each ```python block in a fresh namespace, in a temporary working
directory on sys.path; a block starting ``# file: NAME.py`` is also saved there for later
blocks to import, and ``test_*`` functions a block defines are called (with ``monkeypatch``)."""

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "reports.md"
BLOCK = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)
FILE_MARKER = re.compile(r"# file: ([A-Za-z_][A-Za-z0-9_]*\.py)[ \t]*\n")


def test_every_python_block_of_the_reports_page_runs(tmp_path, monkeypatch):
    blocks = BLOCK.findall(PAGE.read_text(encoding="utf-8"))
    assert len(blocks) == 2
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    for block in blocks:
        marker = FILE_MARKER.match(block)
        if marker:
            (tmp_path / marker.group(1)).write_text(block, encoding="utf-8")
    called = []
    try:
        for block in blocks:
            namespace = {"__name__": "docs_reports_block"}
            exec(compile(block, str(PAGE), "exec"), namespace)
            for name, value in list(namespace.items()):
                if name.startswith("test_") and callable(value):
                    value(monkeypatch)
                    called.append(name)
    finally:
        sys.modules.pop("flow_report", None)
    assert called == ["test_the_monthly_flow_report_is_generated_and_attached"]
