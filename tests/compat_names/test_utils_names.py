"""doover.utils: create_alarm / ThresholdAlarm, setup_logging / LogFormatter, deprecated (pydoover names)."""

import asyncio
import inspect
import logging
import subprocess
import sys
import textwrap
import time

import pytest

from doover.exceptions import InvalidArgumentError
from doover.utils import ThresholdAlarm, LogFormatter, create_alarm, deprecated


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def _alarm(**kwargs):
    clock = Clock()
    fired = []
    alarm = ThresholdAlarm(lambda v: v > 20, callback=lambda: fired.append(clock.now), clock=clock, **kwargs)
    return alarm, clock, fired


# ---------------------------------------------------------------- ThresholdAlarm


def test_alarm_fires_once_the_threshold_has_held_for_the_grace_period():
    alarm, clock, fired = _alarm(grace_period=15, min_inter_alarm=60)
    assert alarm.check_value(25) is False  # episode starts
    assert alarm.initial_trigger_time == 1000.0
    clock.now = 1014.0
    assert alarm.check_value(30) is False  # 14 s < 15 s
    clock.now = 1015.0
    assert alarm.check_value(30) is True
    assert fired == [1015.0]
    assert alarm.last_alarm_time == 1015.0


def test_alarm_waits_min_inter_alarm_before_firing_again_while_the_threshold_holds():
    alarm, clock, fired = _alarm(grace_period=0, min_inter_alarm=60)
    assert alarm.check_value(21) is True
    clock.now = 1059.0
    assert alarm.check_value(21) is False
    clock.now = 1060.0
    assert alarm.check_value(21) is True
    assert fired == [1000.0, 1060.0]


def test_a_reading_under_the_threshold_ends_the_episode_and_restarts_the_grace_period():
    alarm, clock, fired = _alarm(grace_period=10)
    alarm.check_value(50)
    clock.now = 1009.0
    assert alarm.check_value(5) is False
    assert alarm.initial_trigger_time is None
    clock.now = 1012.0
    assert alarm.check_value(50) is False  # new episode from 1012
    clock.now = 1021.0
    assert alarm.check_value(50) is False
    clock.now = 1022.0
    assert alarm.check_value(50) is True
    assert fired == [1022.0]


def test_alarm_defaults_are_an_hour_of_grace_and_a_day_between_alarms():
    alarm = ThresholdAlarm(lambda v: v)
    assert (alarm.grace_period, alarm.min_inter_alarm) == (3600.0, 86400.0)


def test_check_value_overrides_are_kept_and_reset_alarm_forgets_everything():
    alarm, clock, fired = _alarm()
    assert alarm.check_value(1, threshold_met=lambda v: v < 2, grace_period=0, min_inter_alarm=5) is True
    assert (alarm.grace_period, alarm.min_inter_alarm) == (0.0, 5.0)
    alarm.reset_alarm()
    assert (alarm.last_alarm_time, alarm.initial_trigger_time) == (None, None)
    assert alarm.check_value(30) is True
    assert fired == [1000.0, 1000.0]


@pytest.mark.parametrize("kwargs, field", [
    ({"threshold_met": 20}, "threshold_met"),
    ({"threshold_met": bool, "callback": "cb"}, "callback"),
    ({"threshold_met": bool, "grace_period": -1}, "grace_period"),
    ({"threshold_met": bool, "min_inter_alarm": "1h"}, "min_inter_alarm"),
])
def test_alarm_rejects_bad_arguments_naming_the_field(kwargs, field):
    with pytest.raises(InvalidArgumentError) as caught:
        ThresholdAlarm(**kwargs)
    assert str(caught.value).startswith(field)


def test_an_async_callback_runs_to_completion_from_sync_check_value():
    done = []

    async def notify():
        await asyncio.sleep(0)
        done.append("sent")

    alarm = ThresholdAlarm(lambda v: v > 1, callback=notify, grace_period=0)
    assert alarm.check_value(2) is True
    assert done == ["sent"]


# ---------------------------------------------------------------- create_alarm


