"""Building a deployable AWS Lambda zip for a processor (``doover package``).

The zip holds, flat at its root (Lambda puts ``/var/task`` on ``sys.path``):

* the ``doover`` package, copied from wherever this interpreter imports it (an editable
  checkout or an installed wheel), with a small ``doover_sync-<version>.dist-info`` so
  ``importlib.metadata.version("doover-sync")`` works;
* doover's runtime dependencies (and the app's own, from ``requirements``) for the target
  Python version and architecture, installed by ``pip install --target`` with
  ``--platform manylinux2014_<arch> --python-version X.Y --implementation cp
  --only-binary=:all:``;
* the app: the top-level module or package named by ``MODULE``.

pip evaluates environment markers (``exceptiongroup; python_version < "3.11"``) against the
interpreter running it, not against ``--python-version``; the pip child therefore runs with
its marker environment set to the target (CPython X.Y on Linux, the chosen machine), so a
3.13 build host packages what a 3.9 Lambda needs.

Caches (``__pycache__``, ``*.pyc``) of the sources, test directories, console scripts
(``bin/``) and the install-only files of ``.dist-info`` directories are left out. Lambda's
``/var/task`` is read-only, so without bytecode in the zip every cold start compiles every
module it imports (about 0.4 s more for doover and its dependencies, measured on 3.9); when an
interpreter of the target version is at hand (this one, ``pythonX.Y`` on ``PATH``, pyenv, or
``compile_with``) the zip therefore ships ``__pycache__/*.cpython-XY.pyc`` compiled by it
(checked-hash pycs, tracebacks naming ``/var/task/...``). Entries are sorted, dated
1980-01-01 and have fixed permissions, so two builds of the same inputs are byte-identical.
"""

import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from .exceptions import DooverError, InvalidArgumentError, NotSupportedError

__all__ = ["PYTHON_VERSIONS", "ARCHITECTURES", "PackageResult", "build_package", "parse_target", "find_interpreter"]

#: Python versions a package can be built for.
PYTHON_VERSIONS = ("3.8", "3.9", "3.10", "3.11", "3.12", "3.13")
#: Lambda architecture -> the pip platform tag of its wheels and its ``platform_machine``.
ARCHITECTURES = {"x86_64": ("manylinux2014_x86_64", "x86_64"), "arm64": ("manylinux2014_aarch64", "aarch64")}

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_DIST_INFO_DROP = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}
_TEST_DIRS = {"tests", "test"}
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

_PIP_CHILD = r"""
import json, sys
overrides = json.loads(sys.argv[1])
from pip._vendor.packaging import markers as _markers
_default = _markers.default_environment
def _target_environment():
    env = _default()
    env.update(overrides)
    return env
_markers.default_environment = _target_environment
from pip._internal.cli.main import main
sys.exit(main(sys.argv[2:]))
"""


class PackageResult:
    """What :func:`build_package` built: the zip's ``path``, its ``size`` in bytes, the
    Lambda ``handler`` string (``module.function``), the number of ``files`` and the
    ``python`` version and ``arch`` it targets, and ``compiled_with``: the interpreter that
    compiled the bytecode shipped in it (``None``: sources only)."""

    def __init__(self, path: str, size: int, handler: str, files: int, python: str, arch: str,
                 compiled_with: Optional[str] = None) -> None:
        self.path = path
        self.size = size
        self.handler = handler
        self.files = files
        self.python = python
        self.arch = arch
        self.compiled_with = compiled_with

    def __repr__(self) -> str:
        return "PackageResult(path={!r}, size={}, handler={!r}, files={}, python={!r}, arch={!r}, " \
               "compiled_with={!r})".format(self.path, self.size, self.handler, self.files, self.python, self.arch,
                                            self.compiled_with)


