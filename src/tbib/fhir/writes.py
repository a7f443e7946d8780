"""Writes through the FHIR interface: create (conditional on an identifier), update with
version checks. Every write goes through the registry's services or checks the same rules
(only the staff of the patient's unit write it) and appends its audit event.

Update (PUT) is served for Patient (its demographics), Encounter (while not signed: its
status and reason, through clinical.services) and Task (a tele-expertise case's transitions,
through teleexpertise.services). With If-Match, an update is refused (412) unless it names
the current version; without it, it applies to the current version (last writer wins). What
a PUT would change beyond what the services change is refused (422) with what can change."""

from __future__ import annotations

import copy
import datetime
import urllib.parse
import uuid
from dataclasses import dataclass, field
from typing import Any

from tbib.access.choices import AuditAction, AuditOutcome
from tbib.access.scope import AccessContext, audit, check_patient_write
from tbib.accounts.choices import UserRole
from tbib.accounts.models import User
from tbib.clinical.choices import EncounterStatus, ObservationSource
from tbib.clinical.models import SIGNED_MESSAGE, Encounter, Observation
from tbib.clinical.services import refuse_encounter_write, sign_encounter, update_encounter
from tbib.fhir import mapping, structure, versions
from tbib.fhir.case_mapping import ANSWER_CATEGORY, CASE_STATUS_SYSTEM, CASE_TASK_STATUS
from tbib.fhir.models import ExternalIdentifier
from tbib.fhir.outcome import FhirError
from tbib.fhir.resources import TYPES, reference_id
from tbib.patients.models import Patient
from tbib.patients.services import register_patient, update_patient
from tbib.teleexpertise import services as cases
from tbib.teleexpertise.choices import CaseStatus
from tbib.teleexpertise.models import Answer, Case
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
        return cases.request_information(ctx=ctx, case_id=case_id, question=text)
    return cases.answer_case(ctx=ctx, case_id=case_id, advice=text)


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


def update_resource(
    ctx: AccessContext,
    type_name: str,
    record_id: uuid.UUID,
    body: dict[str, Any],
    if_match: str | None,
) -> dict[str, Any]:
    """PUT <type>/<id> (or a Bundle's PUT entry) of a type updated here: the resource as stored
    after the update. Absent or out of scope is a 404: update never creates (updateCreate
    false in the CapabilityStatement)."""
    if body.get("resourceType") != type_name:
        raise FhirError(400, f"The body is a {body.get('resourceType')!s:.40}, not a {type_name}.")
    if str(body.get("id", "")).lower() != str(record_id):
        raise FhirError(400, "The resource's id must match the URL.", "invariant")
    if type_name == "Patient":
        return update_patient_resource(ctx, record_id, body, if_match)
    if type_name == "Encounter":
        return _update_encounter(ctx, record_id, body, if_match)
    if type_name == "Task":
        return _update_task(ctx, record_id, body, if_match)
    raise FhirError(405, f"{type_name} resources are not updated here.", "not-supported")


def _check_version(type_name: str, version: str, if_match: str | None) -> None:
    """If-Match (hl7.org/fhir/R4/http.html#concurrency): refused (412) unless it names the
    current version. Without it the update applies to the current version, as it always has
    for Patient."""
    if if_match is None:
        return
    wanted = if_match.strip().removeprefix("W/").strip('"')
    if wanted != version:
        raise FhirError(
            412,
            f"Version conflict: the {type_name.lower()} is at version {version}, "
            f"not {wanted[:20]}. Read it again and reapply your change.",
            "conflict",
        )


def update_patient_resource(
    ctx: AccessContext, patient_id: uuid.UUID, body: dict[str, Any], if_match: str | None
) -> dict[str, Any]:
    """PUT Patient/<id>: with If-Match, refused (412) unless it names the current version.

    Scope first, as for Encounter: a version conflict must not tell someone who may not read
    the patient that the record exists, nor its version (absent or out of scope: 404, audited).
    """
    TYPES["Patient"].read(ctx, patient_id)
    Patient.objects.select_for_update().filter(pk=patient_id).first()  # PUTs queue here
    _check_version("Patient", str(versions.version_of("Patient", patient_id)), if_match)
    structure.check(body)
    fields = mapping.patient_fields(body)
    update_patient(ctx=ctx, patient_id=patient_id, changes=fields)
    _add_identifiers("Patient", patient_id, _new_identifiers("Patient", patient_id, body))
    return TYPES["Patient"].render_many([Patient.objects.get(pk=patient_id)])[0]


