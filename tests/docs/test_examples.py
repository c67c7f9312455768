"""The getting-started pages, the guides and ``examples/`` run, against the emulator.

* Every ```python block of ``docs/getting-started/*.md`` and ``docs/guides/*.md`` runs in a
  fresh namespace, in a temporary working directory, with ``DOOVER_DATA_ENDPOINT`` and
  ``DOOVER_TOKEN`` pointing at a running emulator (a token for agent 1). A block that defines
  ``test_*`` functions (a pytest example) has each of them called afterwards, with pytest
  fixtures (``monkeypatch``, ``tmp_path``, ...) for their arguments. A block whose first line is
  ``# file: NAME.py`` is also saved under that name in the working directory of every block of
  its page (which is on ``sys.path``), so that later blocks can import it or run it.
  Anything that must not run (shell, output, excerpts) is not fenced as ``python``; fences such
  as ``py`` or ``python3``, which would escape this runner, are refused.
* A page with no runnable block fails only when it says that its examples run (the sentence
  "Every example on this page runs ..."). Each page has one H1, no skipped heading levels,
  and relative links to ``.md`` pages (and their ``#anchors``) that resolve, as the Sphinx
  build (MyST, warnings as errors) needs.
* Every ``examples/*.py`` (not ``_*.py``) runs as a real subprocess, once against an emulator
  given by the environment (the test then checks what it left there) and once on its own (it
  must start its own emulator and finish by itself). Each has a docstring that says how to run
  it, and ``examples/README.md`` lists it.

Pages and examples are found by glob, so new ones are covered without touching this file.
"""

import ast
import inspect
import os
import pathlib
import re
import subprocess
import sys

import pytest

from doover.emulator import Emulator

ROOT = pathlib.Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "docs" / "getting-started").glob("*.md")) + sorted((ROOT / "docs" / "guides").glob("*.md"))
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.py") if not p.name.startswith("_"))

BLOCK = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)
ESCAPING_FENCE = re.compile(r"^```[ \t]*(py|python3|pycon|ipython|Python)[ \t]*$", re.M)
FILE_MARKER = re.compile(r"# file: ([A-Za-z_][A-Za-z0-9_]*\.py)[ \t]*\n")
CLAIM = re.compile(r"every example on this page runs", re.I)
AGENT = 1
SUBPROCESS_TIMEOUT = 120


def _page_id(page):
    return "{}/{}".format(page.parent.name, page.name)


def _blocks(page):
    return BLOCK.findall(page.read_text(encoding="utf-8"))


BLOCK_CASES = [(page, index) for page in PAGES for index in range(len(_blocks(page)))]


@pytest.fixture
def docs_examples_emulator():
    """A running emulator for one docs block or one example run."""
    with Emulator() as emu:
        yield emu


def _call_test_functions(namespace, request):
    """Call every ``test_*`` function the block defined, with pytest fixtures for its arguments."""
    for name, value in list(namespace.items()):
        if name.startswith("test_") and inspect.isfunction(value):
            value(**{p: request.getfixturevalue(p) for p in inspect.signature(value).parameters})


def _write_named_blocks(page, directory):
    """Save the page's ``# file: NAME.py`` blocks in ``directory``; returns their module names."""
    names = []
    for block in _blocks(page):
        match = FILE_MARKER.match(block)
        if match:
            (directory / match.group(1)).write_text(block, encoding="utf-8")
            names.append(match.group(1)[: -len(".py")])
    return names


