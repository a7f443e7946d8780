"""Decoders of the Bluetooth SIG health characteristics, byte-exact to their GATT specs. Pure.

Sources: Bluetooth SIG GATT Specification Supplement (GSS), sections Blood Pressure
Measurement (0x2A35), Temperature Measurement (0x2A1C), PLX Spot-Check Measurement (0x2A5E),
PLX Continuous Measurement (0x2A5F), Glucose Measurement (0x2A18), Weight Measurement
(0x2A9D) and Heart Rate Measurement (0x2A37). All fields are little-endian. Numbers in
SFLOAT/FLOAT keep their special values (NaN, NRes, ±INFINITY) as names.

Each decoder returns a plain dict ready for JSON: every quantity as {"value", "unit"} with
UCUM units, flags spelled out, the device's time stamp in ISO 8601 when present.
"""

from __future__ import annotations

import datetime
import struct
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from tbib.devices.ieee11073 import Special, float32, sfloat


class DecodeError(ValueError):
    """A payload that does not match its characteristic's structure."""


class _Reader:
    def __init__(self, uuid: str, payload: bytes) -> None:
        self.uuid, self.data, self.at = uuid, payload, 0

    def take(self, size: int, what: str) -> bytes:
        if self.at + size > len(self.data):
            raise DecodeError(
                f"{self.uuid}: {len(self.data)} bytes end before {what} (needs {self.at + size})."
            )
        chunk = self.data[self.at : self.at + size]
        self.at += size
        return chunk

    def uint8(self, what: str) -> int:
        return self.take(1, what)[0]

    def uint16(self, what: str) -> int:
        return int(struct.unpack("<H", self.take(2, what))[0])

    def sint16(self, what: str) -> int:
        return int(struct.unpack("<h", self.take(2, what))[0])

    def uint24(self, what: str) -> int:
        low, high = struct.unpack("<HB", self.take(3, what))
        return int(low) | int(high) << 16

    def sfloat(self, what: str) -> Decimal | Special:
        return sfloat(self.uint16(what))

    def float32(self, what: str) -> Decimal | Special:
        return float32(int(struct.unpack("<I", self.take(4, what))[0]))

    def timestamp(self, what: str = "the time stamp") -> str | None:
        year, month, day, hours, minutes, seconds = struct.unpack("<HBBBBB", self.take(7, what))
        if year == 0 or month == 0 or day == 0:
            return None  # "not known" per the Date Time characteristic
        try:
            return datetime.datetime(year, month, day, hours, minutes, seconds).isoformat()
        except ValueError as error:
            raise DecodeError(f"{self.uuid}: impossible {what}: {error}.") from error

    def done(self) -> None:
        if self.at != len(self.data):
            raise DecodeError(
                f"{self.uuid}: {len(self.data) - self.at} unexpected bytes after the last field."
            )


def _q(value: Decimal | Special | int, unit: str) -> dict[str, Any]:
    if isinstance(value, Special):
        return {"value": None, "special": value.value, "unit": unit}
    return {"value": str(value), "unit": unit}


def blood_pressure(payload: bytes) -> dict[str, Any]:
    """0x2A35 Blood Pressure Measurement."""
    r = _Reader("2A35", payload)
    flags = r.uint8("the flags")
    unit = "kPa" if flags & 0x01 else "mm[Hg]"
    reading: dict[str, Any] = {
        "characteristic": "2A35",
        "systolic": _q(r.sfloat("systolic"), unit),
        "diastolic": _q(r.sfloat("diastolic"), unit),
        "mean_arterial": _q(r.sfloat("mean arterial pressure"), unit),
    }
    if flags & 0x02:
        reading["timestamp"] = r.timestamp()
    if flags & 0x04:
        reading["pulse_rate"] = _q(r.sfloat("the pulse rate"), "/min")
    if flags & 0x08:
        reading["user_id"] = r.uint8("the user id")
    if flags & 0x10:
        status = r.uint16("the measurement status")
        reading["status"] = {
            "body_movement": bool(status & 0x01),
            "cuff_too_loose": bool(status & 0x02),
            "irregular_pulse": bool(status & 0x04),
            "pulse_rate_range": ("within", "above", "below", "reserved")[(status >> 3) & 0x03],
            "improper_position": bool(status & 0x20),
        }
    r.done()
    return reading


