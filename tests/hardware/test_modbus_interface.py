"""ModbusInterface wiring: bus settings from dicts and app config, bus selection, delivery of
subscription results, deprecated shims, the async face, codecs. Talks to our simulator."""

import asyncio
import threading
import warnings

import pytest

from doover import config
from doover.exceptions import ModbusArgumentError, NotSupportedError
from doover.hardware.modbus import (
    AsyncModbusInterface,
    BusSettings,
    ModbusInterface,
    bus_settings,
    decode_float32,
    decode_int32,
    decode_uint32,
    encode_float32,
    encode_int32,
    encode_uint32,
    two_words_to_32bit_float,
)
from doover.hardware.modbus.config import ManyModbusConfig, ModbusConfig
from doover.hardware.simulators import ModbusSimulator, RegisterMap


@pytest.fixture
def sim():
    regs = RegisterMap.from_dict({"slaves": {"1": {"holding": {"0": [11, 22, 33]}, "input": {"0": [44]}}}})
    with ModbusSimulator(regs) as simulator:
        yield simulator


def test_bus_settings_accept_both_key_spellings_and_parity_forms():
    a = bus_settings({"bus_type": "serial", "serial_data_bits": 7, "serial_stop_bits": 2, "serial_parity": "Even"})
    b = bus_settings({"type": "serial", "serial_bits": 7, "serial_stop": 2, "serial_parity": "E"})
    assert a == b
    assert (a.serial_bits, a.serial_stop, a.serial_parity) == (7, 2, "E")
    assert bus_settings({"serial_parity": "None"}).serial_parity == "N"
    assert bus_settings({"serial_parity": "odd"}).serial_parity == "O"


def test_bus_settings_defaults_are_modbus_config_defaults():
    s = bus_settings({})
    assert s == BusSettings(
        type="serial", name="default", serial_port="/dev/ttyAMA0", serial_baud=9600, serial_method="rtu",
        serial_bits=8, serial_parity="N", serial_stop=1, serial_timeout=0.3, tcp_uri="127.0.0.1:5000",
        tcp_timeout=2.0, retries=None,
    )
    assert s.describe() == "rtu on /dev/ttyAMA0 at 9600 8N1"


@pytest.mark.parametrize(
    "raw, match",
    [
        ({"serial_baud": "fast"}, "serial_baud: expected a number"),
        ({"serial_parity": "Maybe"}, "serial_parity"),
        ({"type": "usb"}, "type: expected 'serial' or 'tcp'"),
        ({"serial_method": "binary"}, "serial_method"),
        ({"serial_stop": 3}, "serial_stop"),
        ({"serial_bits": 9}, "serial_bits"),
        ({"type": "tcp", "tcp_uri": "host:port"}, "tcp_uri"),
        ({"serial_baudrate_": 9600}, "unknown setting 'serial_baudrate_'"),
    ],
)
def test_bad_bus_settings_name_the_field(raw, match):
    with pytest.raises(ModbusArgumentError, match=match):
        bus_settings(dict(raw, name="pumps"))


def test_tcp_uri_forms():
    assert bus_settings({"type": "tcp", "tcp_uri": "10.1.2.3:1502"}).tcp_address == ("10.1.2.3", 1502)
    assert bus_settings({"type": "tcp", "tcp_uri": "tcp://plc.local"}).tcp_address == ("plc.local", 502)
    assert bus_settings({"type": "tcp", "tcp_uri": "[::1]:5020"}).tcp_address == ("::1", 5020)


def test_socket_and_tls_methods_are_not_supported_on_serial_buses():
    iface = ModbusInterface(buses={"d": {"serial_port": "loop://", "serial_method": "tls"}})
    with pytest.raises(NotSupportedError, match="'tls'"):
        iface.read_registers()


class AppConfig(config.Schema):
    modbus_config = ModbusConfig()


class ManyConfig(config.Schema):
    modbus_config = ManyModbusConfig()


def test_interface_takes_its_bus_from_app_config_modbus_config(sim):
    host, port = sim.serve_tcp()
    cfg = AppConfig.from_dict({"modbus_config": {"bus_type": "tcp", "tcp_uri": "{}:{}".format(host, port)}})
    with ModbusInterface("my_app", config=cfg) as iface:
        assert iface.bus_names == ["0", "default"]
        assert iface.read_registers(bus_id="anything", modbus_id=1, num_registers=3) == [11, 22, 33]


def test_interface_with_many_modbus_config_selects_by_name_or_index(sim):
    host, port = sim.serve_tcp()
    pty = sim.serve_pty()
    cfg = ManyConfig.from_dict(
        {
            "modbus_config": [
                {"name": "tcp", "bus_type": "tcp", "tcp_uri": "{}:{}".format(host, port)},
                {"name": "rs485", "serial_port": pty, "serial_baud": 19200, "serial_parity": "None"},
            ]
        }
    )
    with ModbusInterface("my_app", config=cfg) as iface:
        assert iface.read_registers(bus_id="tcp", num_registers=2) == [11, 22]
        assert iface.read_registers(bus_id="rs485", register_type="input") == 44
        assert iface.read_registers(bus_id="1", start_address=2) == 33
        with pytest.raises(ModbusArgumentError, match="no bus named 'default'; configured buses: 0, 1, rs485, tcp"):
            iface.read_registers()
        settings = cfg.modbus_config.elements[1]
        assert iface.read_registers(bus=settings, start_address=1) == 22


def test_no_bus_configured_is_a_clear_error():
    with pytest.raises(ModbusArgumentError, match="no Modbus bus is configured"):
        ModbusInterface("app").read_registers()


