"""Worker processes that run one processor handler for many invocations, as a Lambda sandbox.

Two runtimes share one interface (``start``, ``alive``, ``pid``, ``invoke``, ``kill``):

* :class:`RICWorker`: the real AWS Lambda runtime interface client, ``python -m awslambdaric
  MODULE.HANDLER``, polling a :class:`~doover.emulator._runtime_api.RuntimeAPI` on loopback
  with the environment Lambda sets (``AWS_LAMBDA_RUNTIME_API``, ``LAMBDA_TASK_ROOT``,
  ``_HANDLER``, the function name, version, memory, log group/stream, ``AWS_REGION``);
* :class:`PlainWorker`: ``python -m doover.emulator._lambda_worker MODULE:HANDLER``, one JSON
  request per stdin line, for interpreters where awslambdaric cannot be installed.

``invoke(request_id, event, timeout)`` returns ``{"result": ...}`` or ``{"error": {"type",
"message"}}``; when the sandbox itself failed it also has ``"fault"``: ``"timeout"`` (the
worker was killed), ``"exited"`` (it died) or ``"init"`` (the handler could not be loaded).
"""

import importlib.util
import json
import os
import queue
import subprocess
import sys
import threading
import time
import uuid
from typing import Any, Callable, Dict, List, Optional

from ..exceptions import InvalidArgumentError, NotSupportedError
from ._lambda_worker import RESULT_PREFIX
from ._runtime_api import RuntimeAPI

__all__ = ["PlainWorker", "RICWorker", "RUNTIMES", "make_worker", "resolve_runtime"]

RUNTIMES = ("auto", "awslambdaric", "plain")
#: How long a cold worker may take to load the handler before its first event is handed out.
INIT_ALLOWANCE = 30.0
LineSink = Callable[[str, str], None]  # (stream name, line)

_ric_cache = {}  # type: Dict[str, bool]


def ric_available(python: str) -> bool:
    """Whether ``python`` can ``import awslambdaric`` (and its native ``runtime_client``)."""
    key = os.path.realpath(python)
    if key not in _ric_cache:
        if key == os.path.realpath(sys.executable):
            found = all(importlib.util.find_spec(name) is not None for name in ("awslambdaric", "runtime_client"))
        else:
            probe = "import importlib.util as u, sys; sys.exit(0 if u.find_spec('awslambdaric') and " \
                    "u.find_spec('runtime_client') else 1)"
            try:
                found = subprocess.run([python, "-c", probe], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       timeout=60).returncode == 0
            except (OSError, subprocess.SubprocessError):
                found = False
        _ric_cache[key] = found
    return _ric_cache[key]


def resolve_runtime(runtime: str, python: str = sys.executable) -> str:
    """``"awslambdaric"`` or ``"plain"`` for ``runtime`` (one of :data:`RUNTIMES`)."""
    if runtime not in RUNTIMES:
        raise InvalidArgumentError("runtime: expected one of {}, got {!r}".format(", ".join(RUNTIMES), runtime))
    if runtime == "plain":
        return "plain"
    if ric_available(python):
        return "awslambdaric"
    if runtime == "awslambdaric":
        raise NotSupportedError(
            "runtime 'awslambdaric': awslambdaric is not importable by {}; install it with "
            "pip install 'doover-sync[lambda]', or use runtime 'plain'".format(python))
    return "plain"


def split_target(target: str) -> "tuple":
    """``MODULE:HANDLER`` -> ``(MODULE, HANDLER)`` (``handler`` when omitted)."""
    module, _, attr = target.partition(":")
    if not module or not all(part.isidentifier() for part in module.split(".")) or \
            not (attr or "handler").isidentifier():
        raise InvalidArgumentError("target: expected MODULE:HANDLER (e.g. my_app:handler), got {!r}".format(target))
    return module, attr or "handler"


