"""docs/notifications.md runs: every ```python block, in order, each in a fresh namespace, in a
temporary working directory that is on sys.path. A block starting ``# file: NAME.py`` is also
saved there so later blocks can import it; the ``test_*`` functions a block defines are called
(those taking an argument get pytest's ``monkeypatch``)."""

import inspect
import pathlib
import re
import sys

PAGE = pathlib.Path(__file__).resolve().parents[2] / "docs" / "notifications.md"
BLOCK = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)
FILE = re.compile(r"# file: ([A-Za-z_][A-Za-z0-9_]*)\.py[ \t]*\n")


def test_every_python_block_of_the_notifications_page_runs(tmp_path, monkeypatch):
    blocks = BLOCK.findall(PAGE.read_text(encoding="utf-8"))
    assert len(blocks) == 6
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    saved = []
    for block in blocks:
        marker = FILE.match(block)
        if marker:
            (tmp_path / (marker.group(1) + ".py")).write_text(block, encoding="utf-8")
            saved.append(marker.group(1))
    called = []
    try:
        for index, block in enumerate(blocks):
            namespace = {"__name__": "docs_notifications_block_{}".format(index)}
            exec(compile(block, "{} [block {}]".format(PAGE.name, index), "exec"), namespace)
            for name, value in list(namespace.items()):
                if name.startswith("test_") and callable(value):
                    value(*([monkeypatch] if inspect.signature(value).parameters else []))
                    called.append(name)
    finally:
        for name in saved:
            sys.modules.pop(name, None)
    assert saved == ["pump_notifications", "pump_processor", "pump_processor_async", "pump_edge",
                     "test_pump_notifications"]
    assert called == ["test_the_processor_notifies_on_its_canonical_topics",
                      "test_the_async_processor_awaits_the_same_send",
                      "test_the_edge_app_notifies_on_its_canonical_topic"]
    assert (tmp_path / "doover_config.json").exists()
