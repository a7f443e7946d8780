"""The scoped-access layer: the one door to patient data.

Every read or write of patient data goes through a function of this module, which decides
from the user's role and place what they may reach and appends exactly one audit event per
call, allowed or not (law 09-08: need-to-know, every access traced).

Who sees which patients:
- unit staff (GP, nurses, assistant): the patients of their own unit; a patient of another
  unit only when found by an exact identifier, audited as a lookup;
- specialists: the patients of cases assigned to their specialty (none until tele-expertise
  cases exist);
- a regional coordinator: the patients of the units of their region;
- the national coordinator: every patient;
- planners and administrators: none, they work on aggregates and configuration.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from tbib.access import kept
from tbib.access.choices import AuditAction, AuditOutcome
from tbib.access.models import AuditEvent
from tbib.accounts.choices import UNIT_ROLES, UserRole
from tbib.accounts.models import User
from tbib.clinical.models import Encounter
from tbib.core.bulk import insert_new
from tbib.core.rows import fetch_one_and_insert
from tbib.patients.identifiers import CIN_PATTERN, IdentifierError, normalise_phone
from tbib.patients.matching import (
    DEFAULT_THRESHOLD,
    Match,
    PatientFacts,
    canonical_spelling,
    score_pair,
    search_key,
)
from tbib.patients.models import Patient
from tbib.teleexpertise.choices import CaseStatus
from tbib.teleexpertise.models import Case

_Record = TypeVar("_Record", Encounter, Case)


class AccessDenied(Exception):
    """The user may not reach this record; the denial has been audited."""


class RecordNotFound(Exception):
    """No such record; the attempt has been audited."""


@dataclass(frozen=True)
class AccessContext:
    """Who is asking, and from where: what every audit event records."""

    user: User
    client_address: str | None = None

    @classmethod
    def from_request(cls, request: HttpRequest, user: User) -> AccessContext:
        return cls(user=user, client_address=request.META.get("REMOTE_ADDR") or None)


def audit(
    ctx: AccessContext,
    *,
    action: AuditAction,
    resource_type: str,
    outcome: AuditOutcome,
    resource_id: str = "",
    patient_id: uuid.UUID | None = None,
    detail: str = "",
) -> AuditEvent:
    """Append one event to the audit trail (kept even if the transaction rolls back, when it
    records an attempt: access.kept)."""
    event = audit_event(
        ctx,
        action=action,
        resource_type=resource_type,
        outcome=outcome,
        resource_id=resource_id,
        patient_id=patient_id,
        detail=detail,
    )
    # The event and its change-log row (replication) commit together, in one statement where
    # the database allows: the trail is written on every read of patient data.
    insert_new(event)
    kept.remember(event)  # after: whether the *caller's* transaction may roll it back
    return event


def audit_event(
    ctx: AccessContext,
    *,
    action: AuditAction,
    resource_type: str,
    outcome: AuditOutcome,
    resource_id: str = "",
    patient_id: uuid.UUID | None = None,
    detail: str = "",
) -> AuditEvent:
    """The event `audit` appends, not yet written."""
    return AuditEvent(
        actor=ctx.user,
        actor_username=ctx.user.get_username(),
        actor_role=ctx.user.role,
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
        patient_id=patient_id,
        outcome=outcome,
        client_address=ctx.client_address,
        detail=detail[:500],
    )


def _patient_scope(user: User) -> Q | None:
    """The filter of the patients a user may see, or None when they may see none."""
    if not user.is_active:
        return None
    if user.role in UNIT_ROLES:
        return Q(unit_id=user.unit_id)
    if user.role == UserRole.REGIONAL_COORDINATOR:
        return Q(unit__province__region_id=user.region_id)
    if user.role == UserRole.NATIONAL_COORDINATOR:
        return Q()
    if user.role == UserRole.SPECIALIST and user.specialty_id:
        # Specialists reach the patients of the cases sent to their specialty (never drafts).
        return Q(pk__in=visible_cases(user).values("patient_id"))
    # Planners and administrators never reach patients.
    return None


def _scoped_patients(user: User) -> QuerySet[Patient]:
    scope = _patient_scope(user)
    if scope is None:
        return Patient.objects.none()
    return Patient.objects.filter(scope)


def can_read_patients(user: User) -> bool:
    """Whether the user's role gives access to any patient record at all."""
    return _patient_scope(user) is not None


