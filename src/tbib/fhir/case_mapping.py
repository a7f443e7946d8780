"""Tele-expertise as FHIR: the case is a ServiceRequest (the question) and a Task (its
workflow), an answer a Communication, a planned or held live session an Appointment, a file
of a case or a printed document a DocumentReference; and the audit trail as AuditEvent."""

from __future__ import annotations

import base64
import datetime
from typing import Any

from tbib.fhir.mapping import BASE, instant, meta
from tbib.fhir.reference_mapping import (
    REQUEST_CATEGORY,
    SERVICE_PRIORITY,
    SNOMED,
    specialty,
)

# The planned length of a live session: the answer stores only its start, and FHIR wants a
# booked appointment's end (invariant app-3).
LIVE_SESSION_MINUTES = 30

# hl7.org/fhir/R4/valueset-request-status.html
CASE_REQUEST_STATUS = {
    "draft": "draft",
    "submitted": "active",
    "queued": "active",
    "claimed": "active",
    "more-info": "on-hold",
    "answered": "completed",
    "closed": "completed",
    "cancelled": "revoked",
}
# hl7.org/fhir/R4/valueset-task-status.html; our status stays in businessStatus.
CASE_TASK_STATUS = {
    "draft": "draft",
    "submitted": "requested",
    "queued": "ready",
    "claimed": "in-progress",
    "more-info": "on-hold",
    "answered": "completed",
    "closed": "completed",
    "cancelled": "cancelled",
}
CASE_STATUS_SYSTEM = f"{BASE}/CodeSystem/case-status"
TASK_CODE = "http://hl7.org/fhir/CodeSystem/task-code"
ANSWER_CATEGORY = f"{BASE}/CodeSystem/answer-category"
DOCUMENT_CATEGORY = f"{BASE}/CodeSystem/document-category"
ATTACHMENT_KIND = f"{BASE}/CodeSystem/attachment-kind"
LOINC = "http://loinc.org"
# Printed documents in LOINC document ontology codes.
DOCUMENT_LOINC = {
    "prescription": ("57833-6", "Prescription for medication"),
    "referral": ("57133-1", "Referral note"),
    "summary": ("34133-9", "Summary of episode note"),
}
AUDIT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type"
RESTFUL_INTERACTION = "http://hl7.org/fhir/restful-interaction"
AUDIT_ACTION_SYSTEM = f"{BASE}/CodeSystem/audit-action"
# Our audit actions as FHIR's C/R/U/D/E (hl7.org/fhir/R4/valueset-audit-event-action.html).
AUDIT_ACTION = {
    "read": "R",
    "search": "E",
    "create": "C",
    "update": "U",
    "lookup": "R",
    "export": "R",
    "merge": "U",
    "unmerge": "U",
    "sign": "U",
    "print": "R",
}
# 0 success, 4 minor failure (a refusal, an absent record), 8 serious failure.
AUDIT_OUTCOME = {"allowed": "0", "denied": "4", "not-found": "4", "invalid": "4"}


def _version(record: Any) -> str:
    """Microseconds of the last change: every transition or edit gives a new one."""
    return _microseconds(record.updated_at)


def _microseconds(moment: datetime.datetime) -> str:
    return str(int(moment.timestamp() * 1_000_000))


def _practitioner(user_id: object) -> dict[str, str]:
    return {"reference": f"Practitioner/{user_id}"}


def case_request(case: Any) -> dict[str, Any]:
    """The GP's question to a specialty: a ServiceRequest beside the referrals."""
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": str(case.pk),
        "meta": meta(_version(case), case.updated_at),
        "status": CASE_REQUEST_STATUS[case.status],
        "intent": "order",
        "category": [
            {
                "coding": [
                    {
                        "system": REQUEST_CATEGORY,
                        "code": "tele-expertise",
                        "display": "Tele-expertise",
                    }
                ]
            }
        ],
        "priority": SERVICE_PRIORITY[case.urgency],
        "code": {
            "coding": [{"system": SNOMED, "code": "11429006", "display": "Consultation"}],
            "text": f"Tele-expertise: {case.specialty}",
        },
        "subject": {"reference": f"Patient/{case.patient_id}"},
        "encounter": {"reference": f"Encounter/{case.encounter_id}"},
        "authoredOn": instant(case.created_at),
        "requester": _practitioner(case.created_by_id),
        "performerType": specialty(case.specialty),
        "note": [{"text": case.question}],
    }
    if case.claimed_by_id:
        resource["performer"] = [_practitioner(case.claimed_by_id)]
    return resource


