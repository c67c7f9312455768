"""The long-lived worker process that hosts one processor handler (``python -m`` this module).

It imports ``MODULE`` once (the cold start), then serves invocations for as long as it
lives (warm starts), like a Lambda execution environment. Protocol, one JSON object per
line: once the handler is loaded it writes :data:`RESULT_PREFIX` ``{"ready": true}`` (or
``{"init_error": {"type", "message"}}`` and exits 1 when it cannot be loaded, with Lambda's
error types ``Runtime.ImportModuleError`` / ``Runtime.HandlerNotFound``); requests on stdin
``{"request_id", "event", "deadline_ms"}``; each answer is one stdout line starting with
:data:`RESULT_PREFIX` followed by ``{"request_id", "result"}`` or ``{"request_id", "error":
{"type", "message"}}``. Every other stdout line is the handler's own output (JSON log lines).
"""

import importlib
import json
import os
import sys
import time
from typing import Any

RESULT_PREFIX = "\x1edoover-result "


class LambdaContext:
    """The subset of Lambda's context object that processors read."""

    def __init__(self, request_id: str, function_name: str, deadline_ms: int) -> None:
        self.aws_request_id = request_id
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = "arn:aws:lambda:local:000000000000:function:" + function_name
        self.memory_limit_in_mb = "128"
        self.log_group_name = "/aws/lambda/" + function_name
        self.log_stream_name = "local"
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))


def main(argv: Any = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    target = argv[0]
    sys.path.insert(0, os.getcwd())
    module_name, _, attr = target.partition(":")
    out = sys.__stdout__
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # what Lambda reports as an init error
        _write(out, {"init_error": {"type": "Runtime.ImportModuleError",
                                    "message": "Unable to import module {!r}: {}".format(module_name, exc)}})
        return 1
    handler = getattr(module, attr or "handler", None)
    if handler is None:
        _write(out, {"init_error": {"type": "Runtime.HandlerNotFound", "message": "Handler {!r} missing on module "
                                    "{!r}".format(attr or "handler", module_name)}})
        return 1
    _write(out, {"ready": True})
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        ctx = LambdaContext(request["request_id"], module_name, int(request["deadline_ms"]))
        try:
            answer = {"request_id": ctx.aws_request_id, "result": handler(request["event"], ctx)}
            text = json.dumps(answer)
        except Exception as exc:  # Lambda reports the error and keeps the environment
            text = json.dumps({"request_id": ctx.aws_request_id,
                               "error": {"type": type(exc).__name__, "message": str(exc)}})
        out.write(RESULT_PREFIX + text + "\n")
        out.flush()
    return 0


def _write(out: Any, answer: Any) -> None:
    out.write(RESULT_PREFIX + json.dumps(answer) + "\n")
    out.flush()


if __name__ == "__main__":
    sys.exit(main())
