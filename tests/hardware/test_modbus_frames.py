"""Exact request bytes on the wire (CRC/LRC included) and decoding of recorded answers,
through ModbusInterface with a fake serial port."""

import pytest

from doover.exceptions import (
    ModbusArgumentError,
    ModbusDeviceError,
    ModbusFrameError,
    ModbusTimeoutError,
    SerialPortError,
)
from doover.hardware.modbus import ModbusInterface

from hw_fakes import FakeSerial, crc


def make(responses=None, method="rtu", retries=0, default=None, **kwargs):
    port = FakeSerial(responses, default)
    iface = ModbusInterface(
        buses={"default": {"serial_port": "fake0", "serial_method": method, "serial_timeout": 0.05}},
        port_factory=lambda settings: port,
        retries=retries,
        **kwargs
    )
    return iface, port


def test_read_ten_holding_registers_sends_documented_frame_and_decodes_values():
    request = bytes.fromhex("01 03 00 00 00 0A C5 CD")
    answer = crc(bytes([1, 3, 20]) + b"".join(v.to_bytes(2, "big") for v in range(100, 110)))
    iface, port = make({request: answer})
    assert iface.read_registers(modbus_id=1, start_address=0, num_registers=10, register_type=4) == list(range(100, 110))
    assert port.written == [request]


@pytest.mark.parametrize(
    "register_type, function",
    [(4, 3), ("holding", 3), ("Holding Register", 3), (3, 4), ("input", 4), ("INPUT", 4)],
)
def test_register_type_names_and_codes_choose_function_code(register_type, function):
    request = crc(bytes([7, function, 0x01, 0x00, 0x00, 0x01]))
    answer = crc(bytes([7, function, 2, 0x12, 0x34]))
    iface, port = make({request: answer})
    assert iface.read_registers(modbus_id=7, start_address=256, num_registers=1, register_type=register_type) == 0x1234
    assert port.written == [request]


def test_single_register_read_returns_bare_int_and_several_return_list():
    one = crc(bytes([1, 3, 0, 5, 0, 1]))
    two = crc(bytes([1, 3, 0, 5, 0, 2]))
    iface, _ = make({one: crc(bytes([1, 3, 2, 0, 42])), two: crc(bytes([1, 3, 4, 0, 42, 0xFF, 0xFF]))})
    assert iface.read_registers(start_address=5) == 42
    assert iface.read_registers(start_address=5, num_registers=2) == [42, 65535]


def test_read_coils_fc01_unpacks_bits_lsb_first():
    request = crc(bytes.fromhex("01 01 00 13 00 0A"))
    answer = crc(bytes([1, 1, 2, 0b11001101, 0b00000001]))
    iface, port = make({request: answer})
    assert iface.read_coils(modbus_id=1, start_address=0x13, count=10) == [
        True, False, True, True, False, False, True, True, True, False,
    ]
    assert iface.read_registers(start_address=0x13, num_registers=10, register_type="coil") == [1, 0, 1, 1, 0, 0, 1, 1, 1, 0]
    assert port.written == [request, request]


def test_read_discrete_inputs_fc02():
    request = crc(bytes([2, 2, 0, 0xC4, 0, 0x16]))
    answer = crc(bytes([2, 2, 3, 0xAC, 0xDB, 0x35]))
    iface, port = make({request: answer})
    bits = iface.read_discrete_inputs(modbus_id=2, start_address=0xC4, count=22)
    expected = []
    for byte in (0xAC, 0xDB, 0x35):
        expected.extend(bool(byte >> i & 1) for i in range(8))
    assert bits == expected[:22]
    assert iface.read_registers(modbus_id=2, start_address=0xC4, num_registers=22, register_type=2) == [int(b) for b in expected[:22]]


def test_write_single_register_fc06_frame_and_echo():
    request = crc(bytes([1, 6, 0, 1, 0, 3]))
    iface, port = make({request: request})
    assert iface.write_single_register(modbus_id=1, address=1, value=3) is True
    assert port.written == [request]


def test_write_single_coil_fc05_uses_ff00_for_on():
    on = crc(bytes([1, 5, 0, 0xAC, 0xFF, 0]))
    off = crc(bytes([1, 5, 0, 0xAC, 0, 0]))
    iface, port = make({on: on, off: off})
    assert iface.write_single_coil(modbus_id=1, address=0xAC, value=True) is True
    assert iface.write_single_register(modbus_id=1, address=0xAC, value=0, register_type="coil") is True
    assert port.written == [on, off]


