"""PlatformInterface: pin conventions, every method on the simulated board, pulse counters,
NotSupportedError, and the Modbus I/O backend against our simulator."""

import asyncio
import threading

import pytest

from doover.exceptions import InvalidArgumentError, NotSupportedError
from doover.hardware.modbus import ModbusInterface
from doover.hardware.platform import (
    AsyncPlatformInterface,
    DIConfig,
    Location,
    ModbusIOBackend,
    PlatformBackend,
    PlatformInterface,
    SimulatedBoard,
    SleepLogEntry,
)
from doover.hardware.simulators import ModbusSimulator, RegisterMap


class Clock:
    def __init__(self, start=1_700_000_000.0):
        self.now = start

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def board(clock):
    return SimulatedBoard(clock=clock, seed=7)


@pytest.fixture
def plt(board):
    iface = PlatformInterface("app", backend=board)
    yield iface
    iface.close()


def test_default_backend_is_a_simulated_doovit_layout():
    iface = PlatformInterface()
    assert isinstance(iface.backend, SimulatedBoard)
    assert iface.fetch_io_table() == {"DI": [0, 1, 2, 3], "DO": [0, 1, 2, 3, 4, 5], "AI": [0, 1, 2, 3, 4, 5], "AO": [0, 1]}


def test_pins_are_varargs_lists_or_nested_and_single_results_unwrap(plt, board):
    board.set_di(1, True)
    assert plt.fetch_di(1) is True
    assert plt.fetch_di(0, 1) == [False, True]
    assert plt.fetch_di([0, 1]) == [False, True]
    assert plt.fetch_di(0, [1, (2.0,)]) == [False, True, False]
    assert plt.fetch_di([1]) is True
    assert plt.fetch_di([]) == []


def test_set_do_broadcasts_one_value_and_checks_lengths(plt):
    assert plt.set_do([0, 2, 4], 1) == [True, True, True]
    assert plt.fetch_do(0, 1, 2, 3, 4) == [True, False, True, False, True]
    assert plt.set_do([1, 2], [True, False]) == [True, False]
    assert plt.set_do(5, [[1]]) is True
    with pytest.raises(InvalidArgumentError, match="same length: 2 pins, 3 values"):
        plt.set_do([0, 1], [1, 0, 1])
    with pytest.raises(ValueError):
        plt.set_do([0, 1], [1, 0, 1])


def test_set_ao_accepts_numbers_and_lists_but_not_tuples(plt):
    assert plt.set_ao(0, 3) == 3.0
    assert plt.set_ao([0, 1], [1.5, 2.5]) == [1.5, 2.5]
    assert plt.fetch_ao(0, 1) == [1.5, 2.5]
    with pytest.raises(InvalidArgumentError, match="list of numbers"):
        plt.set_ao([0, 1], (1.0, 2.0))


def test_unknown_pin_names_the_method_and_layout(plt):
    with pytest.raises(InvalidArgumentError, match="fetch_di: pin 4 does not exist; the simulated board has DI 0..3"):
        plt.fetch_di(4)
    with pytest.raises(InvalidArgumentError, match="pin numbers"):
        plt.fetch_ai("0")


@pytest.mark.parametrize("in_secs", [-1, 1.5, "3", True])
def test_schedule_requires_int_in_secs_at_least_0(plt, in_secs):
    with pytest.raises(InvalidArgumentError, match="in_secs"):
        plt.schedule_do(0, True, in_secs)


def test_scheduled_outputs_apply_when_the_clock_reaches_them(plt, clock):
    assert plt.schedule_do([0, 1], True, 10) == [True, True]
    assert plt.schedule_ao(1, 4.5, 5) == 4.5
    assert plt.fetch_do(0, 1) == [False, False]
    clock.now += 5
    assert plt.fetch_ao(1) == 4.5
    assert plt.fetch_do(0) is False
    clock.now += 5
    assert plt.fetch_do(0, 1) == [True, True]
    assert plt.schedule_do(2, True, 0) is True
    assert plt.fetch_do(2) is True


def test_analog_inputs_fixed_scripted_and_seeded_random_walk(plt, board, clock):
    board.set_ai(0, 4.2)
    board.script_ai(1, lambda t: 2.0 * t)
    board.random_walk_ai(2, start=10.0, step=0.5, low=9.8, high=10.3)
    clock.now += 3
    first = plt.fetch_ai(0, 1, 2)
    assert first[:2] == [4.2, 6.0]
    walk = [plt.fetch_ai(2) for _ in range(20)]
    assert all(9.8 <= v <= 10.3 for v in walk) and len(set(walk)) > 1
    again = SimulatedBoard(clock=Clock(), seed=7)
    again.random_walk_ai(2, start=10.0, step=0.5, low=9.8, high=10.3)
    assert [first[2]] + walk == [again.read_ai([2])[0] for _ in range(21)]


