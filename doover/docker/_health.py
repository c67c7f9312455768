"""The health endpoint: a stdlib HTTP server on a daemon thread, bound to 127.0.0.1.

``GET /health`` answers 200 while the app's loop ticked recently (liveness), 503 otherwise;
``GET /ready`` answers 200 once ``setup()`` finished. Both carry a small JSON body from the
app's ``health_status()``. Any other path is 404. Requests are not logged.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, Tuple

__all__ = ["start_health_server"]


def start_health_server(status: Callable[[], Dict[str, Any]], port: int, host: str = "127.0.0.1") -> Tuple[Any, threading.Thread]:
    """Serve ``status()`` on ``host:port`` (0 picks a free port); returns ``(server, thread)``.

    ``status()`` must return a dict with boolean ``healthy`` and ``ready`` keys.
    Stop it with ``server.shutdown(); server.server_close()``.
    """

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - stdlib name
            path = self.path.split("?", 1)[0]
            if path not in ("/health", "/ready"):
                self._reply(404, {"error": "unknown path {}; use /health or /ready".format(path)})
                return
            body = status()
            ok = body["healthy"] if path == "/health" else body["ready"]
            self._reply(200 if ok else 503, body)

        def _reply(self, code: int, body: Dict[str, Any]) -> None:
            raw = json.dumps(body).encode("utf-8")
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True

    server = Server((host, port), Handler)
    thread = threading.Thread(target=server.serve_forever, name="doover-health", daemon=True)
    thread.start()
    return server, thread
