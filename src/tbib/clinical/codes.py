"""LOINC codes and UCUM units of the measurements a unit records, with their plausible ranges.

LOINC: loinc.org (each code's page gives its long name); UCUM: ucum.org. The vital-sign codes
are those of the FHIR R4 vital signs profile (hl7.org/fhir/R4/observation-vitalsigns.html);
the others are the LOINC terms for the same measurement taken in primary care.

The ranges bound what a human body can show, not what is normal: a value outside them is a
typing or device error (SpO2 140 %, 60 °C) and is refused, while an abnormal but possible
value is kept and left to the clinician and the assistant.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Measure:
    key: str  # the field name in the API and the form
    loinc: str
    display: str  # LOINC short name
    ucum: str
    low: Decimal
    high: Decimal
    places: int  # decimal places kept


def _m(key: str, loinc: str, display: str, ucum: str, low: str, high: str, places: int) -> Measure:
    return Measure(key, loinc, display, ucum, Decimal(low), Decimal(high), places)


MEASURES: dict[str, Measure] = {
    m.key: m
    for m in (
        _m("systolic_bp", "8480-6", "Systolic blood pressure", "mm[Hg]", "40", "300", 0),
        _m("diastolic_bp", "8462-4", "Diastolic blood pressure", "mm[Hg]", "20", "200", 0),
        _m("heart_rate", "8867-4", "Heart rate", "/min", "20", "300", 0),
        _m("respiratory_rate", "9279-1", "Respiratory rate", "/min", "4", "100", 0),
        _m("temperature", "8310-5", "Body temperature", "Cel", "30", "45", 1),
        _m("spo2", "59408-5", "Oxygen saturation by pulse oximetry", "%", "40", "100", 0),
        _m("weight", "29463-7", "Body weight", "kg", "0.3", "300", 2),
        _m("height", "8302-2", "Body height", "cm", "25", "250", 1),
        _m("bmi", "39156-5", "Body mass index", "kg/m2", "5", "100", 1),
        # Capillary glucose by meter; Moroccan practice reads it in g/L.
        _m("glucose", "41653-7", "Glucose in capillary blood by glucometer", "g/L", "0.1", "7", 2),
        _m("muac", "56072-2", "Mid upper arm circumference", "cm", "5", "50", 1),
        _m("gestational_age", "18185-9", "Gestational age", "wk", "2", "45", 0),
        _m("fundal_height", "11881-0", "Uterus fundal height by tape measure", "cm", "5", "50", 0),
    )
}

# Computed from others, never typed in.
COMPUTED = frozenset({"bmi"})
# Only meaningful for a woman.
PREGNANCY_MEASURES = frozenset({"gestational_age", "fundal_height"})