def test_create_alarm_on_a_sync_method_returns_its_values_and_calls_back():
    class Tank:
        def __init__(self):
            self.level = 10
            self.alarms = []
            self.read_level = create_alarm(self.read_level, lambda v: v > 90, callback=self.high,
                                           grace_period=0, min_inter_alarm=3600)

        def read_level(self):
            """Current level in %."""
            return self.level

        def high(self):
            self.alarms.append(self.level)

    tank = Tank()
    assert tank.read_level() == 10
    tank.level = 95
    assert tank.read_level() == 95
    assert tank.read_level() == 95  # within min_inter_alarm: no second alarm
    assert tank.alarms == [95]
    assert not inspect.iscoroutinefunction(tank.read_level)
    assert tank.read_level.__doc__ == "Current level in %."
    assert isinstance(tank.read_level.alarm, ThresholdAlarm)


def test_create_alarm_on_an_async_function_gives_an_async_wrapper_that_awaits_the_callback():
    calls = []

    async def read():
        return 99

    async def high():
        await asyncio.sleep(0)
        calls.append("high")

    wrapped = create_alarm(read, lambda v: v > 90, callback=high, grace_period=0)
    assert inspect.iscoroutinefunction(wrapped)
    assert asyncio.run(wrapped()) == 99
    assert calls == ["high"]
    assert wrapped.alarm.last_alarm_time is not None


def test_a_sync_wrapper_called_inside_a_running_loop_starts_an_async_callback_as_a_task():
    calls = []

    async def high():
        calls.append("high")

    wrapped = create_alarm(lambda: 99, lambda v: v > 90, callback=high, grace_period=0)

    async def main():
        assert wrapped() == 99
        assert calls == []
        await asyncio.gather(*wrapped.alarm._tasks)
        return list(calls)

    assert asyncio.run(main()) == ["high"]


def test_create_alarm_needs_a_callable():
    with pytest.raises(InvalidArgumentError, match="func must be callable"):
        create_alarm(5, bool)


# ---------------------------------------------------------------- deprecated


def test_deprecated_with_a_reason_warns_at_the_callers_line_and_still_calls():
    @deprecated("use read_level")
    def old_read(x):
        return x * 2

    with pytest.warns(DeprecationWarning) as record:
        line = inspect.currentframe().f_lineno + 1
        assert old_read(4) == 8
    assert str(record[0].message) == (
        "Call to deprecated function "
        "test_deprecated_with_a_reason_warns_at_the_callers_line_and_still_calls.<locals>.old_read "
        "(use read_level)."
    )
    assert record[0].filename == __file__
    assert record[0].lineno == line
    assert old_read.__name__ == "old_read"


def test_bare_deprecated_on_a_class_keeps_it_a_class_and_warns_on_instantiation():
    @deprecated
    class OldPump:
        def __init__(self, pin):
            self.pin = pin

    with pytest.warns(DeprecationWarning, match=r"^Call to deprecated class .*OldPump\.$"):
        pump = OldPump(3)
    assert isinstance(pump, OldPump) and pump.pin == 3


def test_deprecated_async_function_stays_async():
    @deprecated("gone in 2.0")
    async def old_fetch():
        return "data"

    assert inspect.iscoroutinefunction(old_fetch)
    with pytest.warns(DeprecationWarning, match=r"\(gone in 2.0\)\.$"):
        assert asyncio.run(old_fetch()) == "data"


def test_deprecated_rejects_what_is_neither_a_reason_nor_a_function():
    with pytest.raises(InvalidArgumentError, match="reason string"):
        deprecated(42)


def test_deprecator_module_has_the_same_decorator():
    from doover.utils.deprecator import deprecated as from_module

    assert from_module is deprecated


def test_deprecator_is_an_attribute_of_doover_utils_without_importing_it():
    code = "import doover.utils as u; print(u.deprecator.deprecated is u.deprecated)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "True\n"


# ---------------------------------------------------------------- logging


def _record(level, msg="pump on"):
    record = logging.LogRecord("app.pump", level, "/src/pump.py", 42, msg, None, None)
    record.created = 0.0
    record.msecs = 0.0
    return record