def parse_target(target: str) -> Tuple[str, str]:
    """Split ``MODULE:HANDLER`` into its two parts, checking both are Python names."""
    module, sep, handler = target.partition(":")
    if not sep:
        raise InvalidArgumentError("MODULE:HANDLER: expected e.g. my_app:handler, got {!r}".format(target))
    if not module or not all(_IDENTIFIER.match(part) for part in module.split(".")):
        raise InvalidArgumentError(
            "MODULE: expected a dotted module name such as my_app or pkg.app, got {!r}".format(module))
    if not _IDENTIFIER.match(handler):
        raise InvalidArgumentError("HANDLER: expected a function name such as handler, got {!r}".format(handler))
    return module, handler


def _check_python(python: str) -> None:
    if python not in PYTHON_VERSIONS:
        raise InvalidArgumentError("--python: expected one of {}, got {!r}".format(", ".join(PYTHON_VERSIONS), python))


def _check_arch(arch: str) -> None:
    if arch not in ARCHITECTURES:
        raise InvalidArgumentError("--arch: expected x86_64 or arm64, got {!r}".format(arch))


def _module_file(source: str, module: str) -> Tuple[str, str]:
    """``(path of the top-level module or package, path of MODULE's own source file)``."""
    parts = module.split(".")
    top_dir = os.path.join(source, parts[0])
    top_file = top_dir + ".py"
    if len(parts) == 1 and os.path.isfile(top_file):
        return top_file, top_file
    if not os.path.isdir(top_dir):
        raise InvalidArgumentError("MODULE: no module {!r} in {} (expected {}.py or a {}/ package)".format(
            module, source, parts[0], parts[0]))
    base = os.path.join(source, *parts)
    for candidate in (base + ".py", os.path.join(base, "__init__.py")):
        if os.path.isfile(candidate):
            return top_dir, candidate
    raise InvalidArgumentError("MODULE: no module {!r} in {} (expected {}.py or {}/__init__.py)".format(
        module, source, os.path.relpath(base, source), os.path.relpath(base, source)))


def _defines(path: str, name: str) -> bool:
    """Whether the module source at ``path`` binds ``name`` at top level (def, class,
    assignment or import)."""
    with open(path, "rb") as handle:
        tree = ast.parse(handle.read(), filename=path)
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
            return True
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id == name:
                    return True
        if isinstance(node, (ast.AnnAssign, ast.AugAssign)) and isinstance(node.target, ast.Name) \
                and node.target.id == name:
            return True
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if (alias.asname or alias.name.split(".")[0]) == name:
                    return True
    return False


def _doover_source() -> Tuple[str, str]:
    """``(directory of the doover package, its version)``, as this interpreter imports it."""
    from . import _version

    return os.path.dirname(os.path.abspath(__file__)), _version.__version__


def runtime_requirements() -> List[str]:
    """doover-sync's runtime requirements (``install_requires``), without extras."""
    try:
        from importlib import metadata
    except ImportError as exc:  # pragma: no cover - Python 3.8+ always has it
        raise DooverError("importlib.metadata is not available") from exc
    try:
        requires = metadata.requires("doover-sync") or []
    except metadata.PackageNotFoundError:
        requires = _requirements_from_setup_cfg()
    return [req for req in requires if "extra ==" not in req.replace('"', "").replace("'", "")]


def _requirements_from_setup_cfg() -> List[str]:
    import configparser

    setup_cfg = os.path.join(os.path.dirname(_doover_source()[0]), "setup.cfg")
    parser = configparser.ConfigParser()
    if not parser.read(setup_cfg):
        raise DooverError("doover-sync is not installed and no setup.cfg was found next to {}; install it with pip "
                          "to package it".format(_doover_source()[0]))
    raw = parser.get("options", "install_requires", fallback="")
    return [line.strip() for line in raw.splitlines() if line.strip()]


def _marker_environment(python: str, arch: str) -> Dict[str, str]:
    return {
        "python_version": python,
        "python_full_version": python + ".0",
        "implementation_name": "cpython",
        "implementation_version": python + ".0",
        "platform_python_implementation": "CPython",
        "sys_platform": "linux",
        "os_name": "posix",
        "platform_system": "Linux",
        "platform_machine": ARCHITECTURES[arch][1],
    }


def _missing_package(stderr: str) -> Optional[str]:
    for pattern in (r"No matching distribution found for ([^\s;]+)",
                    r"Could not find a version that satisfies the requirement ([^\s;(]+)"):
        found = re.search(pattern, stderr)
        if found:
            return found.group(1)
    return None


