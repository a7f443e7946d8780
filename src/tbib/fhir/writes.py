"""Writes through the FHIR interface: create (conditional on an identifier), update with
version checks. Every write goes through the registry's services or checks the same rules
(only the staff of the patient's unit write it) and appends its audit event."""

from __future__ import annotations

import datetime
import urllib.parse
import uuid
from dataclasses import dataclass, field
from typing import Any

from tbib.access.choices import AuditAction, AuditOutcome
from tbib.access.scope import AccessContext, audit, check_patient_write
from tbib.clinical.choices import EncounterStatus, ObservationSource
from tbib.clinical.models import Encounter, Observation
from tbib.fhir import mapping, structure, versions
from tbib.fhir.case_mapping import ANSWER_CATEGORY
from tbib.fhir.models import ExternalIdentifier
from tbib.fhir.outcome import FhirError
from tbib.fhir.resources import TYPES, reference_id
from tbib.patients.models import Patient
from tbib.patients.services import register_patient, update_patient
from tbib.teleexpertise.models import Answer
from tbib.teleexpertise.services import answer_case, request_information
from tbib.tours.choices import StopStatus
from tbib.tours.models import Stop


@dataclass
class Pending:
    """Encounters created open so that their observations can be added, finished at the end."""

    finish: list[tuple[uuid.UUID, datetime.datetime]] = field(default_factory=list)


def _matches(ctx: AccessContext, type_name: str, condition: str) -> list[Any]:
    """The records a conditional create's `If-None-Exist` (a search query) names."""
    params: dict[str, list[str]] = {}
    for key, value in urllib.parse.parse_qsl(condition, keep_blank_values=True):
        params.setdefault(key, []).append(value)
    kind = TYPES[type_name]
    if not params or set(params) - kind.param_names:
        raise FhirError(
            400,
            f"If-None-Exist must be a {type_name} search, e.g. identifier=system|value.",
            "invalid",
        )
    return list(kind.search(ctx, params)[:2])


def _remember(type_name: str, record_id: uuid.UUID, resource: dict[str, Any]) -> None:
    for system, value in mapping.external_identifiers(resource):
        ExternalIdentifier.objects.create(
            resource_type=type_name, system=system, value=value, resource_id=record_id
        )


def create_resource(
    ctx: AccessContext,
    type_name: str,
    body: dict[str, Any],
    condition: str | None,
    pending: Pending | None = None,
) -> tuple[dict[str, Any], bool]:
    """Create (or, under a condition that matches one record, return it): (resource, created)."""
    if body.get("resourceType") != type_name:
        raise FhirError(400, f"The body is a {body.get('resourceType')!s:.40}, not a {type_name}.")
    kind = TYPES[type_name]
    structure.check(body)
    if condition:
        found = _matches(ctx, type_name, condition)
        if len(found) > 1:
            raise FhirError(
                412, f"If-None-Exist matches several {type_name} resources.", "multiple-matches"
            )
        if found:
            return kind.render_many(found)[0], False
    if type_name == "Patient":
        record: Any = register_patient(ctx=ctx, **mapping.patient_fields(body))
    elif type_name == "Encounter":
        record = _create_encounter(ctx, body, pending)
    elif type_name == "Communication":
        record = _create_answer(ctx, body)
    else:
        record = _create_observation(ctx, body)
    _remember(type_name, record.pk, body)
    return kind.render_many([type(record).objects.get(pk=record.pk)])[0], True


def _create_answer(ctx: AccessContext, body: dict[str, Any]) -> Answer:
    """A specialist's answer to a case, through the service the specialist's screen uses: only
    the specialist holding the case answers, and the case moves as it does there (answered,
    or back to the unit for more information)."""
    based_on = [b for b in body.get("basedOn") or [] if isinstance(b, dict)]
    case_ids = [reference_id(str(b.get("reference", "")), "ServiceRequest") for b in based_on]
    case_id = next((i for i in case_ids if i is not None), None)
    if case_id is None:
        raise FhirError(
            422, "basedOn must reference the case answered: ServiceRequest/<case id>.", "required"
        )
    parts = [p for p in body.get("payload") or [] if isinstance(p, dict)]
    texts = [p["contentString"] for p in parts if isinstance(p.get("contentString"), str)]
    if not texts:
        raise FhirError(422, "The payload must carry the advice as contentString.", "required")
    text = "\n\n".join(texts)
    codes = {
        coding.get("code")
        for concept in body.get("category") or []
        if isinstance(concept, dict)
        for coding in concept.get("coding") or []
        if isinstance(coding, dict) and coding.get("system") in (None, ANSWER_CATEGORY)
    }
    if "request-for-information" in codes:
        return request_information(ctx=ctx, case_id=case_id, question=text)
    return answer_case(ctx=ctx, case_id=case_id, advice=text)


def _own_patient(ctx: AccessContext, reference: object, action: AuditAction) -> Patient:
    patient_id = reference_id(str((reference or {}).get("reference", "")), "Patient")  # type: ignore[attr-defined]
    patient = Patient.objects.filter(pk=patient_id).first() if patient_id else None
    if patient is None:
        raise FhirError(
            422,
            "The subject must reference a Patient of this server "
            "(Patient/<id>, or a urn:uuid of the same transaction).",
        )
    check_patient_write(ctx, action=action, unit_id=patient.unit_id, patient_id=patient.pk)
    return patient


