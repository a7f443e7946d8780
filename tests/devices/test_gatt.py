"""Bluetooth health characteristics decoded byte-exact (GATT Specification Supplement)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from tbib.devices.gatt import DECODERS, DecodeError, decode
from tbib.devices.ieee11073 import Special, float32, sfloat


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # IEEE 11073-20601 §F.8: mantissa × 10^exponent, both two's complement.
        (0x0078, Decimal(120)),
        (0xF172, Decimal("37.0")),  # exponent -1, mantissa 370
        (0xFFFF, Decimal("-0.1")),  # exponent -1, mantissa -1
        (0x07FF, Special.NAN),
        (0x0800, Special.NRES),
        (0x07FE, Special.POSITIVE_INFINITY),
        (0x0802, Special.NEGATIVE_INFINITY),
        (0x0801, Special.RESERVED),
    ],
)
def test_sfloat(raw: int, expected: object) -> None:
    assert sfloat(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (0xFF000172, Decimal("37.0")),
        (0xFE000E56, Decimal("36.70")),  # exponent -2, mantissa 3670
        (0x007FFFFF, Special.NAN),
        (0x00800000, Special.NRES),
        (0x007FFFFE, Special.POSITIVE_INFINITY),
        (0x00800002, Special.NEGATIVE_INFINITY),
    ],
)
def test_float(raw: int, expected: object) -> None:
    assert float32(raw) == expected


# Mantissas -2048..-2046 and 2046..2047 are the special values (with exponent 0).
@given(st.integers(-2045, 2045), st.integers(-8, 7))
def test_sfloat_round_trip(mantissa: int, exponent: int) -> None:
    raw = ((exponent & 0xF) << 12) | (mantissa & 0xFFF)
    assert sfloat(raw) == Decimal(mantissa).scaleb(exponent)


def test_blood_pressure_with_every_field() -> None:
    # flags 0x1E: time stamp, pulse rate, user id, measurement status; mmHg.
    payload = bytes.fromhex("1E 7800 5000 5D00 E9070B160A1E00 4800 03 0C00")
    assert decode("2A35", payload) == {
        "characteristic": "2A35",
        "systolic": {"value": "120", "unit": "mm[Hg]"},
        "diastolic": {"value": "80", "unit": "mm[Hg]"},
        "mean_arterial": {"value": "93", "unit": "mm[Hg]"},
        "timestamp": "2025-11-22T10:30:00",
        "pulse_rate": {"value": "72", "unit": "/min"},
        "user_id": 3,
        "status": {
            "body_movement": False,
            "cuff_too_loose": False,
            "irregular_pulse": True,
            "pulse_rate_range": "above",
            "improper_position": False,
        },
    }


def test_blood_pressure_in_kpa_with_a_failed_mean() -> None:
    reading = decode("2a35", bytes.fromhex("01 A0F0 AAF0 FF07"))
    assert reading["systolic"] == {"value": "16.0", "unit": "kPa"}
    assert reading["mean_arterial"] == {"value": None, "special": "NaN", "unit": "kPa"}


def test_temperature_fahrenheit_in_the_ear() -> None:
    reading = decode("2A1C", bytes.fromhex("05 E10300FF 03"))  # 99.3 °F, site: ear
    assert reading == {
        "characteristic": "2A1C",
        "temperature": {"value": "99.3", "unit": "[degF]"},
        "site": "ear",
    }


def test_pulse_oximetry_spot_check_and_continuous() -> None:
    spot = decode("2A5E", bytes.fromhex("0C 6100 4800 000000 3200"))
    assert spot["spo2"] == {"value": "97", "unit": "%"}
    assert spot["device_and_sensor_status"] == 0
    assert spot["pulse_amplitude_index"] == {"value": "50", "unit": "%"}
    continuous = decode("2A5F", bytes.fromhex("01 6100 4800 6000 4A00"))
    assert continuous["spo2_fast"] == {"value": "96", "unit": "%"}
    assert continuous["pulse_rate_fast"] == {"value": "74", "unit": "/min"}


def test_glucose_capillary_finger_in_kg_per_litre() -> None:
    # 1.26 g/L = 126 mg/dL = 0.00126 kg/L: mantissa 126, exponent -5 (0xB07E).
    payload = bytes.fromhex("03 0100 E9070B160A1E00 0500 7EB0 11")
    reading = decode("2A18", payload)
    assert reading["concentration"] == {"value": "0.00126", "unit": "kg/L"}
    assert (reading["sample_type"], reading["sample_location"]) == (
        "capillary whole blood",
        "finger",
    )
    assert reading["time_offset_minutes"] == 5


def test_weight_with_bmi_and_height_and_an_unsuccessful_measurement() -> None:
    reading = decode("2A9D", bytes.fromhex("08 3C36 2001 A406"))
    assert reading["weight"] == {"value": "69.420", "unit": "kg"}
    assert reading["bmi"] == {"value": "28.8", "unit": "kg/m2"}
    assert reading["height"] == {"value": "1.700", "unit": "m"}
    failed = decode("2A9D", bytes.fromhex("00 FFFF"))
    assert failed["weight"]["special"] == "measurement unsuccessful"


def test_heart_rate_16_bit_with_energy_and_rr_intervals() -> None:
    reading = decode("2A37", bytes.fromhex("1F 4800 1000 0004 0204"))
    assert reading["heart_rate"] == {"value": "72", "unit": "/min"}
    assert reading["energy_expended"] == {"value": "16", "unit": "kJ"}
    assert reading["rr_intervals_s"] == ["1.0000", "1.0020"]
    assert reading["sensor_contact"] == "detected"


@pytest.mark.parametrize(
    ("uuid", "payload", "message"),
    [
        ("2A35", "06 7800 5000", "2A35: 5 bytes end before mean arterial pressure (needs 7)."),
        ("2A35", "00 7800 5000 5D00 99", "2A35: 1 unexpected bytes after the last field."),
        ("2A37", "10 48", "2A37: the RR-interval flag is set but no interval follows."),
        ("2A1C", "02 72010 0FF E9070D010000 00".replace(" ", ""),
         "2A1C: impossible the time stamp: month must be in 1..12."),
        ("2A99", "00", "Unknown characteristic '2A99'; known: 2A18, 2A1C, 2A35, 2A37, 2A5E, "
         "2A5F, 2A9D."),
    ],
)  # fmt: skip
def test_malformed_payloads_are_typed_errors(uuid: str, payload: str, message: str) -> None:
    with pytest.raises(DecodeError) as error:
        decode(uuid, bytes.fromhex(payload))
    assert str(error.value) == message


@given(st.sampled_from(sorted(DECODERS)), st.binary(max_size=40))
def test_any_bytes_decode_or_raise_a_decode_error(uuid: str, payload: bytes) -> None:
    try:
        reading = decode(uuid, payload)
    except DecodeError:
        return
    assert reading["characteristic"] == uuid
    json.dumps(reading)


def test_the_command_prints_json_and_exits_2_on_bad_input(capsys: pytest.CaptureFixture) -> None:
    call_command("devices_decode", "2A35", "06 7800 5000 5D00 E9070B160A1E00 4800")
    printed = json.loads(capsys.readouterr().out)
    assert printed["systolic"] == {"unit": "mm[Hg]", "value": "120"}
    with pytest.raises(SystemExit) as exited:
        call_command("devices_decode", "2A35", "06 78")
    assert exited.value.code == 2
    assert json.loads(capsys.readouterr().err) == {
        "error": "DecodeError",
        "detail": "2A35: 2 bytes end before systolic (needs 3).",
    }