def _word_filter(word: str) -> Q:
    """One word of a search: a CIN, a phone number, or a name in any spelling or script."""
    if CIN_PATTERN.match(word.upper()):
        return Q(cin=word.upper())
    if sum(char.isdigit() for char in word) >= 6:
        try:
            return Q(phone=normalise_phone(word))
        except IdentifierError:
            return Q(pk__in=[])
    canonical = canonical_spelling(word)
    by_text = (
        Q(given_name__icontains=word)
        | Q(family_name__icontains=word)
        | Q(given_name_ar__icontains=word)
        | Q(family_name_ar__icontains=word)
        | Q(given_name__icontains=canonical)
        | Q(family_name__icontains=canonical)
    )
    key = search_key(word)
    if len(key) < 2:
        # A particle (Ait, Ou, El) or a one-consonant name: its key would match half the
        # register, so match the text itself.
        return by_text
    # Indexed prefix match on the keys: fast on a large register, and blind to spelling
    # and script (benchmarks/name_search.py).
    return Q(given_key__startswith=key) | Q(family_key__startswith=key)


def search_patients(ctx: AccessContext, *, query: str = "") -> QuerySet[Patient]:
    """The patients in the user's scope matching a free-text query; one audit event.

    Records merged into another are left out: their history shows in the survivor's chart.
    """
    patients = (
        _scoped_patients(ctx.user)
        .filter(merged_into__isnull=True)
        .select_related("unit", "commune")
    )
    query = query.strip()
    for word in query.split():
        patients = patients.filter(_word_filter(word))
    outcome = AuditOutcome.ALLOWED if can_read_patients(ctx.user) else AuditOutcome.DENIED
    audit(
        ctx,
        action=AuditAction.SEARCH,
        resource_type="Patient",
        outcome=outcome,
        detail=f"query of {len(query)} characters",
    )
    return patients


def facts_of(patient: Patient) -> PatientFacts:
    """What the matcher needs to know of a registered patient."""
    return PatientFacts(
        id=str(patient.pk),
        given_name=patient.given_name,
        family_name=patient.family_name,
        given_name_ar=patient.given_name_ar,
        family_name_ar=patient.family_name_ar,
        sex=patient.sex,
        birth_date=patient.birth_date,
        commune=patient.commune_id or "",
        cin=patient.cin or "",
    )


def match_patients(
    ctx: AccessContext,
    facts: PatientFacts,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = 10,
) -> list[tuple[Patient, Match]]:
    """Likely duplicates of `facts` among the patients in scope, best first; one audit event.

    The database narrows the field to plausible birth years (or an identical CIN); the pure
    matcher (patients.matching) scores what is left.
    """
    candidates = (
        _scoped_patients(ctx.user)
        .filter(merged_into__isnull=True)
        .select_related("unit", "commune")
    )
    if facts.birth_date is not None:
        year = facts.birth_date.year
        plausible = Q(birth_date__year__gte=year - 1, birth_date__year__lte=year + 1)
        plausible |= Q(birth_date__isnull=True)
        if facts.cin:
            plausible |= Q(cin=facts.cin.upper())
        candidates = candidates.filter(plausible)
    scored = [(patient, score_pair(facts, facts_of(patient))) for patient in candidates]
    kept = sorted(
        ((patient, match) for patient, match in scored if match.score >= threshold),
        key=lambda pair: (-pair[1].score, str(pair[0].pk)),
    )[:limit]
    audit(
        ctx,
        action=AuditAction.SEARCH,
        resource_type="Patient",
        outcome=AuditOutcome.ALLOWED if can_read_patients(ctx.user) else AuditOutcome.DENIED,
        detail=f"duplicate check: {len(kept)} candidates",
    )
    return kept