TEMPERATURE_TYPES = {
    1: "armpit", 2: "body", 3: "ear", 4: "finger", 5: "gastrointestinal tract", 6: "mouth",
    7: "rectum", 8: "toe", 9: "tympanum",
}  # fmt: skip


def temperature(payload: bytes) -> dict[str, Any]:
    """0x2A1C Temperature Measurement."""
    r = _Reader("2A1C", payload)
    flags = r.uint8("the flags")
    reading: dict[str, Any] = {
        "characteristic": "2A1C",
        "temperature": _q(r.float32("the temperature"), "[degF]" if flags & 0x01 else "Cel"),
    }
    if flags & 0x02:
        reading["timestamp"] = r.timestamp()
    if flags & 0x04:
        code = r.uint8("the temperature type")
        reading["site"] = TEMPERATURE_TYPES.get(code, f"reserved ({code})")
    r.done()
    return reading


def _plx_statuses(r: _Reader, reading: dict[str, Any], measurement: bool, device: bool) -> None:
    if measurement:
        reading["measurement_status"] = r.uint16("the measurement status")
    if device:
        reading["device_and_sensor_status"] = r.uint24("the device and sensor status")


def plx_spot_check(payload: bytes) -> dict[str, Any]:
    """0x2A5E PLX Spot-Check Measurement."""
    r = _Reader("2A5E", payload)
    flags = r.uint8("the flags")
    reading: dict[str, Any] = {
        "characteristic": "2A5E",
        "spo2": _q(r.sfloat("SpO2"), "%"),
        "pulse_rate": _q(r.sfloat("the pulse rate"), "/min"),
    }
    if flags & 0x01:
        reading["timestamp"] = r.timestamp()
    _plx_statuses(r, reading, bool(flags & 0x02), bool(flags & 0x04))
    if flags & 0x08:
        reading["pulse_amplitude_index"] = _q(r.sfloat("the pulse amplitude index"), "%")
    reading["device_clock_not_set"] = bool(flags & 0x10)
    r.done()
    return reading


def plx_continuous(payload: bytes) -> dict[str, Any]:
    """0x2A5F PLX Continuous Measurement."""
    r = _Reader("2A5F", payload)
    flags = r.uint8("the flags")
    reading: dict[str, Any] = {
        "characteristic": "2A5F",
        "spo2": _q(r.sfloat("SpO2 (normal)"), "%"),
        "pulse_rate": _q(r.sfloat("the pulse rate (normal)"), "/min"),
    }
    if flags & 0x01:
        reading["spo2_fast"] = _q(r.sfloat("SpO2 (fast)"), "%")
        reading["pulse_rate_fast"] = _q(r.sfloat("the pulse rate (fast)"), "/min")
    if flags & 0x02:
        reading["spo2_slow"] = _q(r.sfloat("SpO2 (slow)"), "%")
        reading["pulse_rate_slow"] = _q(r.sfloat("the pulse rate (slow)"), "/min")
    _plx_statuses(r, reading, bool(flags & 0x04), bool(flags & 0x08))
    if flags & 0x10:
        reading["pulse_amplitude_index"] = _q(r.sfloat("the pulse amplitude index"), "%")
    r.done()
    return reading


GLUCOSE_TYPES = {
    1: "capillary whole blood", 2: "capillary plasma", 3: "venous whole blood",
    4: "venous plasma", 5: "arterial whole blood", 6: "arterial plasma",
    7: "undetermined whole blood", 8: "undetermined plasma", 9: "interstitial fluid",
    10: "control solution",
}  # fmt: skip
GLUCOSE_LOCATIONS = {
    1: "finger", 2: "alternate site test", 3: "earlobe", 4: "control solution",
    15: "not available",
}  # fmt: skip


