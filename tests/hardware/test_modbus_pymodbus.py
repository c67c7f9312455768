"""ModbusInterface against pymodbus servers (an independent Modbus stack): RTU and ASCII over
a pseudo-terminal pair, Modbus TCP and RTU-over-TCP on loopback."""

import socket
import threading

import pytest

from doover.exceptions import (
    ModbusDeviceError,
    ModbusFrameError,
    ModbusTimeoutError,
    SerialPortError,
)
from doover.hardware.modbus import ModbusInterface, decode_float32

import hw_peers as peers

# Generous: the peer is a pymodbus server on a thread of this (possibly loaded) test process, and
# a late answer fails a happy-path test. Tests that expect a timeout pay it once or twice.
ANSWER_WITHIN = 2.0

HOLDING = [1000 + i for i in range(100)]
INPUTS = [2000 + i for i in range(100)]
COILS = [1, 0, 1, 1, 0, 0, 1, 0] + [0] * 92
DISCRETE = [0, 1, 1, 0, 1] + [0] * 95


def fresh_context():
    return peers.server_context(
        {
            1: peers.device_context(coils=COILS, discrete=DISCRETE, holding=HOLDING, inputs=INPUTS),
            2: peers.device_context(holding=[7] * 100),
        }
    )


@pytest.fixture
def bridge(tmp_path):
    b = peers.PtyBridge(str(tmp_path / "ttyDOOVER"))
    yield b
    b.close()


def _serial_server(bridge, framing):
    return peers.PymodbusServer(fresh_context(), framing, serial_port=bridge.server_path).start()


@pytest.fixture
def rtu(bridge):
    server = _serial_server(bridge, "rtu")
    iface = ModbusInterface(
        buses={"default": {"serial_port": bridge.client_path, "serial_baud": 9600, "serial_timeout": ANSWER_WITHIN}},
        retries=0,
    )
    yield iface, bridge, server
    iface.close()
    server.stop()


@pytest.fixture
def tcp():
    server = peers.PymodbusServer(fresh_context(), "tcp").start()
    iface = ModbusInterface(
        buses={"default": {"type": "tcp", "tcp_uri": "127.0.0.1:{}".format(server.tcp_port), "tcp_timeout": ANSWER_WITHIN}},
        retries=0,
    )
    yield iface, server
    iface.close()
    server.stop()


@pytest.fixture
def rtu_over_tcp():
    server = peers.PymodbusServer(fresh_context(), "rtu").start()
    iface = ModbusInterface(
        buses={"default": {"serial_port": "socket://127.0.0.1:{}".format(server.tcp_port), "serial_timeout": ANSWER_WITHIN}},
        retries=0,
    )
    yield iface, server
    iface.close()
    server.stop()


def exercise_every_function_code(iface):
    # FC03 / FC04 with both register type conventions
    assert iface.read_registers(modbus_id=1, start_address=0, num_registers=10, register_type=4) == HOLDING[:10]
    assert iface.read_registers(modbus_id=1, start_address=5, num_registers=1, register_type="holding") == 1005
    assert iface.read_registers(modbus_id=1, start_address=3, num_registers=4, register_type=3) == INPUTS[3:7]
    assert iface.read_registers(modbus_id=1, start_address=0, num_registers=1, register_type="input") == 2000
    # FC01 / FC02
    assert iface.read_coils(modbus_id=1, start_address=0, count=8) == [bool(v) for v in COILS[:8]]
    assert iface.read_registers(modbus_id=1, start_address=0, num_registers=3, register_type=1) == [1, 0, 1]
    assert iface.read_discrete_inputs(modbus_id=1, start_address=0, count=5) == [bool(v) for v in DISCRETE[:5]]
    assert iface.read_registers(modbus_id=1, start_address=1, num_registers=2, register_type="discrete") == [1, 1]
    # FC06 / FC16
    assert iface.write_single_register(modbus_id=1, address=20, value=4242) is True
    assert iface.write_registers(modbus_id=1, start_address=21, values=[1, 2, 65535]) is True
    assert iface.read_registers(modbus_id=1, start_address=20, num_registers=4) == [4242, 1, 2, 65535]
    # FC05 / FC15
    assert iface.write_single_coil(modbus_id=1, address=10, value=True) is True
    assert iface.write_registers(modbus_id=1, start_address=11, values=[1, 0, 1], register_type="coil") is True
    assert iface.read_coils(modbus_id=1, start_address=10, count=4) == [True, True, False, True]
    # typed values round-trip through the device
    assert iface.write_float32(modbus_id=1, start_address=30, values=3.5) is True
    assert iface.read_float32(modbus_id=1, start_address=30) == 3.5
    assert iface.write_int32(modbus_id=1, start_address=32, values=[-5, 70000], word_order="little") is True
    assert iface.read_int32(modbus_id=1, start_address=32, count=2, word_order="little") == [-5, 70000]
    # a second slave on the same bus
    assert iface.read_registers(modbus_id=2, start_address=0, num_registers=2) == [7, 7]


def test_rtu_over_pty_every_function_code(rtu):
    iface, _, _ = rtu
    exercise_every_function_code(iface)


