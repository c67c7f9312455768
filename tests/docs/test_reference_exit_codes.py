"""The exit statuses in docs/reference/exit-codes.md are the ones the commands return.

Each case runs ``python -m doover ...`` in a fresh process and compares its status with the
row of the page that describes the situation.
"""

import json
import pathlib
import re
import socket
import subprocess
import sys

import pytest

PAGE = pathlib.Path(__file__).resolve().parents[2] / "docs" / "reference" / "exit-codes.md"


def _documented(command, situation):
    """The status of the page row for ``command`` whose situation cell contains ``situation``."""
    rows = re.findall(r"^\| `?([^|`]+)`? \| ([^|]+) \| (\d+) \|$", PAGE.read_text(encoding="utf-8"), flags=re.M)
    matches = [int(status) for cmd, text, status in rows if cmd.strip() == command and situation in text]
    assert len(matches) == 1, "expected one row for {!r} / {!r}, found {}".format(command, situation, matches)
    return matches[0]


def _doover(*argv, cwd=None):
    proc = subprocess.run(
        [sys.executable, "-m", "doover"] + list(argv), cwd=cwd, capture_output=True, text=True, timeout=120
    )
    return proc


def test_doover_without_a_command_exits_with_the_documented_status(tmp_path):
    proc = _doover(cwd=str(tmp_path))
    assert proc.returncode == _documented("doover", "no command given") == 2
    assert "COMMAND" in proc.stdout


def test_a_usage_error_exits_with_the_documented_status(tmp_path):
    proc = _doover("emulator", "--port", "not-a-port", cwd=str(tmp_path))
    assert proc.returncode == _documented("any", "a usage error") == 2
    assert "--port" in proc.stderr


def test_config_validate_on_a_missing_file_exits_with_the_documented_status(tmp_path):
    proc = _doover("config", "validate", "--file", str(tmp_path / "missing.json"))
    assert proc.returncode == _documented("doover config validate", "the file is missing") == 2
    assert "missing.json not found" in proc.stderr


def test_config_validate_exits_0_for_a_valid_schema_and_1_for_an_invalid_one(tmp_path):
    config = tmp_path / "doover_config.json"
    config.write_text(json.dumps({"app": {"config_schema": {"type": "object", "properties": {}}}}))
    valid = _doover("config", "validate", "--structural", "--file", str(config))
    assert valid.returncode == _documented("doover config validate", "is valid") == 0
    config.write_text(json.dumps({"app": {"config_schema": {"type": "no-such-type"}}}))
    invalid = _doover("config", "validate", "--structural", "--file", str(config))
    assert invalid.returncode == _documented("doover config validate", "is invalid") == 1
    assert "app: config_schema INVALID" in invalid.stdout


def test_ui_export_of_a_module_that_does_not_import_exits_with_the_documented_status(tmp_path):
    proc = _doover("ui", "export", "no_such_module_for_doover_docs:PumpUI", "--app-key", "pump", "--stdout",
                   cwd=str(tmp_path))
    assert proc.returncode == _documented("doover ui export", "cannot be imported") == 2
    assert "no_such_module_for_doover_docs" in proc.stderr


def test_invoke_with_emulator_but_no_token_exits_with_the_documented_status(tmp_path):
    proc = _doover("invoke", "--emulator", "http://127.0.0.1:9", "app:handler", cwd=str(tmp_path))
    assert proc.returncode == _documented("doover invoke", "without `--token`") == 1
    assert proc.stderr.startswith("doover: error: --token")


def test_emulator_on_a_port_already_bound_exits_with_the_documented_status(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        proc = _doover("emulator", "--port", str(port), "--quiet", cwd=str(tmp_path))
    assert proc.returncode == _documented("doover emulator", "cannot be bound") == 1
    assert "cannot listen on 127.0.0.1:{}".format(port) in proc.stderr


@pytest.mark.parametrize("port", ["tcp://:5020", "tcp://localhost:not-a-port"])
def test_simulate_modbus_with_a_bad_port_exits_with_the_documented_status(tmp_path, port):
    proc = _doover("simulate", "modbus", "--port", port, cwd=str(tmp_path))
    assert proc.returncode == _documented("doover simulate modbus", "a bad `--port`") == 1
    assert proc.stderr.startswith("doover: error: --port")


def test_migrate_check_exits_0_when_clean_1_with_findings_and_2_for_a_missing_path(tmp_path):
    clean = tmp_path / "clean_app.py"
    clean.write_text("from doover.api import DataClient\n")
    lacking = tmp_path / "lacking_app.py"
    lacking.write_text("from pydoover.no_such_module_for_doover_docs import Thing\n")
    ok = _doover("migrate", "check", str(clean))
    assert ok.returncode == _documented("doover migrate check", "nothing in the sources needs") == 0
    found = _doover("migrate", "check", str(lacking))
    assert found.returncode == _documented("doover migrate check", "at least one finding") == 1
    assert "lacking_app.py:1" in found.stdout
    missing = _doover("migrate", "check", str(tmp_path / "nowhere"))
    assert missing.returncode == _documented("doover migrate check", "a PATH does not exist") == 2


def test_package_with_an_unknown_architecture_exits_with_the_documented_status(tmp_path):
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return None\n")
    proc = _doover("package", "app:handler", "--arch", "sparc", "-o", str(tmp_path / "f.zip"), cwd=str(tmp_path))
    assert proc.returncode == _documented("doover package", "cannot be packaged") == 1
    assert proc.stderr.startswith("doover: error: --arch")
    assert not (tmp_path / "f.zip").exists()
