"""Versions through /fhir/: every served type reads back at its version (vread) and keeps a
history; a change makes a new version and the old one stays readable exactly as read returned
it; Encounter and Task update with If-Match through the clinical and tele-expertise services;
Bundles create and update what the type endpoints do. Scoped and audited like read; every
resource emitted valid for fhir.resources (R4B models)."""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import update_last_login
from django.test import Client
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class

from tbib.access.models import AuditEvent
from tbib.access.scope import AccessContext
from tbib.accounts.choices import UserRole
from tbib.accounts.models import User
from tbib.clinical.choices import DocumentKind
from tbib.clinical.models import Diagnosis, Encounter, Observation
from tbib.clinical.services import (
    issue_document,
    prescribe,
    refer,
    sign_encounter,
    update_encounter,
)
from tbib.fhir.resources import TYPES
from tbib.network.models import Device, TelemedicinePlatform
from tbib.patients.models import Patient
from tbib.pharmacy.models import Medicine
from tbib.teleexpertise import services as cases
from tbib.teleexpertise.models import Answer, Case, LiveSession
from tbib.tours.models import Stop
from tbib.tours.services import close_stop
from tests.factories import (
    PatientFactory,
    UserFactory,
    answered_case,
    attachment_of,
    claimed_case,
    open_stop_today,
    specialist,
    unit,
    unit_staff,
)

pytestmark = pytest.mark.django_db
Headers = dict[str, str]
JSON = "application/fhir+json"


def valid(body: dict[str, Any]) -> dict[str, Any]:
    """Parse with fhir.resources (R4B models, the R4 structures we emit): raises if invalid."""
    get_fhir_model_class(body["resourceType"]).model_validate(body)
    for entry in body.get("entry", []):
        for resource in (entry.get("resource"), entry.get("response", {}).get("outcome")):
            if resource:
                valid(resource)
    return body


def _get(client: Client, url: str, headers: Headers, expect: int = 200) -> Any:
    response = client.get(url, **headers)
    assert response.status_code == expect, (url, response.content[:300])
    return response


def _put(
    client: Client, resource: dict[str, Any], headers: Headers, if_match: str | None = None
) -> Any:
    extra = {"HTTP_IF_MATCH": f'W/"{if_match}"'} if if_match else {}
    response = client.put(
        f"/fhir/{resource['resourceType']}/{resource['id']}",
        json.dumps(resource),
        content_type=JSON,
        **headers,
        **extra,
    )
    valid(response.json())
    return response


def _history(client: Client, kind: str, rid: object, headers: Headers) -> list[dict[str, Any]]:
    bundle = valid(_get(client, f"/fhir/{kind}/{rid}/_history", headers).json())
    assert bundle["type"] == "history" and bundle["total"] == len(bundle["entry"])
    return [entry["resource"] for entry in bundle["entry"]]


def _without(resource: dict[str, Any], element: str) -> dict[str, Any]:
    return {k: v for k, v in resource.items() if k != element}


def _diagnostics(response: Any) -> str:
    return str(valid(response.json())["issue"][0]["diagnostics"])


@pytest.fixture
def case() -> Case:
    """An answered case (a live session planned, then held) whose encounter was completed by
    the GP through the services (a diagnosis, a prescription, a referral), signed and printed;
    a file of the case beside it."""
    found = answered_case("midelt-1", live_session_at=timezone.now() + datetime.timedelta(days=1))
    gp = AccessContext(user=found.created_by)
    update_encounter(ctx=gp, encounter_id=found.encounter_id, diagnoses=["I10"])
    medicine = Medicine.objects.order_by("code").first()
    assert medicine is not None
    prescribe(
        ctx=gp,
        encounter_id=found.encounter_id,
        medicine_code=medicine.code,
        quantity=1,
        dosage="1 le soir",
    )
    refer(
        ctx=gp,
        encounter_id=found.encounter_id,
        reason="Bilan cardiaque",
        urgency="routine",
        hub_code=found.unit.regional_hub.code,
    )
    sign_encounter(ctx=gp, encounter_id=found.encounter_id)
    issue_document(ctx=gp, encounter_id=found.encounter_id, kind=DocumentKind.PRESCRIPTION)
    attachment_of(found)
    assert found.claimed_by is not None
    LiveSession.objects.create(
        case=found,
        started_at=timezone.now(),
        participants=[found.created_by.username, found.claimed_by.username],
    )
    return found


