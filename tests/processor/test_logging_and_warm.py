import json
import logging
import subprocess
import sys

from doover.processor import run_app


def test_log_lines_are_json_with_invocation_context(cloud, h, jsonlog):
    def on_schedule(self, event):
        logging.getLogger("my.module").warning("hot %d", 41, extra={"count": 3})
        print("printed line")
        print("partial", end="")
        try:
            raise ValueError("inner")
        except ValueError:
            logging.getLogger("my.module").exception("failed")

    run_app(h.make_app("sync", on_schedule=on_schedule)(), h.event_for("on_schedule"), h.Context())
    records = jsonlog.records()
    hot = next(r for r in records if r["message"] == "hot 41")
    assert list(hot)[:4] == ["timestamp", "level", "logger", "message"]
    assert hot["level"] == "WARNING" and hot["logger"] == "my.module" and hot["count"] == 3
    assert (hot["requestId"], hot["app_id"], hot["agent_id"], hot["event_type"]) == (
        "req-1", "app-uuid-1", "111", "on_schedule")
    assert isinstance(hot["timestamp"], int)
    printed = [r for r in records if r["logger"] == "print"]
    assert [(r["message"], r["level"]) for r in printed] == [("printed line", "INFO"), ("partial", "INFO")]
    failed = next(r for r in records if r["message"] == "failed")
    assert failed["exc_info"].startswith("Traceback") and "ValueError: inner" in failed["exc_info"]


def test_callers_extra_wins_over_context_and_stderr_is_captured_as_error(cloud, h, jsonlog):
    def on_schedule(self, event):
        logging.getLogger("x").info("mine", extra={"requestId": "override"})
        sys.stderr.write("oops\n")

    run_app(h.make_app("sync", on_schedule=on_schedule)(), h.event_for("on_schedule"), h.Context())
    records = jsonlog.records()
    assert next(r for r in records if r["message"] == "mine")["requestId"] == "override"
    err = next(r for r in records if r["logger"] == "stderr")
    assert (err["message"], err["level"]) == ("oops", "ERROR")


def test_debug_env_and_proc_config_levels_apply_per_invocation_only(cloud, h, jsonlog, monkeypatch):
    monkeypatch.setenv("DEBUG", "true")
    seen = []

    def pre_hook_filter(self, event):
        seen.append(logging.getLogger().level)
        return True

    def on_schedule(self, event):
        seen.append((logging.getLogger().level, logging.getLogger("noisy").level))
        logging.getLogger("noisy").warning("hidden")

    cloud.info = h.info(dv_proc_config={"log_level": "WARNING", "log_overrides": {"noisy": "ERROR"}})
    App = h.make_app("sync", pre_hook_filter=pre_hook_filter, on_schedule=on_schedule)
    before = logging.getLogger("noisy").level
    run_app(App(), h.event_for("on_schedule"), None)
    assert seen == [logging.DEBUG, (logging.WARNING, logging.ERROR)]
    assert logging.getLogger("noisy").level == before
    assert not any(r["message"] == "hidden" for r in jsonlog.records())


def test_setup_logging_false_without_handlers_does_not_recurse(cloud, h):
    code = (
        "import logging, json\n"
        "logging.getLogger().handlers = []\n"
        "from doover.processor import Application, run_app\n"
        "class A(Application):\n"
        "    def on_schedule(self, e):\n"
        "        logging.getLogger('x').error('loud')\n"
        "        return 1\n"
        "print(json.dumps(run_app(A(), {'op': 'on_schedule', 'token': None, 'd': {}}, None, setup_logging=False)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.splitlines()[-1])["error"]["type"] == "InvalidEventError"
    assert "RecursionError" not in proc.stderr


def test_one_app_instance_serves_100_mixed_events_without_leaking_state(cloud, h, kind):
    infos = [h.info(app_key="app_a", org="7", app_id="A", tag_values={"app_a": {"n": 1}},
                    extra_config={"limit": 1}),
             h.info(app_key="app_b", org="8", app_id="B", tag_values={"app_b": {"n": 50}},
                    extra_config={"limit": 2})]
    seen = []

    def body(self, event):
        seen.append((self.app_key, self.config.limit, self.get_tag("n"), self.api.invoking_channel))
        yield self.set_tag("n", self.get_tag("n") + 1)
        # a schedule may write to the channel an earlier message-create was invoked by
        if event.__class__.__name__ == "ScheduleEvent":
            yield self.api.create_message("sensors", {"ok": 1})

    App = h.make_app(kind, on_message_create=body, on_schedule=body)
    app = App()
    for i in range(100):
        cloud.info = infos[i % 2]
        op = "on_message_create" if i % 3 == 0 else "on_schedule"
        out = run_app(app, h.event_for(op), h.Context(), setup_logging=False)
        assert out["status"] == "success", out
    assert len(seen) == 100
    for i, (key, limit, n, invoking) in enumerate(seen):
        op = "on_message_create" if i % 3 == 0 else "on_schedule"
        assert (key, limit, n) == (("app_a", 1, 1) if i % 2 == 0 else ("app_b", 2, 50))
        assert invoking == ("sensors" if op == "on_message_create" else None)
    patches = [c for c in cloud.calls if c["method"] == "PATCH"]
    assert [p["body"] for p in patches[:2]] == [{"app_a": {"n": 2}}, {"app_b": {"n": 51}}]
    assert {p["org"] for p in patches[0::2]} == {"7"} and {p["org"] for p in patches[1::2]} == {"8"}
    summaries = cloud.summaries()
    assert [s["app_id"] for s in summaries[:4]] == ["A", "B", "A", "B"]
    assert app.agent_id is not None  # last invocation's identity stays readable until the next starts


def test_import_is_light_and_prehook_rejection_never_imports_requests(tmp_path):
    code = (
        "import sys\n"
        "import doover.processor\n"
        "heavy = [m for m in ('requests', 'serial', 'minimalmodbus', 'doover.emulator', 'doover.cli',"
        " 'doover.hardware') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "from doover.processor import Application, run_app\n"
        "class A(Application):\n"
        "    def pre_hook_filter(self, e):\n"
        "        return False\n"
        "    def on_schedule(self, e):\n"
        "        return 1\n"
        "out = run_app(A(), {'op': 'on_schedule', 'token': 't', 'd': {'schedule_id': 1}}, None)\n"
        "assert out['skip_reason'] == 'pre_hook_filter', out\n"
        "assert 'requests' not in sys.modules\n"
        "assert 'asyncio' not in sys.modules  # a sync app never touches asyncio\n"
        "print('ok')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "ok"
