"""Writes to the patient registry: one function per write, through the scoped-access layer."""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tbib.access.choices import AuditAction, AuditOutcome
from tbib.access.scope import AccessContext, RecordNotFound, audit, check_patient_write
from tbib.core.errors import Conflict
from tbib.geo.models import Commune
from tbib.patients.identifiers import IdentifierError, normalise_phone
from tbib.patients.models import Patient, PatientMerge


def register_patient(
    *,
    ctx: AccessContext,
    given_name: str,
    family_name: str,
    sex: str,
    given_name_ar: str = "",
    family_name_ar: str = "",
    birth_date: datetime.date | None = None,
    cin: str | None = None,
    phone: str = "",
    amo_number: str = "",
    commune: Commune | None = None,
    village: str = "",
    age_years: int | None = None,
    guardian_id: uuid.UUID | None = None,
    guardian_relationship: str = "",
    pregnancy_status: str = "",
) -> Patient:
    """Register a patient in the user's own unit; the record and its audit event commit together.

    With no birth date, a stated age ("about 60") gives an estimated one, flagged as such.
    A guardian must be a patient of the same unit (a child's mother, registered first).
    """
    unit_id = ctx.user.unit_id
    check_patient_write(ctx, action=AuditAction.CREATE, unit_id=unit_id)
    assert unit_id is not None  # check_patient_write refuses users without a unit
    errors: dict[str, str] = {}
    birth_date_is_estimated = False
    if birth_date is None and age_years is not None:
        if 0 <= age_years <= 120:
            birth_date = estimated_birth_date(age_years)
            birth_date_is_estimated = True
        else:
            errors["age_years"] = "An age must be between 0 and 120 years."
    guardian = None
    if guardian_id is not None:
        guardian = Patient.objects.filter(pk=guardian_id, unit_id=unit_id).first()
        if guardian is None:
            errors["guardian_id"] = "No patient of your unit has this id."
    try:
        phone = normalise_phone(phone) if phone.strip() else ""
    except IdentifierError as error:
        errors["phone"] = str(error)
    patient = Patient(
        unit_id=unit_id,
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        given_name_ar=given_name_ar.strip(),
        family_name_ar=family_name_ar.strip(),
        sex=sex,
        birth_date=birth_date,
        cin=cin.strip().upper() if cin else None,
        phone=phone,
        amo_number=amo_number.strip(),
        commune=commune,
        village=village.strip(),
        birth_date_is_estimated=birth_date_is_estimated,
        guardian=guardian,
        guardian_relationship=guardian_relationship,
        pregnancy_status=pregnancy_status,
    )
    _validate(ctx, patient, errors, AuditAction.CREATE)
    with transaction.atomic():
        patient.save(force_insert=True)
        audit(
            ctx,
            action=AuditAction.CREATE,
            resource_type="Patient",
            resource_id=str(patient.pk),
            patient_id=patient.pk,
            outcome=AuditOutcome.ALLOWED,
        )
    return patient


def _validate(
    ctx: AccessContext,
    patient: Patient,
    errors: dict[str, str],
    action: AuditAction,
    patient_id: uuid.UUID | None = None,
) -> None:
    """Raise the record's validation errors (with those found before), audited as invalid."""
    try:
        if errors:
            raise ValidationError(errors)
        patient.full_clean()
    except ValidationError as error:
        audit(
            ctx,
            action=action,
            resource_type="Patient",
            resource_id=str(patient_id or ""),
            patient_id=patient_id,
            outcome=AuditOutcome.INVALID,
            detail="; ".join(f"{field}: {' '.join(m)}" for field, m in error.message_dict.items()),
        )
        raise


class MergeError(Conflict):
    """A merge or its undoing that cannot be done as asked; the message says why."""


def _own_unit_patient(ctx: AccessContext, patient_id: uuid.UUID, action: AuditAction) -> Patient:
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None:
        raise RecordNotFound("No patient with this id in your scope.")
    check_patient_write(ctx, action=action, unit_id=patient.unit_id, patient_id=patient.pk)
    return patient