def _served_records(case: Case) -> list[tuple[str, object]]:
    """Every served type, and from several tables each of them: (type, id)."""
    encounter = Encounter.objects.get(pk=case.encounter_id)
    home = unit("midelt-1")
    answer = Answer.objects.get(case=case)
    return [
        ("Patient", case.patient_id),
        ("Encounter", encounter.pk),
        ("Observation", Observation.objects.filter(encounter=encounter).first().pk),  # type: ignore[union-attr]
        ("Condition", Diagnosis.objects.get(encounter=encounter).pk),
        ("MedicationRequest", encounter.prescriptions.get().pk),
        ("ServiceRequest", case.pk),
        ("ServiceRequest", encounter.referrals.get().pk),
        ("Task", case.pk),
        ("Communication", answer.pk),
        ("Appointment", answer.pk),
        ("Appointment", LiveSession.objects.get(case=case).pk),
        ("DocumentReference", case.attachments.get().pk),
        ("DocumentReference", encounter.documents.get().pk),
        ("AuditEvent", AuditEvent.objects.filter(patient_id=case.patient_id).first().pk),  # type: ignore[union-attr]
        ("Organization", home.pk),
        ("Organization", home.regional_hub_id),
        ("Organization", TelemedicinePlatform.objects.get().pk),
        ("Location", encounter.stop_id),
        ("Practitioner", case.created_by_id),
        ("PractitionerRole", case.claimed_by_id),
        ("Device", Device.objects.filter(unit=home).first().pk),  # type: ignore[union-attr]
    ]


def test_every_type_reads_back_at_its_version_and_has_a_history(
    api_client: Client, case: Case, bearer: Callable[[User], Headers]
) -> None:
    gp = bearer(case.created_by)
    auditor = bearer(UserFactory(role=UserRole.NATIONAL_COORDINATOR))
    records = _served_records(case)
    assert {kind for kind, _ in records} == set(TYPES)  # a new type needs its line here
    for kind, rid in records:
        headers = auditor if kind == "AuditEvent" else gp
        read = _get(api_client, f"/fhir/{kind}/{rid}", headers)
        body = valid(read.json())
        version = body["meta"]["versionId"]
        assert read["ETag"] == f'W/"{version}"', kind
        again = _get(api_client, f"/fhir/{kind}/{rid}/_history/{version}", headers)
        assert again["ETag"] == read["ETag"], kind
        assert again["Last-Modified"] == body["meta"]["lastUpdated"], kind
        assert valid(again.json()) == body, kind
        history = _history(api_client, kind, rid, headers)
        assert history[0] == body, kind
        assert len({r["meta"]["versionId"] for r in history}) == len(history), kind
        missing = _get(api_client, f"/fhir/{kind}/{rid}/_history/12", headers, expect=404)
        assert _diagnostics(missing) == f"Version '12' of {kind}/{rid} is not kept.", kind
    # Facts never change: their one version is their history.
    facts = ("Observation", "Condition", "MedicationRequest", "AuditEvent", "DocumentReference")
    for kind, rid in records:
        if kind in facts:
            headers = auditor if kind == "AuditEvent" else gp
            assert len(_history(api_client, kind, rid, headers)) == 1, kind
    # A case is a ServiceRequest and a Task with the same id: versions kept apart.
    requests = _history(api_client, "ServiceRequest", case.pk, gp)
    tasks = _history(api_client, "Task", case.pk, gp)
    assert {r["resourceType"] for r in requests} == {"ServiceRequest"}
    assert {r["resourceType"] for r in tasks} == {"Task"}
    # draft, submitted, queued, claimed, answered: one version each, kept as they were.
    assert [t["businessStatus"]["coding"][0]["code"] for t in tasks] == [
        "answered",
        "claimed",
        "queued",
        "submitted",
        "draft",
    ]


