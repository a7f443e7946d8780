"""Realistic device messages for the demo and tests: encoders of the GATT payloads. Pure.

The encoders are the decoders' inverses (tests check the round trip), so a simulated cuff
speaks exactly what a real one does.
"""

from __future__ import annotations

import datetime
import json
import random
import struct
import uuid
from dataclasses import dataclass
from decimal import Decimal

from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties


def reading_properties() -> Properties:
    """MQTT 5 PUBLISH properties with a fresh `reading-id`, as the unit's bridge sends them."""
    properties = Properties(PacketTypes.PUBLISH)
    properties.UserProperty = ("reading-id", str(uuid.uuid4()))
    return properties


def encode_sfloat(value: Decimal, places: int = 0) -> bytes:
    """SFLOAT with `places` decimals (exponent -places); the mantissa must fit 12 bits."""
    mantissa = int((value * (10**places)).to_integral_value())
    if not -2045 <= mantissa <= 2045 or not 0 <= places <= 8:
        raise ValueError(f"{value} does not fit an SFLOAT with {places} decimals.")
    return struct.pack("<H", ((-places & 0xF) << 12) | (mantissa & 0x0FFF))


def encode_float(value: Decimal, places: int = 1) -> bytes:
    mantissa = int((value * (10**places)).to_integral_value())
    if not -(2**23 - 3) <= mantissa <= 2**23 - 3:
        raise ValueError(f"{value} does not fit a FLOAT.")
    return struct.pack("<I", ((-places & 0xFF) << 24) | (mantissa & 0xFFFFFF))


def date_time(at: datetime.datetime) -> bytes:
    """GATT Date Time (0x2A08): year, month, day, hours, minutes, seconds."""
    return struct.pack("<HBBBBB", at.year, at.month, at.day, at.hour, at.minute, at.second)


def blood_pressure(systolic: int, diastolic: int, pulse: int,
                   at: datetime.datetime | None = None) -> bytes:  # fmt: skip
    mean = Decimal(diastolic) + (Decimal(systolic) - Decimal(diastolic)) / 3
    return (
        (b"\x06" if at else b"\x04")  # pulse rate present (+ time stamp)
        + encode_sfloat(Decimal(systolic))
        + encode_sfloat(Decimal(diastolic))
        + encode_sfloat(mean.quantize(Decimal(1)))
        + (date_time(at) if at else b"")
        + encode_sfloat(Decimal(pulse))
    )


def temperature(celsius: Decimal, at: datetime.datetime | None = None) -> bytes:
    stamp = date_time(at) if at else b""
    return (b"\x06" if at else b"\x04") + encode_float(celsius, 1) + stamp + b"\x02"  # body


def spot_check(spo2: int, pulse: int, at: datetime.datetime | None = None) -> bytes:
    stamp = date_time(at) if at else b""
    return (
        (b"\x01" if at else b"\x00")
        + encode_sfloat(Decimal(spo2))
        + encode_sfloat(Decimal(pulse))
        + stamp
    )


def weight(kilograms: Decimal, at: datetime.datetime | None = None) -> bytes:
    stamp = date_time(at) if at else b""
    return (
        (b"\x02" if at else b"\x00")
        + struct.pack("<H", int(kilograms / Decimal("0.005")))
        + (stamp)
    )


def glucose(grams_per_litre: Decimal, sequence: int,
            at: datetime.datetime | None = None) -> bytes:  # fmt: skip
    # kg/L with exponent -5: 1.26 g/L = 0.00126 kg/L = 126 × 10^-5.
    concentration = encode_sfloat(grams_per_litre / 1000, 5)
    base_time = date_time(at or datetime.datetime(2026, 11, 22, 10, 30))
    return b"\x02" + struct.pack("<H", sequence % 65536) + base_time + concentration + b"\x11"


@dataclass(frozen=True)
class Message:
    characteristic: str
    kind: str  # network.choices.DeviceKind value
    payload: bytes


def patient_round(
    rng: random.Random, sequence: int = 1, at: datetime.datetime | None = None
) -> list[Message]:
    """One patient's measurements at triage, as a unit's devices send them, time-stamped by
    the devices' clocks (a reading is identified by its content: docs/devices.md)."""
    at = at or datetime.datetime.now().replace(microsecond=0)
    systolic = rng.randint(105, 175)
    return [
        Message("2A35", "blood-pressure",
                blood_pressure(systolic, systolic - rng.randint(35, 60), rng.randint(58, 105), at)),
        Message("2A5E", "pulse-oximeter",
                spot_check(rng.randint(93, 99), rng.randint(58, 105), at)),
        Message("2A1C", "thermometer", temperature(Decimal(rng.randint(361, 389)) / 10, at)),
        Message("2A9D", "scale", weight(Decimal(rng.randint(450, 950)) / 10, at)),
        Message("2A18", "glucometer", glucose(Decimal(rng.randint(75, 260)) / 100, sequence, at)),
    ]  # fmt: skip


def ecg_recording(rng: random.Random, *, twelve_leads: bool = True, seconds: int = 10,
                  sampling_rate: int = 250) -> bytes:  # fmt: skip
    """An ECG as the unit's recorder publishes it: JSON {"sampling_rate", "leads": {name: µV}}.

    NeuroKit2's simulators: `multileads` for the twelve leads, ECGSYN for a rhythm strip.
    """
    import warnings

    import neurokit2 as nk

    rate, seed = rng.randint(55, 110), rng.randrange(2**31)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if twelve_leads:
            frame = nk.ecg_simulate(duration=seconds, sampling_rate=sampling_rate, heart_rate=rate,
                                    method="multileads", random_state=seed)  # fmt: skip
            leads = {str(name): list(frame[name]) for name in frame.columns}
        else:
            signal = nk.ecg_simulate(duration=seconds, sampling_rate=sampling_rate,
                                     heart_rate=rate, random_state=seed)  # fmt: skip
            leads = {"II": list(signal)}
    body = {
        "sampling_rate": sampling_rate,
        "leads": {name: [round(float(v) * 1000) for v in values] for name, values in leads.items()},
    }
    return json.dumps(body, separators=(",", ":")).encode()