def merge_patients(
    *,
    ctx: AccessContext,
    survivor_id: uuid.UUID,
    duplicate_id: uuid.UUID,
    reason: str = "",
) -> PatientMerge:
    """Declare two records of the user's unit the same person; audited, and undoable.

    The duplicate is hidden from search and points to the survivor; each keeps its history.
    """
    if survivor_id == duplicate_id:
        raise MergeError("A record cannot be merged with itself.")
    # Permission checks first, outside the transaction, so that a refusal's audit event stays.
    survivor = _own_unit_patient(ctx, survivor_id, AuditAction.MERGE)
    duplicate = _own_unit_patient(ctx, duplicate_id, AuditAction.MERGE)
    with transaction.atomic():
        # Lock both rows so that two staff merging at once cannot build a chain or a loop.
        locked = {
            p.pk: p
            for p in Patient.objects.select_for_update().filter(pk__in=[survivor.pk, duplicate.pk])
        }
        survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
        if survivor.merged_into_id is not None:
            raise MergeError(
                "The record to keep has itself been merged; use the record it was merged into."
            )
        if duplicate.merged_into_id is not None:
            raise MergeError("This duplicate has already been merged.")
        if duplicate.merged_records.exists():
            raise MergeError("Other records were merged into this duplicate; keep it instead.")
        duplicate.merged_into = survivor
        duplicate.save(update_fields=["merged_into", "updated_at"])
        merge = PatientMerge.objects.create(
            survivor=survivor, duplicate=duplicate, merged_by=ctx.user, reason=reason.strip()
        )
        for patient in (survivor, duplicate):
            audit(
                ctx,
                action=AuditAction.MERGE,
                resource_type="Patient",
                resource_id=str(patient.pk),
                patient_id=patient.pk,
                outcome=AuditOutcome.ALLOWED,
                detail=f"merge {merge.pk}: {duplicate.pk} into {survivor.pk}",
            )
    return merge


def undo_merge(*, ctx: AccessContext, merge_id: uuid.UUID) -> PatientMerge:
    """Separate two records merged by mistake: the registry is exactly as before the merge."""
    found = PatientMerge.objects.filter(pk=merge_id).first()
    if found is None:
        audit(ctx, action=AuditAction.UNMERGE, resource_type="PatientMerge",
              resource_id=str(merge_id), outcome=AuditOutcome.NOT_FOUND)  # fmt: skip
        raise RecordNotFound("No merge with this id.")
    survivor = _own_unit_patient(ctx, found.survivor_id, AuditAction.UNMERGE)
    duplicate = _own_unit_patient(ctx, found.duplicate_id, AuditAction.UNMERGE)
    with transaction.atomic():
        merge = PatientMerge.objects.select_for_update().get(pk=merge_id)
        if merge.undone_at is not None:
            raise MergeError("This merge has already been undone.")
        duplicate.merged_into = None
        duplicate.save(update_fields=["merged_into", "updated_at"])
        merge.undone_at = timezone.now()
        merge.undone_by = ctx.user
        merge.save(update_fields=["undone_at", "undone_by", "updated_at"])
        for patient in (survivor, duplicate):
            audit(
                ctx,
                action=AuditAction.UNMERGE,
                resource_type="Patient",
                resource_id=str(patient.pk),
                patient_id=patient.pk,
                outcome=AuditOutcome.ALLOWED,
                detail=f"undo merge {merge.pk}",
            )
    return merge


def estimated_birth_date(age_years: int, *, today: datetime.date | None = None) -> datetime.date:
    """The birth date recorded for "about N years old": N years before today."""
    today = today or timezone.localdate()
    year = today.year - age_years
    # 29 February has no anniversary in most years.
    return (
        today.replace(year=year, day=28)
        if (today.month, today.day) == (2, 29)
        else today.replace(year=year)
    )


# Demographics a correction may change (the FHIR interface's update; the unit, the commune and
# the guardian are changed by their own workflows).
UPDATABLE = ("given_name", "family_name", "given_name_ar", "family_name_ar", "sex",
             "birth_date", "cin", "phone", "amo_number")  # fmt: skip


def update_patient(
    *, ctx: AccessContext, patient_id: uuid.UUID, changes: dict[str, object]
) -> Patient:
    """Correct a patient's demographics (staff of the patient's own unit); one audit event."""
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise ValueError(f"Not updatable here: {', '.join(sorted(unknown))}")
    patient = _own_unit_patient(ctx, patient_id, AuditAction.UPDATE)
    errors: dict[str, str] = {}
    for field, value in changes.items():
        if field == "phone":
            try:
                value = normalise_phone(str(value)) if str(value or "").strip() else ""
            except IdentifierError as error:
                errors["phone"] = str(error)
                continue
        elif field == "cin":
            value = str(value).strip().upper() if value else None
        elif isinstance(value, str):
            value = value.strip()
        setattr(patient, field, value)
    _validate(ctx, patient, errors, AuditAction.UPDATE, patient.pk)
    with transaction.atomic():
        patient.save()
        audit(
            ctx,
            action=AuditAction.UPDATE,
            resource_type="Patient",
            resource_id=str(patient.pk),
            patient_id=patient.pk,
            outcome=AuditOutcome.ALLOWED,
        )
    return patient
