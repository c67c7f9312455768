"""Our Modbus simulator checked by pymodbus's synchronous client, its register maps, the tank
level sensor, and the ``doover simulate modbus`` command as a real subprocess."""

import json
import os
import signal
import subprocess
import sys

import pytest

from doover.exceptions import ModbusArgumentError, ModbusDeviceError, ModbusTimeoutError, SerialPortError
from doover.hardware.modbus import ModbusInterface, decode_float32
from doover.hardware.simulators import ModbusSimulator, RegisterMap, tank_level_registers

import hw_peers as peers

MAP = {
    "slaves": {
        "1": {
            "holding": {"0": [10, 20, 30], "3-9": 5},
            "input": {"0": [100, 200]},
            "coils": {"0": [1, 0, 1, 1]},
            "discrete": {"0": [0, 1, 1]},
        },
        "2": {"holding": {"0": 77}},
    }
}


@pytest.fixture
def sim():
    with ModbusSimulator(RegisterMap.from_dict(MAP)) as simulator:
        yield simulator


def pymodbus_round_trip(client):
    assert client.connect()
    try:
        rr = peers.client_call(client, "read_holding_registers", 0, count=10, unit=1)
        assert not rr.isError() and list(rr.registers) == [10, 20, 30] + [5] * 7
        rr = peers.client_call(client, "read_input_registers", 0, count=2, unit=1)
        assert list(rr.registers) == [100, 200]
        rr = peers.client_call(client, "read_coils", 0, count=4, unit=1)
        assert list(rr.bits[:4]) == [True, False, True, True]
        rr = peers.client_call(client, "read_discrete_inputs", 0, count=3, unit=1)
        assert list(rr.bits[:3]) == [False, True, True]
        assert not peers.client_call(client, "write_register", 1, 222, unit=1).isError()
        assert not peers.client_call(client, "write_registers", 4, [7, 8], unit=1).isError()
        assert not peers.client_call(client, "write_coil", 1, True, unit=1).isError()
        assert not peers.client_call(client, "write_coils", 2, [False, False], unit=1).isError()
        rr = peers.client_call(client, "read_holding_registers", 0, count=6, unit=1)
        assert list(rr.registers) == [10, 222, 30, 5, 7, 8]
        rr = peers.client_call(client, "read_coils", 0, count=4, unit=1)
        assert list(rr.bits[:4]) == [True, True, False, False]
        rr = peers.client_call(client, "read_holding_registers", 0, count=1, unit=2)
        assert list(rr.registers) == [77]
        rr = peers.client_call(client, "read_holding_registers", 50, count=1, unit=1)
        assert rr.isError() and rr.exception_code == 2
    finally:
        client.close()


def test_pymodbus_serial_client_against_simulator_pty(sim):
    path = sim.serve_pty()
    pymodbus_round_trip(peers.serial_client(path))
    slave, function = sim.requests[0]
    assert (slave, function) == (1, 3)


def test_pymodbus_tcp_client_against_simulator_tcp(sim):
    host, port = sim.serve_tcp()
    pymodbus_round_trip(peers.tcp_client(host, port))


def test_pymodbus_ascii_client_against_simulator_ascii_pty(sim):
    path = sim.serve_pty(framing="ascii")
    client = peers.serial_client(path, framing="ascii")
    assert client.connect()
    try:
        rr = peers.client_call(client, "read_holding_registers", 0, count=3, unit=1)
        assert list(rr.registers) == [10, 20, 30]
    finally:
        client.close()


def test_simulator_answers_unknown_function_with_exception_1_and_ignores_unknown_slave(sim):
    path = sim.serve_pty()
    with ModbusInterface(buses={"d": {"serial_port": path, "serial_timeout": 1.0}}, retries=0) as iface:
        with pytest.raises(ModbusTimeoutError):
            iface.read_registers(modbus_id=9)
        with pytest.raises(ModbusDeviceError) as info:
            iface.read_registers(modbus_id=1, start_address=5, num_registers=1, register_type="input")
        assert info.value.code == 2
    # FC 0x2B (device identification) is not implemented: exception 1 after a pause-delimited frame
    from doover.hardware.simulators._device import handle_request

    assert handle_request(sim.registers, 1, bytes([0x2B, 0x0E, 1, 0])) == bytes([0xAB, 1])
    assert handle_request(sim.registers, 1, bytes([3, 0, 0, 0, 126])) == bytes([0x83, 3])
    assert handle_request(sim.registers, 1, bytes([5, 0, 0, 0x12, 0x34])) == bytes([0x85, 3])


def test_simulator_latency_and_drop_rate_are_applied():
    regs = RegisterMap.from_dict({"holding": {"0": 1}})
    with ModbusSimulator(regs, drop_rate=1.0) as sim:
        host, port = sim.serve_tcp()
        with ModbusInterface(buses={"d": {"type": "tcp", "tcp_uri": "{}:{}".format(host, port), "tcp_timeout": 0.3}}) as iface:
            with pytest.raises(ModbusTimeoutError):
                iface.read_registers(retries=0)
        assert len(sim.requests) == 1