def case_task(case: Any) -> dict[str, Any]:
    """The case's workflow: who holds it, since when, and by when it must be answered."""
    resource: dict[str, Any] = {
        "resourceType": "Task",
        "id": str(case.pk),
        "meta": meta(_version(case), case.updated_at),
        "status": CASE_TASK_STATUS[case.status],
        "businessStatus": {
            "coding": [
                {
                    "system": CASE_STATUS_SYSTEM,
                    "code": case.status,
                    "display": str(case.get_status_display()),
                }
            ]
        },
        "intent": "order",
        "priority": SERVICE_PRIORITY[case.urgency],
        "code": {"coding": [{"system": TASK_CODE, "code": "fulfill"}]},
        "focus": {"reference": f"ServiceRequest/{case.pk}"},
        "for": {"reference": f"Patient/{case.patient_id}"},
        "encounter": {"reference": f"Encounter/{case.encounter_id}"},
        "authoredOn": instant(case.created_at),
        "lastModified": instant(case.updated_at),
        "requester": _practitioner(case.created_by_id),
        "performerType": [specialty(case.specialty)],
    }
    if case.claimed_by_id:
        resource["owner"] = _practitioner(case.claimed_by_id)
    if case.claimed_at:
        period = {"start": instant(case.claimed_at)}
        if case.answered_at:
            period["end"] = instant(case.answered_at)
        resource["executionPeriod"] = period
    if case.sla_due_at:
        resource["restriction"] = {"period": {"end": instant(case.sla_due_at)}}
    return resource


def answer_communication(answer: Any) -> dict[str, Any]:
    """The specialist's answer (or request for more information) sent back to the unit."""
    case = answer.case
    kind = "request-for-information" if answer.is_request_for_information else "advice"
    payload = [{"contentString": answer.advice}]
    if answer.diagnoses:
        payload.append({"contentString": f"Diagnoses (ICD-10): {', '.join(answer.diagnoses)}"})
    for line in answer.prescriptions:
        payload.append(
            {
                "contentString": f"Prescription: {line.get('medicine')} × {line.get('quantity')}"
                f", {line.get('dosage', '')}".rstrip(", ")
            }
        )
    if answer.referral:
        payload.append({"contentString": f"Referral: {answer.referral}"})
    resource: dict[str, Any] = {
        "resourceType": "Communication",
        "id": str(answer.pk),
        "meta": meta(_version(answer), answer.updated_at),
        "basedOn": [{"reference": f"ServiceRequest/{case.pk}"}],
        "status": "completed",
        "category": [{"coding": [{"system": ANSWER_CATEGORY, "code": kind}]}],
        "subject": {"reference": f"Patient/{case.patient_id}"},
        "encounter": {"reference": f"Encounter/{case.encounter_id}"},
        "sent": instant(answer.created_at),
        "recipient": [{"reference": f"Organization/{case.unit_id}"}],
        "sender": _practitioner(answer.author_id),
        "payload": payload,
    }
    if answer.acknowledged_at:
        resource["received"] = instant(answer.acknowledged_at)
    return resource


def _participant(reference: str, status: str) -> dict[str, Any]:
    return {"actor": {"reference": reference}, "required": "required", "status": status}


def planned_appointment(answer: Any, held_at: datetime.datetime | None) -> dict[str, Any]:
    """A live session an answer plans: the specialist, the unit's GP and the patient.
    `held_at`: when a live session of the case started since was recorded (then the
    appointment is fulfilled, a change the answer's own row does not see: it counts for the
    version too)."""
    case = answer.case
    start = answer.live_session_at
    acknowledged = "accepted" if answer.acknowledged_at else "needs-action"
    changed = max(answer.updated_at, held_at) if held_at else answer.updated_at
    return {
        "resourceType": "Appointment",
        "id": str(answer.pk),
        "meta": meta(_microseconds(changed), changed),
        "status": "fulfilled" if held_at else "booked",
        "serviceCategory": [{"coding": [{"system": REQUEST_CATEGORY, "code": "tele-expertise"}]}],
        "specialty": [specialty(case.specialty)],
        "description": "Live tele-consultation",
        "start": instant(start),
        "end": instant(start + datetime.timedelta(minutes=LIVE_SESSION_MINUTES)),
        "created": instant(answer.created_at),
        "basedOn": [{"reference": f"ServiceRequest/{case.pk}"}],
        "participant": [
            _participant(f"Practitioner/{answer.author_id}", "accepted"),
            _participant(f"Practitioner/{case.created_by_id}", acknowledged),
            _participant(f"Patient/{case.patient_id}", acknowledged),
        ],
    }


def held_appointment(session: Any, participant_ids: list[Any]) -> dict[str, Any]:
    """A live session as it happened: started, ended (or going on), who joined. What was
    said is never recorded."""
    case = session.case
    resource: dict[str, Any] = {
        "resourceType": "Appointment",
        "id": str(session.pk),
        "meta": meta(_version(session), session.updated_at),
        "status": "fulfilled" if session.ended_at else "arrived",
        "serviceCategory": [{"coding": [{"system": REQUEST_CATEGORY, "code": "tele-expertise"}]}],
        "specialty": [specialty(case.specialty)],
        "description": "Live tele-consultation",
        "start": instant(session.started_at),
        "end": instant(
            session.ended_at
            or session.started_at + datetime.timedelta(minutes=LIVE_SESSION_MINUTES)
        ),
        "created": instant(session.created_at),
        "basedOn": [{"reference": f"ServiceRequest/{case.pk}"}],
        "participant": [
            _participant(f"Patient/{case.patient_id}", "accepted"),
            *(_participant(f"Practitioner/{pk}", "accepted") for pk in participant_ids),
        ],
    }
    return resource