def install_dependencies(requirements: Sequence[str], target: str, python: str, arch: str,
                         requirement_files: Sequence[str] = ()) -> None:
    """``pip install --target target`` the wheels of ``requirements`` for CPython ``python``
    on Linux ``arch``. Raises :class:`InvalidArgumentError` naming the package that has no
    wheel for that platform, :class:`DooverError` for any other pip failure."""
    import json

    platform_tag = ARCHITECTURES[arch][0]
    command = [sys.executable, "-c", _PIP_CHILD, json.dumps(_marker_environment(python, arch)),
               "install", "--target", target, "--platform", platform_tag, "--python-version", python,
               "--implementation", "cp", "--only-binary=:all:", "--no-compile", "--disable-pip-version-check",
               "--no-warn-script-location", "--quiet"]
    for path in requirement_files:
        command += ["--requirement", path]
    command += list(requirements)
    proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    if proc.returncode == 0:
        return
    if "No module named pip" in proc.stderr:
        last = proc.stderr.strip().splitlines()[-1]
        raise NotSupportedError("packaging needs pip in {}: {}".format(command[0], last))
    missing = _missing_package(proc.stderr)
    if missing:
        raise InvalidArgumentError(
            "--python {} / --arch {}: no wheel of {} for CPython {} on {} in the package index "
            "(Lambda needs binary wheels: pin a version that has one, or pick another --python/--arch)".format(
                python, arch, missing, python, platform_tag))
    tail = "; ".join(line.strip() for line in proc.stderr.strip().splitlines()[-5:])
    raise DooverError("pip could not install the dependencies (exit status {}): {}".format(proc.returncode, tail))


def _version_tuple(text: str) -> Tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text))


def _python_satisfies(python: str, clause: str) -> bool:
    """Whether some release of Python ``python`` (``"3.9"``: any 3.9.x) meets one
    Requires-Python clause (``">=3.10"``, ``"!=3.0.*"``). Lenient on purpose: it only
    catches a distribution that no release of that minor version can run."""
    match = re.match(r"^\s*(~=|===|==|!=|<=|>=|<|>)\s*([0-9]+(?:\.[0-9]+)*)(\.\*)?\s*$", clause)
    if not match:
        return True  # not a plain version clause; leave it to pip
    op, version, wildcard = match.groups()
    minor = _version_tuple(python)[:2]
    bound = _version_tuple(version)
    if op in ("==", "==="):
        return minor[:len(bound)] == bound[:2] if wildcard or len(bound) <= 2 else minor == bound[:2]
    if op == "!=":
        return not (wildcard and minor[:len(bound)] == bound[:2])
    if op == "~=":
        return _python_satisfies(python, ">=" + version) and \
            _python_satisfies(python, "==" + ".".join(str(p) for p in bound[:-1]) + ".*")
    newest = minor + (10 ** 6,)  # the newest patch release of the minor version
    oldest = minor + (0,)
    padded = bound + (0,) * (3 - len(bound))
    if op == ">=":
        return newest >= padded
    if op == ">":
        return newest > padded
    if op == "<=":
        return oldest <= padded
    return oldest < padded


