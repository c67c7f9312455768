import pytest

from doover.exceptions import TagError
from doover.tags import (
    AnyChange,
    Boolean,
    Cross,
    Delta,
    Enter,
    Exit,
    Fall,
    Number,
    ProcessorTagManager,
    Rise,
    String,
    Tags,
)


def fired_sequence(trigger, values, prev=None):
    state = {}
    out = []
    for value in values:
        out.append(trigger.fires(prev, value, state))
        prev = value
    return out


def test_cross_fires_both_ways_with_a_deadband():
    # band is 78..82 around 80
    assert fired_sequence(Cross(80, deadband=4), [70, 81, 83, 79, 77, 79, 82, 90]) == [
        False, False, True, False, True, False, True, False,
    ]


def test_rise_and_fall_fire_in_one_direction_only():
    values = [10, 60, 40, 60, 40]
    assert fired_sequence(Rise(50), values) == [False, True, False, True, False]
    assert fired_sequence(Fall(50), values) == [False, False, True, False, True]


def test_several_thresholds_are_tracked_separately():
    assert fired_sequence(Rise(10, 20), [0, 15, 25, 5, 25]) == [False, True, True, False, True]
    assert Rise([20, 10]).thresholds == [10.0, 20.0]


def test_crossing_state_is_seeded_from_the_value_stored_before_the_first_write():
    # a processor starts every invocation with fresh trigger state: a stored value
    # already above the threshold must not log a "rise" again
    assert fired_sequence(Rise(50), [70], prev=60) == [False]
    assert fired_sequence(Fall(50), [40], prev=60) == [True]
    # with nothing stored the side starts below, as in the reference SDK
    assert fired_sequence(Rise(50), [70], prev=None) == [True]


def test_threshold_triggers_ignore_non_numbers():
    assert fired_sequence(Cross(1), [True, None, "5"]) == [False, False, False]


def test_delta_by_amount_logs_first_write_and_moves_the_baseline():
    assert fired_sequence(Delta(amount=5), [10, 12, 15, 16, 19, 21]) == [True, False, True, False, False, True]


def test_delta_by_percent_and_from_zero():
    assert fired_sequence(Delta(percent=10), [100, 105, 111, 99, 98]) == [True, False, True, True, False]
    assert fired_sequence(Delta(percent=10), [0, 0, 1]) == [True, False, True]


def test_delta_needs_exactly_one_of_amount_and_percent():
    with pytest.raises(TagError, match="give exactly one of amount= or percent="):
        Delta()
    with pytest.raises(TagError, match="give exactly one of amount= or percent="):
        Delta(amount=1, percent=2)
    with pytest.raises(TagError, match="amount must be a number >= 0"):
        Delta(amount=-1)


def test_any_change_enter_and_exit():
    assert fired_sequence(AnyChange(), ["a", "a", "b", None], prev="a") == [False, False, True, True]
    assert fired_sequence(Enter("alarm"), ["ok", "alarm", "alarm", "ok"], prev="ok") == [False, True, False, False]
    assert fired_sequence(Exit("alarm"), ["ok", "alarm", "alarm", "ok"], prev="ok") == [False, False, False, True]
    # True and 1 are different values
    assert fired_sequence(AnyChange(), [1], prev=True) == [True]


def test_threshold_arguments_are_validated():
    with pytest.raises(TagError, match="Cross: expected at least one threshold"):
        Cross()
    with pytest.raises(TagError, match="Rise: thresholds must be numbers, got 'x'"):
        Rise("x")
    with pytest.raises(TagError, match="deadband must be a number >= 0"):
        Fall(1, deadband=-2)


class Alarms(Tags):
    pressure = Number(log_on=Rise(100, deadband=10))
    state = String(log_on=[Enter("fault"), Exit("fault")])
    door = Boolean(log_on=AnyChange())


def test_fired_triggers_promote_writes_to_logged_even_when_history_is_off():
    manager = ProcessorTagManager("app", tag_values={"app": {"pressure": 90, "state": "ok", "door": False}}, record_tag_update=False)
    tags = Alarms("app", manager, None)
    tags.pressure.set(103)  # inside the band: no crossing yet
    assert manager.build_commit().log_message is None
    tags.pressure.set(106)
    assert manager.build_commit().log_message == {"app": {"pressure": 106, "state": "ok", "door": False}}
    tags.state.set("fault")
    assert manager.build_commit().log_message is not None
    tags.state.set("warn")
    assert manager.build_commit().log_message is not None
    tags.state.set("ok")
    assert manager.build_commit().log_message is None
    tags.door.set(True)
    assert manager.build_commit().log_message is not None


def test_trigger_state_is_per_tags_instance():
    manager = ProcessorTagManager("app", tag_values={"app": {}}, record_tag_update=False)
    first = Alarms("app", manager, None)
    second = Alarms("app", manager, None)
    first.pressure.set(120)  # first instance fires: nothing stored, side starts below
    assert manager.build_commit().log_message == {"app": {"pressure": 120}}
    second.pressure.set(90)
    second.pressure.set(130)  # the second instance has its own state
    assert manager.build_commit().log_message == {"app": {"pressure": 130}}