def test_log_formatter_colours_each_level():
    formatter = LogFormatter()
    formatter.converter = time.gmtime
    body = "1970-01-01 00:00:00,000 - app.pump - {} - pump on (pump.py:42)"
    assert formatter.format(_record(logging.INFO)) == "\x1b[38;20m" + body.format("INFO") + "\x1b[0m"
    assert formatter.format(_record(logging.WARNING)) == "\x1b[33;20m" + body.format("WARNING") + "\x1b[0m"
    assert formatter.format(_record(logging.ERROR)) == "\x1b[31;20m" + body.format("ERROR") + "\x1b[0m"
    assert formatter.format(_record(logging.CRITICAL)) == "\x1b[31;1m" + body.format("CRITICAL") + "\x1b[0m"
    assert formatter.format(_record(25)).startswith("\x1b[38;20m")  # between INFO and WARNING


def test_log_formatter_without_colour_writes_plain_lines():
    formatter = LogFormatter(colour=False)
    formatter.converter = time.gmtime
    assert formatter.format(_record(logging.DEBUG)) == (
        "1970-01-01 00:00:00,000 - app.pump - DEBUG - pump on (pump.py:42)"
    )


SCRIPT = textwrap.dedent("""
    import logging, sys
    from doover.utils import LogFormatter, setup_logging
    logging.getLogger().addHandler(logging.StreamHandler(sys.stdout))  # replaced by setup_logging

    class NoSecrets(logging.Filter):
        def filter(self, record):
            return "secret" not in record.getMessage()

    debug = sys.argv[1] == "debug"
    handler = setup_logging(debug, formatter=logging.Formatter("%(levelname)s:%(name)s:%(message)s"),
                            filters=NoSecrets())
    assert logging.getLogger().handlers == [handler]
    log = logging.getLogger("app")
    log.debug("checking")
    log.info("started")
    log.info("secret token")
    log.warning("low level")
    print("stdout clean")
""")


@pytest.mark.parametrize("mode, expected", [
    ("info", "INFO:app:started\nWARNING:app:low level\n"),
    ("debug", "DEBUG:app:checking\nINFO:app:started\nWARNING:app:low level\n"),
])
def test_setup_logging_replaces_the_root_handlers_with_one_stderr_handler(mode, expected):
    out = subprocess.run([sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "stdout clean\n"
    assert out.stderr == expected


def test_setup_logging_uses_log_formatter_by_default():
    code = "from doover.utils import setup_logging, LogFormatter; h = setup_logging(); " \
           "assert type(h.formatter) is LogFormatter; import logging; assert logging.getLogger().level == 20"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr


def test_alarm_module_of_the_platform_sdk_gives_create_alarm_and_its_alarm_class():
    import asyncio

    from doover.utils.alarm import Alarm, create_alarm as from_module

    assert issubclass(Alarm, ThresholdAlarm)
    assert from_module is create_alarm
    fired = []

    async def callback():
        fired.append(1)

    alarm = Alarm(threshold_met=lambda v: v > 3, callback=callback, grace_period=0, min_inter_alarm=0)

    async def app_code():  # the platform SDK's spelling: its check_value is a coroutine
        return [await alarm.check_value(2), await alarm.check_value(5, lambda v: v > 4)]

    assert asyncio.new_event_loop().run_until_complete(app_code()) == [False, True]
    assert fired == [1]


def test_files_module_of_the_platform_sdk_zips_files_into_one():
    import io
    import zipfile

    from doover.models import File
    from doover.utils.files import zip_files

    bundle = zip_files([File("a.csv", "text/csv", None, b"x,1\n"), ("b.txt", io.BytesIO(b"hi"), "text/plain")])
    assert (bundle.filename, bundle.content_type) == ("report.zip", "application/zip")
    with zipfile.ZipFile(io.BytesIO(bundle.data)) as archive:
        assert {n: archive.read(n) for n in archive.namelist()} == {"a.csv": b"x,1\n", "b.txt": b"hi"}
    assert zip_files(("one.csv", b"1", "text/csv")).filename == "one.zip"