def test_write_registers_fc16_frame():
    request = crc(bytes([1, 0x10, 0, 1, 0, 2, 4, 0, 0x0A, 0x01, 0x02]))
    answer = crc(bytes([1, 0x10, 0, 1, 0, 2]))
    iface, port = make({request: answer})
    assert iface.write_registers(modbus_id=1, start_address=1, values=[10, 258]) is True
    assert port.written == [request]


def test_write_negative_register_value_is_sent_as_twos_complement():
    request = crc(bytes([1, 0x10, 0, 0, 0, 1, 2, 0xFF, 0xFE]))
    iface, port = make({request: crc(bytes([1, 0x10, 0, 0, 0, 1]))})
    assert iface.write_registers(values=[-2]) is True
    assert port.written == [request]


def test_write_coils_fc15_frame():
    request = crc(bytes([1, 0x0F, 0, 0x13, 0, 0x0A, 2, 0xCD, 0x01]))
    answer = crc(bytes([1, 0x0F, 0, 0x13, 0, 0x0A]))
    iface, port = make({request: answer})
    values = [1, 0, 1, 1, 0, 0, 1, 1, 1, 0]
    assert iface.write_registers(modbus_id=1, start_address=0x13, values=values, register_type="coil") is True
    assert port.written == [request]


def test_ascii_mode_frame_with_lrc_and_decoding():
    # ':' + 01 03 00 00 00 02 + LRC (-(1+3+2) = 0xFA) + CRLF
    body = bytes([1, 3, 4, 0, 1, 0, 2])
    lrc = (-sum(body)) & 0xFF
    answer = b":" + (body.hex() + "%02x" % lrc).upper().encode() + b"\r\n"
    request2 = b":010300000002FA\r\n"
    iface, port = make({request2: answer}, method="ascii")
    assert iface.read_registers(num_registers=2) == [1, 2]
    assert port.written == [request2]


def test_device_exception_raises_with_code_and_name():
    request = crc(bytes([1, 3, 0, 0x64, 0, 1]))
    iface, _ = make({request: crc(bytes([1, 0x83, 2]))})
    with pytest.raises(ModbusDeviceError) as info:
        iface.read_registers(start_address=100)
    assert info.value.code == 2
    assert info.value.code_name == "ILLEGAL DATA ADDRESS"
    assert "ILLEGAL DATA ADDRESS" in str(info.value)


def test_ascii_device_exception_is_read_without_waiting_for_full_length():
    body = bytes([1, 0x83, 1])
    answer = b":" + (body.hex() + "%02x" % ((-sum(body)) & 0xFF)).upper().encode() + b"\r\n"
    iface, _ = make(default=answer, method="ascii")
    with pytest.raises(ModbusDeviceError) as info:
        iface.read_registers(num_registers=3)
    assert info.value.code == 1


def test_bad_crc_raises_frame_error():
    request = crc(bytes([1, 3, 0, 0, 0, 1]))
    good = crc(bytes([1, 3, 2, 0, 5]))
    iface, _ = make({request: good[:-1] + bytes([good[-1] ^ 0xFF])})
    with pytest.raises(ModbusFrameError, match="CRC"):
        iface.read_registers()


def test_answer_from_wrong_slave_raises_frame_error():
    request = crc(bytes([1, 3, 0, 0, 0, 1]))
    iface, _ = make({request: crc(bytes([2, 3, 2, 0, 5]))})
    with pytest.raises(ModbusFrameError, match="slave 2"):
        iface.read_registers()


def test_wrong_function_code_raises_frame_error():
    request = crc(bytes([1, 3, 0, 0, 0, 1]))
    iface, _ = make({request: crc(bytes([1, 4, 2, 0, 5]))})
    with pytest.raises(ModbusFrameError, match="function code 4"):
        iface.read_registers()


def test_wrong_byte_count_raises_frame_error():
    request = crc(bytes([1, 3, 0, 0, 0, 2]))
    iface, _ = make({request: crc(bytes([1, 3, 2, 0, 5, 0, 6]))})
    with pytest.raises(ModbusFrameError):
        iface.read_registers(num_registers=2)


def test_write_confirmation_that_does_not_echo_raises_frame_error():
    request = crc(bytes([1, 6, 0, 1, 0, 3]))
    iface, _ = make({request: crc(bytes([1, 6, 0, 1, 0, 4]))})
    with pytest.raises(ModbusFrameError, match="echo"):
        iface.write_single_register(address=1, value=3)


