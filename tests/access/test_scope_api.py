"""Need-to-know: who reaches which patient through the API, and the audit of each call."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tbib.access.models import AuditEvent
from tbib.accounts.choices import UserRole
from tbib.accounts.models import User
from tests.factories import (
    PatientFactory,
    UserFactory,
    regional_coordinator,
    specialist,
    unit,
    unit_staff,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def patients() -> dict[str, object]:
    """A patient in Imilchil (midelt-1, region 08) and one in Talsint (figuig-1, region 02)."""
    return {
        "imilchil": PatientFactory(unit=unit("midelt-1"), cin="QA123456"),
        "talsint": PatientFactory(unit=unit("figuig-1"), cin="QB654321"),
    }


def _ids(response_json: dict) -> set[str]:
    return {item["id"] for item in response_json["items"]}


def test_nurse_cannot_read_another_units_patient_by_any_route(
    api_client: Client, bearer: Callable[[User], dict[str, str]], patients: dict
) -> None:
    nurse = unit_staff(UserRole.NURSE, "midelt-1", username="nurse-midelt")
    auth = bearer(nurse)
    other = patients["talsint"]
    response = api_client.get(f"/api/patients/{other.pk}", **auth)
    assert response.status_code == 404
    assert response.json() == {"detail": "No patient with this id in your scope."}
    event = AuditEvent.objects.get(resource_id=str(other.pk))
    assert (event.actor_username, event.action, event.outcome) == ("nurse-midelt", "read", "denied")
    assert event.patient_id == other.pk
    assert event.client_address == "10.20.30.40"
    listed = api_client.get("/api/patients", {"limit": 500}, **auth).json()
    assert str(other.pk) not in _ids(listed)
    assert str(patients["imilchil"].pk) in _ids(listed)
    searched = api_client.get("/api/patients", {"q": other.family_name}, **auth).json()
    assert str(other.pk) not in _ids(searched)
    own = api_client.get(f"/api/patients/{patients['imilchil'].pk}", **auth)
    assert own.status_code == 200


def test_exact_identifier_lookup_reaches_another_unit_and_is_audited_as_such(
    api_client: Client, bearer: Callable[[User], dict[str, str]], patients: dict
) -> None:
    auth = bearer(unit_staff(UserRole.GP, "midelt-1", username="gp-midelt"))
    response = api_client.get("/api/patients/lookup", {"cin": "qb654321"}, **auth)
    assert response.status_code == 200
    assert response.json()["id"] == str(patients["talsint"].pk)
    event = AuditEvent.objects.get(actor_username="gp-midelt")
    assert (event.action, event.outcome, event.detail) == ("lookup", "allowed", "by CIN")
    # A partial identifier is not a lookup.
    response = api_client.get("/api/patients/lookup", {"cin": "QB65"}, **auth)
    assert response.status_code == 404
    assert response.json() == {"detail": "No patient has this identifier."}


def test_regional_coordinator_sees_only_their_region(
    api_client: Client, bearer: Callable[[User], dict[str, str]], patients: dict
) -> None:
    auth = bearer(regional_coordinator("08"))
    listed = _ids(api_client.get("/api/patients", {"limit": 500}, **auth).json())
    assert str(patients["imilchil"].pk) in listed
    assert str(patients["talsint"].pk) not in listed
    assert api_client.get(f"/api/patients/{patients['talsint'].pk}", **auth).status_code == 404
    assert api_client.get(f"/api/patients/{patients['imilchil'].pk}", **auth).status_code == 200
    response = api_client.get("/api/patients/lookup", {"cin": "QB654321"}, **auth)
    assert response.status_code == 403


def test_national_coordinator_sees_all(
    api_client: Client, bearer: Callable[[User], dict[str, str]], patients: dict
) -> None:
    auth = bearer(UserFactory(username="nat", role=UserRole.NATIONAL_COORDINATOR))
    listed = _ids(api_client.get("/api/patients", {"limit": 500}, **auth).json())
    assert {str(p.pk) for p in patients.values()} <= listed


@pytest.mark.parametrize("role", [UserRole.PLANNER, UserRole.ADMINISTRATOR, "specialist"])
def test_roles_without_clinical_need_see_no_patient(
    role: str,
    api_client: Client,
    bearer: Callable[[User], dict[str, str]],
    patients: dict,
) -> None:
    user = specialist("cardiology") if role == "specialist" else UserFactory(role=role)
    auth = bearer(user)
    assert api_client.get("/api/patients", **auth).json()["count"] == 0
    assert api_client.get(f"/api/patients/{patients['imilchil'].pk}", **auth).status_code == 404
    event = AuditEvent.objects.filter(actor=user, action="search").get()
    # Specialists have a scope (the patients of their specialty's cases), empty here;
    # planners and administrators have none at all.
    assert event.outcome == ("allowed" if role == "specialist" else "denied")


def test_unit_staff_register_patients_in_their_own_unit_only(
    api_client: Client, bearer: Callable[[User], dict[str, str]]
) -> None:
    payload = {
        "given_name": "Itto",
        "family_name": "Ouhammou",
        "given_name_ar": "إطو",
        "family_name_ar": "أوحمو",
        "sex": "female",
        "birth_date": "1971-03-02",
        "commune_code": "08.363.15.07",
    }
    auth = bearer(unit_staff(UserRole.NURSE, "midelt-1", username="nurse-reg"))
    response = api_client.post("/api/patients", payload, content_type="application/json", **auth)
    assert response.status_code == 201
    assert response.json()["unit"] == "midelt-1"
    coordinator = bearer(regional_coordinator("08"))
    response = api_client.post(
        "/api/patients", payload, content_type="application/json", **coordinator
    )
    assert response.status_code == 403
    assert response.json() == {
        "detail": "You may only write the records of your own unit's patients."
    }


@pytest.mark.parametrize(
    ("field", "value", "status"),
    [
        ("birth_date", "2999-01-01", 422),
        ("sex", "robot", 422),
        ("cin", "123", 422),
        ("commune_code", "99.999.99.99", 404),
        ("given_name", "", 422),
    ],
)
def test_bad_patient_input_is_refused_and_nothing_is_saved(
    api_client: Client,
    bearer: Callable[[User], dict[str, str]],
    field: str,
    value: str,
    status: int,
) -> None:
    auth = bearer(unit_staff(UserRole.NURSE, "midelt-1", username="nurse-bad"))
    payload = {"given_name": "Moha", "family_name": "Amzil", "sex": "male", field: value}
    before = unit("midelt-1").patients.count()
    response = api_client.post("/api/patients", payload, content_type="application/json", **auth)
    assert response.status_code == status
    assert response.json()["detail"]
    assert unit("midelt-1").patients.count() == before


CALLS = [
    ("get", "/api/patients", None),
    ("get", "/api/patients?q=Ouhammou", None),
    ("get", "/api/patients/{own}", None),
    ("get", "/api/patients/{other}", None),
    ("get", "/api/patients/00000000-0000-7000-8000-000000000000", None),
    ("get", "/api/patients/lookup?cin=QB654321", None),
    ("get", "/api/patients/lookup?cin=ZZ1", None),
    ("post", "/api/patients", {"given_name": "Moha", "family_name": "Amzil", "sex": "male"}),
    ("post", "/api/patients", {"given_name": "Moha", "family_name": "Amzil", "sex": "robot"}),
    (
        "post",
        "/api/patients",
        {"given_name": "Moha", "birth_date": "2999-01-01", "sex": "male", "family_name": "Amzil"},
    ),
    ("get", "/api/patients/lookup?cin=12", None),
]


@pytest.mark.parametrize(("method", "path", "body"), CALLS)
def test_each_patient_data_call_writes_exactly_one_audit_event(
    api_client: Client,
    bearer: Callable[[User], dict[str, str]],
    patients: dict,
    method: str,
    path: str,
    body: dict | None,
) -> None:
    auth = bearer(unit_staff(UserRole.GP, "midelt-1", username="gp-audit"))
    path = path.format(own=patients["imilchil"].pk, other=patients["talsint"].pk)
    before = AuditEvent.objects.count()
    if method == "get":
        api_client.get(path, **auth)
    else:
        api_client.post(path, body, content_type="application/json", **auth)
    assert AuditEvent.objects.count() == before + 1


def test_anonymous_patient_calls_are_refused(api_client: Client, patients: dict) -> None:
    for path in ("/api/patients", f"/api/patients/{patients['imilchil'].pk}"):
        response = api_client.get(path)
        assert response.status_code == 401


def test_match_ranks_likely_duplicates_in_scope_with_reasons(
    api_client: Client, bearer: Callable[[User], dict[str, str]], patients: dict
) -> None:
    auth = bearer(unit_staff(UserRole.NURSE, "midelt-1", username="nurse-match"))
    known = patients["imilchil"]
    known.given_name, known.family_name = "Mohamed", "Ait Ali"
    known.given_name_ar, known.family_name_ar = "محمد", "آيت علي"
    known.commune_id = "08.363.15.07"
    known.save()
    payload = {"given_name": "Mhamed", "family_name": "Ayt Ali", "sex": "male",
               "birth_date": "1962-07-01", "commune_code": "08.363.15.07"}  # fmt: skip
    before = AuditEvent.objects.count()
    response = api_client.post(
        "/api/patients/match", payload, content_type="application/json", **auth
    )
    assert response.status_code == 200
    candidates = response.json()
    assert candidates[0]["patient"]["id"] == str(known.pk)
    assert candidates[0]["score"] >= 0.88
    assert "names 100% alike" in candidates[0]["reasons"]
    assert AuditEvent.objects.count() == before + 1
    # In Arabic script only, the same person is found.
    payload = {"given_name_ar": "محمد", "family_name_ar": "آيت علي", "birth_date": "1962-07-01",
               "commune_code": "08.363.15.07"}  # fmt: skip
    response = api_client.post(
        "/api/patients/match", payload, content_type="application/json", **auth
    )
    assert response.json()[0]["patient"]["id"] == str(known.pk)
    # Another unit's namesake is out of scope.
    other = bearer(unit_staff(UserRole.NURSE, "figuig-1", username="nurse-match-2"))
    response = api_client.post(
        "/api/patients/match", payload, content_type="application/json", **other
    )
    assert str(known.pk) not in {c["patient"]["id"] for c in response.json()}
    response = api_client.post(
        "/api/patients/match", {"sex": "male"}, content_type="application/json", **auth
    )
    assert response.status_code == 422
    assert response.json() == {"detail": "Give at least a name, in Latin or Arabic script."}


def test_search_finds_names_in_any_spelling_or_script_and_by_identifiers(
    api_client: Client, bearer: Callable[[User], dict[str, str]]
) -> None:
    auth = bearer(unit_staff(UserRole.GP, "azilal-1", username="gp-search"))
    payload = {"given_name": "Mohamed", "family_name": "Ait Ali", "given_name_ar": "محمد",
               "family_name_ar": "آيت علي", "sex": "male", "cin": "QZ12345",
               "phone": "06 61 23 45 67"}  # fmt: skip
    created = api_client.post("/api/patients", payload, content_type="application/json", **auth)
    assert created.status_code == 201
    assert created.json()["phone"] == "+212661234567"
    patient_id = created.json()["id"]
    for query in ("Mhamed Ayt Ali", "mohammed", "محمد", "آيت علي", "qz12345", "0661234567",
                  "Ait Ali", "Ali Mohamed"):  # fmt: skip
        found = api_client.get("/api/patients", {"q": query}, **auth).json()["items"]
        assert patient_id in {item["id"] for item in found}, query
    found = api_client.get("/api/patients", {"q": "Khadija"}, **auth).json()["items"]
    assert patient_id not in {item["id"] for item in found}
    brahim = {**payload, "family_name": "Ait Brahim", "family_name_ar": "آيت إبراهيم", "cin": None,
              "phone": ""}  # fmt: skip
    created = api_client.post("/api/patients", brahim, content_type="application/json", **auth)
    found = api_client.get("/api/patients", {"q": "Ibrahim"}, **auth).json()["items"]
    assert created.json()["id"] in {item["id"] for item in found}
    bad = api_client.post(
        "/api/patients", {**payload, "cin": None, "phone": "12"}, content_type="application/json",
        **auth,
    )  # fmt: skip
    assert bad.status_code == 422
    assert bad.json()["detail"] == [
        {"field": "phone", "message": "'12' is not a valid phone number."}
    ]