def test_simulator_stop_makes_pty_vanish_and_restart_behind_same_link_recovers(tmp_path):
    link = str(tmp_path / "ttySIM")
    regs = RegisterMap.from_dict({"holding": {"0": 123}})
    first = ModbusSimulator(regs)
    first.serve_pty(link=link)
    iface = ModbusInterface(buses={"d": {"serial_port": link, "serial_timeout": 1.0}}, retries=0)
    try:
        assert iface.read_registers() == 123
        first.stop()
        assert not os.path.exists(link)
        with pytest.raises((SerialPortError, ModbusTimeoutError)):
            iface.read_registers()
        with ModbusSimulator(regs) as second:
            second.serve_pty(link=link)
            assert iface.read_registers(retries=1) == 123
    finally:
        iface.close()


def test_register_map_from_json_file_with_default_slave(tmp_path):
    path = tmp_path / "regs.json"
    path.write_text(json.dumps({"holding": {"10": [1, 2], "20-22": 9}, "coils": {"0": [True, False]}}))
    regs = RegisterMap.from_json_file(str(path), default_slave=5)
    assert regs.to_dict() == {
        "slaves": {"5": {"coils": {"0": 1, "1": 0}, "holding": {"10": 1, "11": 2, "20": 9, "21": 9, "22": 9}}}
    }


@pytest.mark.parametrize(
    "data, match",
    [
        ({"slaves": {"x": {}}}, "slaves.x"),
        ({"slaves": {"1": {"holdings": {}}}}, "register_type"),
        ({"slaves": {"1": {"holding": {"a": 1}}}}, "holding.a"),
        ({"slaves": {"1": {"holding": {"0": "high"}}}}, "expected numbers"),
        ({"slaves": {"1": {"holding": {"5-2": 0}}}}, "5-2"),
    ],
)
def test_bad_register_map_raises_naming_the_entry(data, match):
    with pytest.raises(ModbusArgumentError, match=match):
        RegisterMap.from_dict(data)


def test_register_map_file_that_is_not_json_raises(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    with pytest.raises(ModbusArgumentError, match="not valid JSON"):
        RegisterMap.from_json_file(str(path))


def test_tank_level_sensor_follows_function_of_time_and_alarms():
    now = [0.0]
    regs = RegisterMap(clock=lambda: now[0])
    tank_level_registers(slave=3, level=lambda t: 10.0 + t, capacity_litres=2000, registers=regs)
    with ModbusSimulator(regs) as sim:
        host, port = sim.serve_tcp()
        with ModbusInterface(buses={"d": {"type": "tcp", "tcp_uri": "{}:{}".format(host, port)}}) as iface:
            assert iface.read_registers(modbus_id=3, start_address=0, num_registers=4, register_type="input")[0] == 100
            now[0] = 85.5
            words = iface.read_registers(modbus_id=3, start_address=0, num_registers=4, register_type=3)
            assert words[0] == 955
            assert decode_float32(words[1:3]) == 95.5
            assert words[3] == 1910
            assert iface.read_discrete_inputs(modbus_id=3, start_address=0, count=2) == [True, False]
            iface.write_single_register(modbus_id=3, address=10, value=990)
            assert iface.read_discrete_inputs(modbus_id=3, start_address=0, count=2) == [False, False]
            now[0] = 200.0  # level clamps at 100 %
            assert iface.read_registers(modbus_id=3, start_address=0, register_type="holding") == 1000


def _run_cli(args, **kwargs):
    return subprocess.Popen(
        [sys.executable, "-m", "doover", "simulate", "modbus"] + args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs
    )


def test_cli_serves_register_file_over_tcp_and_exits_0_on_sigterm(tmp_path):
    path = tmp_path / "regs.json"
    path.write_text(json.dumps({"input": {"0": [11, 12]}}))
    port = peers.free_port()
    proc = _run_cli(["--port", "tcp://127.0.0.1:{}".format(port), "--registers", str(path), "--slave", "4"])
    try:
        line = proc.stdout.readline()
        assert line.startswith("doover: serving Modbus TCP on tcp://127.0.0.1:{}".format(port)), line
        assert "slaves 4" in line
        with ModbusInterface(buses={"d": {"type": "tcp", "tcp_uri": "127.0.0.1:{}".format(port)}}) as iface:
            assert iface.read_registers(modbus_id=4, num_registers=2, register_type="input") == [11, 12]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()


def test_cli_serves_tank_map_on_pty_link_and_exits_0_on_ctrl_c(tmp_path):
    link = str(tmp_path / "ttyTANK")
    proc = _run_cli(["--port", link])
    try:
        line = proc.stdout.readline()
        assert line.startswith("doover: serving Modbus RTU on {}".format(link)), line
        with ModbusInterface(buses={"d": {"serial_port": link, "serial_timeout": 1.0}}) as iface:
            assert iface.read_registers(modbus_id=1, start_address=10, register_type="holding") == 900
        proc.send_signal(signal.SIGINT)
        assert proc.wait(60) == 0  # generous: a loaded 2-core CI box
        assert not os.path.exists(link)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()


def test_cli_bad_register_file_exits_1_with_message(tmp_path):
    proc = _run_cli(["--port", "tcp://127.0.0.1:0", "--registers", str(tmp_path / "missing.json")])
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 1
    assert "register map" in err and "missing.json" in err