class _Worker:
    runtime = ""

    def __init__(self, target: str, *, cwd: str, python: str, base_url: str, function_name: str,
                 on_line: LineSink) -> None:
        self.target = target
        self.module, self.attr = split_target(target)
        self.cwd, self.python, self.base_url = cwd, python, base_url
        self.function_name = function_name
        self.on_line = on_line
        self.proc = None  # type: Optional[subprocess.Popen]
        self._pumps = []  # type: List[threading.Thread]

    @property
    def pid(self) -> Optional[int]:
        return self.proc.pid if self.proc is not None else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _env(self) -> Dict[str, str]:
        return dict(os.environ, DOOVER_DATA_ENDPOINT=self.base_url, AWS_LAMBDA_FUNCTION_NAME=self.function_name,
                    PYTHONUNBUFFERED="1")

    def _popen(self, argv: List[str], env: Dict[str, str], stdin: Any) -> None:
        if self.proc is not None:  # one that died between invocations: reap it first
            _Worker.kill(self)
        # a session of its own: the terminal's Ctrl-C reaches the host, which ends the worker
        self.proc = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     cwd=self.cwd, env=env, start_new_session=True)
        self._pumps = [self._pump(self.proc.stdout, "stdout"), self._pump(self.proc.stderr, "stderr")]

    def _pump(self, stream: Any, name: str) -> threading.Thread:
        def run() -> None:
            try:
                for raw in stream:
                    self._line(name, raw.decode("utf-8", "replace").rstrip("\r\n"))
            except (ValueError, OSError):  # closed by kill()
                pass

        thread = threading.Thread(target=run, name="doover-worker-" + name, daemon=True)
        thread.start()
        return thread

    def _line(self, name: str, line: str) -> None:
        self.on_line(name, line)

    def kill(self) -> Optional[int]:
        """End the process (if running) and return its exit status."""
        proc, self.proc = self.proc, None
        if proc is None:
            return None
        if proc.poll() is None:
            proc.kill()
        code = proc.wait(timeout=30)
        for pump in self._pumps:
            pump.join(timeout=30)
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        return code

    def _exited(self, code: Optional[int]) -> Dict[str, Any]:
        how = "was killed by signal {}".format(-code) if code is not None and code < 0 else \
            "exited with status {}".format(code)
        return {"error": {"type": "WorkerExited", "message": "the worker process {} during the invocation".format(how)},
                "fault": "exited"}

    def _timed_out(self, timeout: float) -> Dict[str, Any]:
        self.kill()
        return {"error": {"type": "Timeout", "message": "Task timed out after {:.2f} seconds; the worker was "
                                                        "killed".format(timeout)}, "fault": "timeout"}


class RICWorker(_Worker):
    """``python -m awslambdaric MODULE.HANDLER`` against a local Runtime API."""

    runtime = "awslambdaric"

    def __init__(self, target: str, *, api: RuntimeAPI, memory_mb: int = 128, region: str = "local",
                 **kwargs: Any) -> None:
        super().__init__(target, **kwargs)
        self.api, self.memory_mb, self.region = api, memory_mb, region

    def start(self) -> None:
        self.api.reset()
        name, handler = self.function_name, "{}.{}".format(self.module, self.attr)  # awslambdaric's dotted form
        stream = "{}/[$LATEST]{}".format(time.strftime("%Y/%m/%d", time.gmtime()), uuid.uuid4().hex)
        env = self._env()
        env.update({
            "AWS_LAMBDA_RUNTIME_API": self.api.address, "LAMBDA_TASK_ROOT": self.cwd,
            "_HANDLER": handler, "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.memory_mb), "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/" + name,
            "AWS_LAMBDA_LOG_STREAM_NAME": stream, "AWS_REGION": self.region, "AWS_DEFAULT_REGION": self.region,
        })
        self._popen([self.python, "-m", "awslambdaric", handler], env, subprocess.DEVNULL)

    def kill(self) -> Optional[int]:
        code = super().kill()
        self.api.reset()
        return code

    def invoke(self, request_id: str, event: Any, timeout: float) -> Dict[str, Any]:
        invocation = self.api.submit(event, timeout=timeout, request_id=request_id)
        submitted = time.monotonic()
        try:
            while True:
                if invocation.delivered.is_set():
                    limit = timeout - (time.time() - (invocation.delivered_at or time.time()))
                else:
                    limit = timeout + INIT_ALLOWANCE - (time.monotonic() - submitted)
                if limit <= 0:
                    return self._timed_out(timeout)
                if invocation.done.wait(min(limit, 0.5)):
                    break
                if not self.alive():  # it may have answered just before it ended
                    if invocation.done.wait(0.2):
                        break
                    return self._exited(self.kill())
        finally:
            self.api.forget(invocation)
        if invocation.status == "success":
            return {"result": invocation.result()}
        error = invocation.error or {}
        answer = {"error": {"type": error.get("errorType") or invocation.error_type,
                            "message": error.get("errorMessage", "")}}  # type: Dict[str, Any]
        if not invocation.delivered.is_set():  # failed by /init/error: the worker is exiting
            answer["fault"] = "init"
            self.kill()
        return answer