def test_ascii_over_pty_every_function_code(bridge):
    server = _serial_server(bridge, "ascii")
    iface = ModbusInterface(
        buses={"default": {"serial_port": bridge.client_path, "serial_method": "ascii", "serial_timeout": ANSWER_WITHIN}},
        retries=0,
    )
    try:
        exercise_every_function_code(iface)
    finally:
        iface.close()
        server.stop()


def test_modbus_tcp_every_function_code(tcp):
    iface, _ = tcp
    exercise_every_function_code(iface)


def test_rtu_over_tcp_socket_url_every_function_code(rtu_over_tcp):
    iface, _ = rtu_over_tcp
    exercise_every_function_code(iface)


@pytest.mark.parametrize("fixture", ["rtu", "tcp"])
def test_device_exception_from_pymodbus_carries_code_2(fixture, request):
    iface = request.getfixturevalue(fixture)[0]
    with pytest.raises(ModbusDeviceError) as info:
        iface.read_registers(modbus_id=1, start_address=150, num_registers=1)
    assert info.value.code == 2
    assert info.value.code_name == "ILLEGAL DATA ADDRESS"
    # the bus is still fine afterwards
    assert iface.read_registers(modbus_id=1, start_address=0) == 1000


def test_rtu_request_lost_on_the_wire_times_out_then_recovers(rtu):
    iface, bridge, _ = rtu
    bridge.drop_next_bytes(8)
    with pytest.raises(ModbusTimeoutError, match="slave 1"):
        iface.read_registers(modbus_id=1, start_address=0)
    assert iface.read_registers(modbus_id=1, start_address=1) == 1001


def test_rtu_lost_request_is_retried_when_retries_allow(rtu):
    iface, bridge, _ = rtu
    bridge.drop_next_bytes(8)
    assert iface.read_registers(modbus_id=1, start_address=2, retries=1) == 1002


def test_rtu_corrupt_reply_raises_frame_error_and_retry_recovers(rtu):
    iface, bridge, _ = rtu
    bridge.corrupt_next()
    with pytest.raises(ModbusFrameError):
        iface.read_registers(modbus_id=1, start_address=0, num_registers=4)
    bridge.corrupt_next()
    assert iface.read_registers(modbus_id=1, start_address=0, num_registers=4, retries=1) == HOLDING[:4]


def test_tcp_device_that_never_answers_times_out():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    iface = ModbusInterface(buses={"d": {"type": "tcp", "tcp_uri": "127.0.0.1:{}".format(port), "tcp_timeout": 0.3}})
    try:
        with pytest.raises(ModbusTimeoutError, match="unit 1"):
            iface.read_registers(modbus_id=1, retries=0)
    finally:
        iface.close()
        listener.close()


@pytest.mark.parametrize("fixture", ["rtu", "tcp", "rtu_over_tcp"])
def test_concurrent_callers_on_one_bus_get_their_own_answers(fixture, request):
    iface = request.getfixturevalue(fixture)[0]
    errors = []
    results = {}

    def worker(index):
        try:
            got = []
            for round_ in range(15):
                address = (index * 7 + round_) % 90
                got.append(iface.read_registers(modbus_id=1, start_address=address, num_registers=3) == HOLDING[address:address + 3])
            results[index] = got
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert results == {i: [True] * 15 for i in range(4)}


def test_serial_port_vanishes_then_bus_reopens_on_next_call(rtu):
    iface, bridge, _ = rtu
    assert iface.read_registers(modbus_id=1) == 1000
    bridge.cut_client()
    with pytest.raises(SerialPortError):
        iface.read_registers(modbus_id=1)
    with pytest.raises(SerialPortError):  # the pty is gone: reopening fails too
        iface.read_registers(modbus_id=1)
    bridge.reconnect_client()
    assert iface.read_registers(modbus_id=1, start_address=3) == 1003
    assert iface.fetch_bus_status() is True


def test_tcp_server_restart_then_bus_reconnects(tcp):
    iface, server = tcp
    assert iface.read_registers(modbus_id=1) == 1000
    port = server.tcp_port
    server.stop()
    with pytest.raises((SerialPortError, ModbusTimeoutError)):
        iface.read_registers(modbus_id=1)
    assert iface.fetch_bus_status() is False
    again = peers.PymodbusServer(fresh_context(), "tcp", tcp_port=port).start()
    try:
        assert iface.read_registers(modbus_id=1, start_address=4) == 1004
    finally:
        again.stop()


def test_subscription_polls_pymodbus_and_stops_when_cancelled(tcp):
    iface, _ = tcp
    seen = []
    got_three = threading.Event()

    def on_values(values):
        seen.append(values)
        if len(seen) >= 3:
            got_three.set()

    sub = iface.add_read_register_subscription(
        modbus_id=1, start_address=0, num_registers=2, register_type=4, poll_secs=0.05, callback=on_values
    )
    assert got_three.wait(20)
    sub.cancel()
    assert sub.join(10)
    assert seen[:3] == [[1000, 1001]] * 3
    assert sub.failures == 0


def test_float_decoding_matches_pymodbus_registers(tcp):
    iface, _ = tcp
    iface.write_registers(modbus_id=1, start_address=40, values=[0x4048, 0xF5C3])
    words = iface.read_registers(modbus_id=1, start_address=40, num_registers=2)
    assert abs(decode_float32(words) - 3.14) < 1e-6
    assert iface.read_float32(modbus_id=1, start_address=40) == pytest.approx(3.14, abs=1e-6)