def test_a_change_makes_a_new_version_and_the_old_one_stays_readable(
    api_client: Client, case: Case, bearer: Callable[[User], Headers]
) -> None:
    gp = bearer(case.created_by)
    answer = Answer.objects.get(case=case)
    session = LiveSession.objects.get(case=case)
    home = unit("midelt-1")
    device = Device.objects.filter(unit=home).first()
    assert device is not None and case.claimed_by is not None
    stop = Stop.objects.get(pk=Encounter.objects.get(pk=case.encounter_id).stop_id)
    watched = [
        ("Task", case.pk),
        ("ServiceRequest", case.pk),
        ("Communication", answer.pk),
        ("Appointment", answer.pk),
        ("Appointment", session.pk),
        ("Location", stop.pk),
        ("Organization", home.pk),
        ("Device", device.pk),
        ("Practitioner", case.claimed_by_id),
        ("PractitionerRole", case.claimed_by_id),
    ]
    before = {
        (kind, rid): valid(_get(api_client, f"/fhir/{kind}/{rid}", gp).json())
        for kind, rid in watched
    }
    kept = {(kind, rid): len(_history(api_client, kind, rid, gp)) for kind, rid in watched}

    # The GP closes the case through its Task: the case changes (ServiceRequest, Task) and
    # its answer is acknowledged (Communication received, the appointment accepted).
    task = before[("Task", case.pk)]
    closing = {
        **task,
        "businessStatus": {"coding": [{"system": _case_status(), "code": "closed"}]},
    }
    closed = _put(api_client, closing, gp, if_match=task["meta"]["versionId"])
    assert closed.status_code == 200, closed.content
    assert closed.json()["businessStatus"]["coding"][0]["code"] == "closed"
    session.participants = [*session.participants, "interpreter"]
    session.save()
    close_stop(user=case.created_by, stop=stop)
    home.name = f"{home.name} (renamed)"
    home.save()
    device.model = "Omron M3"
    device.save()
    specialist = case.claimed_by
    specialist.last_name = f"{specialist.last_name}-Alaoui"  # a name completed at the desk
    specialist.save()

    for (kind, rid), old in before.items():
        now = valid(_get(api_client, f"/fhir/{kind}/{rid}", gp).json())
        assert now["meta"]["versionId"] != old["meta"]["versionId"], kind
        history = _history(api_client, kind, rid, gp)
        assert len(history) == kept[(kind, rid)] + 1, kind
        assert history[0] == now and old in history, kind
        past = _get(api_client, f"/fhir/{kind}/{rid}/_history/{old['meta']['versionId']}", gp)
        assert valid(past.json()) == old, kind
    assert before[("Communication", answer.pk)].get("received") is None
    assert "received" in _history(api_client, "Communication", answer.pk, gp)[0]
    assert _history(api_client, "Device", device.pk, gp)[0]["deviceName"][0]["name"] == "Omron M3"


def _case_status() -> str:
    from tbib.fhir.case_mapping import CASE_STATUS_SYSTEM

    return CASE_STATUS_SYSTEM


