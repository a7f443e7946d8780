"""The FHIR interface through HTTP: resources valid for an independent model library,
OperationOutcomes for every refusal, version checks, import without duplicates, scope and
audit as everywhere else."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.encounter import Encounter as FhirEncounter
from fhir.resources.R4B.observation import Observation as FhirObservation
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.patient import Patient as FhirPatient

from tbib.access.models import AuditEvent
from tbib.accounts.choices import UserRole
from tbib.accounts.models import User
from tbib.clinical.models import Encounter, Observation
from tbib.patients.models import Patient
from tests.factories import (
    UserFactory,
    claimed_case,
    regional_coordinator,
    specialist,
    unit,
    unit_staff,
)
from tests.fhir.synthea import SYNTHEA, bundle

pytestmark = pytest.mark.django_db
JSON = "application/fhir+json"
MODELS = {
    "Patient": FhirPatient,
    "Encounter": FhirEncounter,
    "Observation": FhirObservation,
    "Bundle": Bundle,
    "OperationOutcome": OperationOutcome,
}


def valid(body: dict[str, Any]) -> dict[str, Any]:
    """Parse with fhir.resources (R4B models, the R4 structures we emit): raises if invalid."""
    MODELS[body["resourceType"]].model_validate(body)
    for entry in body.get("entry", []):
        if "resource" in entry:
            valid(entry["resource"])
    return body


@pytest.fixture
def gp(bearer: Callable[[User], dict[str, str]]) -> dict[str, str]:
    return bearer(unit_staff(UserRole.GP, "midelt-1", username="fhir-gp"))


def _post(client: Client, url: str, body: object, headers: dict[str, str], **extra: str) -> Any:
    return client.post(url, json.dumps(body), content_type=JSON, **headers, **extra)


def test_metadata_describes_the_server() -> None:
    body = Client().get("/fhir/metadata").json()
    CapabilityStatement.model_validate(body)
    assert body["fhirVersion"] == "4.0.1"
    served = {r["type"] for r in body["rest"][0]["resource"]}
    assert {"Patient", "Encounter", "Observation"} <= served


def test_a_synthea_bundle_imported_twice_creates_nothing_the_second_time(
    api_client: Client, gp: dict[str, str]
) -> None:
    document = bundle(patients=4, encounters=2)
    before = (Patient.objects.count(), Encounter.objects.count(), Observation.objects.count())
    first = _post(api_client, "/fhir/", document, gp)
    assert first.status_code == 200, first.content
    answer = valid(first.json())
    assert answer["type"] == "transaction-response"
    assert {e["response"]["status"] for e in answer["entry"]} == {"201 Created"}
    after = (Patient.objects.count(), Encounter.objects.count(), Observation.objects.count())
    assert [b - a for a, b in zip(before, after, strict=True)] == [4, 8, 32]

    again = _post(api_client, "/fhir/", document, gp).json()
    assert {e["response"]["status"] for e in again["entry"]} == {"200 OK"}
    assert (
        Patient.objects.count(),
        Encounter.objects.count(),
        Observation.objects.count(),
    ) == after

    # The imported encounters are finished (signed) and carry their observations.
    patient_entry = next(e for e in answer["entry"] if e["resource"]["resourceType"] == "Patient")
    patient_id = patient_entry["resource"]["id"]
    found = api_client.get(f"/fhir/Encounter?patient={patient_id}", **gp).json()
    assert found["total"] == 2
    assert {e["resource"]["status"] for e in found["entry"]} == {"finished"}
    by_identifier = api_client.get(
        "/fhir/Patient",
        {"identifier": f"{SYNTHEA}|{patient_entry['resource']['identifier'][-1]['value']}"},
        **gp,
    ).json()
    assert by_identifier["total"] == 1


def test_a_transaction_is_all_or_nothing(api_client: Client, gp: dict[str, str]) -> None:
    document = bundle(patients=2, encounters=1, seed=11)
    observation = next(
        e for e in document["entry"] if e["resource"]["resourceType"] == "Observation"
    )
    observation["resource"]["valueQuantity"]["value"] = 9999  # out of any plausible range
    before = Patient.objects.count()
    response = _post(api_client, "/fhir/", document, gp)
    assert response.status_code == 422
    issue = valid(response.json())["issue"][0]
    assert "entry[" in issue["diagnostics"] and "between" in issue["diagnostics"]
    assert Patient.objects.count() == before


def test_create_read_search_update_with_if_match_and_history(
    api_client: Client, gp: dict[str, str]
) -> None:
    resource = {
        "resourceType": "Patient",
        "gender": "female",
        "birthDate": "1987-04-12",
        "name": [
            {"family": "Ait Lhaj", "given": ["Itto"]},
            {
                "extension": [
                    {"url": "http://hl7.org/fhir/StructureDefinition/language", "valueCode": "ar"}
                ],
                "family": "آيت الحاج",
                "given": ["إطو"],
            },
        ],
        "telecom": [{"system": "phone", "value": "0612345678"}],
    }
    created = _post(api_client, "/fhir/Patient", resource, gp)
    assert created.status_code == 201, created.content
    body = valid(created.json())
    pid, version = body["id"], body["meta"]["versionId"]
    assert created["ETag"] == f'W/"{version}"'
    assert created["Location"].endswith(f"/fhir/Patient/{pid}/_history/{version}")
    assert body["telecom"][0]["value"] == "+212612345678"

    read = api_client.get(f"/fhir/Patient/{pid}", **gp)
    assert valid(read.json())["name"][1]["family"] == "آيت الحاج"
    search = valid(
        api_client.get("/fhir/Patient", {"family": "ait lh", "birthdate": "1987"}, **gp).json()
    )
    assert [e["resource"]["id"] for e in search["entry"]] == [pid]

    changed = {**body, "birthDate": "1987-04-13"}
    updated = api_client.put(
        f"/fhir/Patient/{pid}",
        json.dumps(changed),
        content_type=JSON,
        HTTP_IF_MATCH=f'W/"{version}"',
        **gp,
    )
    assert updated.status_code == 200, updated.content
    new_version = valid(updated.json())["meta"]["versionId"]
    assert new_version != version and updated.json()["birthDate"] == "1987-04-13"
    # A second writer who read version `version` is refused: no lost update.
    stale = api_client.put(
        f"/fhir/Patient/{pid}",
        json.dumps({**body, "gender": "other"}),
        content_type=JSON,
        HTTP_IF_MATCH=f'W/"{version}"',
        **gp,
    )
    assert stale.status_code == 412
    assert "Version conflict" in valid(stale.json())["issue"][0]["diagnostics"]
    assert api_client.get(f"/fhir/Patient/{pid}", **gp).json()["gender"] == "female"

    history = valid(api_client.get(f"/fhir/Patient/{pid}/_history", **gp).json())
    assert [e["resource"]["birthDate"] for e in history["entry"]] == ["1987-04-13", "1987-04-12"]
    old = api_client.get(f"/fhir/Patient/{pid}/_history/{version}", **gp).json()
    assert old["birthDate"] == "1987-04-12"


def test_paging_links_walk_the_whole_result(api_client: Client, gp: dict[str, str]) -> None:
    _post(api_client, "/fhir/", bundle(patients=7, encounters=1, seed=3), gp)
    seen, url = [], "/fhir/Patient?_count=3&_sort=birthdate"
    while url:
        page = valid(api_client.get(url, **gp).json())
        seen += [e["resource"]["birthDate"] for e in page["entry"]]
        url = next((link["url"] for link in page["link"] if link["relation"] == "next"), "")
    assert len(seen) == page["total"] >= 7
    assert seen == sorted(seen)


def test_observations_by_code_and_date_include_their_patient(
    api_client: Client, gp: dict[str, str]
) -> None:
    _post(api_client, "/fhir/", bundle(patients=2, encounters=1, seed=5), gp)
    found = valid(
        api_client.get(
            "/fhir/Observation",
            {
                "code": "http://loinc.org|8480-6",
                "date": "ge2026-03",
                "category": "vital-signs",
                "_include": "Observation:patient",
            },
            **gp,
        ).json()
    )
    matches = [e for e in found["entry"] if e["search"]["mode"] == "match"]
    included = [e for e in found["entry"] if e["search"]["mode"] == "include"]
    assert len(matches) >= 2 and all(
        e["resource"]["code"]["coding"][0]["code"] == "8480-6" for e in matches
    )
    assert {e["resource"]["resourceType"] for e in included} == {"Patient"}


def test_refusals_are_operation_outcomes(api_client: Client, gp: dict[str, str]) -> None:
    cases = [
        (api_client.get("/fhir/Patient"), 401),
        (api_client.get("/fhir/Patient", HTTP_AUTHORIZATION="Bearer nope"), 401),
        (api_client.get("/fhir/Patient/not-a-uuid", **gp), 404),
        (api_client.get("/fhir/Medication", **gp), 404),
        (
            api_client.get(
                "/fhir/Patient", {"shoe_size": "42"}, HTTP_PREFER="handling=strict", **gp
            ),
            400,
        ),
        (api_client.get("/fhir/Patient", {"birthdate": "soon"}, **gp), 400),
        (api_client.get("/fhir/Patient", {"_sort": "shoe"}, **gp), 400),
        (api_client.post("/fhir/Patient", "{", content_type=JSON, **gp), 400),
        (api_client.post("/fhir/Patient", "<Patient/>", content_type="application/xml", **gp), 415),
        (_post(api_client, "/fhir/Patient", {"resourceType": "Patient"}, gp), 422),
        (_post(api_client, "/fhir/Patient", {"resourceType": "Observation"}, gp), 400),
        (api_client.delete("/fhir/Patient/0190c2d0-0000-7000-8000-000000000000", **gp), 405),
        (_post(api_client, "/fhir/", {"resourceType": "Bundle", "type": "document"}, gp), 400),
    ]
    for response, status in cases:
        assert response.status_code == status, (response.status_code, response.content[:200])
        assert response["Content-Type"].startswith("application/fhir+json")
        valid(response.json())


def test_unknown_search_parameters_are_ignored_with_a_warning(
    api_client: Client, gp: dict[str, str]
) -> None:
    found = valid(api_client.get("/fhir/Patient", {"shoe_size": "42", "_count": "1"}, **gp).json())
    warning = found["entry"][-1]
    assert warning["search"]["mode"] == "outcome"
    assert "shoe_size" in warning["resource"]["issue"][0]["diagnostics"]
    assert all("shoe_size" not in link["url"] for link in found["link"])


def test_scope_and_audit_apply(
    api_client: Client, gp: dict[str, str], bearer: Callable[[User], dict[str, str]]
) -> None:
    answer = _post(api_client, "/fhir/", bundle(patients=1, encounters=1, seed=9), gp).json()
    pid = next(
        e["resource"]["id"] for e in answer["entry"] if e["resource"]["resourceType"] == "Patient"
    )
    other_unit = bearer(unit_staff(UserRole.GP, "figuig-1", username="fhir-other"))
    assert api_client.get(f"/fhir/Patient/{pid}", **other_unit).status_code == 404
    assert api_client.get("/fhir/Patient", {"_id": pid}, **other_unit).json()["total"] == 0
    region = bearer(regional_coordinator("08"))  # Drâa-Tafilalet, Midelt's region
    assert api_client.get(f"/fhir/Patient/{pid}", **region).status_code == 200
    planner = bearer(UserFactory(username="fhir-planner", role=UserRole.PLANNER))
    assert api_client.get("/fhir/Patient", **planner).json()["total"] == 0
    events = AuditEvent.objects.filter(resource_id=pid, action="read")
    assert {e.outcome for e in events} >= {"allowed", "denied"}
    assert AuditEvent.objects.filter(
        resource_type="Patient", action="search", detail__startswith="FHIR search"
    ).exists()


def test_a_patient_read_follows_each_role_and_a_change_of_place_at_once(
    api_client: Client, bearer: Callable[[User], dict[str, str]]
) -> None:
    """The scoped read of one patient is compiled once per scope (access.scope): each role
    reaches exactly its patients, and a user moved elsewhere loses the old ones at once."""
    case = claimed_case("midelt-1")  # a cardiology case of a Midelt patient, submitted
    url = f"/fhir/Patient/{case.patient_id}"
    before = set(AuditEvent.objects.values_list("pk", flat=True))

    def status(user: User) -> int:
        return int(api_client.get(url, **bearer(user)).status_code)

    nurse = unit_staff(UserRole.NURSE, "midelt-1", username="fhir-moved")
    assert status(nurse) == 200
    nurse.unit = unit("figuig-1")
    nurse.save()
    assert status(nurse) == 404
    assert status(case.claimed_by) == 200
    assert status(specialist("dermatology")) == 404
    assert status(regional_coordinator("08")) == 200
    assert status(regional_coordinator("02")) == 404
    assert status(UserFactory(username="fhir-nat", role=UserRole.NATIONAL_COORDINATOR)) == 200
    assert status(UserFactory(username="fhir-admin", role=UserRole.ADMINISTRATOR)) == 404
    reads = AuditEvent.objects.filter(resource_id=str(case.patient_id), action="read")
    outcomes = reads.exclude(pk__in=before)
    assert sorted(outcomes.values_list("outcome", flat=True)) == ["allowed"] * 4 + ["denied"] * 4


def test_the_network_reads_as_fhir_and_diagnoses_as_conditions(
    api_client: Client, gp: dict[str, str]
) -> None:
    from fhir.resources.R4B.condition import Condition
    from fhir.resources.R4B.device import Device
    from fhir.resources.R4B.location import Location
    from fhir.resources.R4B.organization import Organization
    from fhir.resources.R4B.practitioner import Practitioner

    MODELS.update(
        Organization=Organization,
        Location=Location,
        Practitioner=Practitioner,
        Device=Device,
        Condition=Condition,
    )
    units = valid(api_client.get("/fhir/Organization", {"identifier": "midelt-1"}, **gp).json())
    unit = units["entry"][0]["resource"]
    assert units["total"] == 1 and unit["name"].startswith("UMMC")
    devices = valid(api_client.get("/fhir/Device", {"organization": unit["id"]}, **gp).json())
    assert devices["total"] == 7
    practitioners = valid(
        api_client.get("/fhir/Practitioner", {"identifier": "fhir-gp"}, **gp).json()
    )
    assert practitioners["total"] == 1
    answer = _post(api_client, "/fhir/", bundle(patients=1, encounters=1, seed=21), gp).json()
    encounter = next(
        e["resource"] for e in answer["entry"] if e["resource"]["resourceType"] == "Encounter"
    )
    location = encounter["location"][0]["location"]["reference"]
    assert valid(api_client.get(f"/fhir/{location}", **gp).json())["resourceType"] == "Location"
    stored = Encounter.objects.get(pk=encounter["id"])
    from tbib.clinical.models import Diagnosis

    Diagnosis.objects.bulk_create(
        [Diagnosis(encounter=stored, code="I10", label="Essential (primary) hypertension")]
    )
    found = valid(
        api_client.get(
            "/fhir/Condition", {"patient": str(stored.patient_id), "code": "I10"}, **gp
        ).json()
    )
    assert found["total"] == 1
    condition_id = found["entry"][0]["resource"]["id"]
    assert api_client.get(f"/fhir/Condition/{condition_id}", **gp).status_code == 200
    other = api_client.get(f"/fhir/Condition/{condition_id}", **{"HTTP_AUTHORIZATION": "Bearer x"})
    assert other.status_code == 401
    assert (
        _post(api_client, "/fhir/Organization", {"resourceType": "Organization"}, gp).status_code
        == 405
    )


def test_prescriptions_and_referrals_read_as_requests(
    api_client: Client, gp: dict[str, str], bearer: Callable[[User], dict[str, str]]
) -> None:
    from fhir.resources.R4B.medicationrequest import MedicationRequest
    from fhir.resources.R4B.servicerequest import ServiceRequest

    from tbib.clinical.models import PrescriptionLine, Referral
    from tbib.pharmacy.models import Medicine

    MODELS.update(MedicationRequest=MedicationRequest, ServiceRequest=ServiceRequest)
    answer = _post(api_client, "/fhir/", bundle(patients=1, encounters=1, seed=23), gp).json()
    encounter_id = next(
        e["resource"]["id"] for e in answer["entry"] if e["resource"]["resourceType"] == "Encounter"
    )
    stored = Encounter.objects.get(pk=encounter_id)
    medicine = Medicine.objects.order_by("code").first()
    assert medicine is not None
    PrescriptionLine.objects.bulk_create(
        [
            PrescriptionLine(
                encounter=stored,
                medicine=medicine,
                quantity=2,
                dosage="1 tablet 3 times a day",
                duration_days=5,
            )
        ]
    )
    Referral.objects.bulk_create(
        [
            Referral(
                encounter=stored,
                hub=stored.unit.regional_hub,
                reason="Chest pain",
                urgency="urgent",
            )
        ]
    )
    patient = f"Patient/{stored.patient_id}"
    prescriptions = valid(
        api_client.get("/fhir/MedicationRequest", {"patient": patient}, **gp).json()
    )
    assert prescriptions["total"] == 1
    request = prescriptions["entry"][0]["resource"]
    assert request["medicationCodeableConcept"]["coding"][0]["code"] == medicine.atc
    assert request["status"] == "completed"  # the encounter is signed
    referrals = valid(api_client.get("/fhir/ServiceRequest", {"patient": patient}, **gp).json())
    assert referrals["entry"][0]["resource"]["priority"] == "urgent"
    referral_id = referrals["entry"][0]["resource"]["id"]
    assert api_client.get(f"/fhir/ServiceRequest/{referral_id}", **gp).status_code == 200
    other = bearer(unit_staff(UserRole.GP, "figuig-1", username="fhir-other-2"))
    assert api_client.get(f"/fhir/ServiceRequest/{referral_id}", **other).status_code == 404
    assert AuditEvent.objects.filter(
        resource_type="ServiceRequest", resource_id=referral_id, outcome="denied"
    ).exists()
