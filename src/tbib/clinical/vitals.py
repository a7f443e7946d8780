"""Validation of a set of measurements, and the ones derived from others (BMI). Pure logic."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from tbib.clinical.codes import COMPUTED, MEASURES, PREGNANCY_MEASURES


def bmi(weight_kg: Decimal, height_cm: Decimal) -> Decimal:
    """Body mass index, kg/m², to one decimal (WHO: weight divided by the square of height)."""
    metres = height_cm / Decimal(100)
    return (weight_kg / (metres * metres)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _decimal(value: object) -> Decimal:
    if isinstance(value, bool):
        raise InvalidOperation
    number = Decimal(str(value).strip().replace(",", "."))
    if not number.is_finite():
        raise InvalidOperation
    return number


def clean_measurements(
    raw: Mapping[str, object], *, sex: str = ""
) -> tuple[dict[str, Decimal], dict[str, str]]:
    """The measurements as numbers, BMI added, or the error of each field at fault.

    Empty values are skipped. Returns (values, errors); when errors is not empty, nothing of
    the set must be saved.
    """
    values: dict[str, Decimal] = {}
    errors: dict[str, str] = {}
    for key, value in raw.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        measure = MEASURES.get(key)
        if measure is None or key in COMPUTED:
            errors[key] = f"Unknown measurement {key!r}."
            continue
        try:
            number = _decimal(value)
        except (InvalidOperation, ValueError):
            errors[key] = "Enter a number."
            continue
        if not measure.low <= number <= measure.high:
            errors[key] = (
                f"{number} {measure.ucum} is not a possible {measure.display.lower()}: "
                f"expected between {measure.low} and {measure.high} {measure.ucum}."
            )
            continue
        values[key] = number.quantize(Decimal(1).scaleb(-measure.places), rounding=ROUND_HALF_UP)
    systolic, diastolic = values.get("systolic_bp"), values.get("diastolic_bp")
    if systolic is not None and diastolic is not None and diastolic >= systolic:
        errors["diastolic_bp"] = "The diastolic pressure must be lower than the systolic."
    if (systolic is None) != (diastolic is None) and not errors.keys() & {
        "systolic_bp",
        "diastolic_bp",
    }:
        missing = "diastolic_bp" if diastolic is None else "systolic_bp"
        errors[missing] = "A blood pressure needs both the systolic and the diastolic value."
    if sex == "male":
        for key in PREGNANCY_MEASURES & values.keys():
            errors[key] = "This measurement applies to a pregnancy; the patient is male."
    if "weight" in values and "height" in values and not errors.keys() & {"weight", "height"}:
        computed = bmi(values["weight"], values["height"])
        bounds = MEASURES["bmi"]
        if bounds.low <= computed <= bounds.high:
            values["bmi"] = computed
        else:
            errors["height"] = (
                f"Weight {values['weight']} kg and height {values['height']} cm give a BMI of "
                f"{computed}: one of them is mistyped."
            )
    return values, errors