class PlainWorker(_Worker):
    """``python -m doover.emulator._lambda_worker MODULE:HANDLER``, JSON lines over stdin/stdout."""

    runtime = "plain"

    def __init__(self, target: str, **kwargs: Any) -> None:
        super().__init__(target, **kwargs)
        self._answers = queue.Queue()  # type: queue.Queue[Optional[Dict[str, Any]]]
        self._ready = None  # type: Optional[Dict[str, Any]]

    def start(self) -> None:
        self._answers = queue.Queue()
        self._ready = None  # type: Optional[Dict[str, Any]]
        self._popen([self.python, "-m", "doover.emulator._lambda_worker", "{}:{}".format(self.module, self.attr)],
                    self._env(), subprocess.PIPE)
        answers, proc, stdout_pump = self._answers, self.proc, self._pumps[0]

        def watch() -> None:  # the end of stdout: no answer is coming any more
            assert proc is not None
            proc.wait()
            stdout_pump.join()
            answers.put(None)

        watcher = threading.Thread(target=watch, name="doover-worker-watch", daemon=True)
        watcher.start()
        self._pumps.append(watcher)  # kill() joins it with the pumps: nothing outlives the worker

    def _line(self, name: str, line: str) -> None:
        if name == "stdout" and line.startswith(RESULT_PREFIX):
            self._answers.put(json.loads(line[len(RESULT_PREFIX):]))
        else:
            self.on_line(name, line)

    def _next_answer(self, timeout: float) -> Optional[Dict[str, Any]]:
        return self._answers.get(timeout=max(timeout, 0.001))

    def invoke(self, request_id: str, event: Any, timeout: float) -> Dict[str, Any]:
        assert self.proc is not None and self.proc.stdin is not None
        if self._ready is None:  # cold: the handler is loading; Lambda's timeout starts after init
            try:
                self._ready = self._next_answer(INIT_ALLOWANCE)
            except queue.Empty:
                return self._timed_out(timeout)
            if self._ready is None:
                return self._exited(self.kill())
        if "init_error" in self._ready:
            self.kill()
            return {"error": self._ready["init_error"], "fault": "init"}
        deadline_ms = int((time.time() + timeout) * 1000)
        try:
            self.proc.stdin.write((json.dumps({"request_id": request_id, "event": event,
                                               "deadline_ms": deadline_ms}) + "\n").encode("utf-8"))
            self.proc.stdin.flush()
        except OSError:
            return self._exited(self.kill())
        try:
            answer = self._next_answer(timeout)
        except queue.Empty:
            return self._timed_out(timeout)
        if answer is None:
            return self._exited(self.kill())
        return {"error": answer["error"]} if "error" in answer else {"result": answer["result"]}


def make_worker(runtime: str, target: str, *, cwd: str, python: str, base_url: str, function_name: str,
                on_line: LineSink, api: Optional[RuntimeAPI] = None) -> _Worker:
    """A worker for a resolved ``runtime`` (``"awslambdaric"`` needs ``api``)."""
    if runtime == "awslambdaric":
        if api is None:
            raise InvalidArgumentError("api: the awslambdaric runtime needs a started RuntimeAPI")
        return RICWorker(target, api=api, cwd=cwd, python=python, base_url=base_url, function_name=function_name,
                         on_line=on_line)
    return PlainWorker(target, cwd=cwd, python=python, base_url=base_url, function_name=function_name,
                       on_line=on_line)