def test_an_encounter_updates_until_signed_through_the_clinical_services(
    api_client: Client, bearer: Callable[[User], Headers]
) -> None:
    open_stop_today("midelt-1")
    gp_user = unit_staff(UserRole.GP, "midelt-1")
    nurse, gp = bearer(unit_staff(UserRole.NURSE, "midelt-1")), bearer(gp_user)
    patient = PatientFactory()
    encounter = Encounter.objects.create(
        patient=patient,
        unit=patient.unit,
        stop=Stop.objects.get(unit=patient.unit, status="open"),
        arrived_at=timezone.now(),
        reason="Céphalées",
        created_by=gp_user,
    )
    url = f"/fhir/Encounter/{encounter.pk}"
    first = valid(_get(api_client, url, nurse).json())
    assert first["status"] == "arrived"

    # The nurse completes the reason; a new identifier from another system is kept.
    changed = {
        **first,
        "reasonCode": [{"text": "Céphalées depuis 3 jours"}],
        "identifier": [{"system": "urn:oid:1.2.3", "value": "ENC-7"}],
    }
    updated = _put(api_client, changed, nurse, if_match=first["meta"]["versionId"])
    assert updated.status_code == 200, updated.content
    second = updated.json()
    assert second["reasonCode"] == [{"text": "Céphalées depuis 3 jours"}]
    assert second["identifier"] == [{"system": "urn:oid:1.2.3", "value": "ENC-7"}]
    assert updated["ETag"] == f'W/"{second["meta"]["versionId"]}"'
    assert AuditEvent.objects.filter(
        resource_type="Encounter", resource_id=str(encounter.pk), action="update"
    ).exists()
    history = _history(api_client, "Encounter", encounter.pk, nurse)
    assert history == [second, first]
    old = _get(api_client, f"{url}/_history/{first['meta']['versionId']}", nurse)
    assert valid(old.json()) == first

    # A writer holding the first version is refused: no lost update.
    stale = _put(api_client, {**first, "reasonCode": [{"text": "Fièvre"}]}, nurse, "1")
    assert stale.status_code == 412
    assert _diagnostics(stale) == (
        f"Version conflict: the encounter is at version {second['meta']['versionId']}, "
        "not 1. Read it again and reapply your change."
    )
    stale = _put(
        api_client, {**first, "reasonCode": [{"text": "Fièvre"}]}, nurse, first["meta"]["versionId"]
    )
    assert stale.status_code == 412

    # Only the GP takes the patient in and signs; the nurse's attempt is audited.
    taking_in = {**second, "status": "in-progress"}
    refused = _put(api_client, taking_in, nurse)
    assert refused.status_code == 403
    denied = "Only the unit's general practitioner takes a patient in and signs."
    assert AuditEvent.objects.filter(
        resource_id=str(encounter.pk), action="update", outcome="denied", detail=denied
    ).exists()
    taken = _put(api_client, taking_in, gp, if_match=second["meta"]["versionId"])
    assert taken.status_code == 200 and taken.json()["status"] == "in-progress"
    third = taken.json()

    # What the services do not change is refused with what can change.
    moved = {**third, "subject": {"reference": f"Patient/{PatientFactory().pk}"}}
    refused = _put(api_client, moved, gp)
    assert refused.status_code == 422
    assert _diagnostics(refused).startswith(
        "Encounter.subject cannot change here. What can: status (arrived, then in-progress"
    )
    backwards = _put(api_client, {**third, "status": "arrived"}, gp)
    assert backwards.status_code == 422
    assert _diagnostics(backwards).startswith(
        "Encounter.status cannot go from in-progress to arrived."
    )
    # The same resource sent back with an absolute reference and another instant format
    # changes nothing: no new version.
    in_morocco = datetime.timezone(datetime.timedelta(hours=1))
    start = datetime.datetime.fromisoformat(third["period"]["start"]).astimezone(in_morocco)
    same = {
        **third,
        "subject": {"reference": f"https://fhir.example.org/fhir/Patient/{patient.pk}"},
        "period": {"start": start.isoformat()},
    }
    unchanged = _put(api_client, same, gp)
    assert unchanged.status_code == 200
    assert unchanged.json()["meta"]["versionId"] == third["meta"]["versionId"]

    # Signing (finished) wants a diagnosis, as on the screens.
    finishing = {**third, "status": "finished"}
    refused = _put(api_client, finishing, gp)
    assert refused.status_code == 422
    assert _diagnostics(refused) == (
        "diagnoses: Record at least one diagnosis (ICD-10) before signing."
    )
    update_encounter(ctx=AccessContext(user=gp_user), encounter_id=encounter.pk, diagnoses=["R51"])
    current = valid(_get(api_client, url, gp).json())
    signed = _put(api_client, {**current, "status": "finished"}, gp, current["meta"]["versionId"])
    assert signed.status_code == 200, signed.content
    assert signed.json()["status"] == "finished" and "end" in signed.json()["period"]

    # A signed encounter is locked: a correction, not an update.
    locked = _put(api_client, {**signed.json(), "reasonCode": [{"text": "Migraine"}]}, gp)
    assert locked.status_code == 409
    assert _diagnostics(locked) == (
        "This encounter is signed and cannot be changed; write a correction instead."
    )
    history = _history(api_client, "Encounter", encounter.pk, gp)
    assert len(history) == 5
    assert history[1:] == [current, third, second, first]  # as each was read then