def check_requires_python(stage: str, python: str) -> None:
    """Raise :class:`DooverError` naming every installed distribution under ``stage`` whose
    ``Requires-Python`` excludes ``python``. Some pip releases install such a wheel when an
    index does not publish ``data-requires-python``; the zip would then fail at import on
    Lambda, so the build stops here instead."""
    wrong = []
    for entry in sorted(os.listdir(stage)):
        metadata = os.path.join(stage, entry, "METADATA")
        if not entry.endswith(".dist-info") or not os.path.isfile(metadata):
            continue
        with open(metadata, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if not line.strip():
                    break  # end of the headers
                if line.lower().startswith("requires-python:"):
                    spec = line.split(":", 1)[1].strip()
                    if not all(_python_satisfies(python, clause) for clause in spec.split(",") if clause.strip()):
                        wrong.append("{} (Requires-Python {})".format(entry[:-len(".dist-info")], spec))
                    break
    if wrong:
        raise DooverError(
            "--python {}: pip installed {} that do not support Python {}; upgrade pip (python -m pip install "
            "-U pip) or pin versions that support {} in a requirements file".format(
                python, ", ".join(wrong), python, python))


def _walk(root: str, top_level: bool = True, bytecode: bool = False) -> Iterator[str]:
    """Relative paths (``/``-separated) of the files under ``root`` that go into the zip
    (with ``bytecode``, the ``__pycache__`` directories too)."""
    for directory, dirs, files in os.walk(root):
        rel_dir = os.path.relpath(directory, root)
        keep = []
        for name in dirs:
            if (name == "__pycache__" and not bytecode) or name in _TEST_DIRS or name.endswith(".egg-info"):
                continue
            if top_level and rel_dir == "." and name == "bin":
                continue  # console scripts, with the build host's interpreter in their shebang
            keep.append(name)
        dirs[:] = keep
        in_dist_info = os.path.basename(directory).endswith(".dist-info")
        for name in files:
            cached = os.path.basename(directory) == "__pycache__" and bytecode
            if (name.endswith((".pyc", ".pyo")) and not cached) or (in_dist_info and name in _DIST_INFO_DROP):
                continue
            rel = os.path.normpath(os.path.join(rel_dir, name))
            yield rel.replace(os.sep, "/")


def _copy_tree(src: str, dest: str) -> None:
    for rel in _walk(src, top_level=False):
        name = rel.rsplit("/", 1)[-1]
        if name == "conftest.py" or (name.startswith("test_") and name.endswith(".py")):
            continue
        out = os.path.join(dest, *rel.split("/"))
        os.makedirs(os.path.dirname(out), exist_ok=True)
        shutil.copy2(os.path.join(src, *rel.split("/")), out)


def _write_dist_info(stage: str, version: str, requirements: Sequence[str]) -> None:
    dist_info = os.path.join(stage, "doover_sync-{}.dist-info".format(version))
    os.makedirs(dist_info)
    lines = ["Metadata-Version: 2.1", "Name: doover-sync", "Version: " + version]
    lines += ["Requires-Dist: " + req for req in requirements]
    with open(os.path.join(dist_info, "METADATA"), "w") as handle:
        handle.write("\n".join(lines) + "\n")
    with open(os.path.join(dist_info, "top_level.txt"), "w") as handle:
        handle.write("doover\n")


def write_zip(stage: str, output: str) -> int:
    """Zip every file under ``stage`` into ``output`` deterministically; returns the file count."""
    names = sorted(_walk(stage, bytecode=True))
    tmp = output + ".tmp"
    with zipfile.ZipFile(tmp, "w") as archive:
        for rel in names:
            path = os.path.join(stage, *rel.split("/"))
            info = zipfile.ZipInfo(rel, date_time=_ZIP_DATE)
            info.create_system = 3
            mode = 0o755 if os.stat(path).st_mode & 0o111 else 0o644
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(path, "rb") as handle:
                archive.writestr(info, handle.read(), compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    os.replace(tmp, output)
    return len(names)


def _version_of(python: str) -> Optional[str]:
    try:
        proc = subprocess.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, universal_newlines=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def find_interpreter(python: str) -> Optional[str]:
    """An interpreter of version ``python`` (``"3.9"``) on this machine, or ``None``: this one,
    ``pythonX.Y`` on ``PATH``, then pyenv's ``versions/X.Y.*``."""
    import glob

    if "{}.{}".format(*sys.version_info[:2]) == python:
        return sys.executable
    candidates = []
    on_path = shutil.which("python" + python)
    if on_path:
        candidates.append(on_path)
    pyenv_root = os.path.expanduser("~/.pyenv")
    candidates += sorted(glob.glob(os.path.join(pyenv_root, "versions", python + ".*", "bin", "python")), reverse=True)
    for candidate in candidates:
        if _version_of(candidate) == python:
            return candidate
    return None


def compile_bytecode(stage: str, interpreter: str) -> None:
    """Compile every ``.py`` under ``stage`` with ``interpreter`` into ``__pycache__``
    (checked-hash pycs, so no timestamps; fixed hash seed; source paths under ``/var/task``).
    Files that do not compile (a dependency's Python 2 leftovers) are left without bytecode."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("PYTHON")}
    env["PYTHONHASHSEED"] = "0"  # frozenset constants marshal in hash order
    subprocess.run([interpreter, "-m", "compileall", "-q", "-d", "/var/task", "--invalidation-mode", "checked-hash",
                    stage], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=stage)


def build_package(target: str, output: str, python: str = "3.9", arch: str = "x86_64", source: Optional[str] = None,
                  requirement_files: Sequence[str] = (), compile_with: Optional[str] = None,
                  bytecode: bool = True) -> PackageResult:
    """Build a Lambda zip at ``output`` for ``MODULE:HANDLER`` (``target``).

    ``source`` is the directory holding the app's module or package (default: the current
    directory); ``requirement_files`` are the app's own pip requirement files, installed
    with doover's dependencies for CPython ``python`` on ``arch`` (``x86_64`` or
    ``arm64``). With ``bytecode`` (the default) the zip ships bytecode compiled by
    ``compile_with`` or, without it, by an interpreter of that version found here
    (:func:`find_interpreter`; none found: sources only). Bad input raises
    :class:`~doover.exceptions.InvalidArgumentError` naming the field (``MODULE``,
    ``HANDLER``, ``--python``, ``--arch``, ``--source``, ``--requirement``,
    ``--compile-with``); a dependency without a wheel for the platform names the package.
    """
    module, handler = parse_target(target)
    _check_python(python)
    _check_arch(arch)
    source = os.path.abspath(source or os.getcwd())
    if not os.path.isdir(source):
        raise InvalidArgumentError("--source: no such directory: {}".format(source))
    for path in requirement_files:
        if not os.path.isfile(path):
            raise InvalidArgumentError("--requirement: no such file: {}".format(path))
    top_path, module_path = _module_file(source, module)
    top_name = module.split(".")[0]
    try:
        found = _defines(module_path, handler)
    except SyntaxError as exc:
        raise InvalidArgumentError("MODULE: {} does not parse: {}".format(module_path, exc)) from exc
    if not found:
        raise InvalidArgumentError("HANDLER: module {} ({}) defines no top-level {!r}".format(
            module, os.path.relpath(module_path, source), handler))
    interpreter = None
    if bytecode and compile_with:
        found_version = _version_of(compile_with)
        if found_version != python:
            raise InvalidArgumentError("--compile-with: expected a Python {} interpreter, {} is {}".format(
                python, compile_with, "Python " + found_version if found_version else "not a working Python"))
        interpreter = compile_with
    elif bytecode:
        interpreter = find_interpreter(python)
    doover_dir, version = _doover_source()
    requirements = runtime_requirements()
    reserved = {"doover"} | {re.split(r"[<>=!~;\[ ]", req, maxsplit=1)[0].strip().lower().replace("-", "_")
                             for req in requirements}
    if top_name.lower() in reserved:
        raise InvalidArgumentError("MODULE: {!r} would shadow a packaged dependency of the same name".format(top_name))

    with tempfile.TemporaryDirectory(prefix="doover-package-") as stage:
        install_dependencies(requirements, stage, python, arch, requirement_files)
        check_requires_python(stage, python)
        _copy_tree(doover_dir, os.path.join(stage, "doover"))
        _write_dist_info(stage, version, requirements)
        if os.path.isdir(top_path):
            _copy_tree(top_path, os.path.join(stage, top_name))
        else:
            shutil.copy2(top_path, os.path.join(stage, top_name + ".py"))
        if interpreter:
            compile_bytecode(stage, interpreter)
        output = os.path.abspath(output)
        if os.path.dirname(output):
            os.makedirs(os.path.dirname(output), exist_ok=True)
        files = write_zip(stage, output)
    return PackageResult(output, os.path.getsize(output), "{}.{}".format(module, handler), files, python, arch,
                         interpreter)
