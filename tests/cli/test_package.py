"""``doover package``: real Lambda zips, unzipped into a fresh directory and run there by the
target interpreter alone (``-I -S``: no site-packages, no PYTHONPATH), against an emulator.

Needs the package index (pip fetches the dependency wheels, and setuptools to build doover's
own wheel). The CLI builds run with doover installed from that wheel; the in-process ones use
the checkout (an editable install). The builds are shared per test session (module fixture)
and pip's cache lives in a per-session temporary directory.
"""

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import zipfile

import pytest

import doover
from doover._packaging import _python_satisfies, build_package, check_requires_python
from doover.emulator import Emulator
from doover.exceptions import DooverError, InvalidArgumentError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

APP = """
import onlyx86
from doover.processor import Application, run_app


class Level(Application):
    def on_message_create(self, event):
        level = event.message.data["level"]
        self.set_tag("last_level", level)
        self.set_tag("helper", onlyx86.VALUE)
        if level > 80:
            self.send_notification("tank above 80%: {}".format(level), severity="warning")
        return {"level": level}


app = Level()


def handler(event, context):
    return run_app(app, event, context)
"""

RUNNER = r"""
import json, os, sys
sys.path.insert(0, os.getcwd())  # what Lambda does with /var/task
import tankapp
import doover, requests, cattrs  # before the handler, which captures stderr (and -v's import log) while it runs

class Context:
    aws_request_id = "req-package-1"
    function_name = "tankapp"
    def get_remaining_time_in_millis(self):
        return 60000

with open(sys.argv[1]) as f:
    event = json.load(f)
result = tankapp.handler(event, Context())
print(json.dumps({"result": result, "version": list(sys.version_info[:2]), "no_site": "site" not in sys.modules,
                  "files": [m.__file__ for m in (tankapp, doover, requests, cattrs)]}))
"""


def _wheel(directory, name, tag):
    """A minimal binary-tagged wheel of a one-module package ``name`` (VALUE = 7)."""
    path = os.path.join(directory, "{}-1.0-{}.whl".format(name, tag))
    dist = "{}-1.0.dist-info".format(name)
    with zipfile.ZipFile(path, "w") as whl:
        whl.writestr("{}/__init__.py".format(name), "VALUE = 7\n")
        whl.writestr(dist + "/METADATA", "Metadata-Version: 2.1\nName: {}\nVersion: 1.0\n".format(name))
        whl.writestr(dist + "/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: false\nTag: {}\n".format(tag))
        whl.writestr(dist + "/RECORD", "")
    return path


def _interpreter(version):
    found = sorted(glob.glob("/root/.pyenv/versions/{}.*/bin/python".format(version)))
    path = found[-1] if found else shutil.which("python" + version)
    assert path, "Python {} is needed to run the packaged handler (pyenv or python{} on PATH)".format(version, version)
    return path


def _cli(args, cwd, env):
    return subprocess.run([sys.executable, "-m", "doover", "package"] + args, cwd=cwd, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=600)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("package")
    app_dir = root / "app"
    (app_dir / "tankapp").mkdir(parents=True)
    (app_dir / "tankapp" / "__init__.py").write_text(textwrap.dedent(APP))
    (app_dir / "tankapp" / "__pycache__").mkdir()
    (app_dir / "tankapp" / "__pycache__" / "stale.cpython-39.pyc").write_bytes(b"not python")
    (app_dir / "tankapp" / "tests").mkdir()
    (app_dir / "tankapp" / "tests" / "test_tank.py").write_text("def test_x():\n    pass\n")
    wheels = root / "wheels"
    wheels.mkdir()
    _wheel(str(wheels), "onlyx86", "cp39-cp39-manylinux2014_x86_64")
    _wheel(str(wheels), "onlyx86", "cp313-cp313-manylinux2014_x86_64")
    (app_dir / "requirements.txt").write_text("--find-links {}\nonlyx86==1.0\n".format(wheels))
    env = dict(os.environ, PIP_CACHE_DIR=str(root / "pip-cache"))
    # doover as a wheel install, imported ahead of the checkout (PYTHONPATH): the CLI builds read
    # the wheel's metadata and package exactly these files, whatever changes in the tree meanwhile
    src = root / "src"
    src.mkdir()
    for name in ("setup.py", "setup.cfg", "README.md"):
        shutil.copy2(os.path.join(ROOT, name), str(src / name))
    shutil.copytree(os.path.join(ROOT, "doover"), str(src / "doover"), ignore=shutil.ignore_patterns("__pycache__"))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    for args in (["wheel", "--quiet", "--use-pep517", "--no-deps", "-w", str(root / "dist"), str(src)],
                 ["install", "--quiet", "--no-deps", "--no-compile", "--target", str(root / "site")]):
        if args[0] == "install":
            args.append(glob.glob(str(root / "dist" / "doover_sync-*.whl"))[0])
        proc = subprocess.run(pip + args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, timeout=600)
        assert proc.returncode == 0, proc.stderr
    env["PYTHONPATH"] = str(root / "site")
    return {"root": root, "app": app_dir, "env": env, "site": root / "site"}


