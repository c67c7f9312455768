"""``doover migrate check``: what in an app's source doover does not provide.

The checker parses each ``.py`` file with :mod:`ast` (nothing is imported from the app) and
follows every import of ``pydoover`` or ``doover``: the module must exist in doover (with
``pydoover`` read as ``doover``), every imported name must exist in it, and every attribute
read through an imported module (``ui.handler``, ``pydoover.docker.Application``) must too.
Each miss is a :class:`Finding` with file, line and a hint, from a table of names that moved
or were dropped, or else built from where doover does have the name.
"""

import ast
import importlib
import os
import sys
from typing import Any, Dict, Iterator, List, NamedTuple, Optional, Sequence, Tuple

__all__ = ["Finding", "check_source", "check_file", "check_path", "format_finding"]

_ROOTS = ("pydoover", "doover")
_SKIP_DIRS = {".git", ".hg", ".tox", ".venv", "venv", "env", "__pycache__", "node_modules", "build", "dist",
              "site-packages", ".mypy_cache", ".pytest_cache"}
_GUIDE = "see docs/guides/migrating.md"

#: dotted names (with the ``doover`` root) that are known to be gone, and what to do instead
_KNOWN: Dict[str, str] = {
    "doover.cloud": "the pre-1.0 processor API; subclass doover.processor.Application and use run_app",
    "doover.docker.grpc_interface": "doover's edge runtime talks HTTP, not gRPC; there is no GRPCInterface",
    "doover.docker.device_agent": "import DeviceAgentInterface / MockDeviceAgentInterface from doover.docker",
    "doover.docker.platform": "import PlatformInterface / PulseCounter from doover.docker",
    "doover.api.control": "the control-plane API is not part of doover; use the Data API (doover.api.DataClient)",
    "doover.models.control": "control-plane models are not part of doover; the Data API models are in doover.models",
    "doover.api.auth": "doover.api.DataClient takes token= or reads DOOVER_TOKEN; see docs/guides/auth-and-tokens.md",
    "doover.cli.CLI": "the command line is `doover` (doover.cli.main); apps do not extend it",
    "doover.cli.entrypoint": "the command line is `doover` (doover.cli.main); apps do not extend it",
    "doover.utils.alarm": "import create_alarm and ThresholdAlarm (the platform SDK's alarm Alarm) from doover.utils",
    "doover.utils.files": "import zip_files from doover.reports",
    "doover.models.WireFormat": "doover's device agent speaks JSON over HTTP; there is no wire format to choose",
    "doover.models.EventSubscription": "pass event names to Application.subscribe(channel, events=[...]) "
                                       "or DeviceAgentInterface.add_event_callback",
    "doover.docker.GRPCInterface": "doover's edge runtime talks HTTP, not gRPC; there is no GRPCInterface",
    "doover.state": "install the extra: pip install 'doover-sync[state]'",
}


class Finding(NamedTuple):
    """One thing doover does not provide: where it is used and what to do."""

    path: str
    line: int
    col: int
    name: str
    message: str
    hint: str


def format_finding(finding: Finding) -> str:
    """``path:line:col: name: message (hint: ...)``."""
    return "{}:{}:{}: {}: {} (hint: {})".format(
        finding.path, finding.line, finding.col, finding.name, finding.message, finding.hint)


