"""Dismissing a finding: a clinician's decision, with its reason, audited."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction

from tbib.access.choices import AuditAction, AuditOutcome
from tbib.access.scope import AccessContext, AccessDenied, audit, read_encounter
from tbib.accounts.choices import UserRole
from tbib.assist.encounter import findings_for
from tbib.assist.models import FindingDismissal
from tbib.core.errors import Conflict

CLINICIANS = {UserRole.GP, UserRole.NURSE}


def dismiss_finding(
    *, ctx: AccessContext, encounter_id: uuid.UUID, rule: str, reason: str
) -> FindingDismissal:
    encounter = read_encounter(ctx, encounter_id)
    resource = f"{encounter.pk}:{rule}"[:64]
    if ctx.user.role not in CLINICIANS or ctx.user.unit_id != encounter.unit_id:
        audit(ctx, action=AuditAction.UPDATE, resource_type="Finding", resource_id=resource,
              patient_id=encounter.patient_id, outcome=AuditOutcome.DENIED)  # fmt: skip
        raise AccessDenied("Only the unit's GP or nurses dismiss its findings.")
    reason = reason.strip()
    if len(reason) < 3:
        raise ValidationError({"reason": ["Say why this finding does not apply (a few words)."]})
    current = {f.rule: f for f in findings_for(encounter)}
    if rule not in current:
        raise Conflict(f"No finding {rule!r} on this encounter now.")
    with transaction.atomic():
        dismissal, created = FindingDismissal.objects.get_or_create(
            encounter=encounter,
            rule=rule,
            defaults={"explanation": current[rule].explanation[:500], "reason": reason[:300],
                      "dismissed_by": ctx.user},
        )  # fmt: skip
        if not created:
            raise Conflict("This finding was already dismissed.")
        audit(ctx, action=AuditAction.UPDATE, resource_type="Finding", resource_id=resource,
              patient_id=encounter.patient_id, outcome=AuditOutcome.ALLOWED,
              detail=f"dismissed: {reason}")  # fmt: skip
    return dismissal
