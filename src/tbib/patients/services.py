"""Writes to the patient registry: one function per write, through the scoped-access layer."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from tbib.access.choices import AuditAction, AuditOutcome
from tbib.access.scope import AccessContext, audit, check_patient_write
from tbib.geo.models import Commune
from tbib.patients.identifiers import IdentifierError, normalise_phone
from tbib.patients.models import Patient


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
) -> Patient:
    """Register a patient in the user's own unit; the record and its audit event commit together."""
    unit_id = ctx.user.unit_id
    try:
        phone = normalise_phone(phone) if phone.strip() else ""
    except IdentifierError as error:
        raise ValidationError({"phone": str(error)}) from error
    check_patient_write(ctx, action=AuditAction.CREATE, unit_id=unit_id)
    assert unit_id is not None  # check_patient_write refuses users without a unit
    patient = Patient(
        unit_id=unit_id,
        given_name=given_name,
        family_name=family_name,
        given_name_ar=given_name_ar,
        family_name_ar=family_name_ar,
        sex=sex,
        birth_date=birth_date,
        cin=cin.strip().upper() if cin else None,
        phone=phone,
        amo_number=amo_number.strip(),
        commune=commune,
    )
    try:
        patient.full_clean()
    except ValidationError as error:
        audit(
            ctx,
            action=AuditAction.CREATE,
            resource_type="Patient",
            outcome=AuditOutcome.INVALID,
            detail="; ".join(f"{field}: {' '.join(m)}" for field, m in error.message_dict.items()),
        )
        raise
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
