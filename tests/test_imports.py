"""Import cost guards, checked in fresh interpreters.

``import doover.api`` must not import requests (until the first request), and neither
``doover.api`` nor ``doover.models`` may import serial, minimalmodbus, the emulator or the CLI.
"""

import subprocess
import sys

import pytest

FORBIDDEN = ("serial", "minimalmodbus", "doover.emulator", "doover.cli", "doover.hardware")


def _run(code):
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize("module", ["doover.api", "doover.models"])
def test_module_imports_no_heavy_or_unrelated_modules(module):
    loaded = _run(
        "import {}, sys, json; print(json.dumps(sorted(m for m in sys.modules)))".format(module)
    )
    import json

    modules = set(json.loads(loaded))
    assert not {m for m in modules if m.split(".")[0] in ("serial", "minimalmodbus")}
    assert not {m for m in modules for f in FORBIDDEN if m == f or m.startswith(f + ".")}
    assert "requests" not in modules and "urllib3" not in modules
    assert "cattrs" not in modules  # the converter is built on first use
    assert "attr" not in modules and "asyncio" not in modules  # model classes and the async face load on use


def test_requests_is_imported_by_the_first_request_only():
    out = _run(
        "import sys\n"
        "from doover.api import DataClient\n"
        "c = DataClient('http://127.0.0.1:9/api', token='t', agent_id=1, retry=False)\n"
        "print('requests' in sys.modules)\n"
        "try:\n"
        "    c.fetch_channel_aggregate('c')\n"
        "except Exception as e:\n"
        "    print(type(e).__name__)\n"
        "print('requests' in sys.modules)\n"
    )
    assert out.splitlines() == ["False", "APIConnectionError", "True"]


def test_public_names_are_exported_and_documented():
    import doover.api
    import doover.models

    for package in (doover.api, doover.models):
        for name in package.__all__:
            obj = getattr(package, name)
            if callable(obj) and not isinstance(obj, int):
                assert obj.__doc__, "{}.{} has no docstring".format(package.__name__, name)


def test_models_load_per_submodule_on_first_use():
    out = _run(
        "import sys\n"
        "import doover.models\n"
        "print('attr' in sys.modules)\n"
        "from doover.models import MessageCreateEvent\n"
        "print(sorted(m for m in sys.modules if m.startswith('doover.models.')))\n"
    )
    lines = out.splitlines()
    assert lines[0] == "False"
    assert lines[1] == "['doover.models._base', 'doover.models._data', 'doover.models._events', 'doover.models._types']"
