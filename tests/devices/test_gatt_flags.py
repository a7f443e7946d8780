"""Every flag combination of every characteristic, with payloads laid out from the GATT
specifications (field order and sizes written here from the XML characteristic definitions,
not from the decoder): each decodes, and exactly the optional fields its flags announce appear.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

import pytest

from tbib.devices.gatt import decode

SFLOAT_120 = struct.pack("<H", 120)  # 120 (exponent 0)
SFLOAT_98 = struct.pack("<H", 98)
FLOAT_37_2 = struct.pack("<I", (0xFF << 24) | 372)  # 37.2 (exponent -1)
DATE_TIME = struct.pack("<HBBBBB", 2026, 11, 22, 9, 41, 5)


class Optional(NamedTuple):
    bit: int
    layout: bytes  # the field's bytes when present
    key: str  # where the decoded reading shows it


class Spec(NamedTuple):
    uuid: str
    flag_bits: int
    mandatory: bytes
    optional: tuple[Optional, ...]  # in the order the specification lays them out


SPECS = [
    # Blood Pressure Measurement: flags, systolic, diastolic, MAP (SFLOAT), [time stamp],
    # [pulse rate SFLOAT], [user id uint8], [measurement status uint16].
    Spec("2A35", 5, SFLOAT_120 + SFLOAT_98 + SFLOAT_98, (
        Optional(1, DATE_TIME, "timestamp"),
        Optional(2, SFLOAT_98, "pulse_rate"),
        Optional(3, b"\x01", "user_id"),
        Optional(4, b"\x05\x00", "status"),
    )),
    # Temperature Measurement: flags, value (FLOAT), [time stamp], [temperature type uint8].
    Spec("2A1C", 3, FLOAT_37_2, (
        Optional(1, DATE_TIME, "timestamp"),
        Optional(2, b"\x06", "site"),
    )),
    # PLX Spot-Check: flags, SpO2, PR (SFLOAT), [time stamp], [measurement status uint16],
    # [device and sensor status uint24], [pulse amplitude index SFLOAT]; bit 4 clock not set.
    Spec("2A5E", 5, SFLOAT_98 + SFLOAT_98, (
        Optional(0, DATE_TIME, "timestamp"),
        Optional(1, b"\x00\x01", "measurement_status"),
        Optional(2, b"\x00\x00\x01", "device_and_sensor_status"),
        Optional(3, SFLOAT_98, "pulse_amplitude_index"),
    )),
    # PLX Continuous: flags, SpO2/PR normal, [SpO2/PR fast], [SpO2/PR slow],
    # [measurement status uint16], [device and sensor status uint24], [PAI SFLOAT].
    Spec("2A5F", 5, SFLOAT_98 + SFLOAT_98, (
        Optional(0, SFLOAT_98 + SFLOAT_98, "spo2_fast"),
        Optional(1, SFLOAT_98 + SFLOAT_98, "spo2_slow"),
        Optional(2, b"\x00\x01", "measurement_status"),
        Optional(3, b"\x00\x00\x01", "device_and_sensor_status"),
        Optional(4, SFLOAT_98, "pulse_amplitude_index"),
    )),
    # Glucose Measurement: flags, sequence number uint16, base time, [time offset sint16],
    # [concentration SFLOAT + type/location nibbles], [sensor status annunciation uint16];
    # bit 2 selects mol/L, bit 4 announces a context record.
    Spec("2A18", 5, b"\x07\x00" + DATE_TIME, (
        Optional(0, b"\xf6\xff", "time_offset_minutes"),
        Optional(1, struct.pack("<H", (0xB << 12) | 126) + b"\x11", "concentration"),
        Optional(3, b"\x00\x00", "sensor_status"),
    )),
    # Weight Measurement: flags, weight uint16, [time stamp], [user id uint8],
    # [BMI uint16 + height uint16]; bit 0 imperial.
    Spec("2A9D", 4, struct.pack("<H", 14000), (
        Optional(1, DATE_TIME, "timestamp"),
        Optional(2, b"\x02", "user_id"),
        Optional(3, struct.pack("<HH", 245, 1700), "bmi"),
    )),
    # Heart Rate Measurement: flags, value (uint8, or uint16 when bit 0), [energy expended
    # uint16], [RR intervals uint16 1/1024 s]; bits 1-2 sensor contact.
    Spec("2A37", 5, b"", (
        Optional(3, b"\x10\x00", "energy_expended"),
        Optional(4, struct.pack("<HH", 800, 820), "rr_intervals_s"),
    )),
]  # fmt: skip

CASES = [(spec, flags) for spec in SPECS for flags in range(2**spec.flag_bits)]


@pytest.mark.parametrize(("spec", "flags"), CASES, ids=[f"{s.uuid}-{f:02x}" for s, f in CASES])
def test_every_flag_combination_decodes_exactly_the_announced_fields(
    spec: Spec, flags: int
) -> None:  # noqa: E501
    mandatory = spec.mandatory
    if spec.uuid == "2A37":
        mandatory = b"\x48\x00" if flags & 0x01 else b"\x48"  # 72 /min in uint16 or uint8
    payload = bytes([flags]) + mandatory
    for field in spec.optional:
        if flags & (1 << field.bit):
            payload += field.layout
    reading = decode(spec.uuid, payload)
    assert reading["characteristic"] == spec.uuid
    for field in spec.optional:
        assert (field.key in reading) == bool(flags & (1 << field.bit)), (field, reading)
    if spec.uuid == "2A37":
        assert reading["heart_rate"]["value"] == "72"
    if spec.uuid == "2A35":
        assert reading["systolic"]["unit"] == ("kPa" if flags & 0x01 else "mm[Hg]")
    if spec.uuid == "2A1C":
        assert reading["temperature"] == {"value": "37.2", "unit": "[degF]" if flags & 1 else "Cel"}
    if spec.uuid == "2A18" and flags & 0x02:
        assert reading["concentration"]["unit"] == ("mol/L" if flags & 0x04 else "kg/L")
    if spec.uuid == "2A5E":
        assert reading["device_clock_not_set"] == bool(flags & 0x10)
    if spec.uuid == "2A9D":
        assert reading["weight"]["unit"] == ("[lb_av]" if flags & 0x01 else "kg")
        if flags & 0x08:
            assert "height" in reading