def read_patient(ctx: AccessContext, patient_id: uuid.UUID, *, places: bool = True) -> Patient:
    """One patient the user may see; raise and audit when absent or out of scope.

    `places=False` leaves the unit and commune unloaded (their ids are on the record), for
    callers that show no place names: the FHIR read, the API's busiest read, costs a join less.
    """
    read = audit_event(
        ctx,
        action=AuditAction.READ,
        resource_type="Patient",
        resource_id=str(patient_id),
        patient_id=patient_id,
        outcome=AuditOutcome.ALLOWED,
    )
    if places:
        found = (
            _scoped_patients(ctx.user).filter(pk=patient_id).select_related("unit", "commune")
        ).first()
        if found is not None:
            insert_new(read)
    else:
        # The read and its audit event in one statement (PostgreSQL): written only if found.
        found = _one_scoped_patient(ctx.user, patient_id, read)
    if found is not None:
        kept.remember(read)
        return found
    exists = Patient.objects.filter(pk=patient_id).exists()
    audit(
        ctx,
        action=AuditAction.READ,
        resource_type="Patient",
        resource_id=str(patient_id),
        patient_id=patient_id if exists else None,
        outcome=AuditOutcome.DENIED if exists else AuditOutcome.NOT_FOUND,
    )
    # The same answer whether the record is absent or out of scope, so that ids cannot be
    # probed; the audit trail tells the two apart.
    raise RecordNotFound("No patient with this id in your scope.")


# The scoped query of one patient by id, compiled once per scope (its parameters are the
# user's role and places, nothing else): building it through the ORM cost more than running
# it, on the API's busiest read (benchmarks/fhir_api.py).
_ONE_PATIENT: dict[tuple[object, ...], tuple[str, list[object], int]] = {}
_PROBE = uuid.UUID(int=0)
_PATIENT_ID = Patient._meta.get_field("id")


def _one_scoped_patient(user: User, patient_id: uuid.UUID, read: AuditEvent) -> Patient | None:
    """The patient if in the user's scope, `read` (its audit event) written if so."""
    if _patient_scope(user) is None:
        return None
    key = (user.role, user.unit_id, user.region_id, user.specialty_id)
    compiled = _ONE_PATIENT.get(key)
    if compiled is None:
        # By key: the model's ordering (by name) would only cost a sort.
        query = _scoped_patients(user).filter(pk=_PROBE).order_by().query
        sql, params = query.sql_with_params()
        found = [i for i, p in enumerate(params) if p in (_PROBE, _PROBE.hex)]
        if len(found) != 1:  # not a shape this cache knows: the ORM's way
            patient = _scoped_patients(user).filter(pk=patient_id).first()
            if patient is not None:
                insert_new(read)
            return patient
        if len(_ONE_PATIENT) > 5000:
            _ONE_PATIENT.clear()
        compiled = _ONE_PATIENT[key] = (sql, list(params), found[0])
    sql, bound, at = compiled[0], list(compiled[1]), compiled[2]
    bound[at] = _PATIENT_ID.get_db_prep_value(patient_id, connection)
    return fetch_one_and_insert(Patient, sql, bound, read)