def test_system_values_location_and_settings(plt, board):
    assert plt.fetch_system_voltage() == 12.4
    assert plt.fetch_system_power() == 3.2
    assert plt.fetch_system_temperature() == 41.5
    assert plt.fetch_location() is None
    board.location_fix = Location(-33.86, 151.21, altitude_m=20.0)
    assert plt.fetch_location() == Location(-33.86, 151.21, 20.0)
    assert plt.set_immunity_seconds(120) == 120 and plt.fetch_immunity_seconds() == 120
    assert plt.set_wake_on_voltage(12.9) == 12.9 and plt.fetch_wake_on_voltage() == 12.9
    assert plt.set_wake_on_voltage(None) == 0.0
    assert plt.fetch_wake_reason() == ""
    board.wake_reason_text = "voltage"
    assert plt.fetch_wake_reason() == "voltage"
    assert plt.set_sleep_log_interval(300) == 300 and plt.fetch_sleep_log_interval() == 300
    board.sleep_log_entries = [SleepLogEntry(1000, 12.1, 0.1), SleepLogEntry(2000, 12.0, 0.1)]
    assert [e.timestamp for e in plt.fetch_sleep_log(since=1500)] == [2000]
    assert plt.schedule_startup(3600) == 3600
    assert plt.schedule_shutdown(60) == 60
    assert plt.reboot() is True and plt.shutdown() is True and plt.sync_rtc() is True
    assert board.power_actions == [("schedule_startup", 3600), ("schedule_shutdown", 60), ("reboot",), ("shutdown",), ("sync_rtc",)]
    assert plt.test_comms("hi") == "hi"
    with pytest.raises(InvalidArgumentError, match="immunity_secs"):
        plt.set_immunity_seconds(-1)


def test_do_current_and_di_readings(plt, board):
    board.set_do_current(3, 0.25)
    assert plt.fetch_do_current(3) == 0.25
    board.pulse(0, 3)
    readings = plt.fetch_di_readings(0, 1)
    assert [(r.pin, r.value, r.pulse_count) for r in readings] == [(0, False, 3), (1, False, 0)]


def test_io_details_describe_the_board(plt):
    details = plt.fetch_io_details()
    assert details.master.type == "simulated"
    di = details.channels("DI")
    assert [c.channel for c in di] == [0, 1, 2, 3]
    assert di[0].supports_pulse_counter and di[0].supports_events and di[0].supports_di_config
    assert details.channels("AI")[0].units == "V"
    assert details.master.channels_of("AO")[1].channel == 1


def test_edges_are_stored_as_events_and_filtered(plt, board, clock):
    board.set_di(2, True)
    clock.now += 1
    board.set_di(2, False)
    board.add_event("CM4_ON")
    board.set_di(3, True)
    events = plt.fetch_events()
    assert [(e.event_id, e.event, e.pin, e.value) for e in events] == [
        (1, "DI_R", 2, "1"), (2, "DI_F", 2, "0"), (3, "CM4_ON", 0, ""), (4, "DI_R", 3, "1")]
    assert events[1].time == int(clock.now * 1000)
    assert plt.fetch_events(4).event == "DI_R"  # one event is unwrapped, as in the SDK
    synced, rising = plt.fetch_di_events(2, "rising")
    assert synced is True and [e.event_id for e in rising] == [1]
    assert [e.event_id for e in plt.fetch_di_events(2, "both", include_system_events=True)[1]] == [1, 2, 3]
    with pytest.raises(InvalidArgumentError, match="edge"):
        plt.fetch_di_events(2, "up")


def test_di_config_is_patched_by_the_arguments_given(plt):
    assert plt.fetch_di_config(1) == DIConfig(pin=1)
    assert plt.set_di_config(1, debounce_ms=50, wake_on_event=True) == DIConfig(1, False, "both", 50, True)
    assert plt.set_di_config(1, irq_edge="rising").debounce_ms == 50
    with pytest.raises(InvalidArgumentError, match="debounce_ms"):
        plt.set_di_config(1, debounce_ms=-5)