def _new_identifiers(
    type_name: str, record_id: uuid.UUID, body: dict[str, Any]
) -> list[tuple[str, str]]:
    """The identifiers other systems give the record that it does not have yet. None is ever
    dropped: another system may still search by it."""
    known = set(
        ExternalIdentifier.objects.filter(
            resource_type=type_name, resource_id=record_id
        ).values_list("system", "value")
    )
    return list(dict.fromkeys(p for p in mapping.external_identifiers(body) if p not in known))


def _add_identifiers(type_name: str, record_id: uuid.UUID, pairs: list[tuple[str, str]]) -> None:
    """After the write that made the record's new version: an identifier is part of the
    resource, and fhir.snapshots keeps the current version again with it."""
    for system, value in pairs:
        ExternalIdentifier.objects.create(
            resource_type=type_name, system=system, value=value, resource_id=record_id
        )


# What a PUT never changes: set by the server (hl7.org/fhir/R4/resource.html#Meta).
_SERVER_SET = frozenset({"resourceType", "id", "meta", "text"})


def _refuse_other_changes(
    type_name: str,
    current: dict[str, Any],
    body: dict[str, Any],
    *,
    changeable: frozenset[str],
    computed: tuple[str, ...],
    what_changes: str,
) -> None:
    """Refuse (422) a PUT whose resource differs from the current one elsewhere than in the
    elements the services change. `computed`: elements (dotted paths) the workflow sets, whose
    value in the body is ignored. References, instants and displays compare by meaning, so a
    resource read and sent back unchanged (by any client library) changes nothing."""
    mine, theirs = _comparable(current, computed), _comparable(body, computed)
    differing = sorted(
        f"{type_name}.{element}"
        for element in (set(mine) | set(theirs)) - _SERVER_SET - changeable
        if mine.get(element) != theirs.get(element)
    )
    if differing:
        raise FhirError(
            422,
            f"{', '.join(differing)[:300]} cannot change here. What can: {what_changes}",
            "business-rule",
        )


def _comparable(resource: dict[str, Any], computed: tuple[str, ...]) -> dict[str, Any]:
    kept = copy.deepcopy(resource)
    for path in computed:
        *parents, last = path.split(".")
        holder: Any = kept
        for part in parents:
            holder = holder.get(part) if isinstance(holder, dict) else None
        if isinstance(holder, dict):
            holder.pop(last, None)
            if parents and not holder:  # `period` without its `end` and nothing else
                _drop(kept, parents)
    normalised: dict[str, Any] = _normalise(kept)
    return normalised


def _drop(resource: dict[str, Any], path: list[str]) -> None:
    for part in path[:-1]:
        resource = resource[part]
    resource.pop(path[-1], None)


def _normalise(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _normalise(v, k) for k, v in value.items() if k != "display"}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, str):
        if key == "reference":
            return "/".join(value.rstrip("/").split("/")[-2:])  # absolute or relative
        if "T" in value and len(value) >= 16:
            try:
                moment = datetime.datetime.fromisoformat(value)
            except ValueError:
                return value
            if moment.tzinfo is not None:
                return moment.astimezone(datetime.UTC)
    return value


_ENCOUNTER_STEPS = {"arrived": 0, "in-progress": 1, "finished": 2}
_ENCOUNTER_CHANGES = (
    "status (arrived, then in-progress when the unit's GP takes the patient in, then "
    "finished when the GP signs), reasonCode (as text) and new identifiers; a signed "
    "encounter changes only through a correction."
)