def lookup_patient_by_cin(ctx: AccessContext, cin: str) -> Patient:
    """A patient of any unit found by the exact CIN, for unit staff and national coordinators.

    A patient who walks into another unit must be found there: an exact identifier is the
    need-to-know exception, and it is audited as a lookup, apart from ordinary reads.
    """
    cin = cin.strip().upper()
    allowed = ctx.user.is_active and (
        ctx.user.role in UNIT_ROLES or ctx.user.role == UserRole.NATIONAL_COORDINATOR
    )
    found = Patient.objects.select_related("unit", "commune").filter(cin=cin).first()
    detail = "by CIN"
    if found is None and allowed and settings.TBIB_ROLE == "edge":
        # Seen by another unit: the hub has them, when the link is up (audited there too).
        from tbib.sync.client import lookup_at_hub

        if lookup_at_hub(ctx.user.get_username(), cin):
            found = Patient.objects.select_related("unit", "commune").filter(cin=cin).first()
            detail = "by CIN, fetched from the hub"
    if not allowed:
        outcome = AuditOutcome.DENIED
    else:
        outcome = AuditOutcome.ALLOWED if found else AuditOutcome.NOT_FOUND
    audit(
        ctx,
        action=AuditAction.LOOKUP,
        resource_type="Patient",
        resource_id=str(found.pk) if found and allowed else "",
        patient_id=found.pk if found and allowed else None,
        outcome=outcome,
        detail=detail,
    )
    if not allowed:
        raise AccessDenied("Your role cannot look patients up by identifier.")
    if found is None:
        raise RecordNotFound("No patient has this identifier.")
    return found


def check_patient_write(
    ctx: AccessContext,
    *,
    action: AuditAction,
    unit_id: uuid.UUID | None,
    patient_id: uuid.UUID | None = None,
) -> None:
    """Refuse, and audit the refusal, unless the user may write records of this unit's patients.

    Only the staff of the patient's unit write it: coordinators supervise, they do not chart.
    When allowed, nothing is written here: the service writes the record and its one audit
    event (`audit`, outcome allowed) in the same transaction, so both commit or neither does.
    """
    user = ctx.user
    if (
        unit_id is not None
        and user.is_active
        and user.role in UNIT_ROLES
        and user.unit_id == unit_id
    ):
        return
    audit(
        ctx,
        action=action,
        resource_type="Patient",
        resource_id=str(patient_id or ""),
        patient_id=patient_id,
        outcome=AuditOutcome.DENIED,
    )
    raise AccessDenied("You may only write the records of your own unit's patients.")


# Encounters: the same need-to-know as their patient's record.


def scoped_encounters(user: User) -> QuerySet[Encounter]:
    """The encounters of the patients a user may see (not audited: callers audit)."""
    if _patient_scope(user) is None:
        return Encounter.objects.none()
    return Encounter.objects.filter(patient__in=_scoped_patients(user)).select_related(
        "patient", "unit", "stop__commune", "signed_by", "created_by"
    )


def _read_one(
    ctx: AccessContext,
    scoped: QuerySet[_Record],
    record_id: uuid.UUID,
    *,
    resource_type: str,
) -> _Record:
    """One record of a patient through the user's scope; audited allowed, denied or not-found.

    Out of scope answers like absent (decision 0003); the audit trail tells them apart.
    """
    found = scoped.filter(pk=record_id).first()
    if found is None:
        model = scoped.model
        patient_id = (
            model._default_manager.filter(pk=record_id).values_list("patient_id", flat=True).first()
        )
        audit(
            ctx,
            action=AuditAction.READ,
            resource_type=resource_type,
            resource_id=str(record_id),
            patient_id=patient_id,
            outcome=AuditOutcome.DENIED if patient_id else AuditOutcome.NOT_FOUND,
        )
        raise RecordNotFound(f"No {resource_type.lower()} with this id in your scope.")
    audit(
        ctx,
        action=AuditAction.READ,
        resource_type=resource_type,
        resource_id=str(record_id),
        patient_id=found.patient_id,
        outcome=AuditOutcome.ALLOWED,
    )
    return found


def read_encounter(ctx: AccessContext, encounter_id: uuid.UUID) -> Encounter:
    """One encounter the user may see; audited like a patient read."""
    return _read_one(ctx, scoped_encounters(ctx.user), encounter_id, resource_type="Encounter")


def chart_encounters(ctx: AccessContext, patient: Patient) -> QuerySet[Encounter]:
    """A patient's encounters, newest first, with those of the records merged into theirs.

    `patient` must come from read_patient (already scoped and audited); this read is audited
    once more as the chart's.
    """
    record_ids = [patient.pk, *patient.merged_records.values_list("pk", flat=True)]
    audit(
        ctx,
        action=AuditAction.READ,
        resource_type="Encounter",
        patient_id=patient.pk,
        outcome=AuditOutcome.ALLOWED,
        detail="chart",
    )
    return scoped_encounters(ctx.user).filter(patient_id__in=record_ids).order_by("-arrived_at")


