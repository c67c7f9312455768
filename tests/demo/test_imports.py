"""The demo stays out of everyone's imports, and its processor's cold start stays light."""

import json
import subprocess
import sys


def _modules_after(code):
    probe = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    out = subprocess.run([sys.executable, "-c", probe], stdout=subprocess.PIPE, check=True, universal_newlines=True)
    return json.loads(out.stdout)


def test_importing_doover_and_its_main_packages_never_imports_the_demo():
    modules = _modules_after("import doover, doover.api, doover.processor, doover.docker, doover.emulator, doover.cli")
    assert [m for m in modules if m.startswith("doover.demo")] == []


def test_the_alert_processor_imports_no_serial_modbus_emulator_or_cli_code():
    modules = _modules_after("import doover.demo._alert_processor")
    heavy = [m for m in modules if m.split(".")[0] in ("serial", "minimalmodbus")
             or m.startswith(("doover.emulator", "doover.cli", "doover.hardware", "doover.docker"))]
    assert heavy == []
    assert "doover.demo._alert_processor" in modules and "doover.demo._story" not in modules
