"""Every Python example in README.md runs against the emulator."""

import pathlib
import re
import subprocess
import sys

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def _python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_readme_has_python_examples():
    assert len(_python_blocks()) >= 1


def test_readme_python_examples_run_and_print_what_they_wrote(tmp_path):
    for block in _python_blocks():
        done = subprocess.run(
            [sys.executable, "-c", block], cwd=str(tmp_path), capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "{'latest': {'level': 42.5}}"
