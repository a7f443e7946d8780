"""Adult thresholds, and the evaluate API: findings with their source, 4xx naming the field."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client

from tbib.accounts.choices import UserRole
from tbib.assist import adult
from tests.factories import unit_staff

D = Decimal


@pytest.mark.parametrize(
    ("systolic", "diastolic", "category", "severity"),
    [(115, 75, "optimal", "info"), (125, 82, "normal", "info"), (135, 80, "high-normal", "info"),
     (145, 92, "grade 1 hypertension", "low"), (150, 105, "grade 2 hypertension", "medium"),
     (185, 100, "grade 3 hypertension", "high"), (120, 112, "grade 3 hypertension", "high"),
     (150, 80, "isolated systolic hypertension", "low")],
)  # fmt: skip
def test_blood_pressure_categories(systolic: int, diastolic: int, category: str,
                                   severity: str) -> None:  # fmt: skip
    finding = adult.blood_pressure(D(systolic), D(diastolic))
    assert category in finding.explanation and finding.severity == severity
    assert "ESC/ESH" in finding.source


@pytest.mark.parametrize(
    ("bmi", "category"),
    [("15.9", "severe thinness"), ("16.0", "moderate thinness"), ("17.0", "mild thinness"),
     ("18.5", "normal range"), ("24.9", "normal range"), ("25.0", "pre-obese"),
     ("30.0", "obese class I"), ("35.0", "obese class II"), ("40.0", "obese class III")],
)  # fmt: skip
def test_bmi_classes(bmi: str, category: str) -> None:
    assert f": {category}." in adult.bmi_class(D(bmi)).explanation


def test_glucose_thresholds() -> None:
    assert adult.glucose(D("7.0"), fasting=True).severity == "medium"
    assert adult.glucose(D("6.1"), fasting=True).severity == "low"
    assert adult.glucose(D("6.0"), fasting=True).severity == "info"
    assert adult.glucose(D("11.1"), fasting=False).severity == "medium"
    assert adult.glucose(D("3.5"), fasting=False).severity == "high"
    assert adult.hba1c(D("6.5")).severity == "medium"


@pytest.fixture
def gp_headers(bearer: Callable[..., dict[str, str]]) -> dict[str, str]:
    return bearer(unit_staff(UserRole.GP, "midelt-1"))


def _evaluate(client: Client, headers: dict[str, str], body: object) -> tuple[int, object]:
    response = client.post("/api/assist/evaluate", body, content_type="application/json",
                           **headers)  # fmt: skip
    return response.status_code, response.json()


SICK = [
    {"code": "9279-1", "value": 26, "unit": "/min"},
    {"code": "59408-5", "value": 90, "unit": "%"},
    {"code": "8480-6", "value": 88, "unit": "mm[Hg]"},
    {"code": "8462-4", "value": 50, "unit": "mm[Hg]"},
    {"code": "8867-4", "value": 135, "unit": "/min"},
    {"code": "8310-5", "value": 102.2, "unit": "[degF]"},
    {"code": "41653-7", "value": 2.4, "unit": "g/L"},
]


@pytest.mark.django_db
def test_the_api_returns_cited_findings(api_client: Client, gp_headers: dict[str, str]) -> None:
    status, body = _evaluate(api_client, gp_headers, {
        "patient": {"age_years": 64, "sex": "female", "consciousness": "V", "on_oxygen": True},
        "observations": SICK,
    })  # fmt: skip
    assert status == 200, body
    findings = {f["rule"]: f for f in body["findings"]}  # type: ignore[index]
    news = findings["news2"]
    # RR 26 → 3, SpO2 90 → 3, oxygen 2, SBP 88 → 3, pulse 135 → 3, V → 3, 39.0 °C → 1.
    assert news["score"] == 18 and news["severity"] == "high"
    # In the user's language (French by default), with the guideline cited.
    assert "réponse d'urgence" in news["explanation"] and news["source"]
    assert findings["glucose"]["values"]["glucose_mmol_l"] == "13.3"  # 2.4 g/L × 5.551
    assert findings["glucose"]["severity"] == "medium"
    assert body["suggestion"]["urgency"] == "emergency"  # type: ignore[index]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("observation", "field"),
    [({"code": "8310-5", "value": 37, "unit": "K"}, "observations.0.unit"),
     ({"code": "8310-5", "value": 60, "unit": "Cel"}, "observations.0.value"),
     ({"code": "0000-0", "value": 1, "unit": "%"}, "observations.0.code"),
     ({"code": "8310-5", "value": "NaN", "unit": "Cel"}, "observations.0.value")],
)  # fmt: skip
def test_bad_units_and_impossible_values_get_a_4xx_naming_the_field(
    api_client: Client, gp_headers: dict[str, str], observation: dict[str, object], field: str
) -> None:
    status, body = _evaluate(api_client, gp_headers, {
        "patient": {"age_years": 40, "sex": "male"}, "observations": [observation],
    })  # fmt: skip
    assert status == 422
    assert any(error["field"].endswith(field) for error in body["detail"]), body  # type: ignore[index]


@pytest.mark.django_db
def test_the_api_needs_a_token_and_one_age(api_client: Client, gp_headers: dict[str, str]) -> None:
    body = {"patient": {"sex": "male"}, "observations": []}
    assert api_client.post("/api/assist/evaluate", body,
                           content_type="application/json").status_code == 401  # fmt: skip
    status, answer = _evaluate(api_client, gp_headers, body)
    assert status == 422 and "age" in str(answer)


def test_pregnancy_rules() -> None:
    import datetime

    from tbib.assist import pregnancy

    age = pregnancy.gestational_age(datetime.date(2026, 6, 1), datetime.date(2026, 12, 3))
    assert "26 weeks 3 days" in age.explanation  # 185 days and "2027-03-08" in age.explanation
    assert pregnancy.hypertensive_disorder(D(135), D(85), proteinuria=None, weeks=30) is None
    mild = pregnancy.hypertensive_disorder(D(142), D(92), proteinuria=False, weeks=30)
    assert mild is not None and mild.severity == "medium"
    severe = pregnancy.hypertensive_disorder(D(165), D(100), proteinuria=None, weeks=30)
    assert severe is not None and severe.severity == "high" and "urine" in severe.explanation
    pet = pregnancy.hypertensive_disorder(D(150), D(95), proteinuria=True, weeks=32)
    assert pet is not None and "pre-eclampsia suspected" in pet.explanation
    assert pregnancy.anaemia(D("10.4")).explanation.endswith("mild anaemia.")
    assert pregnancy.anaemia(D("6.8")).severity == "high"
    assert pregnancy.anaemia(D("11.0")).severity == "info"


@pytest.mark.django_db
def test_a_pregnant_woman_and_a_child_through_the_api(
    api_client: Client, gp_headers: dict[str, str]
) -> None:
    status, body = _evaluate(api_client, gp_headers, {
        "patient": {"age_years": 27, "sex": "female", "pregnant": True, "proteinuria": True,
                    "lmp": "2026-04-01", "signs": ["severe_headache_blurred_vision"]},
        "observations": [{"code": "8480-6", "value": 168, "unit": "mm[Hg]"},
                         {"code": "8462-4", "value": 112, "unit": "mm[Hg]"},
                         {"code": "718-7", "value": 95, "unit": "g/L"}],
    })  # fmt: skip
    assert status == 200, body
    rules = {f["rule"]: f for f in body["findings"]}  # type: ignore[index]
    assert "pré-éclampsie sévère" in rules["pregnancy-hypertension"]["explanation"]
    assert rules["pregnancy-anaemia"]["severity"] == "medium"  # 9.5 g/dL
    assert rules["pregnancy-danger-signs"]["severity"] == "high"
    assert "blood-pressure" not in rules  # the pregnancy rule replaces the adult grades
    status, body = _evaluate(api_client, gp_headers, {
        "patient": {"age_days": 400, "sex": "male", "signs": ["vomits_everything"]},
        "observations": [],
    })  # fmt: skip
    assert [f["rule"] for f in body["findings"]] == ["imci-general-danger-signs"]  # type: ignore[index]
    status, body = _evaluate(api_client, gp_headers, {
        "patient": {"age_days": 400, "sex": "male", "signs": ["tired"]}, "observations": [],
    })  # fmt: skip
    assert status == 422 and "patient.signs" in str(body)


@pytest.mark.django_db
def test_a_wasted_child_gets_z_scores_and_acute_malnutrition(
    api_client: Client, gp_headers: dict[str, str]
) -> None:
    status, body = _evaluate(api_client, gp_headers, {
        "patient": {"age_days": 400, "sex": "male"},
        "observations": [{"code": "29463-7", "value": 7.0, "unit": "kg"},
                         {"code": "8302-2", "value": 76, "unit": "cm"},
                         {"code": "56072-2", "value": 112, "unit": "mm"}],
    })  # fmt: skip
    assert status == 200, body
    rules = {f["rule"]: f for f in body["findings"]}  # type: ignore[index]
    assert rules["growth-wflh"]["zscore"] < -3 and rules["growth-wflh"]["severity"] == "high"
    assert "MUAC 11.2 cm < 11.5" in rules["acute-malnutrition"]["explanation"]
    assert rules["acute-malnutrition"]["explanation"].startswith("Malnutrition aiguë sévère")
    assert body["suggestion"]["specialty"] == "paediatrics"  # type: ignore[index]