def test_a_specialist_claims_a_task_and_the_unit_cancels_one(
    api_client: Client, bearer: Callable[[User], Headers]
) -> None:
    claimed = claimed_case("midelt-1")
    gp_user = claimed.created_by
    gp = bearer(gp_user)
    # A second case of the unit, submitted: in its specialty's queue (Task ready).
    case = cases.open_case(
        ctx=AccessContext(user=gp_user),
        encounter_id=claimed.encounter_id,
        specialty="cardiology",
        question="Souffle systolique: échographie ?",
        urgency="routine",
        consent=True,
    )
    cases.submit_case(ctx=AccessContext(user=gp_user), case_id=case.pk)
    cardiologist_user = specialist("cardiology")
    cardiologist = bearer(cardiologist_user)
    ready = valid(_get(api_client, f"/fhir/Task/{case.pk}", cardiologist).json())
    assert ready["status"] == "ready" and "owner" not in ready

    # Out of their specialty, the case is not found: 404 on read, vread and history alike.
    dermatologist = bearer(specialist("dermatology"))
    for url in (
        f"/fhir/Task/{case.pk}",
        f"/fhir/Task/{case.pk}/_history",
        f"/fhir/Task/{case.pk}/_history/{ready['meta']['versionId']}",
    ):
        valid(_get(api_client, url, dermatologist, expect=404).json())
    assert _put(api_client, ready, dermatologist).status_code == 404

    claiming = {
        **ready,
        "status": "in-progress",
        "owner": {"reference": f"Practitioner/{cardiologist_user.pk}"},
    }
    # Only status, owner and businessStatus move; the rest is the case's.
    urgent = _put(api_client, {**claiming, "priority": "stat"}, cardiologist)
    assert urgent.status_code == 422
    assert _diagnostics(urgent).startswith(
        "Task.priority cannot change here. What can: status, owner and businessStatus"
    )
    no_owner = _put(api_client, _without(claiming, "owner"), cardiologist)
    assert no_owner.status_code == 422
    assert _diagnostics(no_owner) == "Task.owner must name the specialist who takes the case."
    done = _put(api_client, {**ready, "status": "completed"}, cardiologist)
    assert done.status_code == 422
    assert _diagnostics(done).startswith("Task.status completed is not set by PUT here.")

    took = _put(api_client, claiming, cardiologist, if_match=ready["meta"]["versionId"])
    assert took.status_code == 200, took.content
    task = took.json()
    assert task["status"] == "in-progress"
    assert task["owner"] == {"reference": f"Practitioner/{cardiologist_user.pk}"}
    assert task["businessStatus"]["coding"][0]["code"] == "claimed"
    assert "start" in task["executionPeriod"]
    request = valid(_get(api_client, f"/fhir/ServiceRequest/{case.pk}", gp).json())
    assert request["performer"] == [{"reference": f"Practitioner/{cardiologist_user.pk}"}]
    assert AuditEvent.objects.filter(
        actor=cardiologist_user, resource_id=str(case.pk), action="update", detail="claim"
    ).exists()
    # Another specialist who read the queued case is refused: it was claimed meanwhile.
    colleague_user = specialist("cardiology")
    colleague = bearer(colleague_user)
    late = {**claiming, "owner": {"reference": f"Practitioner/{colleague_user.pk}"}}
    stale = _put(api_client, late, colleague, if_match=ready["meta"]["versionId"])
    assert stale.status_code == 412
    assert _history(api_client, "Task", case.pk, cardiologist)[1] == ready
    old = _get(api_client, f"/fhir/Task/{case.pk}/_history/{ready['meta']['versionId']}", gp)
    assert valid(old.json()) == ready

    # The holder releases it (back to the queue); the unit's GP cannot cancel a claimed case
    # (409 from the workflow), then cancels it once queued again.
    released = _put(api_client, {**_without(task, "owner"), "status": "ready"}, cardiologist)
    assert released.status_code == 200 and released.json()["status"] == "ready"
    assert "owner" not in released.json()
    cancelling = {**released.json(), "status": "cancelled"}
    refused = _put(api_client, cancelling, cardiologist)
    assert refused.status_code == 403
    cancelled = _put(api_client, cancelling, gp, if_match=released.json()["meta"]["versionId"])
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["businessStatus"]["coding"][0]["code"] == "cancelled"
    claimed_task = valid(_get(api_client, f"/fhir/Task/{claimed.pk}", gp).json())
    too_late = _put(api_client, {**claimed_task, "status": "cancelled"}, gp)
    assert too_late.status_code == 409
    assert _diagnostics(too_late) == "A case that is claimed cannot be cancelled."


