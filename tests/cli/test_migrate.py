"""``doover migrate check``: real files in a temporary directory, the real command line."""

import subprocess
import sys
import textwrap

from doover._migrate import check_source
from doover.cli import main

CLEAN_APP = '''
import pydoover
from pydoover import ui
from pydoover.docker import Application, run_app
from pydoover.utils import PID, apply_async_kalman_filter
import pydoover.config as cfg


class Config(cfg.Schema):
    level = cfg.Number("Level", default=1.0)


class App(Application):
    config_cls = Config

    @ui.handler("start")
    async def on_start(self, ctx, value):
        return pydoover.docker.MockDeviceAgentInterface
'''

LEGACY_APP = '''
from pydoover.cloud import ProcessorBase
from pydoover.utils.kalman import KalmanFilter1D
from pydoover.cli import CLI
from pydoover.docker import Application, GRPCInterface
import pydoover.docker as docker


class App(Application):
    def check(self):
        return docker.NoSuchThing
'''


def _write(tmp_path, files):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def _run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "doover", "migrate", "check"] + list(args),
                          capture_output=True, text=True, cwd=str(cwd), timeout=120)


def test_migrate_check_clean_app_exits_0(tmp_path):
    _write(tmp_path, {"app/application.py": CLEAN_APP, "app/__init__.py": "", "notes.txt": "import pydoover.cloud"})
    done = _run("app", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == "2 files checked: nothing doover lacks\n"
    assert done.stderr == ""


def test_migrate_check_lists_each_finding_with_file_line_and_hint_and_exits_1(tmp_path):
    _write(tmp_path, {"src/legacy.py": LEGACY_APP, "src/ok.py": CLEAN_APP})
    done = _run("src", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    legacy = "src/legacy.py"
    assert done.stdout.splitlines() == [
        legacy + ":2:1: pydoover.cloud: doover has no module doover.cloud "
        "(hint: the pre-1.0 processor API; subclass doover.processor.Application and use run_app)",
        legacy + ":3:1: pydoover.utils.kalman: doover has no module doover.utils.kalman "
        "(hint: import KalmanFilter1D from doover.utils)",
        legacy + ":4:1: pydoover.cli.CLI: doover.cli has no name 'CLI' "
        "(hint: the command line is `doover` (doover.cli.main); apps do not extend it)",
        legacy + ":5:1: pydoover.docker.GRPCInterface: doover.docker has no name 'GRPCInterface' "
        "(hint: doover's edge runtime talks HTTP, not gRPC; there is no GRPCInterface)",
        legacy + ":11:16: docker.NoSuchThing: doover.docker has no name 'NoSuchThing' "
        "(hint: doover does not provide it; see docs/guides/migrating.md)",
        "5 findings in 2 files",
    ]


def test_migrate_check_usage_errors_exit_2(tmp_path):
    done = _run(str(tmp_path / "missing"), cwd=tmp_path)
    assert done.returncode == 2
    assert "no such file or directory" in done.stderr and "missing" in done.stderr
    bare = subprocess.run([sys.executable, "-m", "doover", "migrate"], capture_output=True, text=True,
                          cwd=str(tmp_path), timeout=120)
    assert bare.returncode == 2
    assert "ACTION" in bare.stderr


def test_migrate_check_single_file_in_process(tmp_path, capsys):
    app = tmp_path / "main.py"
    app.write_text("from doover.tags import Tags, Tag\nfrom doover.ui import NoSuchWidget\n")
    assert main(["migrate", "check", str(app)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "{}:2:1: doover.ui.NoSuchWidget: doover.ui has no name 'NoSuchWidget' "
        "(hint: doover does not provide it; see docs/guides/migrating.md)".format(app),
        "1 finding in 1 file",
    ]


def test_migrate_check_skips_virtualenvs_and_reports_syntax_errors(tmp_path):
    _write(tmp_path, {"app.py": "def broken(:\n", ".venv/lib/x.py": "import pydoover.cloud\n",
                      "venv/y.py": "import pydoover.cloud\n"})
    done = _run(".", cwd=tmp_path)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[-1] == "1 finding in 1 file"
    assert lines[0].startswith("./app.py:1:") and "<syntax>: cannot parse" in lines[0]


def test_rebinding_a_module_alias_stops_attribute_checks():
    findings = check_source("import pydoover.ui as ui\nui = object()\nui.whatever\n")
    assert findings == []
    findings = check_source("from pydoover import ui\nui.missing_name\n", "m.py")
    assert [(f.line, f.name, f.message) for f in findings] == [
        (2, "ui.missing_name", "doover.ui has no name 'missing_name'")]


def test_unrelated_and_relative_imports_are_ignored():
    assert check_source("import os\nfrom . import pydoover\nfrom .x import y\nimport pydoover_extra\n") == []


def test_names_imported_from_the_wrong_place_point_to_their_home():
    source = ("from pydoover.api import DataClient, ConflictError\n"
              "from pydoover.models.data import Message, NoSuchModel\n")
    findings = check_source(source, "m.py")
    assert [(f.line, f.name, f.message, f.hint) for f in findings] == [
        (1, "pydoover.api.ConflictError", "doover.api has no name 'ConflictError'",
         "import ConflictError from doover.exceptions"),
        (2, "pydoover.models.data.Message", "doover has no module doover.models.data", "import Message from doover.models"),
        (2, "pydoover.models.data.NoSuchModel", "doover has no module doover.models.data",
         "doover does not provide it; see docs/guides/migrating.md"),
    ]


def test_syntax_the_running_python_cannot_parse_says_which_python_checked():
    findings = check_source("x = (y := 1)\nmatch x:\n    case 1:\n        pass\n", "new.py")
    if sys.version_info >= (3, 10):
        assert findings == []
    else:
        assert [(f.name, f.line) for f in findings] == [("<syntax>", 2)]
        assert findings[0].hint.endswith("(this is Python {}.{})".format(*sys.version_info[:2]))


def test_known_sdk_names_get_a_specific_hint():
    findings = check_source("from pydoover.cli import entrypoint\n"
                            "from pydoover.models import WireFormat\n", "k.py")
    assert [(f.name, f.hint) for f in findings] == [
        ("pydoover.cli.entrypoint", "the command line is `doover` (doover.cli.main); apps do not extend it"),
        ("pydoover.models.WireFormat", "doover's device agent speaks JSON over HTTP; there is no wire format to choose"),
    ]


def test_state_without_transitions_is_reported_with_the_extra_to_install(tmp_path):
    app = tmp_path / "state_app.py"
    app.write_text("from pydoover.state import StateMachine\n")
    code = ("import sys\nsys.modules['transitions'] = None\n"
            "from doover.cli import main\nsys.exit(main(['migrate', 'check', {!r}]))\n".format(str(app)))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    first = done.stdout.splitlines()[0]
    assert first.startswith("{}:1:1: pydoover.state: doover.state cannot be imported: ".format(app))
    assert "needs the optional 'transitions' package" in first
    assert first.endswith("(hint: install the extra: pip install 'doover-sync[state]')")