class _Resolver:
    """Answers "does doover have module M / name M.N?", caching imports of doover itself."""

    def __init__(self) -> None:
        self._modules: Dict[str, Tuple[Optional[Any], Optional[str]]] = {}

    def module(self, dotted: str) -> Tuple[Optional[Any], Optional[str]]:
        """(module, None), or (None, why) when it cannot be imported."""
        if dotted not in self._modules:
            try:
                self._modules[dotted] = (importlib.import_module(dotted), None)
            except ModuleNotFoundError as exc:
                missing = exc.name or dotted
                if missing == dotted or dotted.startswith(missing + "."):
                    self._modules[dotted] = (None, "doover has no module {}".format(dotted))
                else:
                    self._modules[dotted] = (None, "{} needs {!r}, which is not installed".format(dotted, missing))
            except ImportError as exc:
                self._modules[dotted] = (None, "{} cannot be imported: {}".format(dotted, exc))
        return self._modules[dotted]

    def member(self, module_name: str, name: str) -> Tuple[bool, Optional[Any], Optional[str]]:
        """(found, value, why-not); submodules count as members."""
        module, why = self.module(module_name)
        if module is None:
            return False, None, why
        try:
            return True, getattr(module, name), None
        except AttributeError:
            pass
        except ImportError as exc:  # a lazily exported name whose module needs a missing package
            return False, None, "{}.{} cannot be imported: {}".format(module_name, name, exc)
        sub, _ = self.module(module_name + "." + name) if hasattr(module, "__path__") else (None, None)
        if sub is not None:
            return True, sub, None
        return False, None, "{} has no name {!r}".format(module_name, name)


#: public modules searched, in order, for a name that is not where the app imports it from
_HOMES = ("doover.exceptions", "doover.models", "doover.api", "doover.docker", "doover.processor", "doover.config",
          "doover.tags", "doover.ui", "doover.rpc", "doover.utils", "doover.notifications", "doover.reports",
          "doover.state")


def _home_of(resolver: "_Resolver", name: str, not_in: str = "") -> Optional[str]:
    """The first public doover module (other than ``not_in``) that exports ``name``."""
    for module_name in _HOMES:
        if module_name != not_in and resolver.member(module_name, name)[0]:
            return module_name
    return None


def _canonical(dotted: str) -> str:
    head, _, rest = dotted.partition(".")
    return "doover" + ("." + rest if rest else "") if head in _ROOTS else dotted


def _hint(resolver: _Resolver, dotted: str, source_name: str) -> str:
    for key in (dotted, dotted.rsplit(".", 1)[0]):
        if key in _KNOWN:
            return _KNOWN[key]
    parent, _, leaf = dotted.rpartition(".")
    if parent and leaf:
        home = _home_of(resolver, leaf, not_in=parent)
        if home is not None:
            return "import {} from {}".format(leaf, home)
    return "doover does not provide it; " + _GUIDE


def _moved_names_hint(resolver: "_Resolver", module_name: str, names: Sequence[str]) -> Optional[str]:
    """For ``from pydoover.utils.kalman import KalmanFilter1D``: the package of doover that has
    every one of ``names`` (``doover.utils``), as a hint, or None."""
    parent = module_name.rpartition(".")[0]
    while parent.count(".") >= 1 or parent == "doover":
        if names and all(resolver.member(parent, n)[0] for n in names):
            return "import {} from {}".format(", ".join(names), parent)
        if parent == "doover":
            break
        parent = parent.rpartition(".")[0]
    return None