def waiting_list(ctx: AccessContext, stop_id: uuid.UUID) -> QuerySet[Encounter]:
    """The day's patients at a stop not yet signed: most urgent first, then by arrival."""
    audit(
        ctx,
        action=AuditAction.SEARCH,
        resource_type="Encounter",
        outcome=AuditOutcome.ALLOWED if can_read_patients(ctx.user) else AuditOutcome.DENIED,
        detail=f"waiting list of stop {stop_id}",
    )
    return (
        scoped_encounters(ctx.user)
        .filter(stop_id=stop_id, status__in=["waiting", "in-progress"])
        .order_by("triage", "arrived_at")
    )


# Tele-expertise cases.


def visible_cases(user: User) -> QuerySet[Case]:
    """The cases a user may see (not audited: callers audit).

    Unit staff: their unit's; specialists: their specialty's, once submitted; coordinators:
    their region's or all; planners and administrators: none.
    """
    cases = Case.objects.select_related("patient", "unit", "specialty", "claimed_by")
    if not user.is_active:
        return cases.none()
    if user.role in UNIT_ROLES:
        return cases.filter(unit_id=user.unit_id)
    if user.role == UserRole.SPECIALIST:
        return cases.filter(specialty_id=user.specialty_id).exclude(status=CaseStatus.DRAFT)
    if user.role == UserRole.REGIONAL_COORDINATOR:
        return cases.filter(unit__province__region_id=user.region_id)
    if user.role == UserRole.NATIONAL_COORDINATOR:
        return cases
    return cases.none()


def read_case(ctx: AccessContext, case_id: uuid.UUID) -> Case:
    """One case the user may see, audited as a read of its patient's record."""
    return _read_one(ctx, visible_cases(ctx.user), case_id, resource_type="Case")


def case_queue(ctx: AccessContext, *, statuses: tuple[str, ...] = ()) -> QuerySet[Case]:
    """The user's cases, most urgent first, then longest waiting; one audit event."""
    audit(
        ctx,
        action=AuditAction.SEARCH,
        resource_type="Case",
        outcome=AuditOutcome.ALLOWED if can_read_patients(ctx.user) else AuditOutcome.DENIED,
        detail=f"queue {','.join(statuses)}",
    )
    cases = visible_cases(ctx.user)
    if statuses:
        cases = cases.filter(status__in=statuses)
    return cases.order_by("urgency_rank", "queued_at", "created_at")


# The FHIR interface: searches are filtered further by the caller, audited once here.


def fhir_search(ctx: AccessContext, resource_type: str, detail: str) -> QuerySet[Any]:
    """The records of `resource_type` (Patient, Encounter, or a fact of an encounter) in the
    user's scope; one audit event for the search (its parameters in the detail, never values
    of identity)."""
    scoped: QuerySet[Any]
    if resource_type == "Patient":
        scoped = _scoped_patients(ctx.user)  # FHIR renders no place names: no joins
    elif resource_type == "Encounter":
        scoped = scoped_encounters(ctx.user)
    else:
        scoped = (
            _ENCOUNTER_PARTS[resource_type]()
            .objects.filter(encounter__in=scoped_encounters(ctx.user).values("pk"))
            .select_related("encounter")
        )
    audit(
        ctx,
        action=AuditAction.SEARCH,
        resource_type=resource_type,
        outcome=AuditOutcome.ALLOWED if can_read_patients(ctx.user) else AuditOutcome.DENIED,
        detail=f"FHIR search: {detail}",
    )
    return scoped


def _part(name: str) -> Any:
    from tbib.clinical import models

    return getattr(models, name)