def attachment_document(attachment: Any) -> dict[str, Any]:
    """A file of a case, stored by its SHA-256 and served by the cases API (bearer token)."""
    case = attachment.case
    digest = base64.b64encode(bytes.fromhex(attachment.sha256)).decode("ascii")
    return {
        "resourceType": "DocumentReference",
        "id": str(attachment.pk),
        "meta": meta(_version(attachment), attachment.updated_at),
        # Files are content-addressed: the hex digest names the bytes.
        "masterIdentifier": {"system": f"{BASE}/NamingSystem/sha256", "value": attachment.sha256},
        "status": "current",
        "type": {
            "coding": [
                {
                    "system": ATTACHMENT_KIND,
                    "code": attachment.kind,
                    "display": str(attachment.get_kind_display()),
                }
            ]
        },
        "category": [{"coding": [{"system": DOCUMENT_CATEGORY, "code": "tele-expertise"}]}],
        "subject": {"reference": f"Patient/{case.patient_id}"},
        "date": instant(attachment.created_at),
        "content": [
            {
                "attachment": {
                    "contentType": attachment.content_type,
                    "url": f"/api/cases/{case.pk}/attachments/{attachment.sha256}",
                    "size": attachment.size,
                    # SHA-256, not the SHA-1 R4 names: our files are addressed by it.
                    "hash": digest,
                    "title": attachment.filename,
                    "creation": instant(attachment.created_at),
                }
            }
        ],
        "context": {
            "encounter": [{"reference": f"Encounter/{case.encounter_id}"}],
            "related": [{"reference": f"ServiceRequest/{case.pk}"}],
        },
    }


def issued_document(document: Any) -> dict[str, Any]:
    """A printed document of a signed encounter: its number, and where to print it again."""
    encounter = document.encounter
    code, display = DOCUMENT_LOINC[document.kind]
    return {
        "resourceType": "DocumentReference",
        "id": str(document.pk),
        "meta": meta(_version(document), document.updated_at),
        "masterIdentifier": {
            "system": f"{BASE}/NamingSystem/document-number",
            "value": document.number,
        },
        "status": "current",
        "type": {
            "coding": [{"system": LOINC, "code": code, "display": display}],
            "text": str(document.get_kind_display()),
        },
        "category": [{"coding": [{"system": DOCUMENT_CATEGORY, "code": "issued-document"}]}],
        "subject": {"reference": f"Patient/{encounter.patient_id}"},
        "date": instant(document.created_at),
        "content": [
            {
                "attachment": {
                    "contentType": "application/pdf",
                    "url": f"/api/encounters/{encounter.pk}/documents/{document.kind}.pdf",
                    "title": document.number,
                }
            }
        ],
        "context": {"encounter": [{"reference": f"Encounter/{encounter.pk}"}]},
    }


def audit_event(event: Any) -> dict[str, Any]:
    """One access to patient data, as recorded by the scope layer."""
    agent: dict[str, Any] = {
        "who": {
            "identifier": {"system": f"{BASE}/NamingSystem/staff", "value": event.actor_username},
            "display": event.actor_username,
        },
        "requestor": True,
    }
    if event.actor_role:
        agent["role"] = [{"text": event.actor_role}]
    if event.client_address:
        agent["network"] = {"address": event.client_address, "type": "2"}  # 2: IP address
    entities: list[dict[str, Any]] = []
    if event.patient_id:
        entities.append({"what": {"reference": f"Patient/{event.patient_id}"}, "role": _role("1")})
    accessed: dict[str, Any] = {"name": event.resource_type, "type": _entity_type("2")}
    if event.resource_id:
        accessed["what"] = {"identifier": {"value": event.resource_id}}
    if event.detail:
        accessed["description"] = event.detail
    entities.append(accessed)
    return {
        "resourceType": "AuditEvent",
        "id": str(event.pk),
        "meta": {"versionId": "1", "lastUpdated": instant(event.at)},
        "type": {"system": AUDIT_TYPE, "code": "rest", "display": "RESTful Operation"},
        "subtype": [{"system": AUDIT_ACTION_SYSTEM, "code": event.action, "display": event.action}],
        "action": AUDIT_ACTION.get(event.action, "E"),
        "recorded": instant(event.at),
        "outcome": AUDIT_OUTCOME.get(event.outcome, "4"),
        "outcomeDesc": event.outcome,
        "agent": [agent],
        "source": {"observer": {"display": "Tbib"}},
        "entity": entities,
    }


def _role(code: str) -> dict[str, str]:
    """hl7.org/fhir/R4/codesystem-object-role.html: 1 patient."""
    return {"system": "http://terminology.hl7.org/CodeSystem/object-role", "code": code}


def _entity_type(code: str) -> dict[str, str]:
    """hl7.org/fhir/R4/codesystem-audit-entity-type.html: 2 system object."""
    return {"system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": code}
