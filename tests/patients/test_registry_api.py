"""The registry as unit staff use it: estimated ages, guardians, pregnancy, and merges."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from tbib.access.models import AuditEvent
from tbib.accounts.choices import UserRole
from tbib.accounts.models import User
from tbib.patients.models import Patient
from tests.factories import PatientFactory, unit, unit_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def nurse_auth(bearer: Callable[[User], dict[str, str]]) -> dict[str, str]:
    return bearer(unit_staff(UserRole.NURSE, "midelt-1", username="nurse-imilchil"))


def _post(client: Client, path: str, body: dict, auth: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(path, body, content_type="application/json", **auth)


def test_a_stated_age_gives_an_estimated_birth_date(api_client: Client, nurse_auth: dict) -> None:
    response = _post(
        api_client,
        "/api/patients",
        {"given_name": "Itto", "family_name": "Oubaha", "sex": "female", "age_years": 60},
        nurse_auth,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    today = timezone.localdate()
    assert body["birth_date_is_estimated"] is True
    assert body["birth_date"].startswith(str(today.year - 60))
    assert body["cin"] is None and body["phone"] == ""


def test_a_child_is_registered_with_a_guardian_of_the_same_unit(
    api_client: Client, nurse_auth: dict
) -> None:
    mother = PatientFactory(unit=unit("midelt-1"), sex="female")
    response = _post(
        api_client,
        "/api/patients",
        {
            "given_name": "Yassine",
            "family_name": mother.family_name,
            "sex": "male",
            "birth_date": "2024-03-02",
            "guardian_id": str(mother.pk),
            "guardian_relationship": "mother",
            "village": "Tamalout",
        },
        nurse_auth,
    )
    assert response.status_code == 201, response.content
    assert response.json()["guardian_id"] == str(mother.pk)
    assert response.json()["village"] == "Tamalout"
    stranger = PatientFactory(unit=unit("figuig-1"))
    refused = _post(
        api_client,
        "/api/patients",
        {"given_name": "Ali", "family_name": "X", "sex": "male", "guardian_id": str(stranger.pk)},
        nurse_auth,
    )
    assert refused.status_code == 422
    assert refused.json() == {
        "detail": [{"field": "guardian_id", "message": "No patient of your unit has this id."}]
    }


def test_a_man_cannot_be_recorded_pregnant(api_client: Client, nurse_auth: dict) -> None:
    response = _post(
        api_client,
        "/api/patients",
        {
            "given_name": "Ali",
            "family_name": "Amzil",
            "sex": "male",
            "pregnancy_status": "pregnant",
        },
        nurse_auth,
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "field": "pregnancy_status",
            "message": "Un patient de sexe masculin ne peut pas être enceinte.",
        }
    ]
    assert not Patient.objects.filter(family_name="Amzil").exists()
    assert AuditEvent.objects.filter(action="create", outcome="invalid").count() == 1


def test_merge_hides_the_duplicate_keeps_both_and_can_be_undone(
    api_client: Client, nurse_auth: dict
) -> None:
    home = unit("midelt-1")
    kept = PatientFactory(unit=home, given_name="Mohamed", family_name="Ait Ouallal")
    duplicate = PatientFactory(unit=home, given_name="Mhamed", family_name="Ayt Oullal")
    merged = _post(
        api_client,
        "/api/patients/merges",
        {"survivor_id": str(kept.pk), "duplicate_id": str(duplicate.pk), "reason": "same CIN"},
        nurse_auth,
    )
    assert merged.status_code == 201, merged.content
    merge_id = merged.json()["id"]
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == kept.pk
    listed = api_client.get("/api/patients", {"q": "mohamed"}, **nurse_auth).json()
    assert [item["id"] for item in listed["items"]] == [str(kept.pk)]
    # The duplicate's record itself is still there, pointing to the survivor.
    read = api_client.get(f"/api/patients/{duplicate.pk}", **nurse_auth).json()
    assert read["merged_into_id"] == str(kept.pk)
    again = _post(
        api_client,
        "/api/patients/merges",
        {"survivor_id": str(kept.pk), "duplicate_id": str(duplicate.pk)},
        nurse_auth,
    )
    assert again.status_code == 409
    assert again.json() == {"detail": "This duplicate has already been merged."}

    undone = _post(api_client, f"/api/patients/merges/{merge_id}/undo", {}, nurse_auth)
    assert undone.status_code == 200
    assert undone.json()["undone_at"] is not None
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id is None
    listed = api_client.get("/api/patients", {"q": "mohamed"}, **nurse_auth).json()
    assert {item["id"] for item in listed["items"]} == {str(kept.pk), str(duplicate.pk)}
    actions = list(
        AuditEvent.objects.filter(patient_id=duplicate.pk)
        .exclude(action="read")
        .values_list("action", flat=True)
    )
    assert actions == ["merge", "unmerge"]
    twice = _post(api_client, f"/api/patients/merges/{merge_id}/undo", {}, nurse_auth)
    assert twice.status_code == 409


def test_merging_another_units_patient_is_refused_and_audited(
    api_client: Client, nurse_auth: dict
) -> None:
    kept = PatientFactory(unit=unit("midelt-1"))
    foreign = PatientFactory(unit=unit("figuig-1"))
    response = _post(
        api_client,
        "/api/patients/merges",
        {"survivor_id": str(kept.pk), "duplicate_id": str(foreign.pk)},
        nurse_auth,
    )
    assert response.status_code == 403
    foreign.refresh_from_db()
    assert foreign.merged_into_id is None
    assert AuditEvent.objects.filter(patient_id=foreign.pk, outcome="denied").count() == 1