# FHIR resource types of the facts of an encounter, and the models behind them.
_ENCOUNTER_PARTS = {
    "Observation": lambda: _part("Observation"),
    "Condition": lambda: _part("Diagnosis"),
    "MedicationRequest": lambda: _part("PrescriptionLine"),
    "ServiceRequest": lambda: _part("Referral"),
}


def read_encounter_part(ctx: AccessContext, resource_type: str, record_id: uuid.UUID) -> Any:
    """A fact of an encounter, by its FHIR resource type, through the scope; audited."""
    return _read_encounter_part(ctx, _ENCOUNTER_PARTS[resource_type](), resource_type, record_id)


def _read_encounter_part(
    ctx: AccessContext, model: Any, resource_type: str, record_id: uuid.UUID
) -> Any:
    """A fact of an encounter (observation, diagnosis) through its patient's scope; audited."""
    scoped = model.objects.filter(
        encounter__in=scoped_encounters(ctx.user).values("pk")
    ).select_related("encounter")
    found = scoped.filter(pk=record_id).first()
    patient_id = (
        found.encounter.patient_id
        if found
        else model.objects.filter(pk=record_id)
        .values_list("encounter__patient_id", flat=True)
        .first()
    )
    if found is None:
        outcome = AuditOutcome.DENIED if patient_id else AuditOutcome.NOT_FOUND
    else:
        outcome = AuditOutcome.ALLOWED
    audit(
        ctx,
        action=AuditAction.READ,
        resource_type=resource_type,
        resource_id=str(record_id),
        patient_id=patient_id,
        outcome=outcome,
    )
    if found is None:
        raise RecordNotFound(f"No {resource_type.lower()} with this id in your scope.")
    return found


# FHIR resource types served from the tele-expertise records and from several tables at once
# (ServiceRequest: a referral or a case; DocumentReference: a case's file or a printed
# document). Each table is reached through the scope of what it belongs to: an encounter's
# parts through the encounter, a case's parts through the case.


@dataclass(frozen=True)
class _FhirTable:
    """A table behind FHIR resources: its rows in a user's scope, and the path to the patient."""

    model: Any
    scoped: Callable[[User], QuerySet[Any]]  # the rows the user may see
    patient_field: str  # the path from a row to its patient's id

    def patient_of(self, row: Any) -> uuid.UUID:
        *path, last = self.patient_field.split("__")
        for step in path:
            row = getattr(row, step)
        return uuid.UUID(str(getattr(row, last)))


def _case_model(name: str) -> Any:
    from tbib.teleexpertise import models

    return getattr(models, name)


def _case_parts(name: str, *related: str, **narrow: Any) -> _FhirTable:
    """Rows of a case (answers, files, live sessions): visible with their case."""
    model = _case_model(name)

    def scoped(user: User) -> QuerySet[Any]:
        return model.objects.filter(
            case__in=visible_cases(user).values("pk"), **narrow
        ).select_related("case", "case__specialty", *related)

    return _FhirTable(model, scoped, "case__patient_id")


def _encounter_rows(name: str, *related: str) -> _FhirTable:
    """Rows of an encounter (referrals, printed documents): visible with their encounter."""
    model = _part(name)

    def scoped(user: User) -> QuerySet[Any]:
        return model.objects.filter(
            encounter__in=scoped_encounters(user).values("pk")
        ).select_related("encounter", *related)

    return _FhirTable(model, scoped, "encounter__patient_id")


def _fhir_tables() -> dict[str, _FhirTable]:
    return {
        "Referral": _encounter_rows("Referral", "hub", "facility"),
        "IssuedDocument": _encounter_rows("IssuedDocument"),
        "Case": _FhirTable(
            Case,
            lambda user: visible_cases(user).select_related("encounter", "created_by"),
            "patient_id",
        ),
        "Answer": _case_parts("Answer", "author"),
        # An answer that plans a live session: the appointment it makes.
        "PlannedLiveSession": _case_parts("Answer", "author", live_session_at__isnull=False),
        "Attachment": _case_parts("Attachment"),
        "LiveSession": _case_parts("LiveSession"),
    }


