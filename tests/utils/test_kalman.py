import asyncio
import random
import statistics

import pytest

from doover.exceptions import InvalidArgumentError
from doover.utils import KalmanFilter1D, apply_async_kalman_filter, apply_kalman_filter


def test_kalman_converges_on_a_noisy_constant_with_fixed_seed():
    rng = random.Random(1234)
    filt = KalmanFilter1D(process_variance=0.0001, measurement_variance=0.5)
    raw, smoothed = [], []
    for _ in range(300):
        reading = 10.0 + rng.gauss(0, 0.7)
        raw.append(reading)
        smoothed.append(filt.update(reading, dt=1))
    # steady state: P ~ sqrt(Q*R) ~ 0.007, so the estimate is within ~0.08 (1 sd) of 10
    assert abs(smoothed[-1] - 10.0) < 0.25
    assert abs(statistics.mean(smoothed[-100:]) - 10.0) < 0.1
    # the filtered tail scatters far less than the raw readings do
    assert statistics.pstdev(smoothed[-100:]) < statistics.pstdev(raw[-100:]) / 4
    assert filt.error_estimate == pytest.approx(0.0071, abs=0.001)


def test_kalman_first_update_initialises_and_second_matches_hand_computation():
    filt = KalmanFilter1D(process_variance=0.5, measurement_variance=0.5)
    assert filt.update(10.0) == 10.0
    assert filt.error_estimate == 0.5
    # P = 0.5 + 0.5*1 = 1.0; K = 1/1.5; x = 10 + K*2; P = (1-K)*1
    assert filt.update(12.0, dt=1) == pytest.approx(10 + 2 / 1.5)
    assert filt.kalman_gain == pytest.approx(2 / 3)
    assert filt.error_estimate == pytest.approx(1 / 3)


def test_kalman_outlier_is_down_weighted_by_the_multiplier():
    filt = KalmanFilter1D(process_variance=0.5, measurement_variance=0.5)
    filt.update(10.0)
    # innovation 90 > 5 * sqrt(0.5 + 0.5): R becomes 0.5 * 25
    estimate = filt.update(100.0, dt=0)
    assert filt.last_was_outlier is True
    assert estimate == pytest.approx(10 + 90 * 0.5 / (0.5 + 12.5))

    unprotected = KalmanFilter1D(process_variance=0.5, measurement_variance=0.5)
    unprotected.update(10.0)
    assert unprotected.update(100.0, dt=0, outlier_protection=False) == pytest.approx(55.0)
    assert unprotected.last_was_outlier is False


def test_kalman_dt_comes_from_the_injected_clock():
    now = [100.0]
    filt = KalmanFilter1D(process_variance=2.0, measurement_variance=1.0, clock=lambda: now[0])
    filt.update(0.0)
    now[0] = 103.0  # P = 1 + 2*3 = 7, K = 7/8
    assert filt.update(8.0) == pytest.approx(7.0)


def test_kalman_none_reading_returns_last_estimate_and_disabled_passes_through():
    filt = KalmanFilter1D()
    assert filt.update(None) is None
    filt.update(4.0)
    assert filt.update(None) == 4.0
    filt.enabled = False
    assert filt.update(99.0) == 99.0
    filt.enabled = True
    filt.reset()
    assert filt.update(7.5) == 7.5


def test_kalman_rejects_bad_parameters_naming_them():
    with pytest.raises(InvalidArgumentError, match="process_variance"):
        KalmanFilter1D(process_variance=-1)
    with pytest.raises(InvalidArgumentError, match="measurement: expected a number"):
        KalmanFilter1D().update("12")
    with pytest.raises(InvalidArgumentError, match="outlier_threshold"):
        apply_kalman_filter(outlier_threshold=0)


class Sensor:
    def __init__(self, readings):
        self.readings = list(readings)
        self.calls = []

    @apply_kalman_filter(process_variance=0.5, measurement_variance=0.5)
    def read(self, **kwargs):
        self.calls.append(kwargs)
        return self.readings.pop(0)


def test_kalman_decorator_keeps_one_filter_per_instance_and_strips_kf_options():
    a, b = Sensor([10.0, 12.0]), Sensor([50.0])
    assert a.read() == 10.0
    assert b.read() == 50.0  # its own filter: not pulled towards 10
    assert a.read(kf_dt=1) == pytest.approx(10 + 2 / 1.5)
    assert a.calls == [{}, {}]
    assert Sensor.read.kalman_filter(a).estimate == pytest.approx(10 + 2 / 1.5)
    assert Sensor.read.kalman_filter(b).estimate == 50.0


def test_kalman_decorator_on_a_plain_function_shares_one_filter():
    readings = iter([1.0, 3.0])

    @apply_kalman_filter(process_variance=0.5, measurement_variance=0.5)
    def level():
        return next(readings)

    assert level() == 1.0
    assert level(kf_dt=1, kf_measurement_variance=1.0) == pytest.approx(1 + 2 * 1.0 / 2.0)
    assert level.__name__ == "level"


class AsyncSensor:
    def __init__(self, readings):
        self.readings = list(readings)

    @apply_async_kalman_filter(process_variance=0.5, measurement_variance=0.5)
    async def read(self):
        await asyncio.sleep(0)
        return self.readings.pop(0)


def test_async_kalman_decorator_filters_awaited_readings():
    sensor = AsyncSensor([10.0, 12.0])

    async def main():
        return [await sensor.read(), await sensor.read(kf_dt=1)]

    first, second = asyncio.run(main())
    assert first == 10.0
    assert second == pytest.approx(10 + 2 / 1.5)


def test_kalman_decorators_refuse_the_wrong_kind_of_function():
    with pytest.raises(InvalidArgumentError, match="apply_async_kalman_filter"):
        @apply_kalman_filter()
        async def a():
            return 1
    with pytest.raises(InvalidArgumentError, match="use apply_kalman_filter"):
        @apply_async_kalman_filter()
        def b():
            return 1
