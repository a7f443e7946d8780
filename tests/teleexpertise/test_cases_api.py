"""A case from the unit to the specialist and back, through the API."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.test import Client

from tbib.access.models import AuditEvent
from tbib.access.scope import AccessContext
from tbib.accounts.choices import UserRole
from tbib.accounts.models import User
from tbib.clinical.services import start_encounter
from tbib.teleexpertise.models import Case, CaseEvent
from tbib.teleexpertise.services import escalate_overdue
from tests.factories import (
    PatientFactory,
    UserFactory,
    open_stop_today,
    specialist,
    unit,
    unit_staff,
)

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def actors(bearer: Callable[[User], dict[str, str]]) -> dict:
    open_stop_today("figuig-1")
    gp = unit_staff(UserRole.GP, "figuig-1", username="gp-talsint")
    patient = PatientFactory(unit=unit("figuig-1"))
    encounter = start_encounter(
        ctx=AccessContext(user=gp),
        patient_id=patient.pk,
        measurements={"systolic_bp": 172, "diastolic_bp": 104, "heart_rate": 112},
    )
    return {
        "gp": bearer(gp),
        "cardiologist": bearer(specialist("cardiology")),
        "other_cardiologist": bearer(specialist("cardiology")),
        "dermatologist": bearer(specialist("dermatology")),
        "encounter": encounter,
        "patient": patient,
    }


def _open(client: Client, actors: dict, **body: object) -> dict:
    payload = {
        "encounter_id": str(actors["encounter"].pk),
        "specialty": "cardiology",
        "question": "Palpitations et HTA sévère: avis sur le traitement ?",
        "urgency": "urgent",
        "consent": True,
        **body,
    }
    response = client.post("/api/cases", payload, content_type=JSON, **actors["gp"])
    assert response.status_code == 201, response.content
    return response.json()


def test_a_case_goes_to_the_cardiologist_and_back(api_client: Client, actors: dict) -> None:
    case = _open(api_client, actors)
    assert case["status"] == "draft"
    # The encounter's measurements travel with the case, coded.
    assert {(v["loinc"], v["value"]) for v in case["vitals"]} >= {("8480-6", "172")}
    # A draft is invisible to the platform.
    assert api_client.get("/api/cases", **actors["cardiologist"]).json() == []
    submitted = api_client.post(
        f"/api/cases/{case['id']}/submit", {}, content_type=JSON, **actors["gp"]
    )
    assert submitted.json()["status"] == "queued"
    assert submitted.json()["sla_due_at"] is not None
    queue = api_client.get("/api/cases", **actors["cardiologist"]).json()
    assert [c["id"] for c in queue] == [case["id"]]
    assert api_client.get("/api/cases", **actors["dermatologist"]).json() == []
    # The cardiologist now reaches the patient's record, the dermatologist does not.
    patient_url = f"/api/patients/{actors['patient'].pk}"
    assert api_client.get(patient_url, **actors["cardiologist"]).status_code == 200
    assert api_client.get(patient_url, **actors["dermatologist"]).status_code == 404

    claimed = api_client.post(f"/api/cases/{case['id']}/claim", **actors["cardiologist"])
    assert claimed.json()["status"] == "claimed"
    second = api_client.post(f"/api/cases/{case['id']}/claim", **actors["other_cardiologist"])
    assert second.status_code == 409
    assert second.json() == {"detail": "A case that is claimed cannot be claimed."}
    answered = api_client.post(
        f"/api/cases/{case['id']}/answer",
        {
            "advice": "Bisoprolol non disponible: aténolol 50 mg, contrôle dans 15 jours.",
            "diagnoses": ["I10"],
            "prescriptions": [
                {"medicine": "atenolol-50-tab", "quantity": 30, "dosage": "1 cp le matin"}
            ],
        },
        content_type=JSON,
        **actors["cardiologist"],
    )
    assert answered.status_code == 200, answered.content
    body = answered.json()
    assert body["status"] == "answered"
    assert body["answers"][0]["prescriptions"][0]["medicine"] == "atenolol-50-tab"
    closed = api_client.post(f"/api/cases/{case['id']}/close", **actors["gp"])
    assert closed.json()["status"] == "closed"
    assert closed.json()["answers"][0]["acknowledged_at"] is not None
    actions = list(CaseEvent.objects.filter(case_id=case["id"]).values_list("action", flat=True))
    assert actions == ["open", "submit", "enqueue", "claim", "answer", "close"]
    audited = AuditEvent.objects.filter(
        resource_type="Case", resource_id=case["id"], action="update"
    )
    assert audited.count() == 5


def test_submission_needs_consent_and_answers_need_a_claim(
    api_client: Client, actors: dict
) -> None:
    case = _open(api_client, actors, consent=False)
    refused = api_client.post(
        f"/api/cases/{case['id']}/submit", {}, content_type=JSON, **actors["gp"]
    )
    assert refused.status_code == 422
    assert refused.json()["detail"] == [
        {
            "field": "consent",
            "message": "Record the patient's consent to tele-expertise before submitting.",
        }
    ]
    ok = api_client.post(
        f"/api/cases/{case['id']}/submit", {"consent": True}, content_type=JSON, **actors["gp"]
    )
    assert ok.json()["status"] == "queued"
    unclaimed = api_client.post(
        f"/api/cases/{case['id']}/answer",
        {"advice": "x"},
        content_type=JSON,
        **actors["cardiologist"],
    )
    assert unclaimed.status_code == 403
    assert api_client.post(f"/api/cases/{case['id']}/close", **actors["gp"]).status_code == 409


def test_more_information_sends_the_case_back_then_to_the_queue(
    api_client: Client, actors: dict
) -> None:
    case = _open(api_client, actors)
    api_client.post(f"/api/cases/{case['id']}/submit", {}, content_type=JSON, **actors["gp"])
    api_client.post(f"/api/cases/{case['id']}/claim", **actors["cardiologist"])
    asked = api_client.post(
        f"/api/cases/{case['id']}/request-info",
        {"text": "Un ECG 12 dérivations ?"},
        content_type=JSON,
        **actors["cardiologist"],
    )
    assert asked.json()["status"] == "more-info"
    assert asked.json()["answers"][0]["is_request_for_information"] is True
    back = api_client.post(
        f"/api/cases/{case['id']}/provide-info",
        {"text": "ECG joint: rythme sinusal."},
        content_type=JSON,
        **actors["gp"],
    )
    assert back.json()["status"] == "queued"
    assert back.json()["claimed_by"] is None


def test_unknown_codes_in_an_answer_are_field_errors(api_client: Client, actors: dict) -> None:
    case = _open(api_client, actors)
    api_client.post(f"/api/cases/{case['id']}/submit", {}, content_type=JSON, **actors["gp"])
    api_client.post(f"/api/cases/{case['id']}/claim", **actors["cardiologist"])
    response = api_client.post(
        f"/api/cases/{case['id']}/answer",
        {
            "advice": "x",
            "diagnoses": ["Q99.99"],
            "prescriptions": [{"medicine": "bisoprolol", "quantity": 1, "dosage": "x"}],
        },
        content_type=JSON,
        **actors["cardiologist"],
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"field": "diagnoses.0", "message": "Unknown ICD-10 code: 'Q99.99'."},
        {"field": "prescriptions.0.medicine", "message": "'bisoprolol' is not in the formulary."},
    ]
    assert Case.objects.get(pk=case["id"]).status == "claimed"


def test_an_overdue_urgent_case_escalates_once_per_level(
    api_client: Client, actors: dict, bearer: Callable[[User], dict[str, str]]
) -> None:
    case = _open(api_client, actors)
    api_client.post(f"/api/cases/{case['id']}/submit", {}, content_type=JSON, **actors["gp"])
    queued_at = Case.objects.get(pk=case["id"]).queued_at
    assert queued_at is not None
    before = queued_at + datetime.timedelta(minutes=119)
    assert escalate_overdue(now=before) == []
    late = queued_at + datetime.timedelta(minutes=121)
    assert [str(c) for c in escalate_overdue(now=late)] == [case["id"]]
    assert escalate_overdue(now=late) == []  # a second run, or a second worker: nothing
    escalated = Case.objects.get(pk=case["id"])
    assert (escalated.escalation_level, escalated.escalated_at) == (1, late)
    later = late + datetime.timedelta(minutes=121)
    assert len(escalate_overdue(now=later)) == 1
    assert Case.objects.get(pk=case["id"]).escalation_level == 2
    national = bearer(UserFactory(role=UserRole.NATIONAL_COORDINATOR))
    escalated = api_client.get("/api/cases", {"escalated": "true"}, **national).json()
    assert [(c["id"], c["escalation_level"]) for c in escalated] == [(case["id"], 2)]
    assert escalate_overdue(now=later + datetime.timedelta(days=3)) == []  # the top level


def test_only_the_units_gp_opens_a_case(
    api_client: Client, actors: dict, bearer: Callable[[User], dict[str, str]]
) -> None:
    nurse = bearer(unit_staff(UserRole.NURSE, "figuig-1"))
    response = api_client.post(
        "/api/cases",
        {
            "encounter_id": str(actors["encounter"].pk),
            "specialty": "cardiology",
            "question": "?",
            "consent": True,
        },
        content_type=JSON,
        **nurse,
    )
    assert response.status_code == 403
    # The refusal is audited.
    assert AuditEvent.objects.filter(resource_type="Case", outcome="denied").count() == 1


def test_reading_the_answer_writes_it_into_the_open_encounter(
    api_client: Client, actors: dict
) -> None:
    case = _open(api_client, actors)
    api_client.post(f"/api/cases/{case['id']}/submit", {}, content_type=JSON, **actors["gp"])
    api_client.post(f"/api/cases/{case['id']}/claim", **actors["cardiologist"])
    api_client.post(
        f"/api/cases/{case['id']}/answer",
        {
            "advice": "Aténolol.",
            "diagnoses": ["I10"],
            "prescriptions": [{"medicine": "atenolol-50-tab", "quantity": 30, "dosage": "1 cp"}],
        },
        content_type=JSON,
        **actors["cardiologist"],
    )
    api_client.post(f"/api/cases/{case['id']}/close", **actors["gp"])
    encounter = api_client.get(f"/api/encounters/{actors['encounter'].pk}", **actors["gp"]).json()
    assert [d["code"] for d in encounter["diagnoses"]] == ["I10"]
    assert [(p["medicine"], p["quantity"]) for p in encounter["prescriptions"]] == [
        ("atenolol-50-tab", 30)
    ]


def test_the_specialist_workspace_shows_history_and_trends(
    api_client: Client, actors: dict
) -> None:
    gp = AccessContext(user=User.objects.get(username="gp-talsint"))
    start_encounter(
        ctx=gp,
        patient_id=actors["patient"].pk,
        measurements={"systolic_bp": 158, "diastolic_bp": 96},
    )
    case = _open(api_client, actors)
    api_client.post(f"/api/cases/{case['id']}/submit", {}, content_type=JSON, **actors["gp"])
    cardiologist = User.objects.filter(role="specialist", specialty_id="cardiology").first()
    browser = Client()
    browser.force_login(cardiologist)
    page = browser.get(f"/platform/cases/{case['id']}/").content.decode()
    assert 'data-testid="trends"' in page and "PA systolique" in page
    assert "Palpitations et HTA sévère" in page
    queue = browser.get("/platform/").content.decode()
    assert "Palpitations et HTA sévère" in queue


def test_an_answer_can_plan_a_live_session_but_not_in_the_past(
    api_client: Client, actors: dict
) -> None:
    case = _open(api_client, actors)
    api_client.post(f"/api/cases/{case['id']}/submit", {}, content_type=JSON, **actors["gp"])
    api_client.post(f"/api/cases/{case['id']}/claim", **actors["cardiologist"])
    url = f"/api/cases/{case['id']}/answer"
    past = {"advice": "Parlons-en.", "live_session_at": "2020-01-01T10:00:00+01:00"}
    refused = api_client.post(url, past, content_type=JSON, **actors["cardiologist"])
    assert refused.status_code == 422
    assert refused.json()["detail"] == [
        {"field": "live_session_at", "message": "Plan the live session in the future."}
    ]
    future = {"advice": "Parlons-en demain.", "live_session_at": "2099-01-01T10:00:00+01:00"}
    planned = api_client.post(url, future, content_type=JSON, **actors["cardiologist"])
    assert planned.status_code == 200
    assert planned.json()["answers"][0]["live_session_at"].startswith("2099-01-01")


def test_the_queue_costs_the_same_queries_however_long_it_is(
    client: Client, actors: dict, django_assert_max_num_queries: Callable[..., object]
) -> None:
    """Found under load (benchmarks/load_test.py): four queries per case made 200 cases take
    a second."""
    gp = User.objects.get(username="gp-talsint")
    for _ in range(5):
        encounter = start_encounter(ctx=AccessContext(user=gp), patient_id=actors["patient"].pk)
        case = _open(client, actors | {"encounter": encounter})
        client.post(f"/api/cases/{case['id']}/submit", {}, content_type=JSON, **actors["gp"])
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        response = client.get("/api/cases", **actors["cardiologist"])
    assert response.status_code == 200 and len(response.json()) == 5