def fhir_search_tables(
    ctx: AccessContext, resource_type: str, tables: tuple[str, ...], detail: str
) -> list[QuerySet[Any]]:
    """The rows of each table behind `resource_type` in the user's scope (tables named as in
    _fhir_tables), for one search: one audit event, whatever the number of tables."""
    known = _fhir_tables()
    scoped = [known[name].scoped(ctx.user) for name in tables]
    audit(
        ctx,
        action=AuditAction.SEARCH,
        resource_type=resource_type,
        outcome=AuditOutcome.ALLOWED if can_read_patients(ctx.user) else AuditOutcome.DENIED,
        detail=f"FHIR search: {detail}",
    )
    return scoped


def read_fhir_record(
    ctx: AccessContext, resource_type: str, tables: tuple[str, ...], record_id: uuid.UUID
) -> Any:
    """One row behind `resource_type`, looked for in each of its tables (ids are UUIDv7,
    unique across tables), through the user's scope; one audit event, allowed, denied or
    not-found, as every read (out of scope answers like absent, decision 0003)."""
    known = [_fhir_tables()[name] for name in tables]
    for table in known:
        found = table.scoped(ctx.user).filter(pk=record_id).first()
        if found is not None:
            audit(
                ctx,
                action=AuditAction.READ,
                resource_type=resource_type,
                resource_id=str(record_id),
                patient_id=table.patient_of(found),
                outcome=AuditOutcome.ALLOWED,
            )
            return found
    patient_id = next(
        (
            found
            for table in known
            for found in table.model.objects.filter(pk=record_id).values_list(
                table.patient_field, flat=True
            )
        ),
        None,
    )
    audit(
        ctx,
        action=AuditAction.READ,
        resource_type=resource_type,
        resource_id=str(record_id),
        patient_id=patient_id,
        outcome=AuditOutcome.DENIED if patient_id else AuditOutcome.NOT_FOUND,
    )
    raise RecordNotFound(f"No {resource_type.lower()} with this id in your scope.")


# The audit trail itself: who reached which record is personal data too (law 09-08), so only
# the administrator (who answers to the data protection officer) and the national coordinator
# read it, and each of their reads is audited like any other.
AUDIT_READERS = frozenset({UserRole.ADMINISTRATOR, UserRole.NATIONAL_COORDINATOR})


def _check_audit_reader(ctx: AccessContext, action: AuditAction, resource_id: str = "") -> None:
    if ctx.user.is_active and ctx.user.role in AUDIT_READERS:
        return
    audit(
        ctx,
        action=action,
        resource_type="AuditEvent",
        resource_id=resource_id,
        outcome=AuditOutcome.DENIED,
    )
    raise AccessDenied("Only administrators and the national coordinator read the audit trail.")


def search_audit_trail(ctx: AccessContext, detail: str) -> QuerySet[AuditEvent]:
    """The audit trail, for its readers only (others: audited refusal); one audit event."""
    _check_audit_reader(ctx, AuditAction.SEARCH)
    audit(
        ctx,
        action=AuditAction.SEARCH,
        resource_type="AuditEvent",
        outcome=AuditOutcome.ALLOWED,
        detail=f"FHIR search: {detail}",
    )
    return AuditEvent.objects.select_related("actor")


def read_audit_event(ctx: AccessContext, event_id: uuid.UUID) -> AuditEvent:
    """One audit event, for the trail's readers only; the read is audited."""
    _check_audit_reader(ctx, AuditAction.READ, str(event_id))
    found = AuditEvent.objects.select_related("actor").filter(pk=event_id).first()
    audit(
        ctx,
        action=AuditAction.READ,
        resource_type="AuditEvent",
        resource_id=str(event_id),
        patient_id=found.patient_id if found else None,
        outcome=AuditOutcome.ALLOWED if found else AuditOutcome.NOT_FOUND,
    )
    if found is None:
        raise RecordNotFound("No audit event with this id.")
    return found
