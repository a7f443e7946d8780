"""Evaluate a patient context and observations (LOINC, value, UCUM unit) into findings. Pure.

The same function serves the encounter screen, the specialist's queue and the API, on the hub
and on every edge: no database, no clock, no randomness.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from tbib.assist import adult, child, growth, pregnancy
from tbib.assist.findings import Finding
from tbib.assist.news2 import News2Input, news2


class EvaluationError(ValueError):
    """Input the rules cannot use; `field` names it for the 4xx answer."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _same(x: Decimal) -> Decimal:
    return x


# LOINC code → (measure, {UCUM unit: conversion to the canonical unit}, plausible range).
OBSERVATIONS: dict[str, tuple[str, dict[str, Callable[[Decimal], Decimal]], Decimal, Decimal]] = {
    "9279-1": ("respiratory_rate", {"/min": _same}, Decimal(1), Decimal(120)),
    "59408-5": ("spo2", {"%": _same}, Decimal(30), Decimal(100)),
    "2708-6": ("spo2", {"%": _same}, Decimal(30), Decimal(100)),
    "8480-6": ("systolic_bp", {"mm[Hg]": _same}, Decimal(40), Decimal(300)),
    "8462-4": ("diastolic_bp", {"mm[Hg]": _same}, Decimal(20), Decimal(200)),
    "8867-4": ("pulse", {"/min": _same}, Decimal(20), Decimal(300)),
    "8310-5": (
        "temperature",
        {"Cel": _same, "[degF]": lambda f: ((f - 32) * 5 / 9).quantize(Decimal("0.1"))},
        Decimal(25),
        Decimal(45),
    ),
    "29463-7": ("weight", {"kg": _same, "g": lambda g: g / 1000}, Decimal("0.3"), Decimal(300)),
    "8302-2": ("height", {"cm": _same, "m": lambda m: m * 100}, Decimal(25), Decimal(250)),
    "39156-5": ("bmi", {"kg/m2": _same}, Decimal(5), Decimal(100)),
    # Glucose, canonical mmol/L (molar mass 180.16 g/mol: 1 g/L = 5.551 mmol/L).
    "41653-7": (
        "random_glucose",
        {
            "mmol/L": _same,
            "g/L": lambda g: (g * Decimal("5.551")).quantize(Decimal("0.1")),
            "mg/dL": lambda m: (m / Decimal("18.016")).quantize(Decimal("0.1")),
        },
        Decimal("0.5"),
        Decimal(60),
    ),
    "1558-6": (
        "fasting_glucose",
        {
            "mmol/L": _same,
            "g/L": lambda g: (g * Decimal("5.551")).quantize(Decimal("0.1")),
            "mg/dL": lambda m: (m / Decimal("18.016")).quantize(Decimal("0.1")),
        },
        Decimal("0.5"),
        Decimal(60),
    ),
    "4548-4": ("hba1c", {"%": _same}, Decimal(3), Decimal(20)),
    "56072-2": ("muac", {"cm": _same, "mm": lambda mm: mm / 10}, Decimal(5), Decimal(50)),
    "718-7": ("haemoglobin", {"g/dL": _same, "g/L": lambda g: g / 10}, Decimal(2), Decimal(25)),
}
CONSCIOUSNESS = {"A", "C", "V", "P", "U"}


@dataclass(frozen=True)
class Observation:
    code: str
    value: Decimal
    unit: str


@dataclass(frozen=True)
class Context:
    age_days: int
    sex: str  # "female", "male", "other"
    pregnant: bool = False
    consciousness: str | None = None  # ACVPU, for NEWS2
    on_oxygen: bool = False
    hypercapnic_failure: bool = False
    # Pregnancy: last menstrual period, the visit's date (the caller's clock), proteinuria.
    lmp: datetime.date | None = None
    visit_date: datetime.date | None = None
    proteinuria: bool | None = None
    # Signs observed (pregnancy danger signs, IMCI general danger signs), by name.
    signs: frozenset[str] = frozenset()
    # Children: how the length was taken (None: as recommended for the age), oedema.
    measured_lying: bool | None = None
    oedema: bool = False


