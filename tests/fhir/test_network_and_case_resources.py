"""The network's hubs and roles, tele-expertise and the audit trail through /fhir/: every
resource valid for fhir.resources (R4B models), patient data scoped and audited like the rest,
the audit trail for its readers only."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class

from tbib.access.models import AuditEvent
from tbib.accounts.choices import UserRole
from tbib.accounts.models import User
from tbib.clinical.models import IssuedDocument, Referral
from tbib.network.models import Hub, MobileUnit, TelemedicinePlatform
from tbib.teleexpertise.models import Answer, Case, LiveSession
from tests.factories import (
    UserFactory,
    answered_case,
    attachment_of,
    claimed_case,
    regional_coordinator,
    specialist,
    unit_staff,
)

pytestmark = pytest.mark.django_db
Headers = dict[str, str]
# The types served from the tele-expertise records: each read and search is audited.
CASE_TYPES = ("ServiceRequest", "Task", "Communication", "Appointment", "DocumentReference")


def valid(body: dict[str, Any]) -> dict[str, Any]:
    """Parse with fhir.resources (R4B models, the R4 structures we emit): raises if invalid."""
    get_fhir_model_class(body["resourceType"]).model_validate(body)
    for entry in body.get("entry", []):
        valid(entry["resource"])
    return body


def _get(client: Client, url: str, headers: Headers, expect: int = 200, **params: str) -> Any:
    response = client.get(url, params, **headers)
    assert response.status_code == expect, response.content
    return valid(response.json())


@pytest.fixture
def case() -> Case:
    """Answered with a live session planned tomorrow; a file, the session held, a referral and
    a printed document beside it."""
    found = answered_case("midelt-1", live_session_at=timezone.now() + datetime.timedelta(days=1))
    attachment_of(found)
    LiveSession.objects.create(
        case=found,
        started_at=timezone.now() + datetime.timedelta(days=1),
        participants=[found.created_by.username, found.claimed_by.username],  # type: ignore[union-attr]
    )
    encounter = found.encounter
    Referral.objects.create(
        encounter=encounter, hub=encounter.unit.regional_hub, reason="Bilan", urgency="routine"
    )
    IssuedDocument.objects.create(
        number="ORD-2026-MIDELT1-7K3M9Q", encounter=encounter, kind="prescription"
    )
    return found


@pytest.fixture
def gp_of(bearer: Callable[[User], Headers]) -> Callable[[Case], Headers]:
    return lambda case: bearer(case.created_by)


def test_hubs_and_the_platform_are_organizations_units_part_of_their_hub(
    api_client: Client, bearer: Callable[[User], Headers]
) -> None:
    nurse = bearer(unit_staff(UserRole.NURSE, "midelt-1"))
    unit = MobileUnit.objects.get(code="midelt-1")
    national = Hub.objects.get(level="national")
    platform = TelemedicinePlatform.objects.get()
    read_unit = _get(api_client, f"/fhir/Organization/{unit.pk}", nurse)
    assert read_unit["partOf"]["reference"] == f"Organization/{unit.regional_hub_id}"
    hub = _get(api_client, f"/fhir/{read_unit['partOf']['reference']}", nurse)
    assert hub["identifier"][0]["value"] == unit.regional_hub.code
    assert _get(api_client, f"/fhir/Organization/{national.pk}", nurse)["name"] == national.name
    read_platform = _get(api_client, f"/fhir/Organization/{platform.pk}", nurse)
    assert read_platform["partOf"]["reference"] == f"Organization/{national.pk}"
    # One search over units, hubs and the platform, paged without repeating or skipping.
    everything = MobileUnit.objects.count() + Hub.objects.count() + 1
    seen: list[str] = []
    url: str | None = "/fhir/Organization?_count=17&_sort=name"
    while url:
        page = valid(api_client.get(url, **nurse).json())
        assert page["total"] == everything
        seen += [e["resource"]["id"] for e in page["entry"]]
        url = next((link["url"] for link in page["link"] if link["relation"] == "next"), None)
    assert len(seen) == len(set(seen)) == everything
    units_of_hub = _get(
        api_client, "/fhir/Organization", nurse, partof=f"Organization/{unit.regional_hub_id}"
    )
    assert str(unit.pk) in {e["resource"]["id"] for e in units_of_hub["entry"]}
    assert (
        units_of_hub["total"]
        == MobileUnit.objects.filter(regional_hub_id=unit.regional_hub_id).count()
    )
    assert _get(api_client, "/fhir/Organization", nurse, identifier=national.code)["total"] == 1


def test_practitioner_roles_place_staff_in_their_unit_and_specialists_at_the_platform(
    api_client: Client, bearer: Callable[[User], Headers]
) -> None:
    nurse = unit_staff(UserRole.NURSE, "midelt-1", username="role-nurse")
    cardiologist = specialist("cardiology")
    headers = bearer(nurse)
    role = _get(api_client, f"/fhir/PractitionerRole/{nurse.pk}", headers)
    assert role["organization"]["reference"] == f"Organization/{nurse.unit_id}"
    assert role["code"][0]["coding"][0]["code"] == "nurse"
    expert = _get(api_client, f"/fhir/PractitionerRole/{cardiologist.pk}", headers)
    platform = TelemedicinePlatform.objects.get()
    assert expert["organization"]["reference"] == f"Organization/{platform.pk}"
    codes = {c["code"] for c in expert["specialty"][0]["coding"]}
    assert codes == {"cardiology", "394579002"}  # SNOMED CT: Cardiology
    by_specialty = _get(api_client, "/fhir/PractitionerRole", headers, specialty="cardiology")
    assert str(cardiologist.pk) in {e["resource"]["id"] for e in by_specialty["entry"]}
    at_unit = _get(
        api_client, "/fhir/PractitionerRole", headers, organization=str(nurse.unit_id), role="nurse"
    )
    assert [e["resource"]["id"] for e in at_unit["entry"]] == [str(nurse.pk)]
    at_platform = _get(
        api_client, "/fhir/PractitionerRole", headers, organization=f"Organization/{platform.pk}"
    )
    assert str(cardiologist.pk) in {e["resource"]["id"] for e in at_platform["entry"]}
    coordinator = UserFactory(role=UserRole.NATIONAL_COORDINATOR)
    _get(api_client, f"/fhir/PractitionerRole/{coordinator.pk}", headers, expect=404)
    created = api_client.post(
        "/fhir/PractitionerRole",
        '{"resourceType": "PractitionerRole"}',
        content_type="application/fhir+json",
        **headers,
    )
    assert created.status_code == 405


def test_a_case_reads_as_request_task_answer_appointments_and_documents(
    api_client: Client, case: Case, gp_of: Callable[[Case], Headers]
) -> None:
    gp = gp_of(case)
    patient = f"Patient/{case.patient_id}"
    request = _get(api_client, f"/fhir/ServiceRequest/{case.pk}", gp)
    assert request["category"][0]["coding"][0]["code"] == "tele-expertise"
    assert (request["status"], request["priority"]) == ("completed", "urgent")
    assert request["performerType"]["coding"][1]["code"] == "394579002"
    assert request["note"][0]["text"] == case.question
    assert request["requester"]["reference"] == f"Practitioner/{case.created_by_id}"
    # Referrals and cases in one search, told apart by category.
    both = _get(api_client, "/fhir/ServiceRequest", gp, patient=patient, _sort="-authored")
    assert both["total"] == 2
    categories = [e["resource"]["category"][0]["coding"][-1]["code"] for e in both["entry"]]
    assert categories == ["referral", "tele-expertise"]  # the referral was written last
    only_cases = _get(
        api_client, "/fhir/ServiceRequest", gp, patient=patient, category="tele-expertise"
    )
    assert [e["resource"]["id"] for e in only_cases["entry"]] == [str(case.pk)]
    assert (
        _get(api_client, "/fhir/ServiceRequest", gp, requester=str(case.created_by_id))["total"]
        == 1
    )

    task = _get(api_client, f"/fhir/Task/{case.pk}", gp)
    assert task["status"] == "completed"
    assert task["businessStatus"]["coding"][0]["code"] == "answered"
    assert task["focus"]["reference"] == f"ServiceRequest/{case.pk}"
    assert task["owner"]["reference"] == f"Practitioner/{case.claimed_by_id}"
    assert task["restriction"]["period"]["end"].startswith(case.sla_due_at.date().isoformat())  # type: ignore[union-attr]
    assert "start" in task["executionPeriod"] and "end" in task["executionPeriod"]
    assert _get(api_client, "/fhir/Task", gp, status="completed", patient=patient)["total"] == 1
    assert _get(api_client, "/fhir/Task", gp, status="ready", patient=patient)["total"] == 0

    answers = _get(
        api_client, "/fhir/Communication", gp, **{"based-on": f"ServiceRequest/{case.pk}"}
    )
    answer = answers["entry"][0]["resource"]
    assert answers["total"] == 1 and answer["category"][0]["coding"][0]["code"] == "advice"
    assert answer["payload"][0]["contentString"].startswith("Ajouter l'amlodipine")
    assert answer["recipient"][0]["reference"] == f"Organization/{case.unit_id}"
    assert answer["sender"]["reference"] == f"Practitioner/{case.claimed_by_id}"
    _get(api_client, f"/fhir/Communication/{answer['id']}", gp)
    assert (
        _get(api_client, "/fhir/Communication", gp, category="request-for-information")["total"]
        == 0
    )

    appointments = _get(api_client, "/fhir/Appointment", gp, patient=patient, _sort="date")
    assert appointments["total"] == 2  # planned by the answer, then held
    planned, held = (e["resource"] for e in appointments["entry"])
    assert planned["id"] == answer["id"] and planned["status"] == "fulfilled"
    assert held["status"] == "arrived"  # started, not ended
    joined = {p["actor"]["reference"] for p in held["participant"]}
    assert f"Practitioner/{case.claimed_by_id}" in joined
    _get(api_client, f"/fhir/Appointment/{held['id']}", gp)

    documents = _get(api_client, "/fhir/DocumentReference", gp, patient=patient, _sort="date")
    assert documents["total"] == 2
    file, printed = (e["resource"]["content"][0]["attachment"] for e in documents["entry"])
    digest = hashlib.sha256(b"%PDF-1.7 ecg").digest()
    assert file["hash"] == base64.b64encode(digest).decode()
    assert file["url"] == f"/api/cases/{case.pk}/attachments/{digest.hex()}"
    assert printed["url"].endswith("/documents/prescription.pdf")
    by_type = _get(api_client, "/fhir/DocumentReference", gp, type="http://loinc.org|57833-6")
    assert by_type["total"] == 1
    _get(api_client, f"/fhir/DocumentReference/{documents['entry'][0]['resource']['id']}", gp)


def test_case_records_are_scoped_and_every_read_audited(
    api_client: Client,
    case: Case,
    gp_of: Callable[[Case], Headers],
    bearer: Callable[[User], Headers],
) -> None:
    gp = gp_of(case)
    ids = {
        kind: _get(api_client, f"/fhir/{kind}", gp, patient=f"Patient/{case.patient_id}")["entry"][
            0
        ]["resource"]["id"]
        for kind in CASE_TYPES
    }
    for kind, rid in ids.items():
        _get(api_client, f"/fhir/{kind}/{rid}", gp)
        assert AuditEvent.objects.filter(
            resource_type=kind,
            resource_id=rid,
            action="read",
            outcome="allowed",
            patient_id=case.patient_id,
        ).exists(), kind
        assert AuditEvent.objects.filter(
            resource_type=kind, action="search", detail__startswith="FHIR search"
        ).exists(), kind

    other_unit = bearer(unit_staff(UserRole.GP, "figuig-1"))
    dermatologist = bearer(specialist("dermatology"))
    elsewhere = bearer(regional_coordinator("01"))  # Tanger-Tétouan-Al Hoceïma, not Midelt's
    for outsider in (other_unit, dermatologist, elsewhere):
        for kind, rid in ids.items():
            _get(api_client, f"/fhir/{kind}/{rid}", outsider, expect=404)
            assert _get(api_client, f"/fhir/{kind}", outsider, _id=rid)["total"] == 0
    assert AuditEvent.objects.filter(
        resource_type="Task", resource_id=ids["Task"], outcome="denied"
    ).exists()
    absent = uuid.uuid4()
    _get(api_client, f"/fhir/Communication/{absent}", gp, expect=404)
    assert AuditEvent.objects.get(resource_id=str(absent)).outcome == "not-found"

    # The specialty's specialists and the region's coordinator see them.
    region = bearer(regional_coordinator("08"))  # Drâa-Tafilalet, Midelt's region
    cardiologist = bearer(case.claimed_by)  # type: ignore[arg-type]
    for reader in (region, cardiologist):
        for kind, rid in ids.items():
            _get(api_client, f"/fhir/{kind}/{rid}", reader)
    owned = _get(api_client, "/fhir/Task", cardiologist, owner=f"Practitioner/{case.claimed_by_id}")
    assert [e["resource"]["id"] for e in owned["entry"]] == [str(case.pk)]


def test_the_audit_trail_is_for_administrators_and_the_national_coordinator(
    api_client: Client,
    case: Case,
    gp_of: Callable[[Case], Headers],
    bearer: Callable[[User], Headers],
) -> None:
    _get(api_client, f"/fhir/Task/{case.pk}", gp_of(case))
    nurse = bearer(unit_staff(UserRole.NURSE, "midelt-1"))
    refused = api_client.get("/fhir/AuditEvent", **nurse)
    assert refused.status_code == 403
    assert valid(refused.json())["issue"][0]["code"] == "forbidden"
    some = AuditEvent.objects.first()
    assert some is not None
    assert api_client.get(f"/fhir/AuditEvent/{some.pk}", **nurse).status_code == 403
    assert (
        AuditEvent.objects.filter(
            resource_type="AuditEvent", outcome="denied", actor_role="nurse"
        ).count()
        == 2
    )

    for role in (UserRole.ADMINISTRATOR, UserRole.NATIONAL_COORDINATOR):
        reader = bearer(UserFactory(role=role))
        trail = _get(
            api_client,
            "/fhir/AuditEvent",
            reader,
            entity=f"Task/{case.pk}",
            action="R",
            _sort="-date",
        )
        assert trail["total"] == 1
        event = trail["entry"][0]["resource"]
        assert event["outcome"] == "0"
        assert {"reference": f"Patient/{case.patient_id}"} in [
            e.get("what") for e in event["entity"]
        ]
        assert event["agent"][0]["who"]["identifier"]["value"] == case.created_by.username
        about_patient = _get(
            api_client, "/fhir/AuditEvent", reader, patient=str(case.patient_id), outcome="0"
        )
        assert about_patient["total"] >= 5  # registration, encounter, case, its transitions
        _get(api_client, f"/fhir/AuditEvent/{event['id']}", reader)
        by_agent = _get(api_client, "/fhir/AuditEvent", reader, agent=str(case.created_by_id))
        assert by_agent["total"] >= 1
    assert (
        AuditEvent.objects.filter(
            resource_type="AuditEvent", action="read", outcome="allowed"
        ).count()
        == 2
    )


def test_the_capability_statement_lists_the_new_types_and_refuses_what_they_do_not_do(
    api_client: Client, case: Case, gp_of: Callable[[Case], Headers]
) -> None:
    statement = valid(api_client.get("/fhir/metadata").json())
    served = {r["type"]: r for r in statement["rest"][0]["resource"]}
    read_only = ["read", "vread", "history-instance", "search-type"]
    for kind in ("ServiceRequest", "Appointment", "DocumentReference", "AuditEvent"):
        assert [i["code"] for i in served[kind]["interaction"]] == read_only
    for kind in ("PractitionerRole", "Organization"):
        assert [i["code"] for i in served[kind]["interaction"]] == read_only
    assert [i["code"] for i in served["Communication"]["interaction"]] == [*read_only, "create"]
    assert [i["code"] for i in served["Task"]["interaction"]] == [*read_only, "update"]
    assert served["Task"]["versioning"] == "versioned-update"
    params = {p["name"] for p in served["ServiceRequest"]["searchParam"]}
    assert {"category", "requester", "performer-type", "patient", "authored"} <= params
    assert {"entity", "agent", "date", "action", "patient"} <= {
        p["name"] for p in served["AuditEvent"]["searchParam"]
    }
    gp = gp_of(case)
    for kind in ("ServiceRequest", "Task", "Appointment", "DocumentReference", "AuditEvent"):
        posted = api_client.post(
            f"/fhir/{kind}",
            f'{{"resourceType": "{kind}"}}',
            content_type="application/fhir+json",
            **gp,
        )
        assert posted.status_code == 405, kind
    put = api_client.put(
        f"/fhir/ServiceRequest/{case.pk}",
        json.dumps({"resourceType": "ServiceRequest", "id": str(case.pk)}),
        content_type="application/fhir+json",
        **gp,
    )
    assert put.status_code == 405
    assert valid(put.json())["issue"][0]["diagnostics"] == (
        "ServiceRequest resources are changed by their own workflow, not by PUT (clinical "
        "facts never change once written; PUT serves Encounter, Patient, Task)."
    )


def test_the_specialist_holding_a_case_answers_it_as_a_communication(
    api_client: Client, bearer: Callable[[User], Headers]
) -> None:
    case = claimed_case("midelt-1")
    assert case.claimed_by is not None
    answer = {
        "resourceType": "Communication",
        "status": "completed",
        "basedOn": [{"reference": f"ServiceRequest/{case.pk}"}],
        "payload": [{"contentString": "Échographie cardiaque à programmer au CHR."}],
    }

    def post(body: dict[str, Any], headers: Headers) -> Any:
        return api_client.post(
            "/fhir/Communication", json.dumps(body), content_type="application/fhir+json", **headers
        )

    refused = post(answer, bearer(case.created_by))  # the unit's GP does not answer
    assert refused.status_code == 403
    assert valid(refused.json())["issue"][0]["code"] == "forbidden"
    # The refusal is in the audit trail although the write's transaction rolled back.
    assert AuditEvent.objects.filter(actor=case.created_by, outcome="denied").exists()
    cardiologist = bearer(case.claimed_by)
    assert post({**answer, "basedOn": []}, cardiologist).status_code == 422
    asked = post(
        {
            **answer,
            "category": [{"coding": [{"code": "request-for-information"}]}],
            "payload": [{"contentString": "Quel traitement actuel, à quelles doses ?"}],
        },
        cardiologist,
    )
    assert asked.status_code == 201, asked.content
    created = valid(asked.json())
    assert created["category"][0]["coding"][0]["code"] == "request-for-information"
    assert asked["Location"].endswith(
        f"/fhir/Communication/{created['id']}/_history/{created['meta']['versionId']}"
    )
    task = _get(api_client, f"/fhir/Task/{case.pk}", cardiologist)
    assert task["businessStatus"]["coding"][0]["code"] == "more-info"
    # Back at the unit, the case cannot be answered until it returns to the queue.
    again = post(answer, cardiologist)
    assert again.status_code == 409
    assert valid(again.json())["issue"][0]["diagnostics"] == (
        "A case that is more-info cannot be answered."
    )
    assert Answer.objects.filter(case=case).count() == 1