def test_pulse_counter_counts_calls_back_with_five_args_and_rate_decays(plt, board, clock):
    calls = []
    counter = plt.get_new_pulse_counter(0, "rising", callback=lambda *a: calls.append(a), rate_window_secs=20)
    for _ in range(10):
        clock.now += 2
        board.pulse(0)
    assert counter.get_counter() == 10 and counter.count == 10
    assert calls[0] == (0, True, 0.0, 1, "rising")
    assert calls[1] == (0, True, 2.0, 2, "rising")
    assert counter.get_pulses_per_minute() == pytest.approx(10 * 60 / 20)
    clock.now += 10
    assert counter.get_pulses_per_minute() == pytest.approx(5 * 60 / 20)
    clock.now += 30
    assert counter.get_pulses_per_minute() == 0.0
    counter.set_counter(100)
    board.pulse(0)
    assert counter.get_counter() == 101
    counter.stop()
    board.pulse(0)
    assert counter.get_counter() == 101


def test_pulse_rate_uses_elapsed_time_while_younger_than_the_window(plt, board, clock):
    counter = plt.get_new_pulse_counter(1, rate_window_secs=60)
    clock.now += 10
    board.pulse(1, 5)
    assert counter.get_pulses_per_minute() == pytest.approx(30.0)


def test_falling_edge_counter_and_both_edges(plt, board):
    falling = plt.get_new_pulse_counter(2, "falling")
    both = plt.get_new_pulse_counter(2, "both")
    board.pulse(2, 3)
    assert (falling.count, both.count) == (3, 6)


def test_start_di_pulse_listener_and_delivery_function(board):
    delivered = []
    iface = PlatformInterface(backend=board, deliver=lambda cb, *args: delivered.append((cb, args)))
    seen = []
    listener = iface.start_di_pulse_listener(3, seen.append, edge="rising", start_count=41)
    board.pulse(3)
    assert delivered == [(seen.append, (3, True, 0.0, 42, "rising"))]
    listener.cancel()
    board.pulse(3)
    assert len(delivered) == 1


def test_event_counter_counts_stored_edges(plt, board, clock):
    for _ in range(3):
        clock.now += 1
        board.pulse(1)
    got = []
    counter = plt.get_new_event_counter(1, "rising", callback=lambda *a: got.append(a))
    assert counter.count == 3
    assert got[1] == (1, True, 1.0, 2, "rising")


def test_pulse_train_on_a_thread_drives_a_counter():
    board = SimulatedBoard()
    iface = PlatformInterface(backend=board)
    done = threading.Event()
    counter = iface.get_new_pulse_counter(0, callback=lambda *a: done.set() if a[3] >= 5 else None)
    board.start_pulse_train(0, hz=200)
    try:
        assert done.wait(20)
    finally:
        iface.close()
    assert counter.count >= 5


def test_backend_without_a_method_raises_not_supported_naming_it():
    class Minimal(PlatformBackend):
        name = "minimal"

        def read_di(self, pins):
            return [True] * len(pins)

    iface = PlatformInterface(backend=Minimal())
    assert iface.fetch_di(0, 1) == [True, True]
    with pytest.raises(NotSupportedError, match="the minimal platform backend cannot fetch_ai"):
        iface.fetch_ai(0)
    with pytest.raises(NotSupportedError, match="get_new_pulse_counter"):
        iface.get_new_pulse_counter(0)
    assert [r.value for r in iface.fetch_di_readings(0)] == [True]


def test_async_face(board):
    board.set_ai(0, 1.25)

    async def main():
        async with AsyncPlatformInterface(backend=board) as plt:
            await plt.set_do(0, True)
            return await plt.fetch_ai(0), await plt.fetch_do(0)

    assert asyncio.run(main()) == (1.25, True)


# --------------------------------------------------------------------------- Modbus I/O backend

MODULES = [
    {
        "name": "io8", "modbus_id": 1,
        "di": {"count": 4, "start_address": 0},
        "do": {"count": 4, "start_address": 16},
        "ai": {"count": 2, "start_address": 0, "raw_min": 0, "raw_max": 4000, "min": 4.0, "max": 20.0, "units": "mA"},
        "ao": {"count": 1, "start_address": 100, "raw_min": 0, "raw_max": 1000, "min": 0.0, "max": 10.0, "units": "V"},
    },
    {"name": "di16", "modbus_id": 2, "di": {"count": 2, "start_address": 8, "register_type": "coil"},
     "ai": {"count": 1, "start_address": 5, "register_type": "holding", "signed": True}},
]


