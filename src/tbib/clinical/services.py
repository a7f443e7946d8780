"""Writes to encounters: one function per act of the unit's day, all through the access layer.

Every write checks who may do it (unit staff of the encounter's unit; the GP alone for the
medical acts), refuses a signed encounter, validates the whole request before writing any of
it, and commits the change with its audit event in one transaction.
"""

from __future__ import annotations

import datetime
import secrets
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, NoReturn

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tbib.access.choices import AuditAction, AuditOutcome
from tbib.access.scope import (
    AccessContext,
    AccessDenied,
    audit,
    check_patient_write,
    read_encounter,
    read_patient,
)
from tbib.accounts.choices import UserRole
from tbib.clinical import icd10
from tbib.clinical.choices import DocumentKind, EncounterStatus, ObservationSource, Triage
from tbib.clinical.codes import MEASURES
from tbib.clinical.models import (
    Diagnosis,
    Encounter,
    EncounterLocked,
    IssuedDocument,
    Observation,
    PrescriptionLine,
    Referral,
    ReferralCompletion,
)
from tbib.clinical.vitals import clean_measurements
from tbib.core.errors import Conflict
from tbib.core.models import new_id
from tbib.network.models import HealthFacility, Hub
from tbib.pharmacy.models import Medicine, StockMovement
from tbib.pharmacy.services import return_to_stock, take_from_stock
from tbib.tours.choices import StopStatus
from tbib.tours.models import Stop


def _audit_write(
    ctx: AccessContext, action: AuditAction, encounter: Encounter, detail: str = ""
) -> None:
    audit(
        ctx,
        action=action,
        resource_type="Encounter",
        resource_id=str(encounter.pk),
        patient_id=encounter.patient_id,
        outcome=AuditOutcome.ALLOWED,
        detail=detail,
    )


def refuse_encounter_write(
    ctx: AccessContext, action: AuditAction, encounter: Encounter, message: str
) -> NoReturn:
    """Audit a refused write of the encounter (denied), then refuse it (also the FHIR
    interface's)."""
    audit(
        ctx,
        action=action,
        resource_type="Encounter",
        resource_id=str(encounter.pk),
        patient_id=encounter.patient_id,
        outcome=AuditOutcome.DENIED,
        detail=message,
    )
    raise AccessDenied(message)


def _writable(
    ctx: AccessContext, encounter_id: uuid.UUID, action: AuditAction, *, gp_only: bool = False
) -> Encounter:
    """The encounter if this user may write it now; refusals are audited, outside transactions."""
    encounter = read_encounter(ctx, encounter_id)
    check_patient_write(
        ctx, action=action, unit_id=encounter.unit_id, patient_id=encounter.patient_id
    )
    if gp_only and ctx.user.role != UserRole.GP:
        refuse_encounter_write(
            ctx, action, encounter, "Only the unit's general practitioner can do this."
        )
    if encounter.is_locked:
        raise EncounterLocked()
    return encounter


def _field_errors(errors: Mapping[str, str]) -> ValidationError:
    return ValidationError({field: [message] for field, message in errors.items()})


def _check_diagnoses(
    codes: Sequence[str], prefix: str = "diagnoses"
) -> tuple[list[icd10.Icd10Entry], dict[str, str]]:
    entries, errors = [], {}
    for index, code in enumerate(codes):
        try:
            entries.append(icd10.entry(code, language="fr"))
        except icd10.UnknownCode as error:
            errors[f"{prefix}.{index}"] = str(error)
    return entries, errors


def _save_measurements(
    encounter: Encounter, values: Mapping[str, Decimal], source: ObservationSource
) -> list[Observation]:
    now = timezone.now()
    saved = []
    for key, value in values.items():
        measure = MEASURES[key]
        saved.append(
            Observation.objects.create(
                encounter=encounter,
                key=key,
                loinc=measure.loinc,
                value=value,
                unit=measure.ucum,
                source=ObservationSource.COMPUTED if key == "bmi" else source,
                effective_at=now,
            )
        )
    return saved


