import pytest

from doover.exceptions import InvalidArgumentError
from doover.utils import PID


def test_pid_step_response_matches_hand_computed_values():
    pid = PID(2.0, 0.5, 0.1, setpoint=10)
    # e=10: P=20, I=0.5*10, D=0 (no previous error)
    assert pid.update(0, dt=1) == pytest.approx(25.0)
    # e=6: P=12, I=0.5*16=8, D=0.1*(6-10)/1=-0.4
    assert pid.update(4, dt=1) == pytest.approx(19.6)
    assert pid.components == pytest.approx((12.0, 8.0, -0.4))
    # e=1, dt=0.5: P=2, I=0.5*(16+0.5)=8.25, D=0.1*(1-6)/0.5=-1
    assert pid.update(9, dt=0.5) == pytest.approx(9.25)
    assert pid.integral == pytest.approx(16.5)


def test_pid_first_update_without_dt_is_proportional_only_then_uses_the_clock():
    now = [50.0]
    pid = PID(1.0, 1.0, 0.0, setpoint=5, clock=lambda: now[0])
    assert pid.update(3) == pytest.approx(2.0)  # no time base yet: P only
    now[0] = 52.0  # dt = 2 s: I = 1 * (2 * 2)
    assert pid.update(3) == pytest.approx(2.0 + 4.0)


def test_pid_clamps_output_and_stops_integral_windup():
    pid = PID(1.0, 1.0, 0.0, setpoint=100, output_limits=(0, 10))
    for _ in range(5):
        assert pid.update(0, dt=1) == 10
    # the integral did not grow while the output was saturated high with positive error
    assert pid.integral == 0.0
    # overshoot: clamped at the low limit, and no windup that way either
    assert pid.update(105, dt=1) == 0
    assert pid.integral == 0.0
    # back inside the limits: P=5, I=0+5*1 -> 10 exactly at the limit, integral kept
    assert pid.update(95, dt=1) == 10
    assert pid.integral == pytest.approx(5.0)


def test_pid_zero_dt_returns_previous_output_and_reset_forgets_state():
    pid = PID(1.0, 0.0, 0.0, setpoint=1)
    assert pid.update(0, dt=1) == 1.0
    assert pid.update(0.5, dt=0) == 1.0
    pid.reset()
    assert pid.last_output == 0.0
    assert pid.update(0.25, dt=1) == 0.75


def test_pid_integral_preload_and_setters():
    pid = PID(0.0, 2.0, 0.0, setpoint=0)
    pid.set_integral_output(30)
    assert pid.integral == 15.0
    assert pid.update(0, dt=1) == pytest.approx(30.0)
    pid.set_setpoint(1)
    assert pid.update(0, dt=1) == pytest.approx(32.0)
    pid.set_output_limits(None, 20)
    assert pid.update(0, dt=1) == 20
    with pytest.raises(InvalidArgumentError, match="output_limits"):
        pid.set_output_limits(5, 1)
    with pytest.raises(InvalidArgumentError, match="Kp"):
        PID("1", 0, 0)
