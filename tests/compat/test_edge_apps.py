"""Edge apps written for the platform SDK run on doover with only the import name changed.

``edge_pump_app/`` (async, Modbus, UI buttons with ``@ui.handler``) and ``edge_tank_app/``
(async, config/tags/UI, its own pytest suite over the SDK's test harness) keep their
``pydoover`` imports. Each test copies an app into ``tmp_path`` replacing the word
``pydoover`` with ``doover`` and nothing else, then runs the app's own test suite in a
subprocess (``python -m pytest`` inside the copy) and ``doover migrate check`` over it.
The pump app also runs against real parts: the Modbus simulator on a pseudo-terminal and a
portal command on ``ui_cmds``.
"""

import importlib
import os
import re
import shutil
import subprocess
import sys
import threading

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
APPS = {"edge_pump_app": ("pump_controller", 2), "edge_tank_app": ("tank_monitor", 5)}


def _copy_renamed(name, dest):
    src = os.path.join(HERE, name)
    target = os.path.join(str(dest), name)
    shutil.copytree(src, target, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    renamed = 0
    for root, _dirs, files in os.walk(target):
        for filename in files:
            if not filename.endswith(".py"):
                continue
            path = os.path.join(root, filename)
            with open(path) as fh:
                text = fh.read()
            assert not re.search(r"^\s*(from|import) doover\b", text, flags=re.M), path
            new = re.sub(r"\bpydoover\b", "doover", text)
            renamed += new != text
            with open(path, "w") as fh:
                fh.write(new)
    assert renamed >= 4  # the app's modules and its tests did import pydoover
    return target


def _run(args, cwd, timeout=600):
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTEST_ADDOPTS", None)
    return subprocess.run([sys.executable] + args, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(APPS))
def test_platform_sdk_edge_app_passes_its_own_suite_with_only_the_import_name_changed(name, tmp_path):
    package, expected = APPS[name]
    app_dir = _copy_renamed(name, tmp_path)
    done = _run(["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=app_dir)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert re.search(r"\b{} passed\b".format(expected), done.stdout), done.stdout[-1000:]
    assert " failed" not in done.stdout and " error" not in done.stdout


@pytest.mark.parametrize("name", sorted(APPS))
def test_migrate_check_finds_nothing_in_the_edge_apps(name, tmp_path):
    app_dir = _copy_renamed(name, tmp_path)
    for path in (app_dir, os.path.join(HERE, name)):  # the renamed copy and the pydoover original
        done = _run(["-m", "doover", "migrate", "check", path], cwd=str(tmp_path), timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        files = sum(1 for _r, _d, fs in os.walk(path) for f in fs if f.endswith(".py"))
        assert done.stdout == "{} files checked: nothing doover lacks\n".format(files)


@pytest.fixture
def pump_app_module(tmp_path):
    app_dir = _copy_renamed("edge_pump_app", tmp_path)
    sys.path.insert(0, app_dir)
    try:
        yield importlib.import_module("pump_controller.application")
    finally:
        sys.path.remove(app_dir)
        for mod in [m for m in sys.modules if m == "pump_controller" or m.startswith("pump_controller.")]:
            del sys.modules[mod]


def _command(method, value):
    return {"type": "rpc", "method": method, "request": value, "app_key": "pump_1",
            "status": {"code": "sent"}, "response": {}}


def test_renamed_pump_app_reads_the_pty_simulator_and_answers_portal_buttons(pump_app_module):
    from doover.docker import MockDeviceAgentInterface, ModbusInterface
    from doover.hardware.simulators import ModbusSimulator, RegisterMap

    regs = RegisterMap.from_dict({"slaves": {"1": {"holding": {"0": [452], "10": [0]}}}})
    agent = MockDeviceAgentInterface("pump_1")
    with ModbusSimulator(regs) as sim:
        pty = sim.serve_pty()
        modbus = ModbusInterface("pump_1", buses={"default": {"serial_port": pty, "serial_baud": 19200}})
        app = pump_app_module.PumpControllerApplication(
            app_key="pump_1", device_agent=agent, modbus_iface=modbus, test_mode=True)
        thread = threading.Thread(target=app.run, name="pump-app-under-test")
        thread.start()
        try:
            assert app.wait_until_ready(30)
            assert app.next(30)
            assert app.tags.pressure.value == 45.2
            assert regs.get(1, "holding", 10) == 0

            agent.inject_message("ui_cmds", _command("start_pump", True))
            assert app.next(30)  # the command is handled before this iteration, which starts the pump
            assert regs.get(1, "holding", 10) == 1
            assert app.tags.pump_running.value is True
            assert app.tags.start_requests.value == 1
            reply = agent.messages["ui_cmds"][0].data
            assert reply["status"]["code"] == "success"

            regs.set(1, "holding", 0, 861)
            assert app.next(30)
            assert app.tags.pressure.value == 86.1
            assert regs.get(1, "holding", 10) == 0
            assert app.tags.pump_running.value is False
            assert app.writes == [1, 0]
        finally:
            app.request_stop()
            thread.join(30)
            modbus.close()
        assert not thread.is_alive()
    tag_values = agent.aggregates["tag_values"]["pump_1"]
    assert tag_values["pressure"] == 86.1
    assert tag_values["pump_running"] is False
