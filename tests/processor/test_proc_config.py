"""``app.proc_config``: the typed ProcessorConfig loaded from ``dv_proc_config`` after setup."""

import logging

from doover.processor import ProcessorConfig, run_app


def _seen_config(cloud, h, kind, dv_proc_config):
    cloud.info = h.info(dv_proc_config=dv_proc_config)
    seen = []

    def on_schedule(self, event):
        yield None
        proc = self.proc_config
        seen.append((type(proc), proc.log_level.value, proc.log_overrides.value,
                     [(t.agent_id.value, t.channel.value) for t in proc.inv_targets.value], proc.live_logs.value,
                     logging.getLogger().level, logging.getLogger("noisy.lib").level))

    App = h.make_app(kind, on_schedule=on_schedule)
    out = run_app(App(), h.event_for("on_schedule"), None, setup_logging=False)
    return out, seen


def test_absent_dv_proc_config_gives_typed_defaults(cloud, h, kind):
    out, seen = _seen_config(cloud, h, kind, None)
    assert out["status"] == "success"
    assert seen == [(ProcessorConfig, "INFO", {}, [(None, "dv-proc-inv-$app_id")], False, logging.INFO,
                     logging.NOTSET)]
    assert [i["channel_name"] for i in cloud.calls[-1]["body"]["items"]] == ["dv-proc-inv-app-uuid-1"]


def test_dv_proc_config_values_are_read_pydoover_style_and_applied(cloud, h, kind):
    root_before = logging.getLogger().level
    out, seen = _seen_config(cloud, h, kind, {
        "log_level": "ERROR", "log_overrides": {"noisy.lib": "warning"}, "live_logs": True,
        "inv_targets": [{"agent_id": "222", "channel": "audit-$app_id"}, {"channel": "all-runs"}]})
    assert out["status"] == "success"
    assert seen == [(ProcessorConfig, "ERROR", {"noisy.lib": "warning"}, [("222", "audit-$app_id"), (None, "all-runs")],
                     True, logging.ERROR, logging.WARNING)]
    items = cloud.calls[-1]["body"]["items"]
    assert [(i["agent_id"], i["channel_name"]) for i in items] == [("222", "audit-app-uuid-1"), ("111", "all-runs")]
    # levels are this invocation's only
    assert logging.getLogger().level == root_before
    assert logging.getLogger("noisy.lib").level == logging.NOTSET


def test_invalid_dv_proc_config_is_a_config_error_with_an_error_summary(cloud, h, kind):
    out, seen = _seen_config(cloud, h, kind, {"log_level": "LOUD", "inv_targets": [{"agent_id": None}]})
    assert seen == []
    assert out["status"] == "error" and out["error"]["type"] == "ConfigError"
    assert out["error"]["message"] == (
        "invalid config (2 problems):\n"
        '  dv_proc_config.log_level: expected one of ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], got "LOUD"\n'
        "  dv_proc_config.inv_targets[0].channel: missing required field")
    summaries = cloud.summaries()
    assert len(summaries) == 1  # the default target, since the config's own targets are unusable
    assert summaries[0]["status"] == "error" and summaries[0]["error"] == out["error"]
    assert cloud.calls[-1]["body"]["items"][0]["channel_name"] == "dv-proc-inv-app-uuid-1"


def test_invalid_log_override_level_names_its_logger(cloud, h):
    out, seen = _seen_config(cloud, h, "sync", {"log_overrides": {"noisy.lib": "LOUDEST"}})
    assert seen == []
    assert out["error"] == {
        "type": "ConfigError",
        "message": "invalid config: dv_proc_config.log_overrides.noisy.lib: expected one of DEBUG, INFO, "
                   "WARNING, ERROR, CRITICAL, got 'LOUDEST'"}
    assert cloud.summaries()[0]["error"] == out["error"]


def test_proc_config_is_reloaded_for_each_warm_invocation(cloud, h):
    seen2 = []
    App = h.make_app("sync", on_schedule=lambda self, e: seen2.append(self.proc_config.log_level.value))
    app = App()
    cloud.info = h.info(dv_proc_config={"log_level": "WARNING"})
    run_app(app, h.event_for("on_schedule"), None, setup_logging=False)
    cloud.info = h.info()
    run_app(app, h.event_for("on_schedule"), None, setup_logging=False)
    assert seen2 == ["WARNING", "INFO"]


def test_before_setup_proc_config_holds_the_defaults_like_the_platform_sdk(cloud, h):
    seen = []

    def pre_hook_filter(self, event):
        seen.append((type(self.proc_config), self.proc_config.log_level.value, self.proc_config.log_overrides.value))
        return False

    App = h.make_app("sync", pre_hook_filter=pre_hook_filter, on_schedule=lambda self, e: 1)
    app = App()
    assert app.proc_config.log_level.value == "INFO"  # readable on a fresh instance too
    cloud.info = h.info(dv_proc_config={"log_level": "ERROR"})
    run_app(app, h.event_for("on_schedule"), None, setup_logging=False)
    assert seen == [(ProcessorConfig, "INFO", {})] and cloud.calls == []