def test_the_unit_submits_a_draft_and_the_coordinator_assigns_it_through_the_task(
    api_client: Client, bearer: Callable[[User], Headers]
) -> None:
    claimed = claimed_case("midelt-1")
    gp = bearer(claimed.created_by)
    draft = cases.open_case(
        ctx=AccessContext(user=claimed.created_by),
        encounter_id=claimed.encounter_id,
        specialty="cardiology",
        question="Palpitations à l'effort ?",
        urgency="urgent",
        consent=True,
    )
    task = valid(_get(api_client, f"/fhir/Task/{draft.pk}", gp).json())
    assert task["status"] == "draft"
    submitted = _put(api_client, {**task, "status": "ready"}, gp, task["meta"]["versionId"])
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["businessStatus"]["coding"][0]["code"] == "queued"

    coordinator = bearer(UserFactory(role=UserRole.NATIONAL_COORDINATOR))
    cardiologist = specialist("cardiology")
    assigning = {
        **submitted.json(),
        "status": "in-progress",
        "owner": {"reference": f"Practitioner/{cardiologist.pk}"},
    }
    assigned = _put(api_client, assigning, coordinator, submitted.json()["meta"]["versionId"])
    assert assigned.status_code == 200, assigned.content
    assert assigned.json()["owner"] == {"reference": f"Practitioner/{cardiologist.pk}"}
    assert Case.objects.get(pk=draft.pk).claimed_by == cardiologist
    # Only to a specialist of the case's specialty (the service's own check).
    elsewhere = {**assigned.json(), "owner": {"reference": f"Practitioner/{specialist('ent').pk}"}}
    refused = _put(api_client, elsewhere, coordinator)
    assert refused.status_code == 422
    assert _diagnostics(refused) == "specialist: Assign the case to a specialist of its specialty."
    statuses = [
        t["businessStatus"]["coding"][0]["code"] for t in _history(api_client, "Task", draft.pk, gp)
    ]
    assert statuses == ["claimed", "queued", "submitted", "draft"]


def test_out_of_scope_vread_and_history_are_404_and_audited(
    api_client: Client, case: Case, bearer: Callable[[User], Headers]
) -> None:
    gp = bearer(case.created_by)
    outsider = bearer(unit_staff(UserRole.GP, "figuig-1"))
    for kind, rid in (("Patient", case.patient_id), ("Encounter", case.encounter_id)):
        version = valid(_get(api_client, f"/fhir/{kind}/{rid}", gp).json())["meta"]["versionId"]
        for url in (f"/fhir/{kind}/{rid}/_history", f"/fhir/{kind}/{rid}/_history/{version}"):
            refused = _get(api_client, url, outsider, expect=404)
            assert valid(refused.json())["issue"][0]["code"] == "not-found"
        assert (
            AuditEvent.objects.filter(
                resource_type=kind, resource_id=str(rid), action="read", outcome="denied"
            ).count()
            == 2
        )
    # The audit trail's own history is for its readers only.
    event = AuditEvent.objects.filter(patient_id=case.patient_id).first()
    assert event is not None
    _get(api_client, f"/fhir/AuditEvent/{event.pk}/_history", gp, expect=403)
    assert AuditEvent.objects.filter(
        resource_type="AuditEvent", resource_id=str(event.pk), outcome="denied"
    ).exists()