def _tidy(value: Decimal) -> Decimal:
    """186.00 → 186, 12.80 → 12.8: values as a clinician writes them."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def measures(observations: Sequence[Observation]) -> dict[str, Decimal]:
    """Canonical values by measure; the later of two observations of the same measure wins."""
    found: dict[str, Decimal] = {}
    for index, observation in enumerate(observations):
        where = f"observations.{index}"
        known = OBSERVATIONS.get(observation.code)
        if known is None:
            raise EvaluationError(f"{where}.code", f"Unknown LOINC code {observation.code!r}.")
        name, units, low, high = known
        convert = units.get(observation.unit)
        if convert is None:
            raise EvaluationError(
                f"{where}.unit",
                f"{observation.code} ({name}) takes {', '.join(units)}, not {observation.unit!r}.",
            )
        value = _tidy(convert(observation.value))
        if not low <= value <= high:
            raise EvaluationError(
                f"{where}.value", f"{name} {observation.value} {observation.unit} is impossible."
            )
        found[name] = value
    return found


def evaluate(context: Context, observations: Sequence[Observation]) -> list[Finding]:
    if context.age_days < 0 or context.age_days > 130 * 366:
        raise EvaluationError("patient.age", "Age must be between 0 and 130 years.")
    if context.consciousness is not None and context.consciousness not in CONSCIOUSNESS:
        raise EvaluationError("patient.consciousness", "Consciousness is one of A, C, V, P, U.")
    unknown = context.signs - set(pregnancy.DANGER_SIGNS) - set(child.GENERAL_DANGER_SIGNS)
    if unknown:
        raise EvaluationError("patient.signs", f"Unknown sign(s): {', '.join(sorted(unknown))}.")
    values = measures(observations)
    pressures = values.get("systolic_bp"), values.get("diastolic_bp")
    if pressures[0] is not None and pressures[1] is not None and pressures[1] >= pressures[0]:
        raise EvaluationError(
            "observations", "The diastolic pressure must be below the systolic pressure."
        )
    findings: list[Finding] = []
    adult_patient = context.age_days >= 18 * 365
    news_inputs = ("respiratory_rate", "spo2", "systolic_bp", "pulse", "temperature")
    # NEWS2 is validated for adults (16 and over) who are not pregnant.
    if (
        context.age_days >= 16 * 365
        and not context.pregnant
        and context.consciousness is not None
        and all(name in values for name in news_inputs)
    ):
        findings.append(
            news2(
                News2Input(
                    respiratory_rate=values["respiratory_rate"],
                    spo2=values["spo2"],
                    on_oxygen=context.on_oxygen,
                    systolic_bp=values["systolic_bp"],
                    pulse=values["pulse"],
                    consciousness=context.consciousness,
                    temperature=values["temperature"],
                    hypercapnic_failure=context.hypercapnic_failure,
                )
            )
        )
    if context.pregnant:
        findings += _pregnancy(context, values)
    elif adult_patient and "systolic_bp" in values and "diastolic_bp" in values:
        findings.append(adult.blood_pressure(values["systolic_bp"], values["diastolic_bp"]))
    if context.age_days <= growth.LAST_DAY and context.sex in ("male", "female"):
        findings += growth.classify(
            growth.Child(
                sex=context.sex,
                age_days=context.age_days,
                weight_kg=_float(values.get("weight")),
                length_cm=_float(values.get("height")),
                measured_lying=context.measured_lying,
                muac_cm=_float(values.get("muac")),
                oedema=context.oedema,
            )
        )
    if 60 <= context.age_days < 5 * 365:
        signs = child.general_danger_signs(set(context.signs))
        if signs is not None:
            findings.append(signs)
    bmi = values.get("bmi")
    if bmi is None and "weight" in values and "height" in values:
        metres = values["height"] / 100
        bmi = (values["weight"] / (metres * metres)).quantize(Decimal("0.1"))
    if bmi is not None and context.age_days >= 20 * 365 and not context.pregnant:
        findings.append(adult.bmi_class(bmi))
    if "fasting_glucose" in values:
        findings.append(adult.glucose(values["fasting_glucose"], fasting=True))
    if "random_glucose" in values:
        findings.append(adult.glucose(values["random_glucose"], fasting=False))
    if "hba1c" in values:
        findings.append(adult.hba1c(values["hba1c"]))
    return findings


def _pregnancy(context: Context, values: dict[str, Decimal]) -> list[Finding]:
    if context.sex != "female":
        raise EvaluationError("patient.pregnant", "Only a female patient can be pregnant.")
    findings: list[Finding] = []
    weeks = None
    if context.lmp is not None and context.visit_date is not None:
        try:
            age = pregnancy.gestational_age(context.lmp, context.visit_date)
        except ValueError as error:
            raise EvaluationError("patient.lmp", str(error)) from error
        findings.append(age)
        weeks = int(age.values["weeks"])
    if "systolic_bp" in values and "diastolic_bp" in values:
        found = pregnancy.hypertensive_disorder(
            values["systolic_bp"], values["diastolic_bp"],
            proteinuria=context.proteinuria, weeks=weeks,
        )  # fmt: skip
        if found is not None:
            findings.append(found)
    if "haemoglobin" in values:
        findings.append(pregnancy.anaemia(values["haemoglobin"]))
    danger = pregnancy.danger_signs(set(context.signs))
    if danger is not None:
        findings.append(danger)
    return findings


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)
