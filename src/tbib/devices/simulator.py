"""Realistic device messages for the demo and tests: encoders of the GATT payloads. Pure.

The encoders are the decoders' inverses (tests check the round trip), so a simulated cuff
speaks exactly what a real one does.
"""

from __future__ import annotations

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


def blood_pressure(systolic: int, diastolic: int, pulse: int) -> bytes:
    mean = Decimal(diastolic) + (Decimal(systolic) - Decimal(diastolic)) / 3
    return (
        b"\x04"
        + encode_sfloat(Decimal(systolic))
        + encode_sfloat(Decimal(diastolic))
        + encode_sfloat(mean.quantize(Decimal(1)))
        + encode_sfloat(Decimal(pulse))
    )


def temperature(celsius: Decimal) -> bytes:
    return b"\x04" + encode_float(celsius, 1) + b"\x02"  # type present: body


def spot_check(spo2: int, pulse: int) -> bytes:
    return b"\x00" + encode_sfloat(Decimal(spo2)) + encode_sfloat(Decimal(pulse))


def weight(kilograms: Decimal) -> bytes:
    return b"\x00" + struct.pack("<H", int(kilograms / Decimal("0.005")))


def glucose(grams_per_litre: Decimal, sequence: int) -> bytes:
    # kg/L with exponent -5: 1.26 g/L = 0.00126 kg/L = 126 × 10^-5.
    concentration = encode_sfloat(grams_per_litre / 1000, 5)
    base_time = struct.pack("<HBBBBB", 2026, 11, 22, 10, 30, 0)
    return b"\x02" + struct.pack("<H", sequence) + base_time + concentration + b"\x11"


@dataclass(frozen=True)
class Message:
    characteristic: str
    kind: str  # network.choices.DeviceKind value
    payload: bytes


def patient_round(rng: random.Random, sequence: int = 1) -> list[Message]:
    """One patient's measurements at triage, as a unit's devices send them."""
    systolic = rng.randint(105, 175)
    return [
        Message("2A35", "blood-pressure",
                blood_pressure(systolic, systolic - rng.randint(35, 60), rng.randint(58, 105))),
        Message("2A5E", "pulse-oximeter", spot_check(rng.randint(93, 99), rng.randint(58, 105))),
        Message("2A1C", "thermometer",
                temperature(Decimal(rng.randint(361, 389)) / 10)),
        Message("2A9D", "scale", weight(Decimal(rng.randint(450, 950)) / 10)),
        Message("2A18", "glucometer",
                glucose(Decimal(rng.randint(75, 260)) / 100, sequence)),
    ]  # fmt: skip