def _save_diagnoses(encounter: Encounter, entries: Sequence[icd10.Icd10Entry]) -> None:
    has_primary = encounter.diagnoses.filter(is_primary=True).exists()
    for entry in entries:
        if encounter.diagnoses.filter(code=entry.code).exists():
            continue
        Diagnosis.objects.create(
            encounter=encounter, code=entry.code, label=entry.label, is_primary=not has_primary
        )
        has_primary = True


def start_encounter(
    *,
    ctx: AccessContext,
    patient_id: uuid.UUID,
    triage: int = Triage.STANDARD,
    reason: str = "",
    measurements: Mapping[str, object] | None = None,
    diagnoses: Sequence[str] = (),
) -> Encounter:
    """Put a patient on the waiting list of the unit's open stop, with what triage measured.

    The whole request is validated first: one impossible value and nothing is saved.
    """
    patient = read_patient(ctx, patient_id)
    check_patient_write(
        ctx, action=AuditAction.CREATE, unit_id=ctx.user.unit_id, patient_id=patient.pk
    )
    if patient.unit_id != ctx.user.unit_id:
        raise AccessDenied("This patient is registered by another unit.")
    stop = Stop.objects.filter(unit_id=ctx.user.unit_id, status=StopStatus.OPEN).first()
    if stop is None:
        raise Conflict("Open today's stop before seeing patients.")
    values, errors = clean_measurements(measurements or {}, sex=patient.sex)
    errors = {f"vitals.{key}": message for key, message in errors.items()}
    entries, diagnosis_errors = _check_diagnoses(diagnoses)
    errors.update(diagnosis_errors)
    if diagnoses and ctx.user.role != UserRole.GP:
        errors["diagnoses"] = "Only the general practitioner records diagnoses."
    if errors:
        audit(
            ctx,
            action=AuditAction.CREATE,
            resource_type="Encounter",
            patient_id=patient.pk,
            outcome=AuditOutcome.INVALID,
            detail="; ".join(f"{k}: {v}" for k, v in errors.items()),
        )
        raise _field_errors(errors)
    with transaction.atomic():
        encounter = Encounter.objects.create(
            patient=patient,
            unit_id=stop.unit_id,
            stop=stop,
            triage=triage,
            reason=reason.strip(),
            arrived_at=timezone.now(),
            created_by=ctx.user,
        )
        _save_measurements(encounter, values, ObservationSource.MANUAL)
        _save_diagnoses(encounter, entries)
        _audit_write(ctx, AuditAction.CREATE, encounter)
    return encounter


def update_encounter(
    *,
    ctx: AccessContext,
    encounter_id: uuid.UUID,
    notes: Mapping[str, object] | None = None,
    measurements: Mapping[str, object] | None = None,
    diagnoses: Sequence[str] = (),
    source: ObservationSource = ObservationSource.MANUAL,
) -> Encounter:
    """Complete an open encounter: notes, more measurements, diagnoses; all or nothing."""
    encounter = _writable(ctx, encounter_id, AuditAction.UPDATE)
    notes = dict(notes or {})
    values, raw_errors = clean_measurements(measurements or {}, sex=encounter.patient.sex)
    errors = {f"vitals.{key}": message for key, message in raw_errors.items()}
    entries, diagnosis_errors = _check_diagnoses(diagnoses)
    errors.update(diagnosis_errors)
    if diagnoses and ctx.user.role != UserRole.GP:
        errors["diagnoses"] = "Only the general practitioner records diagnoses."
    follow_up = notes.get("follow_up_date")
    if isinstance(follow_up, datetime.date) and follow_up < timezone.localdate():
        errors["follow_up_date"] = "A follow-up date cannot be in the past."
    if errors:
        _audit_invalid(ctx, encounter, errors)
        raise _field_errors(errors)
    with transaction.atomic():
        locked = Encounter.objects.select_for_update().get(pk=encounter.pk)
        if locked.is_locked:
            raise EncounterLocked()
        for field in ("reason", "history", "examination", "follow_up_date", "triage"):
            if field in notes:
                setattr(locked, field, notes[field])
        if ctx.user.role == UserRole.GP and locked.status == EncounterStatus.WAITING:
            locked.status = EncounterStatus.IN_PROGRESS
        locked.save()
        _save_measurements(locked, values, source)
        _save_diagnoses(locked, entries)
        _audit_write(ctx, AuditAction.UPDATE, locked)
    return locked