def _create_encounter(
    ctx: AccessContext, body: dict[str, Any], pending: Pending | None
) -> Encounter:
    patient = _own_patient(ctx, body.get("subject"), AuditAction.CREATE)
    period = body.get("period") or {}
    start = mapping.parse_instant(period.get("start"), "Encounter.period.start")
    end = (
        mapping.parse_instant(period["end"], "Encounter.period.end") if period.get("end") else None
    )
    status = body.get("status")
    if status not in ("arrived", "in-progress", "finished"):
        raise FhirError(422, "Encounter.status must be arrived, in-progress or finished.")
    unit = patient.unit
    # An encounter sent by another system still belongs to a day of the unit: the stop of that
    # day (created closed if the unit did not plan one), at the patient's commune.
    stop = Stop.objects.filter(unit=unit, date=start.date()).order_by("created_at").first()
    if stop is None:
        stop = Stop.objects.create(
            unit=unit,
            date=start.date(),
            commune_id=patient.commune_id or unit.home_commune_id,
            status=StopStatus.CLOSED,
        )
    reason = " ".join(str(r.get("text", "")) for r in body.get("reasonCode") or [] if r.get("text"))
    encounter = Encounter.objects.create(
        patient=patient,
        unit=unit,
        stop=stop,
        status=EncounterStatus.IN_PROGRESS,
        arrived_at=start,
        reason=reason[:300],
        created_by=ctx.user,
    )
    audit(
        ctx,
        action=AuditAction.CREATE,
        resource_type="Encounter",
        resource_id=str(encounter.pk),
        patient_id=patient.pk,
        outcome=AuditOutcome.ALLOWED,
        detail="FHIR",
    )
    if status == "finished":
        if pending is not None:
            pending.finish.append((encounter.pk, end or start))
        else:
            finish(ctx, [(encounter.pk, end or start)])
    return encounter


def finish(ctx: AccessContext, ended: list[tuple[uuid.UUID, datetime.datetime]]) -> None:
    """Sign the finished encounters another system sent: signed by the person who imported
    them (accountable for the import), at the time the other system ended them."""
    end_of = dict(ended)
    for encounter in Encounter.objects.filter(pk__in=list(end_of)):
        encounter.status = EncounterStatus.SIGNED
        encounter.signed_by = ctx.user
        encounter.signed_at = end_of[encounter.pk]
        encounter.save()


def _create_observation(ctx: AccessContext, body: dict[str, Any]) -> Observation:
    patient = _own_patient(ctx, body.get("subject"), AuditAction.CREATE)
    encounter_id = reference_id(
        str((body.get("encounter") or {}).get("reference", "")), "Encounter"
    )
    encounter = (
        Encounter.objects.filter(pk=encounter_id, patient=patient).first() if encounter_id else None
    )
    if encounter is None:
        raise FhirError(
            422,
            "Observation.encounter must reference an Encounter of the same "
            "patient (Encounter/<id>, or a urn:uuid of the same transaction).",
        )
    if encounter.status not in (EncounterStatus.WAITING, EncounterStatus.IN_PROGRESS):
        raise FhirError(
            409, "This encounter is signed: a new observation needs a correction.", "conflict"
        )
    fields = mapping.observation_fields(body)
    measure = fields["measure"]
    observation = Observation.objects.create(
        encounter=encounter,
        key=measure.key,
        loinc=measure.loinc,
        value=fields["value"],
        unit=measure.ucum,
        source=ObservationSource.IMPORTED,
        effective_at=fields["effective_at"],
    )
    audit(
        ctx,
        action=AuditAction.CREATE,
        resource_type="Observation",
        resource_id=str(observation.pk),
        patient_id=patient.pk,
        outcome=AuditOutcome.ALLOWED,
        detail="FHIR",
    )
    return observation


def update_patient_resource(
    ctx: AccessContext, patient_id: uuid.UUID, body: dict[str, Any], if_match: str | None
) -> dict[str, Any]:
    """PUT Patient/<id>: with If-Match, refused (412) unless it names the current version."""
    current = Patient.objects.select_for_update().filter(pk=patient_id).first()
    if current is None:
        raise FhirError(
            404, "No patient with this id in your scope (create with POST).", "not-found"
        )
    version = versions.version_of("Patient", patient_id)
    if if_match is not None:
        wanted = if_match.strip().removeprefix("W/").strip('"')
        if wanted != str(version):
            raise FhirError(
                412,
                f"Version conflict: the patient is at version {version}, "
                f"not {wanted[:20]}. Read it again and reapply your change.",
                "conflict",
            )
    structure.check(body)
    fields = mapping.patient_fields(body)
    update_patient(ctx=ctx, patient_id=patient_id, changes=fields)
    known = set(
        ExternalIdentifier.objects.filter(
            resource_type="Patient", resource_id=patient_id
        ).values_list("system", "value")
    )
    for system, value in mapping.external_identifiers(body):
        if (system, value) not in known:
            ExternalIdentifier.objects.create(
                resource_type="Patient", system=system, value=value, resource_id=patient_id
            )
    return TYPES["Patient"].render_many([Patient.objects.get(pk=patient_id)])[0]