def test_bundles_create_and_update_every_writable_type(
    api_client: Client, bearer: Callable[[User], Headers]
) -> None:
    case = claimed_case("midelt-1")
    assert case.claimed_by is not None
    gp, cardiologist = bearer(case.created_by), bearer(case.claimed_by)
    encounter = valid(_get(api_client, f"/fhir/Encounter/{case.encounter_id}", gp).json())

    def post(bundle: dict[str, Any], headers: Headers) -> Any:
        response = api_client.post("/fhir/", json.dumps(bundle), content_type=JSON, **headers)
        valid(response.json())
        return response

    def put(resource: dict[str, Any], version: str | None = None) -> dict[str, Any]:
        request = {"method": "PUT", "url": f"{resource['resourceType']}/{resource['id']}"}
        if version:
            request["ifMatch"] = f'W/"{version}"'
        return {"resource": resource, "request": request}

    # A stale ifMatch refuses the transaction, naming its entry.
    changed = {**encounter, "reasonCode": [{"text": "HTA sévère, bilan"}]}
    stale = post(
        {"resourceType": "Bundle", "type": "transaction", "entry": [put(changed, "1")]}, gp
    )
    assert stale.status_code == 412
    assert _diagnostics(stale).startswith("entry[0]: Version conflict: the encounter is at")
    done = post(
        {
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": [put(changed, encounter["meta"]["versionId"])],
        },
        gp,
    )
    assert done.status_code == 200, done.content
    response = done.json()["entry"][0]["response"]
    assert response["status"] == "200 OK"
    assert response["etag"] != f'W/"{encounter["meta"]["versionId"]}"'
    assert Encounter.objects.get(pk=case.encounter_id).reason == "HTA sévère, bilan"

    # The specialist answers (POST Communication) in a batch; a case another cardiologist
    # holds is not theirs to release (403), answered on its own.
    task = valid(_get(api_client, f"/fhir/Task/{case.pk}", cardiologist).json())
    answer = {
        "resourceType": "Communication",
        "status": "completed",
        "basedOn": [{"reference": f"ServiceRequest/{case.pk}"}],
        "payload": [{"contentString": "Ajouter l'amlodipine 5 mg."}],
    }
    other = claimed_case("figuig-1")
    other_task = valid(_get(api_client, f"/fhir/Task/{other.pk}", bearer(other.created_by)).json())
    batch = post(
        {
            "resourceType": "Bundle",
            "type": "batch",
            "entry": [
                put({**_without(other_task, "owner"), "status": "ready"}),
                {"resource": answer, "request": {"method": "POST", "url": "Communication"}},
            ],
        },
        cardiologist,
    )
    assert batch.status_code == 200, batch.content
    first, second = (e["response"] for e in batch.json()["entry"])
    assert first["status"] == "403"
    assert second["status"] == "201 Created"
    after = valid(_get(api_client, f"/fhir/Task/{case.pk}", cardiologist).json())
    assert after["businessStatus"]["coding"][0]["code"] == "answered"
    assert after["meta"]["versionId"] != task["meta"]["versionId"]

    # What neither endpoint writes is refused for the whole Bundle.
    refused = post(
        {
            "resourceType": "Bundle",
            "type": "batch",
            "entry": [put({"resourceType": "Device", "id": str(uuid.uuid4())})],
        },
        gp,
    )
    assert refused.status_code == 400
    assert _diagnostics(refused) == (
        "entry[0]: Device cannot be updated here (PUT: Encounter, Patient, Task)."
    )


def test_a_patient_put_out_of_scope_is_a_404_before_any_version_check(
    api_client: Client, bearer: Callable[[User], Headers]
) -> None:
    patient = PatientFactory(unit=unit("midelt-1"))
    resource = valid(_get(api_client, f"/fhir/Patient/{patient.pk}", bearer(
        unit_staff(UserRole.GP, "midelt-1"))).json())  # fmt: skip
    outsider = bearer(unit_staff(UserRole.GP, "figuig-1"))
    before = Patient.objects.get(pk=patient.pk).updated_at

    # A wrong version from someone who may not read the patient: not a 412 naming the version.
    refused = _put(api_client, resource, outsider, if_match="999")
    assert refused.status_code == 404
    assert "version" not in _diagnostics(refused).lower()
    assert AuditEvent.objects.filter(
        resource_type="Patient", resource_id=str(patient.pk), outcome="denied"
    ).exists()
    # An id that names no patient: 404 and audited too.
    absent = {**resource, "id": str(uuid.uuid4())}
    assert _put(api_client, absent, outsider).status_code == 404
    assert AuditEvent.objects.filter(resource_id=absent["id"], outcome="not-found").exists()
    assert Patient.objects.get(pk=patient.pk).updated_at == before


def test_a_sign_in_is_not_a_new_version_of_the_staff_member(
    api_client: Client, case: Case, bearer: Callable[[User], Headers]
) -> None:
    gp = bearer(case.created_by)
    specialist = case.claimed_by
    assert specialist is not None
    urls = [f"/fhir/Practitioner/{specialist.pk}", f"/fhir/PractitionerRole/{specialist.pk}"]
    before = [valid(_get(api_client, url, gp).json()) for url in urls]
    kept = [len(_history(api_client, url.split("/")[2], specialist.pk, gp)) for url in urls]
    update_last_login(None, specialist)
    assert [valid(_get(api_client, url, gp).json()) for url in urls] == before
    assert [len(_history(api_client, url.split("/")[2], specialist.pk, gp)) for url in urls] == kept
    # What a client sees changes: a new version, dated by the change.
    specialist.is_active = False
    specialist.save()
    after = [valid(_get(api_client, url, gp).json()) for url in urls]
    for old, new in zip(before, after, strict=True):
        assert new["active"] is False and new["meta"]["versionId"] != old["meta"]["versionId"]
        assert new["meta"]["lastUpdated"] > old["meta"]["lastUpdated"]