def _audit_invalid(ctx: AccessContext, encounter: Encounter, errors: Mapping[str, str]) -> None:
    audit(
        ctx,
        action=AuditAction.UPDATE,
        resource_type="Encounter",
        resource_id=str(encounter.pk),
        patient_id=encounter.patient_id,
        outcome=AuditOutcome.INVALID,
        detail="; ".join(f"{k}: {v}" for k, v in errors.items()),
    )


def remove_diagnosis(*, ctx: AccessContext, encounter_id: uuid.UUID, code: str) -> None:
    encounter = _writable(ctx, encounter_id, AuditAction.UPDATE, gp_only=True)
    with transaction.atomic():
        for diagnosis in encounter.diagnoses.filter(code=code):
            diagnosis.delete()
        _audit_write(ctx, AuditAction.UPDATE, encounter, detail=f"diagnosis {code} removed")


def prescribe(
    *,
    ctx: AccessContext,
    encounter_id: uuid.UUID,
    medicine_code: str,
    quantity: int,
    dosage: str,
    duration_days: int | None = None,
) -> PrescriptionLine:
    """Prescribe and hand out a medicine from the unit's stock, which never goes below zero."""
    encounter = _writable(ctx, encounter_id, AuditAction.UPDATE, gp_only=True)
    medicine = Medicine.objects.filter(code=medicine_code).first()
    errors = {}
    if medicine is None:
        errors["medicine"] = f"{medicine_code!r} is not in the formulary."
    if quantity <= 0:
        errors["quantity"] = "Prescribe at least one unit."
    if not dosage.strip():
        errors["dosage"] = "Write the dosage instructions."
    if errors:
        _audit_invalid(ctx, encounter, errors)
        raise _field_errors(errors)
    assert medicine is not None
    with transaction.atomic():
        take_from_stock(unit_id=encounter.unit_id, medicine_id=medicine.code, quantity=quantity)
        line = PrescriptionLine.objects.create(
            encounter=encounter,
            medicine=medicine,
            quantity=quantity,
            dosage=dosage.strip(),
            duration_days=duration_days,
        )
        StockMovement.objects.create(
            unit_id=encounter.unit_id,
            medicine=medicine,
            delta=-quantity,
            reason="dispensed",
            prescription_line=line,
        )
        _audit_write(ctx, AuditAction.UPDATE, encounter, detail=f"prescribed {medicine.code}")
    return line


def withdraw_prescription(
    *, ctx: AccessContext, encounter_id: uuid.UUID, line_id: uuid.UUID
) -> None:
    """Take back a prescription line of an open encounter; the medicine returns to stock."""
    encounter = _writable(ctx, encounter_id, AuditAction.UPDATE, gp_only=True)
    line = encounter.prescriptions.filter(pk=line_id).first()
    if line is None:
        raise Conflict("This encounter has no such prescription line.")
    with transaction.atomic():
        return_to_stock(
            unit_id=encounter.unit_id, medicine_id=line.medicine_id, quantity=line.quantity
        )
        StockMovement.objects.create(
            unit_id=encounter.unit_id,
            medicine_id=line.medicine_id,
            delta=line.quantity,
            reason="returned",
        )
        line.delete()
        _audit_write(ctx, AuditAction.UPDATE, encounter, detail=f"withdrew {line.medicine_id}")


def refer(
    *,
    ctx: AccessContext,
    encounter_id: uuid.UUID,
    reason: str,
    urgency: str,
    hub_code: str = "",
    facility_id: uuid.UUID | None = None,
) -> Referral:
    """Refer the patient to the regional hub hospital or to a health centre."""
    encounter = _writable(ctx, encounter_id, AuditAction.UPDATE, gp_only=True)
    errors = {}
    hub = Hub.objects.filter(code=hub_code).first() if hub_code else None
    facility = HealthFacility.objects.filter(pk=facility_id).first() if facility_id else None
    if bool(hub_code) == bool(facility_id):
        errors["destination"] = "Refer to one place: a hub hospital or a health facility."
    elif hub_code and hub is None:
        errors["hub"] = f"No hub has the code {hub_code!r}."
    elif facility_id and facility is None:
        errors["facility"] = "No health facility has this id."
    if not reason.strip():
        errors["reason"] = "Say why the patient is referred."
    if errors:
        _audit_invalid(ctx, encounter, errors)
        raise _field_errors(errors)
    with transaction.atomic():
        referral = Referral.objects.create(
            encounter=encounter, hub=hub, facility=facility, reason=reason.strip(), urgency=urgency
        )
        _audit_write(ctx, AuditAction.UPDATE, encounter, detail="referral")
    return referral