def test_explicit_bus_dict_is_used_and_shares_the_lock_of_the_same_endpoint(sim):
    path = sim.serve_pty()
    iface = ModbusInterface(buses={"main": {"serial_port": path}})
    try:
        assert iface.read_registers(bus={"serial_port": path}, num_registers=1) == 11
        assert len(iface._buses) == 1
    finally:
        iface.close()


def test_subscription_results_go_through_the_delivery_function(sim):
    host, port = sim.serve_tcp()
    delivered = []
    done = threading.Event()

    def deliver(callback, *args):
        delivered.append((threading.current_thread().name, args))
        callback(*args)

    got = []

    def on_values(values):
        got.append(values)
        if len(got) == 2:
            done.set()

    with ModbusInterface(buses={"d": {"type": "tcp", "tcp_uri": "{}:{}".format(host, port)}}, deliver=deliver) as iface:
        sub = iface.add_read_register_subscription(modbus_id=1, start_address=1, num_registers=1, poll_secs=0.05, callback=on_values)
        assert done.wait(20)
        sub.cancel()
        assert sub.join(10)
    assert got[:2] == [22, 22]
    assert delivered[0] == ("modbus-poll-1-1", (22,))


def test_subscription_delivers_none_on_failed_poll_and_async_callbacks_run(sim):
    host, port = sim.serve_tcp()
    got = []
    done = threading.Event()

    async def on_values(values):
        await asyncio.sleep(0)
        got.append(values)
        done.set()

    with ModbusInterface(buses={"d": {"type": "tcp", "tcp_uri": "{}:{}".format(host, port), "tcp_timeout": 0.2}}, retries=0) as iface:
        sim.drop_next(1)
        sub = iface.add_read_register_subscription(modbus_id=1, start_address=0, poll_secs=0.05, callback=on_values)
        assert done.wait(20)
        sub.cancel()
        sub.join(10)
    assert got[0] is None
    assert sub.failures >= 1


def test_subscription_arguments_are_checked_at_once():
    iface = ModbusInterface(buses={"d": {"serial_port": "loop://"}})
    with pytest.raises(ModbusArgumentError, match="callback"):
        iface.add_read_register_subscription(callback=None)
    with pytest.raises(ModbusArgumentError, match="poll_secs"):
        iface.add_read_register_subscription(callback=print, poll_secs=0)
    with pytest.raises(ModbusArgumentError, match="count"):
        iface.add_read_register_subscription(callback=print, num_registers=200)
    assert iface.subscriptions == []


def test_deprecated_open_bus_and_close_bus_warn_and_work(sim):
    path = sim.serve_pty()
    iface = ModbusInterface()
    with pytest.warns(DeprecationWarning, match="open_bus"):
        assert iface.open_bus(name="legacy", serial_port=path, serial_parity="N") is True
    assert iface.read_registers(bus_id="legacy") == 11
    with pytest.warns(DeprecationWarning, match="close_bus"):
        assert iface.close_bus("legacy") is True
    assert iface.fetch_bus_status("legacy") is True
    iface.close()


def test_configure_bus_argument_is_accepted_and_ignored(sim):
    path = sim.serve_pty()
    with ModbusInterface(buses={"d": {"serial_port": path}}) as iface:
        assert iface.read_registers("d", 1, 0, 2, 4, False) == [11, 22]
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert iface.write_registers("d", 1, 0, [5], 4, True) is True


def test_subclass_without_buses_can_override_reads():
    class FakeModbus(ModbusInterface):
        def read_registers(self, *args, **kwargs):
            return [1, 2, 3]

    assert FakeModbus("app_key").read_registers(num_registers=3) == [1, 2, 3]


def test_async_face_awaits_reads_and_writes(sim):
    host, port = sim.serve_tcp()

    async def main():
        async with AsyncModbusInterface(buses={"d": {"type": "tcp", "tcp_uri": "{}:{}".format(host, port)}}) as iface:
            assert await iface.write_single_register(1, 2, 99) is True
            return await iface.read_registers(num_registers=3), iface.bus_names

    assert asyncio.run(main()) == ([11, 22, 99], ["d"])


def test_codecs_word_and_byte_order():
    assert decode_int32([0xFFFF, 0xFFFE]) == -2
    assert decode_uint32([0x0001, 0x0000]) == 65536
    assert decode_uint32([0x0000, 0x0001], word_order="little") == 65536
    assert decode_uint32([0x0100, 0x0000], byte_order="little") == 65536
    assert decode_float32([0x4048, 0xF5C3]) == pytest.approx(3.14, abs=1e-6)
    assert decode_float32([0xF5C3, 0x4048], word_order="little") == pytest.approx(3.14, abs=1e-6)
    assert decode_float32([0xC3F5, 0x4840], word_order="little", byte_order="little") == pytest.approx(3.14, abs=1e-6)
    assert encode_int32(-2) == [0xFFFF, 0xFFFE]
    assert encode_uint32(65536, word_order="little") == [0, 1]
    assert encode_float32(1.0) == [0x3F80, 0x0000]
    with pytest.raises(ModbusArgumentError, match="exactly 2 registers"):
        decode_int32([1])
    with pytest.raises(ModbusArgumentError, match="word_order"):
        decode_int32([1, 2], word_order="middle")
    with pytest.raises(ModbusArgumentError):
        encode_uint32(-1)


def test_two_words_to_32bit_float_keeps_reference_behaviour_of_returning_an_int():
    assert two_words_to_32bit_float(1, 2) == 131073
    assert two_words_to_32bit_float(1, 2, swap=True) == 65538