@pytest.fixture(scope="module")
def builds(workspace):
    """Two builds for 3.9 (same inputs, for determinism) and one for 3.13, through the CLI."""
    out = {}
    for name, python in (("py39", "3.9"), ("py39_again", "3.9"), ("py313", "3.13")):
        target = str(workspace["root"] / "{}.zip".format(name))
        proc = _cli(["tankapp:handler", "--python", python, "-o", target, "-r", "requirements.txt"],
                    cwd=str(workspace["app"]), env=workspace["env"])
        assert proc.returncode == 0, proc.stderr
        out[name] = (target, proc.stdout)
    return out


def _invoke_unzipped(zip_path, python_version, tmp_path):
    """Unzip into a fresh directory and run the handler there with the target interpreter."""
    task = tmp_path / "task"
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(str(task))
    with Emulator() as emu:
        app_id = emu.set_deployment_config(1, "tankapp", {})["APP_ID"]
        arn = emu.add_subscription(1, "tank", "tankapp")
        delivered = []
        emu.add_listener(delivered.append)
        emu.publish(1, "tank", {"level": 91})
        body = {"op": delivered[0]["op"], "token": emu.initial_token(arn), "d": delivered[0]["d"]}
        event = {"Records": [{"EventSource": "aws:sns", "EventSubscriptionArn": arn,
                              "Sns": {"Message": json.dumps(body)}}]}
        event_path = tmp_path / "event.json"
        event_path.write_text(json.dumps(event))
        env = {"PATH": "/usr/bin:/bin", "DOOVER_DATA_ENDPOINT": emu.base_url, "HOME": str(tmp_path)}
        proc = subprocess.run([_interpreter(python_version), "-I", "-S", "-B", "-v", "-c", RUNNER, str(event_path)],
                              cwd=str(task), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        report = json.loads(proc.stdout.strip().splitlines()[-1])
        tags = emu.aggregate(1, "tag_values")["data"]
        summary = emu.messages(1, "dv-proc-inv-{}".format(app_id))[0]["data"]
        notes = [(n["message"], n["severity"]) for n in emu.notifications(1)]
    return task, report, tags, summary, notes, proc.stderr


def test_build_prints_size_and_dotted_handler(builds):
    path, stdout = builds["py39"]
    lines = stdout.splitlines()
    assert lines[0].startswith("wrote ") and " for Python 3.9 on x86_64" in lines[0]
    assert "({} bytes, ".format(os.path.getsize(path)) in lines[0]
    assert lines[1].startswith("bytecode compiled by ")
    compiler = lines[1][len("bytecode compiled by "):]
    version = subprocess.run([compiler, "-c", "import sys; print(sys.version_info[:2])"], stdout=subprocess.PIPE,
                             universal_newlines=True).stdout.strip()
    assert version == "(3, 9)"
    assert lines[2] == "handler tankapp.handler"


def test_two_builds_of_the_same_inputs_are_byte_identical(builds):
    with open(builds["py39"][0], "rb") as first, open(builds["py39_again"][0], "rb") as second:
        assert first.read() == second.read()


def test_zip_holds_doover_dependencies_and_app_without_caches_tests_or_install_records(builds):
    with zipfile.ZipFile(builds["py39"][0]) as archive:
        infos = archive.infolist()
    names = [info.filename for info in infos]
    assert names == sorted(names)
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    tops = {name.split("/")[0] for name in names}
    for package in ("doover", "requests", "urllib3", "attrs", "cattrs", "serial", "tankapp", "onlyx86"):
        assert package in tops
    assert "minimalmodbus.py" in tops
    assert "exceptiongroup" in tops  # cattrs needs it below 3.11: markers evaluated for the target
    assert "doover/processor/_run.py" in names and "doover/py.typed" in names
    assert [n for n in names if n.startswith("doover_sync-")] == [
        n for n in names if n.startswith("doover_sync-") and n.endswith(("/METADATA", "/top_level.txt"))]
    assert "tankapp/__pycache__/stale.cpython-39.pyc" not in names
    assert not [n for n in names if n.endswith(".pyc") and ".cpython-39." not in n]
    assert not [n for n in names if "/tests/" in n or n.startswith("bin/")]
    assert not [n for n in names if n.endswith(("dist-info/RECORD", "dist-info/INSTALLER", "dist-info/direct_url.json"))]


def test_zip_ships_doover_from_its_wheel_install_with_the_wheels_metadata(builds, workspace):
    site = str(workspace["site"])
    expected = {}
    for directory, dirs, files in os.walk(os.path.join(site, "doover")):
        dirs[:] = [d for d in dirs if d != "__pycache__"]  # pip may compile at install; compared apart
        for name in files:
            path = os.path.join(directory, name)
            with open(path, "rb") as handle:
                expected[os.path.relpath(path, site).replace(os.sep, "/")] = handle.read()
    with zipfile.ZipFile(builds["py39"][0]) as archive:
        shipped = {name: archive.read(name) for name in archive.namelist()
                   if name.startswith("doover/") and "/__pycache__/" not in name}
        metadata = archive.read("doover_sync-{}.dist-info/METADATA".format(doover.__version__)).decode()
    assert shipped == expected
    assert metadata.startswith("Metadata-Version: 2.1\nName: doover-sync\nVersion: {}\n".format(doover.__version__))
    # older setuptools (the py38 environment's) write "requests >=2.25"
    assert re.search(r"^Requires-Dist: requests ?>=2\.25$", metadata, re.M) and "pytest" not in metadata


def test_py313_build_has_no_exceptiongroup_backport(builds):
    with zipfile.ZipFile(builds["py313"][0]) as archive:
        tops = {name.split("/")[0] for name in archive.namelist()}
    assert "exceptiongroup" not in tops and "cattrs" in tops


@pytest.mark.parametrize("name,version", [("py39", "3.9"), ("py313", "3.13")])
def test_unzipped_handler_runs_under_target_interpreter_and_stores_tags_and_summary(builds, tmp_path, name, version):
    task, report, tags, summary, notes, verbose = _invoke_unzipped(builds[name][0], version, tmp_path)
    assert report["result"] == {"status": "success", "result": {"level": 91}, "skip_reason": None, "error": None}
    assert report["version"] == [int(part) for part in version.split(".")]
    assert report["no_site"] is True
    for path in report["files"]:
        assert os.path.realpath(path).startswith(os.path.realpath(str(task)) + os.sep)
    assert tags == {"tankapp": {"last_level": 91, "helper": 7}}
    assert notes == [("tank above 80%: 91", "Warn")]
    assert (summary["status"], summary["app_key"], summary["requestId"]) == ("success", "tankapp", "req-package-1")
    # the shipped bytecode was used (-v logs where each code object came from; -B writes none)
    tag = "cpython-{}".format(version.replace(".", ""))
    for module in ("doover/processor/__pycache__/_run", "requests/__pycache__/sessions", "tankapp/__pycache__/__init__"):
        assert "code object from '{}/{}.{}.pyc'".format(task, module, tag) in verbose


def test_build_ships_checked_hash_bytecode_for_every_module(builds):
    with zipfile.ZipFile(builds["py39"][0]) as archive:
        names = set(archive.namelist())
        sources = [n for n in names if n.endswith(".py") and n.split("/")[0] in ("doover", "requests", "tankapp")]
        assert sources
        for source in sources:
            folder, _, base = source.rpartition("/")
            assert "{}/__pycache__/{}.cpython-39.pyc".format(folder, base[:-3]) in names, source
        header = archive.read("doover/__pycache__/__init__.cpython-39.pyc")[:16]
    magic = subprocess.run([_interpreter("3.9"), "-I", "-c", "import importlib.util, sys; "
                            "sys.stdout.write(importlib.util.MAGIC_NUMBER.hex())"],
                           stdout=subprocess.PIPE, universal_newlines=True).stdout
    assert header[:4].hex() == magic
    assert int.from_bytes(header[4:8], "little") == 0b11  # hash-based, checked against the source


def test_arm64_build_of_a_single_module_app_ships_aarch64_extension_modules(workspace, tmp_path):
    (tmp_path / "single.py").write_text("def lambda_handler(event, context):\n    return event\n")
    (tmp_path / "test_single.py").write_text("def test_x():\n    pass\n")
    target = str(workspace["root"] / "arm.zip")
    result = build_package("single:lambda_handler", target, python="3.9", arch="arm64", source=str(tmp_path),
                           bytecode=False)
    assert (result.handler, result.python, result.arch, result.compiled_with) == (
        "single.lambda_handler", "3.9", "arm64", None)
    with zipfile.ZipFile(target) as archive:
        tops = {name.split("/")[0] for name in archive.namelist()}
        assert "single.py" in tops and "test_single.py" not in tops and "tankapp" not in tops
        assert not [n for n in archive.namelist() if "__pycache__" in n or n.endswith(".pyc")]
        shared = [n for n in archive.namelist() if n.endswith(".so")]
        assert shared and all("aarch64" in n for n in shared)
        header = archive.read(shared[0])[:20]
    assert header[:4] == b"\x7fELF"
    assert int.from_bytes(header[18:20], "little") == 183  # EM_AARCH64


def test_missing_wheel_for_platform_names_the_package(workspace):
    proc = _cli(["tankapp:handler", "--python", "3.9", "--arch", "arm64", "-o", "never.zip", "-r", "requirements.txt"],
                cwd=str(workspace["app"]), env=workspace["env"])
    assert proc.returncode == 1
    assert proc.stderr.startswith("doover: error: --python 3.9 / --arch arm64: no wheel of onlyx86==1.0 for CPython 3.9 "
                                  "on manylinux2014_aarch64")
    assert not (workspace["app"] / "never.zip").exists()


@pytest.mark.parametrize("target,kwargs,message", [
    ("tankapp", {}, "MODULE:HANDLER: expected e.g. my_app:handler, got 'tankapp'"),
    ("tank-app:handler", {}, "MODULE: expected a dotted module name such as my_app or pkg.app, got 'tank-app'"),
    ("tankapp:not a name", {}, "HANDLER: expected a function name such as handler, got 'not a name'"),
    ("tankapp:handler", {"python": "2.7"}, "--python: expected one of 3.8, 3.9, 3.10, 3.11, 3.12, 3.13, got '2.7'"),
    ("tankapp:handler", {"arch": "ppc64le"}, "--arch: expected x86_64 or arm64, got 'ppc64le'"),
    ("nosuch:handler", {}, "MODULE: no module 'nosuch' in {app} (expected nosuch.py or a nosuch/ package)"),
    ("tankapp.sub:handler", {}, "MODULE: no module 'tankapp.sub' in {app} (expected tankapp/sub.py or "
                                "tankapp/sub/__init__.py)"),
    ("tankapp:lambda_handler", {}, "HANDLER: module tankapp (tankapp/__init__.py) defines no top-level 'lambda_handler'"),
    ("requests:handler", {}, "MODULE: no module 'requests' in {app} (expected requests.py or a requests/ package)"),
])
def test_bad_input_names_the_field(workspace, target, kwargs, message):
    with pytest.raises(InvalidArgumentError) as caught:
        build_package(target, str(workspace["root"] / "bad.zip"), source=str(workspace["app"]), **kwargs)
    assert str(caught.value) == message.format(app=workspace["app"])
    assert not (workspace["root"] / "bad.zip").exists()


def test_compile_with_an_interpreter_of_another_version_is_refused(workspace):
    with pytest.raises(InvalidArgumentError) as caught:
        build_package("tankapp:handler", str(workspace["root"] / "bad.zip"), python="3.9", source=str(workspace["app"]),
                      compile_with=_interpreter("3.13"))
    assert str(caught.value) == "--compile-with: expected a Python 3.9 interpreter, {} is Python 3.13".format(
        _interpreter("3.13"))


def test_app_module_named_like_a_dependency_is_refused(tmp_path):
    (tmp_path / "requests.py").write_text("def handler(event, context):\n    return 1\n")
    with pytest.raises(InvalidArgumentError, match=r"^MODULE: 'requests' would shadow a packaged dependency"):
        build_package("requests:handler", str(tmp_path / "x.zip"), source=str(tmp_path))


def test_requirements_come_from_setup_cfg_when_doover_is_not_installed(tmp_path):
    shutil.copy2(os.path.join(ROOT, "setup.cfg"), str(tmp_path / "setup.cfg"))
    shutil.copytree(os.path.join(ROOT, "doover"), str(tmp_path / "doover"), ignore=shutil.ignore_patterns("__pycache__"))
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from importlib import metadata; "
            "from doover._packaging import runtime_requirements; "
            "assert not [d for d in metadata.distributions() if d.metadata['Name'] == 'doover-sync']; "
            "print(runtime_requirements())")
    proc = subprocess.run([sys.executable, "-S", "-c", code, str(tmp_path)], cwd=str(tmp_path), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(["requests>=2.25", "attrs>=21.3", "cattrs>=23.1", "pyserial>=3.4",
                                       "minimalmodbus>=2.0"])


def test_missing_source_directory_and_requirements_file_are_named(tmp_path):
    with pytest.raises(InvalidArgumentError) as caught:
        build_package("app:handler", str(tmp_path / "x.zip"), source=str(tmp_path / "nowhere"))
    assert str(caught.value) == "--source: no such directory: {}".format(tmp_path / "nowhere")
    with pytest.raises(InvalidArgumentError) as caught:
        build_package("app:handler", str(tmp_path / "x.zip"), source=str(tmp_path),
                      requirement_files=[str(tmp_path / "requirements.txt")])
    assert str(caught.value) == "--requirement: no such file: {}".format(tmp_path / "requirements.txt")


def _stage_with(tmp_path, dists):
    stage = tmp_path / "stage"
    for name, requires in dists.items():
        info = stage / (name + ".dist-info")
        info.mkdir(parents=True)
        header = "Metadata-Version: 2.1\nName: {}\n".format(name.split("-")[0])
        if requires is not None:
            header += "Requires-Python: {}\n".format(requires)
        (info / "METADATA").write_text(header + "\nRequires-Python: >=99 (in the body: not a header)\n")
    return str(stage)


def test_installed_wheel_that_excludes_the_target_python_stops_the_build_naming_it(tmp_path):
    # an index without data-requires-python lets some pip releases install urllib3 2.8 for 3.9
    stage = _stage_with(tmp_path, {"urllib3-2.8.0": ">=3.10", "requests-2.32.4": ">=3.8", "six-1.17.0": None,
                                   "idna-3.10": ">=3.6, !=3.0.*"})
    with pytest.raises(DooverError) as info:
        check_requires_python(stage, "3.9")
    assert str(info.value) == (
        "--python 3.9: pip installed urllib3-2.8.0 (Requires-Python >=3.10) that do not support Python 3.9; "
        "upgrade pip (python -m pip install -U pip) or pin versions that support 3.9 in a requirements file")
    check_requires_python(stage, "3.10")  # every one of them runs on 3.10: no error
    check_requires_python(stage, "3.13")


@pytest.mark.parametrize("python, clause, expected", [
    ("3.9", ">=3.10", False), ("3.10", ">=3.10", True), ("3.8", ">=3.8.1", True), ("3.9", "<3.9", False),
    ("3.8", "<3.9", True), ("3.9", "<=3.9", True), ("3.10", "<=3.9", False), ("3.8", ">3.8", True),
    ("3.9", "!=3.9.*", False), ("3.9", "!=3.9.0", True), ("3.9", "==3.*", True), ("3.10", "==3.9.*", False),
    ("3.9", "~=3.7", True), ("3.9", "~=3.10", False), ("3.13", "<4", True), ("3.9", "any", True),
])
def test_requires_python_clause_is_met_when_some_release_of_the_minor_version_meets_it(python, clause, expected):
    assert _python_satisfies(python, clause) is expected
