"""From a decoded device reading to Tbib's measurements (clinical.codes keys, UCUM units). Pure.

Units are converted to the ones Tbib records: kPa to mm[Hg] (× 7.50062), °F to °C, glucose
kg/L or mol/L to g/L (× 1000, × 180.16 g/mol), pounds to kilograms (× 0.45359237). A special
value (NaN, NRes, ±INFINITY) is not a measurement: it is reported and left out.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

_TO_MMHG = Decimal("7.50062")
_GLUCOSE_G_PER_MOL = Decimal("180.16")
_LB_TO_KG = Decimal("0.45359237")


def _number(quantity: dict[str, Any] | None) -> Decimal | None:
    if not quantity or quantity.get("value") is None:
        return None
    return Decimal(str(quantity["value"]))


def _pressure(quantity: dict[str, Any] | None) -> Decimal | None:
    value = _number(quantity)
    if value is None or quantity is None:
        return None
    return value * _TO_MMHG if quantity["unit"] == "kPa" else value


def measurements(reading: dict[str, Any]) -> tuple[dict[str, Decimal], list[str]]:
    """(measurements by key, what was left out and why)."""
    found: dict[str, Decimal | None] = {}
    kind = reading["characteristic"]
    if kind == "2A35":
        found["systolic_bp"] = _pressure(reading.get("systolic"))
        found["diastolic_bp"] = _pressure(reading.get("diastolic"))
        found["heart_rate"] = _number(reading.get("pulse_rate"))
    elif kind == "2A1C":
        value = _number(reading.get("temperature"))
        if value is not None and reading["temperature"]["unit"] == "[degF]":
            value = (value - 32) * 5 / 9
        found["temperature"] = value
    elif kind in ("2A5E", "2A5F"):
        found["spo2"] = _number(reading.get("spo2"))
        found["heart_rate"] = _number(reading.get("pulse_rate"))
    elif kind == "2A18":
        value = _number(reading.get("concentration"))
        if value is not None:
            molar = reading["concentration"]["unit"] == "mol/L"
            value = value * _GLUCOSE_G_PER_MOL if molar else value * 1000
        found["glucose"] = value
    elif kind == "2A9D":
        value = _number(reading.get("weight"))
        if value is not None and reading["weight"]["unit"] == "[lb_av]":
            value *= _LB_TO_KG
        found["weight"] = value
    elif kind == "2A37":
        found["heart_rate"] = _number(reading.get("heart_rate"))
    skipped = [key for key, value in found.items() if value is None and key in reading_keys(kind)]
    return {k: v for k, v in found.items() if v is not None}, [
        f"{key}: no value (special or absent)" for key in skipped
    ]


def reading_keys(kind: str) -> tuple[str, ...]:
    """The measurements a characteristic always carries (optional ones are not missed)."""
    return {
        "2A35": ("systolic_bp", "diastolic_bp"),
        "2A1C": ("temperature",),
        "2A5E": ("spo2", "heart_rate"),
        "2A5F": ("spo2", "heart_rate"),
        "2A18": ("glucose",),
        "2A9D": ("weight",),
        "2A37": ("heart_rate",),
    }.get(kind, ())