def test_silent_device_raises_timeout_after_retries():
    iface, port = make({}, retries=2)
    with pytest.raises(ModbusTimeoutError, match="slave 1"):
        iface.read_registers()
    assert len(port.written) == 3


def test_retry_succeeds_after_one_corrupt_answer():
    request = crc(bytes([1, 3, 0, 0, 0, 1]))
    answers = [b"\x01\x03\x02\x00", crc(bytes([1, 3, 2, 0, 9]))]
    iface, port = make(default=lambda data: answers.pop(0), retries=1)
    assert iface.read_registers() == 9
    assert port.written == [request, request]


def test_per_call_retries_override_interface_default():
    iface, port = make({}, retries=3)
    with pytest.raises(ModbusTimeoutError):
        iface.read_registers(retries=0)
    assert len(port.written) == 1


def test_device_exception_is_not_retried():
    iface, port = make(default=crc(bytes([1, 0x83, 4])), retries=3)
    with pytest.raises(ModbusDeviceError):
        iface.read_registers()
    assert len(port.written) == 1


def test_serial_write_failure_raises_serial_port_error_and_reopens_next_call():
    ports = []

    def factory(settings):
        port = FakeSerial({crc(bytes([1, 3, 0, 0, 0, 1])): crc(bytes([1, 3, 2, 0, 1]))})
        ports.append(port)
        return port

    iface = ModbusInterface(buses={"default": {"serial_port": "fake0"}}, port_factory=factory, retries=0)
    assert iface.read_registers() == 1
    ports[0].fail_writes = OSError(5, "Input/output error")
    with pytest.raises(SerialPortError, match="Input/output error"):
        iface.read_registers()
    assert ports[0].is_open is False
    assert iface.read_registers() == 1
    assert len(ports) == 2


def test_missing_serial_port_raises_serial_port_error():
    iface = ModbusInterface(buses={"default": {"serial_port": "/dev/doover-no-such-tty"}}, retries=0)
    with pytest.raises(SerialPortError, match="/dev/doover-no-such-tty"):
        iface.read_registers()


def test_broadcast_write_sends_slave_zero_and_expects_no_answer():
    request = crc(bytes([0, 6, 0, 1, 0, 7]))
    iface, port = make({})
    assert iface.write_single_register(modbus_id=0, address=1, value=7) is True
    assert port.written == [request]


def test_lenient_mode_returns_none_and_false_instead_of_raising():
    iface, _ = make({}, lenient=True)
    assert iface.read_registers() is None
    assert iface.write_registers(values=[1]) is False
    with pytest.raises(ModbusArgumentError):
        iface.read_registers(num_registers=0)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda m: m.read_registers(start_address=-1), "start_address"),
        (lambda m: m.read_registers(start_address=65536), "start_address"),
        (lambda m: m.read_registers(start_address=65530, num_registers=7), "65535"),
        (lambda m: m.read_registers(num_registers=0), "count"),
        (lambda m: m.read_registers(num_registers=126), "count"),
        (lambda m: m.read_registers(num_registers=2001, register_type="coil"), "count"),
        (lambda m: m.read_coils(count=2000) and m.read_coils(count=2001), "count"),
        (lambda m: m.write_registers(values=list(range(124))), "count"),
        (lambda m: m.write_registers(values=[]), "count"),
        (lambda m: m.write_registers(values=[1] * 1969, register_type="coil"), "count"),
        (lambda m: m.write_registers(values=[65536]), r"values\[0\]"),
        (lambda m: m.write_registers(values=[1], register_type="input"), "read-only"),
        (lambda m: m.read_registers(modbus_id=248), "modbus_id"),
        (lambda m: m.read_registers(modbus_id=0), "broadcast"),
        (lambda m: m.read_registers(register_type=5), "register_type"),
        (lambda m: m.read_registers(register_type="holdings"), "register_type"),
        (lambda m: m.read_registers(bus_id="other", bus={"serial_port": "x", "serial_baud": "fast"}), "serial_baud"),
    ],
)
def test_bad_arguments_raise_before_anything_is_sent(call, match):
    request = crc(bytes([1, 1, 0, 0, 0x07, 0xD0]))
    iface, port = make({request: crc(bytes([1, 1, 250]) + bytes(250))})
    with pytest.raises(ModbusArgumentError, match=match):
        call(iface)
    assert port.written in ([], [request])