def _update_encounter(
    ctx: AccessContext, encounter_id: uuid.UUID, body: dict[str, Any], if_match: str | None
) -> dict[str, Any]:
    """PUT Encounter/<id> while it is not signed, through clinical.services: the reason
    (update_encounter), taking the patient in (in-progress, the GP's update) and signing
    (finished: sign_encounter, which wants a diagnosis)."""
    kind = TYPES["Encounter"]
    kind.read(ctx, encounter_id)  # scoped and audited: out of scope is a 404 like absent
    encounter = Encounter.objects.select_for_update().get(pk=encounter_id)
    current = kind.render_many([encounter])[0]
    _check_version("Encounter", current["meta"]["versionId"], if_match)
    if encounter.is_locked:
        raise FhirError(409, SIGNED_MESSAGE, "conflict")
    structure.check(body)
    _refuse_other_changes(
        "Encounter",
        current,
        body,
        changeable=frozenset({"status", "reasonCode", "identifier"}),
        computed=("period.end",),
        what_changes=_ENCOUNTER_CHANGES,
    )
    status = body.get("status")
    step = _ENCOUNTER_STEPS.get(str(status), -1)
    if step < _ENCOUNTER_STEPS[current["status"]]:
        raise FhirError(
            422,
            f"Encounter.status cannot go from {current['status']} to {str(status)[:20]}. "
            f"What can change: {_ENCOUNTER_CHANGES}",
            "business-rule",
        )
    reason = _reason(body)
    moves = step > _ENCOUNTER_STEPS[current["status"]]
    if moves and ctx.user.role != UserRole.GP:
        refuse_encounter_write(
            ctx,
            AuditAction.UPDATE,
            encounter,
            "Only the unit's general practitioner takes a patient in and signs.",
        )
    identifiers = _new_identifiers("Encounter", encounter.pk, body)
    takes_in = moves and encounter.status == EncounterStatus.WAITING
    if reason != encounter.reason or takes_in or identifiers:
        notes = {"reason": reason} if reason != encounter.reason else {}
        update_encounter(ctx=ctx, encounter_id=encounter.pk, notes=notes)
    if status == "finished":
        sign_encounter(ctx=ctx, encounter_id=encounter.pk)
    _add_identifiers("Encounter", encounter.pk, identifiers)
    return kind.render_many([Encounter.objects.get(pk=encounter.pk)])[0]


_REASON_LENGTH = 300  # clinical.models.Encounter.reason


def _reason(body: dict[str, Any]) -> str:
    """The reason for the visit, kept as text (Encounter.reasonCode[].text)."""
    texts = []
    for concept in body.get("reasonCode") or []:
        if set(concept) - {"text"}:
            raise FhirError(
                422, "Encounter.reasonCode is kept as text only: send {'text': ...}.", "value"
            )
        texts.append(str(concept.get("text", "")).strip())
    reason = " ".join(t for t in texts if t)
    if len(reason) > _REASON_LENGTH:
        raise FhirError(
            422, f"Encounter.reasonCode: at most {_REASON_LENGTH} characters.", "too-long"
        )
    return reason


_TASK_CHANGES = (
    "status, owner and businessStatus, as the case's workflow moves: a specialist of the "
    "specialty claims it (in-progress, owner themselves) or is assigned it (in-progress, owner "
    "that specialist); the holder releases it (ready, no owner); the unit's GP submits a draft "
    "(ready), cancels it (cancelled) or closes it once answered (businessStatus closed). The "
    "specialist answers with a Communication."
)
# The FHIR statuses a PUT may ask for, as the case status they lead to.
_TASK_TARGETS = {
    "in-progress": CaseStatus.CLAIMED,
    "ready": CaseStatus.QUEUED,
    "requested": CaseStatus.SUBMITTED,
    "cancelled": CaseStatus.CANCELLED,
}