class _Checker(ast.NodeVisitor):
    def __init__(self, path: str, resolver: _Resolver) -> None:
        self.path = path
        self.resolver = resolver
        self.findings: List[Finding] = []
        self.bound: Dict[str, str] = {}  # local name -> doover module it refers to
        self._reported: set = set()

    def _add(self, node: ast.AST, source_name: str, dotted: str, message: str, hint: Optional[str] = None) -> None:
        key = (getattr(node, "lineno", 0), source_name)
        if key in self._reported:
            return
        self._reported.add(key)
        self.findings.append(Finding(self.path, getattr(node, "lineno", 0), getattr(node, "col_offset", 0) + 1,
                                     source_name, message, hint or _hint(self.resolver, dotted, source_name)))

    def _check_module(self, node: ast.AST, source_name: str) -> bool:
        dotted = _canonical(source_name)
        module, why = self.resolver.module(dotted)
        if module is None:
            self._add(node, source_name, dotted, why or "unknown module")
            return False
        return True

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name.split(".")[0] not in _ROOTS:
                continue
            if not self._check_module(node, alias.name):
                continue
            if alias.asname:
                self.bound[alias.asname] = _canonical(alias.name)
            else:
                root = alias.name.split(".")[0]
                self.bound[root] = "doover"

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module or node.module.split(".")[0] not in _ROOTS:
            return
        module_name = _canonical(node.module)
        if self.resolver.module(module_name)[0] is None and module_name not in _KNOWN:
            names = [a.name for a in node.names if a.name != "*"]
            moved = _moved_names_hint(self.resolver, module_name, names)
            if moved is not None:
                self._add(node, node.module, module_name, "doover has no module {}".format(module_name), moved)
                return
            if names and self.resolver.module(module_name)[1] == "doover has no module {}".format(module_name):
                for name in names:  # each name on its own: where doover has it, if anywhere
                    home = _home_of(self.resolver, name)
                    self._add(node, node.module + "." + name, module_name + "." + name,
                              "doover has no module {}".format(module_name),
                              "import {} from {}".format(name, home) if home else None)
                return
        if not self._check_module(node, node.module):
            return
        for alias in node.names:
            if alias.name == "*":
                continue
            dotted = module_name + "." + alias.name
            found, value, why = self.resolver.member(module_name, alias.name)
            if dotted in _KNOWN and not found:
                self._add(node, node.module + "." + alias.name, dotted, why or "not provided")
                continue
            if not found:
                self._add(node, node.module + "." + alias.name, dotted, why or "not provided")
                continue
            if _is_module(value):
                self.bound[alias.asname or alias.name] = value.__name__
            else:
                self.bound.pop(alias.asname or alias.name, None)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        chain = _chain(node)
        if chain is None or chain[0] not in self.bound:
            self.generic_visit(node)
            return
        module_name = self.bound[chain[0]]
        shown = chain[0]
        for part in chain[1:]:
            shown += "." + part
            found, value, why = self.resolver.member(module_name, part)
            if not found:
                self._add(node, shown, module_name + "." + part, why or "not provided")
                return
            if not _is_module(value):
                return
            module_name = value.__name__

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Store):
            self.bound.pop(node.id, None)


def _is_module(value: Any) -> bool:
    return type(value).__name__ == "module"


def _chain(node: ast.AST) -> Optional[List[str]]:
    parts: List[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return list(reversed(parts))


def check_source(source: str, path: str = "<string>", resolver: Optional[_Resolver] = None) -> List[Finding]:
    """The findings for one module's source text."""
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as exc:
        return [Finding(path, exc.lineno or 0, (exc.offset or 0), "<syntax>",
                        "cannot parse: {}".format(exc.msg), "fix it, or run the check with the Python version the app is written for "
                        "(this is Python {}.{})".format(*sys.version_info[:2]))]
    checker = _Checker(path, resolver or _Resolver())
    checker.visit(tree)
    return sorted(checker.findings, key=lambda f: (f.line, f.col, f.name))


def check_file(path: str, resolver: Optional[_Resolver] = None) -> List[Finding]:
    """The findings for one ``.py`` file."""
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        source = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [Finding(path, 0, 0, "<encoding>", "not UTF-8 text: {}".format(exc), "save the file as UTF-8")]
    return check_source(source, path, resolver)


def iter_python_files(root: str) -> Iterator[str]:
    """``root`` if it is a file, else every ``.py`` file under it (sorted; virtualenvs,
    caches and hidden directories are skipped)."""
    if os.path.isfile(root):
        yield root
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith(".py"):
                yield os.path.join(dirpath, name)


def check_path(paths: Sequence[str]) -> Tuple[int, List[Finding]]:
    """Check files and directories; returns (files checked, findings)."""
    resolver = _Resolver()
    count, findings = 0, []
    for root in paths:
        for path in iter_python_files(root):
            count += 1
            findings.extend(check_file(path, resolver))
    return count, findings