@pytest.fixture
def io_modules():
    regs = RegisterMap.from_dict({"slaves": {
        "1": {"discrete": {"0": [1, 0, 1, 1]}, "coils": {"16-19": 0}, "input": {"0": [0, 2000]}, "holding": {"100": 0}},
        "2": {"coils": {"8": [0, 1]}, "holding": {"5": 65534}},
    }})
    with ModbusSimulator(regs) as sim:
        path = sim.serve_pty()
        modbus = ModbusInterface(buses={"default": {"serial_port": path, "serial_timeout": 2.0}})
        plt = PlatformInterface(backend=ModbusIOBackend(modbus, MODULES))
        yield plt, sim
        plt.close()
        modbus.close()


def test_modbus_io_reads_digital_inputs_across_modules_in_one_read_each(io_modules):
    plt, sim = io_modules
    before = len(sim.requests)
    assert plt.fetch_di(0, 1, 2, 3, 4, 5) == [True, False, True, True, False, True]
    assert sim.requests[before:] == [(1, 2), (2, 1)]


def test_modbus_io_digital_outputs_write_coils_and_read_back(io_modules):
    plt, sim = io_modules
    assert plt.set_do([1, 3], True) == [True, True]
    assert plt.fetch_do(0, 1, 2, 3) == [False, True, False, True]
    assert sim.registers.get(1, "coil", 17) == 1


def test_modbus_io_analog_scaling_both_ways(io_modules):
    plt, sim = io_modules
    assert plt.fetch_ai(0, 1, 2) == [4.0, 12.0, -2.0]
    assert plt.set_ao(0, 2.5) == 2.5
    assert sim.registers.get(1, "holding", 100) == 250
    assert plt.fetch_ao(0) == 2.5
    with pytest.raises(InvalidArgumentError, match="outside 0.0..10.0"):
        plt.set_ao(0, 11)


def test_modbus_io_scheduled_output_is_written_by_a_timer(io_modules):
    plt, sim = io_modules
    assert plt.schedule_do(0, True, 0) is True
    for _ in range(200):
        if sim.registers.get(1, "coil", 16) == 1:
            break
        threading.Event().wait(0.05)
    assert plt.fetch_do(0) is True


def test_modbus_io_details_and_unsupported_calls(io_modules):
    plt, _ = io_modules
    details = plt.fetch_io_details()
    assert [d.name for d in details.devices] == ["io8", "di16"]
    assert plt.fetch_io_table() == {"DI": [0, 1, 2, 3, 4, 5], "DO": [0, 1, 2, 3], "AI": [0, 1, 2], "AO": [0]}
    assert details.channels("AI")[0].units == "mA"
    with pytest.raises(NotSupportedError, match="modbus_io platform backend cannot fetch_system_voltage"):
        plt.fetch_system_voltage()
    with pytest.raises(NotSupportedError, match="modbus_io"):
        plt.get_new_pulse_counter(0)
    with pytest.raises(InvalidArgumentError, match="fetch_di: pin 6 does not exist"):
        plt.fetch_di(6)


@pytest.mark.parametrize(
    "modules, match",
    [
        ([], "non-empty"),
        ([{"di": {"count": 2, "register_type": "input"}}], "cannot be used for DI"),
        ([{"ai": {"count": 1, "raw_min": 5, "raw_max": 5}}], "span a range"),
        ([{"do": {"count": 1, "typo": 1}}], "unknown keys typo"),
        ([{"modbus_id": 300}], "modbus_id"),
    ],
)
def test_modbus_io_bad_module_config(modules, match):
    with pytest.raises(InvalidArgumentError, match=match):
        ModbusIOBackend(None, modules)


def test_modbus_io_backend_from_app_config(io_modules):
    from doover import config
    from doover.hardware.platform.config import ModbusIOConfig

    class AppConfig(config.Schema):
        io_modules = ModbusIOConfig("IO Modules")

    cfg = AppConfig.from_dict({"io_modules": [
        {"name": "io8", "modbus_id": 1, "di": {"count": 4},
         "ai": {"count": 2, "raw_max": 4000, "min": 4, "max": 20, "units": "mA"}},
    ]})
    plt, _ = io_modules
    backend = ModbusIOBackend.from_config(plt.backend.modbus, cfg.io_modules)
    other = PlatformInterface(backend=backend)
    assert other.fetch_di(0, 1, 2, 3) == [True, False, True, True]
    assert other.fetch_ai(0, 1) == [4.0, 12.0]
    assert other.fetch_io_table() == {"DI": [0, 1, 2, 3], "DO": [], "AI": [0, 1], "AO": []}