def _update_task(
    ctx: AccessContext, case_id: uuid.UUID, body: dict[str, Any], if_match: str | None
) -> dict[str, Any]:
    """PUT Task/<case>: one transition of the case, through the service that makes it (which
    checks who may and whether the case's status allows it, 403 and 409 otherwise)."""
    kind = TYPES["Task"]
    kind.read(ctx, case_id)  # scoped and audited: out of scope is a 404 like absent
    case = Case.objects.select_for_update().get(pk=case_id)
    current = kind.render_many([case])[0]
    _check_version("Task", current["meta"]["versionId"], if_match)
    structure.check(body)
    _refuse_other_changes(
        "Task",
        current,
        body,
        changeable=frozenset({"status", "businessStatus", "owner"}),
        computed=("lastModified", "executionPeriod", "restriction"),
        what_changes=_TASK_CHANGES,
    )
    owner = _owner(body)
    target = _task_target(case, current, body, owner)
    if target is None:
        return current  # nothing asked: no new version
    if target == CaseStatus.CLAIMED:
        if owner is None:
            raise FhirError(
                422, "Task.owner must name the specialist who takes the case.", "required"
            )
        if owner == ctx.user.pk and case.status == CaseStatus.QUEUED:
            cases.claim_case(ctx=ctx, case_id=case.pk)
        else:
            specialist = User.objects.filter(pk=owner).first()
            if specialist is None:
                raise FhirError(422, "Task.owner must reference a Practitioner of this server.")
            cases.assign_case(ctx=ctx, case_id=case.pk, specialist=specialist)
    elif case.status == CaseStatus.DRAFT and target in (CaseStatus.SUBMITTED, CaseStatus.QUEUED):
        # On the hub a submitted case enters its specialty's queue at once (ready).
        _same_owner(owner, None, "a submitted case has none")
        cases.submit_case(ctx=ctx, case_id=case.pk)
    elif case.status == CaseStatus.CLAIMED and target == CaseStatus.QUEUED:
        _same_owner(owner, None, "a released case has none")
        cases.release_case(ctx=ctx, case_id=case.pk)
    elif target == CaseStatus.CANCELLED:
        _same_owner(owner, case.claimed_by_id, "cancelling does not change it")
        cases.cancel_case(ctx=ctx, case_id=case.pk)
    elif target == CaseStatus.CLOSED:
        _same_owner(owner, case.claimed_by_id, "closing does not change it")
        cases.close_case(ctx=ctx, case_id=case.pk)
    else:
        raise FhirError(
            422,
            f"A case that is {case.status} does not become {target} here. "
            f"What can change: {_TASK_CHANGES}",
            "business-rule",
        )
    return kind.render_many([Case.objects.get(pk=case.pk)])[0]


def _owner(body: dict[str, Any]) -> uuid.UUID | None:
    owner = body.get("owner")
    if not owner:
        return None
    found = reference_id(str(owner.get("reference", "")), "Practitioner")
    if found is None:
        raise FhirError(422, "Task.owner must be a reference to Practitioner/<id>.", "value")
    return found


def _task_target(
    case: Case, current: dict[str, Any], body: dict[str, Any], owner: uuid.UUID | None
) -> str | None:
    """The case status a PUT asks for: by businessStatus (our own code) when it changed, else
    by status, else a new owner (an assignment); None when it asks for no change."""
    business = next(
        (
            coding.get("code")
            for coding in (body.get("businessStatus") or {}).get("coding") or []
            if coding.get("system") == CASE_STATUS_SYSTEM
        ),
        case.status,
    )
    status = body.get("status")
    if business != case.status:
        if business not in CASE_TASK_STATUS or CASE_TASK_STATUS[business] != status:
            raise FhirError(
                422,
                f"Task.businessStatus {str(business)[:20]} does not go with status "
                f"{str(status)[:20]}.",
                "business-rule",
            )
        return str(business)
    if status != current["status"]:
        target = _TASK_TARGETS.get(str(status))
        if target is None:
            raise FhirError(
                422,
                f"Task.status {str(status)[:20]} is not set by PUT here. "
                f"What can change: {_TASK_CHANGES}",
                "business-rule",
            )
        return str(target)
    if owner != case.claimed_by_id:
        return str(CaseStatus.CLAIMED)
    return None


def _same_owner(owner: uuid.UUID | None, expected: uuid.UUID | None, why: str) -> None:
    if owner != expected:
        raise FhirError(
            422,
            f"Task.owner must be {'left out' if expected is None else 'unchanged'} ({why}).",
            "business-rule",
        )