def record_referral_reached(
    *,
    ctx: AccessContext,
    encounter_id: uuid.UUID,
    referral_id: uuid.UUID,
    reached_on: datetime.date,
) -> ReferralCompletion:
    """The referred patient was seen at the facility: the referral's loop is closed. Any of
    the unit's staff records it (from the return slip, or what the patient says at a later
    visit), on the signed encounter that wrote the referral."""
    encounter = read_encounter(ctx, encounter_id)
    check_patient_write(
        ctx, action=AuditAction.UPDATE, unit_id=encounter.unit_id, patient_id=encounter.patient_id
    )
    if encounter.status != EncounterStatus.SIGNED:
        raise Conflict(
            _("A referral is followed up on the current signed version of its encounter.")
        )
    referral = encounter.referrals.filter(pk=referral_id).first()
    if referral is None:
        raise Conflict(_("This encounter has no such referral."))
    errors = {}
    if reached_on < timezone.localtime(encounter.arrived_at).date():
        errors["reached_on"] = _("The patient cannot have been seen there before being referred.")
    elif reached_on > timezone.localdate():
        errors["reached_on"] = _("This date has not come yet.")
    if errors:
        _audit_invalid(ctx, encounter, errors)
        raise _field_errors(errors)
    with transaction.atomic():
        # The referral's row is the lock: two staff recording at once, one wins, one is told.
        Referral.objects.select_for_update().get(pk=referral.pk)
        recorded = referral.completions.first()
        if recorded is not None:
            raise Conflict(
                _("Already recorded: seen at the facility on %(date)s.")
                % {"date": recorded.reached_on.isoformat()}
            )
        completion = ReferralCompletion.objects.create(
            referral=referral, reached_on=reached_on, recorded_by=ctx.user
        )
        _audit_write(ctx, AuditAction.UPDATE, encounter, detail="referral completed")
    return completion


def sign_encounter(*, ctx: AccessContext, encounter_id: uuid.UUID) -> Encounter:
    """The GP signs: the encounter is locked for good; a correction it was supersedes the old."""
    encounter = _writable(ctx, encounter_id, AuditAction.SIGN, gp_only=True)
    if not encounter.diagnoses.exists():
        errors = {"diagnoses": "Record at least one diagnosis (ICD-10) before signing."}
        _audit_invalid(ctx, encounter, errors)
        raise _field_errors(errors)
    with transaction.atomic():
        locked = Encounter.objects.select_for_update().get(pk=encounter.pk)
        if locked.is_locked:
            raise EncounterLocked()
        locked.status = EncounterStatus.SIGNED
        locked.signed_at = timezone.now()
        locked.signed_by = ctx.user
        locked.save()
        if locked.supersedes_id is not None:
            previous = Encounter.objects.select_for_update().get(pk=locked.supersedes_id)
            previous.status = EncounterStatus.SUPERSEDED
            previous.save(update_fields=["status", "updated_at"])
        _audit_write(ctx, AuditAction.SIGN, locked, detail=f"version {locked.version}")
    return locked