@pytest.mark.parametrize(
    "page,index", BLOCK_CASES, ids=["{}[{}]".format(_page_id(p), i) for p, i in BLOCK_CASES]
)
def test_docs_python_block_runs_against_the_emulator(page, index, docs_examples_emulator, monkeypatch, tmp_path,
                                                    request):
    emu = docs_examples_emulator
    monkeypatch.setenv("DOOVER_DATA_ENDPOINT", emu.base_url)
    monkeypatch.setenv("DOOVER_TOKEN", emu.token_for(AGENT))
    monkeypatch.chdir(tmp_path)
    modules = _write_named_blocks(page, tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    where = "{}[block {}]".format(_page_id(page), index)
    namespace = {"__name__": "__docs_block__"}
    try:
        exec(compile(_blocks(page)[index], where, "exec"), namespace)
        _call_test_functions(namespace, request)
    finally:
        for name in modules:
            sys.modules.pop(name, None)


@pytest.mark.parametrize("page", PAGES, ids=[_page_id(p) for p in PAGES])
def test_docs_page_that_promises_examples_has_runnable_blocks_and_no_escaping_fences(page):
    text = page.read_text(encoding="utf-8")
    assert ESCAPING_FENCE.findall(text) == [], "fence python code as ```python so that it runs"
    if CLAIM.search(text):
        assert _blocks(page), "{} says its examples run but has no ```python block".format(_page_id(page))


def _headings(text):
    """``(level, title)`` of the Markdown headings outside fenced blocks."""
    found, fenced = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced:
            match = re.match(r"(#{1,6}) (.+)$", line)
            if match:
                found.append((len(match.group(1)), match.group(2).strip()))
    return found


def _slug(title):
    """The anchor MyST (``myst_heading_anchors``) and GitHub give a heading."""
    text = re.sub(r"[^\w\- ]", "", title.lower().replace("`", ""))
    return text.strip().replace(" ", "-")


@pytest.mark.parametrize("page", PAGES, ids=[_page_id(p) for p in PAGES])
def test_docs_page_has_one_h1_consecutive_headings_and_working_relative_links(page):
    text = page.read_text(encoding="utf-8")
    levels = [level for level, _ in _headings(text)]
    assert levels and levels[0] == 1 and levels.count(1) == 1, levels
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels
    for target, anchor in re.findall(r"\]\(([^)#:\s]+\.md)(?:#([^)\s]+))?\)", text):
        linked = (page.parent / target).resolve()
        assert linked.is_file(), "{} links to missing {}".format(_page_id(page), target)
        if anchor:
            slugs = {_slug(title) for _, title in _headings(linked.read_text(encoding="utf-8"))}
            assert anchor in slugs, "{} links to {}#{}: no such heading".format(_page_id(page), target, anchor)


def test_docs_pages_and_examples_exist_to_be_run():
    assert {"script.md", "processor.md", "edge-app.md", "modbus-device.md"} <= {
        p.name for p in PAGES if p.parent.name == "getting-started"}
    assert len(BLOCK_CASES) >= 50
    assert {"publish_and_read.py", "async_fanout.py", "threshold_processor.py", "tank_edge_app.py",
            "modbus_read.py"} <= {p.name for p in EXAMPLES}


# ---------------------------------------------------------------------------------- examples


def _run_example(path, env_overrides, cwd):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOOVER_") and k not in ("AGENT_ID", "APP_KEY")}
    env.update(env_overrides)
    env["PYTHONUNBUFFERED"] = "1"
    proc = subprocess.run([sys.executable, str(path)], cwd=str(cwd), env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=SUBPROCESS_TIMEOUT)
    return proc


def _check_publish_and_read(emu, out):
    readings = [m["data"] for m in emu.messages(AGENT, "tank_readings")]
    assert readings == [{"level": 40.0 + i} for i in range(9, -1, -1)]
    assert emu.aggregate(AGENT, "tank_readings")["data"] == {"latest": {"level": 49.0}, "count": 10}
    assert "read back 10 readings, newest 49.0" in out


def _check_async_fanout(emu, out):
    for tank in range(1, 5):
        assert len(emu.messages(AGENT, "tank_{}".format(tank))) == 5
        assert emu.aggregate(AGENT, "tank_{}".format(tank))["data"] == {"last": 4}
    assert "20 messages on 4 channels" in out


def _check_threshold_processor(emu, out):
    notes = emu.notifications(AGENT)
    assert [(n["message"], n["severity"]) for n in notes] == [("Tank level 92.5% is above 80%", "Warn")]
    assert emu.aggregate(AGENT, "tag_values")["data"]["threshold_alert"] == {"last_level": 92.5, "alerts": 1}
    assert "notifications sent: 1" in out


def _check_tank_edge_app(emu, out):
    readings = [m["data"] for m in emu.messages(AGENT, "tank_readings")]
    assert len(readings) == 5 and all(0.0 <= r["level"] <= 100.0 and r["litres"] >= 0 for r in readings)
    tags = emu.aggregate(AGENT, "tag_values")["data"]["tank_monitor"]
    assert tags["iterations"] == 5 and tags["level"] == readings[0]["level"]
    assert "stopped after 5 iterations" in out


def _check_modbus_read(emu, out):
    readings = [m["data"] for m in emu.messages(AGENT, "tank_readings")]
    assert [r["level"] for r in readings] == [62.5, 62.5, 62.5]
    assert readings[0] == {"level": 62.5, "level_float": 62.5, "litres": 6250, "high_alarm": False,
                           "low_alarm": False}
    assert "level 62.5%" in out


#: what each example must leave in the emulator; a new example without an entry still has to
#: exit 0, print something, and write to the emulator
EXPECTED = {
    "publish_and_read.py": _check_publish_and_read,
    "async_fanout.py": _check_async_fanout,
    "threshold_processor.py": _check_threshold_processor,
    "tank_edge_app.py": _check_tank_edge_app,
    "modbus_read.py": _check_modbus_read,
}


def _writes(emu):
    return [r for r in emu.request_log if r.method in ("POST", "PUT", "PATCH") and r.status and r.status < 300]


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs_against_an_emulator_given_by_the_environment(example, docs_examples_emulator, tmp_path):
    emu = docs_examples_emulator
    proc = _run_example(example, {"DOOVER_DATA_ENDPOINT": emu.base_url, "DOOVER_TOKEN": emu.token_for(AGENT)},
                        tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip(), proc.stderr
    assert _writes(emu), "{} wrote nothing to the emulator".format(example.name)
    check = EXPECTED.get(example.name)
    if check is not None:
        check(emu, proc.stdout)
    assert list(tmp_path.iterdir()) == [], "{} left files in its working directory".format(example.name)


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs_on_its_own_with_an_in_process_emulator(example, tmp_path):
    proc = _run_example(example, {}, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "started an in-process emulator" in proc.stdout
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_says_how_to_run_it_and_is_listed_in_the_readme(example):
    doc = ast.get_docstring(ast.parse(example.read_text(encoding="utf-8")))
    assert doc, "{} has no module docstring".format(example.name)
    assert "python examples/{}".format(example.name) in doc
    readme = (ROOT / "examples" / "README.md").read_text(encoding="utf-8")
    assert "`{}`".format(example.name) in readme
