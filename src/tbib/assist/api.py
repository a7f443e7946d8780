"""POST /api/assist/evaluate: the assistant's findings for a context and observations."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import ValidationError
from pydantic import Field, model_validator

from tbib.assist.evaluate import Context, EvaluationError, Observation, evaluate
from tbib.assist.routing import suggest

router = Router(tags=["assistant"])


class PatientIn(Schema):
    age_days: int | None = Field(default=None, ge=0, le=130 * 366)
    age_years: Decimal | None = Field(default=None, ge=0, le=130)
    sex: Literal["female", "male", "other"]
    pregnant: bool = False
    consciousness: Literal["A", "C", "V", "P", "U"] | None = Field(
        default=None, description="ACVPU; NEWS2 needs it"
    )
    on_oxygen: bool = False
    hypercapnic_failure: bool = Field(
        default=False, description="score SpO2 on NEWS2 scale 2 (a clinician's decision)"
    )
    lmp: datetime.date | None = Field(default=None, description="last menstrual period")
    length_measured_lying: bool | None = Field(
        default=None, description="children: length taken lying (None: as recommended for age)"
    )
    oedema: bool = Field(default=False, description="bilateral pitting oedema")
    proteinuria: bool | None = None
    signs: list[str] = Field(default_factory=list, max_length=20,
                             description="danger signs observed, by name")  # fmt: skip

    @model_validator(mode="after")
    def _one_age(self) -> PatientIn:
        if (self.age_days is None) == (self.age_years is None):
            raise ValueError("Give the age either in days (age_days) or in years (age_years).")
        return self


class ObservationIn(Schema):
    code: str = Field(min_length=3, max_length=12, description="LOINC code")
    value: Decimal = Field(allow_inf_nan=False)
    unit: str = Field(min_length=1, max_length=12, description="UCUM unit")


class EvaluateIn(Schema):
    patient: PatientIn
    observations: list[ObservationIn] = Field(max_length=200)
    reason: str = Field(default="", max_length=300, description="reason for the visit")
    diagnoses: list[str] = Field(default_factory=list, max_length=20, description="ICD-10")


class SuggestionOut(Schema):
    specialty: str | None
    urgency: str
    reasons: list[str]


class FindingOut(Schema):
    rule: str
    severity: str
    score: int | None
    zscore: float | None
    explanation: str
    source: str
    values: dict[str, Decimal | str | bool]


class EvaluateOut(Schema):
    findings: list[FindingOut]
    suggestion: SuggestionOut


@router.post("/evaluate", response=EvaluateOut, summary="Findings of the clinical rules")
def evaluate_endpoint(request: HttpRequest, payload: EvaluateIn) -> dict[str, object]:
    """Pure rules, cited: NEWS2, blood pressure categories, BMI classes, glucose and HbA1c,
    pregnancy (gestational age, hypertensive disorders, anaemia, danger signs), IMCI general
    danger signs, WHO growth z-scores and acute malnutrition for children under 5.

    Nothing is stored and nothing is prescribed: the findings inform the clinician.
    """
    patient = payload.patient
    age_days = patient.age_days
    if age_days is None:
        age_days = int((patient.age_years or Decimal(0)) * Decimal("365.25"))
    context = Context(
        age_days=age_days,
        sex=patient.sex,
        pregnant=patient.pregnant,
        consciousness=patient.consciousness,
        on_oxygen=patient.on_oxygen,
        hypercapnic_failure=patient.hypercapnic_failure,
        lmp=patient.lmp,
        visit_date=timezone.localdate(),
        proteinuria=patient.proteinuria,
        signs=frozenset(patient.signs),
        measured_lying=patient.length_measured_lying,
        oedema=patient.oedema,
    )
    observations = [Observation(o.code, o.value, o.unit) for o in payload.observations]
    try:
        findings = evaluate(context, observations)
    except EvaluationError as error:
        raise ValidationError(
            [{"loc": ("body", *error.field.split(".")), "msg": str(error)}]
        ) from error
    suggestion = suggest(age_days=age_days, pregnant=patient.pregnant, findings=findings,
                         diagnoses=payload.diagnoses, reason=payload.reason)  # fmt: skip
    return {"findings": [vars(f) for f in findings], "suggestion": vars(suggestion)}