def glucose(payload: bytes) -> dict[str, Any]:
    """0x2A18 Glucose Measurement (concentration in kg/L or mol/L, as the meter sends)."""
    r = _Reader("2A18", payload)
    flags = r.uint8("the flags")
    reading: dict[str, Any] = {
        "characteristic": "2A18",
        "sequence_number": r.uint16("the sequence number"),
        "base_time": r.timestamp("the base time"),
    }
    if flags & 0x01:
        reading["time_offset_minutes"] = r.sint16("the time offset")
    if flags & 0x02:
        unit = "mol/L" if flags & 0x04 else "kg/L"
        reading["concentration"] = _q(r.sfloat("the concentration"), unit)
        type_location = r.uint8("the type and sample location")
        kind, location = type_location & 0x0F, type_location >> 4
        reading["sample_type"] = GLUCOSE_TYPES.get(kind, f"reserved ({kind})")
        reading["sample_location"] = GLUCOSE_LOCATIONS.get(location, f"reserved ({location})")
    if flags & 0x08:
        reading["sensor_status"] = r.uint16("the sensor status annunciation")
    reading["context_follows"] = bool(flags & 0x10)
    r.done()
    return reading


def weight(payload: bytes) -> dict[str, Any]:
    """0x2A9D Weight Measurement (resolution 0.005 kg or 0.01 lb; 0xFFFF: unsuccessful)."""
    r = _Reader("2A9D", payload)
    flags = r.uint8("the flags")
    imperial = bool(flags & 0x01)
    raw = r.uint16("the weight")
    reading: dict[str, Any] = {"characteristic": "2A9D"}
    if raw == 0xFFFF:
        reading["weight"] = {"value": None, "special": "measurement unsuccessful",
                             "unit": "[lb_av]" if imperial else "kg"}  # fmt: skip
    elif imperial:
        reading["weight"] = _q(Decimal(raw) * Decimal("0.01"), "[lb_av]")
    else:
        reading["weight"] = _q(Decimal(raw) * Decimal("0.005"), "kg")
    if flags & 0x02:
        reading["timestamp"] = r.timestamp()
    if flags & 0x04:
        reading["user_id"] = r.uint8("the user id")
    if flags & 0x08:
        reading["bmi"] = _q(Decimal(r.uint16("the BMI")) * Decimal("0.1"), "kg/m2")
        height = r.uint16("the height")
        reading["height"] = (
            _q(Decimal(height) * Decimal("0.1"), "[in_i]")
            if imperial
            else _q(Decimal(height) * Decimal("0.001"), "m")
        )
    r.done()
    return reading


def heart_rate(payload: bytes) -> dict[str, Any]:
    """0x2A37 Heart Rate Measurement (RR intervals in 1/1024 s, given in seconds)."""
    r = _Reader("2A37", payload)
    flags = r.uint8("the flags")
    rate = r.uint16("the heart rate") if flags & 0x01 else r.uint8("the heart rate")
    contact_bits = (flags >> 1) & 0x03
    reading: dict[str, Any] = {
        "characteristic": "2A37",
        "heart_rate": _q(rate, "/min"),
        "sensor_contact": {
            0: "not supported",
            1: "not supported",
            2: "not detected",
            3: "detected",
        }[contact_bits],  # fmt: skip
    }
    if flags & 0x08:
        reading["energy_expended"] = _q(r.uint16("the energy expended"), "kJ")
    if flags & 0x10:
        intervals = []
        while r.at < len(r.data):
            ticks = r.uint16("an RR interval")
            intervals.append(str((Decimal(ticks) / Decimal(1024)).quantize(Decimal("0.0001"))))
        if not intervals:
            raise DecodeError("2A37: the RR-interval flag is set but no interval follows.")
        reading["rr_intervals_s"] = intervals
    r.done()
    return reading


DECODERS: dict[str, Callable[[bytes], dict[str, Any]]] = {
    "2A35": blood_pressure,
    "2A1C": temperature,
    "2A5E": plx_spot_check,
    "2A5F": plx_continuous,
    "2A18": glucose,
    "2A9D": weight,
    "2A37": heart_rate,
}


def decode(characteristic: str, payload: bytes) -> dict[str, Any]:
    """Decode a payload of a characteristic given by its 16-bit UUID ("2A35", "0x2a35")."""
    key = characteristic.strip().upper().removeprefix("0X")
    decoder = DECODERS.get(key)
    if decoder is None:
        known = ", ".join(sorted(DECODERS))
        raise DecodeError(f"Unknown characteristic {characteristic!r}; known: {known}.")
    if not payload:
        raise DecodeError(f"{key}: the payload is empty.")
    return decoder(payload)