def correct_encounter(*, ctx: AccessContext, encounter_id: uuid.UUID) -> Encounter:
    """Start a correction of a signed encounter: a new version, open, with the same content.

    Medicines already handed out are carried over without touching the stock.
    """
    original = read_encounter(ctx, encounter_id)
    check_patient_write(
        ctx, action=AuditAction.UPDATE, unit_id=original.unit_id, patient_id=original.patient_id
    )
    if ctx.user.role != UserRole.GP:
        refuse_encounter_write(
            ctx, AuditAction.UPDATE, original, "Only the unit's general practitioner can do this."
        )
    if original.status != EncounterStatus.SIGNED:
        raise Conflict("Only the current signed version of an encounter can be corrected.")
    with transaction.atomic():
        if Encounter.objects.filter(supersedes=original).exists():
            raise Conflict("A correction of this encounter is already open.")
        try:
            copy = Encounter.objects.create(
                patient_id=original.patient_id,
                unit_id=original.unit_id,
                stop_id=original.stop_id,
                status=EncounterStatus.IN_PROGRESS,
                triage=original.triage,
                arrived_at=original.arrived_at,
                reason=original.reason,
                history=original.history,
                examination=original.examination,
                follow_up_date=original.follow_up_date,
                created_by=ctx.user,
                version=original.version + 1,
                supersedes=original,
            )
        except IntegrityError as error:
            raise Conflict("A correction of this encounter is already open.") from error
        for rows in (original.observations, original.diagnoses):
            _copy_rows(rows.all(), copy)
        for referral in original.referrals.prefetch_related("completions"):
            completions = list(referral.completions.all())
            _copy(referral, encounter=copy)  # a new id: the loop closed on it stays closed
            for completion in completions:
                _copy(completion, referral=referral)
        # Medicines already handed out: carried over, the stock is not taken a second time.
        _copy_rows(original.prescriptions.all(), copy, carried_over=True)
        _audit_write(ctx, AuditAction.UPDATE, copy, detail=f"correction of {original.pk}")
    return copy


def _copy_rows(rows: QuerySet[Any], encounter: Encounter, **overrides: object) -> None:
    """Save a copy of each row (a new id) attached to `encounter`."""
    for row in rows:
        _copy(row, encounter=encounter, **overrides)


def _copy(row: Any, **fields: object) -> None:
    """Save `row` again as a new record (a new id), with `fields` changed."""
    row.pk = new_id()
    row._state.adding = True
    for field, value in fields.items():
        setattr(row, field, value)
    row.save(force_insert=True)


_DOCUMENT_PREFIX = {
    DocumentKind.PRESCRIPTION: "ORD",
    DocumentKind.REFERRAL: "REF",
    DocumentKind.SUMMARY: "CR",
}
# Crockford's base 32: no I, L, O, U to misread when the number is typed from paper.
_BASE32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def document_number(kind: DocumentKind, unit_code: str, year: int) -> str:
    """A unique, readable number: kind, year, unit, and 6 random characters (30 bits)."""
    suffix = "".join(secrets.choice(_BASE32) for _ in range(6))
    return f"{_DOCUMENT_PREFIX[kind]}-{year}-{unit_code.upper().replace('-', '')}-{suffix}"


def issue_document(
    *, ctx: AccessContext, encounter_id: uuid.UUID, kind: DocumentKind
) -> IssuedDocument:
    """The number of a signed encounter's document; issued once, the same on every reprint."""
    encounter = read_encounter(ctx, encounter_id)
    if encounter.status != EncounterStatus.SIGNED:
        raise Conflict("Documents are printed from the signed encounter only.")
    if kind == DocumentKind.PRESCRIPTION and not encounter.prescriptions.exists():
        raise Conflict("This encounter has no prescription.")
    if kind == DocumentKind.REFERRAL and not encounter.referrals.exists():
        raise Conflict("This encounter has no referral.")
    existing = IssuedDocument.objects.filter(encounter=encounter, kind=kind).first()
    if existing is not None:
        document = existing
    else:
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    document = IssuedDocument.objects.create(
                        encounter=encounter,
                        kind=kind,
                        number=document_number(
                            kind, encounter.unit.code, timezone.localdate().year
                        ),
                    )
                break
            except IntegrityError:
                existing = IssuedDocument.objects.filter(encounter=encounter, kind=kind).first()
                if existing is not None:
                    document = existing
                    break
        else:  # pragma: no cover - 5 collisions in 2^30 numbers
            raise Conflict("Could not issue a document number; try again.")
    audit(
        ctx,
        action=AuditAction.PRINT,
        resource_type="Encounter",
        resource_id=str(encounter.pk),
        patient_id=encounter.patient_id,
        outcome=AuditOutcome.ALLOWED,
        detail=f"{kind} {document.number}",
    )
    return document
