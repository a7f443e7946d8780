"""Dismissing a finding: the unit's clinicians only, with a reason, audited, replicated."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from tbib.access.models import AuditEvent
from tbib.access.scope import AccessContext, AccessDenied
from tbib.accounts.choices import UserRole
from tbib.assist.models import FindingDismissal
from tbib.assist.services import dismiss_finding
from tbib.clinical.models import Encounter
from tbib.clinical.services import start_encounter
from tbib.core.errors import Conflict
from tbib.sync.models import Change
from tests.factories import PatientFactory, open_stop_today, unit, unit_staff

pytestmark = pytest.mark.django_db


def _hypertensive() -> tuple[Encounter, AccessContext]:
    open_stop_today("midelt-1")
    nurse = AccessContext(user=unit_staff(UserRole.NURSE, "midelt-1"))
    patient = PatientFactory(unit=unit("midelt-1"), birth_date=datetime.date(1960, 1, 1))
    vitals = {"systolic_bp": "182", "diastolic_bp": "96"}
    encounter = start_encounter(ctx=nurse, patient_id=patient.pk, measurements=vitals)
    return encounter, nurse


def test_a_dismissal_needs_a_reason_and_is_audited_and_replicated() -> None:
    encounter, nurse = _hypertensive()
    with pytest.raises(ValidationError):
        dismiss_finding(ctx=nurse, encounter_id=encounter.pk, rule="blood-pressure", reason=" ")
    dismissal = dismiss_finding(ctx=nurse, encounter_id=encounter.pk, rule="blood-pressure",
                                reason="Mesure après effort, à recontrôler")  # fmt: skip
    assert "grade 3 hypertension" in dismissal.explanation
    event = AuditEvent.objects.filter(resource_type="Finding").latest("at")
    assert event.outcome == "allowed" and "recontrôler" in event.detail
    assert Change.objects.filter(model="assist.findingdismissal", record_id=dismissal.pk).exists()
    with pytest.raises(Conflict):
        dismiss_finding(ctx=nurse, encounter_id=encounter.pk, rule="blood-pressure",
                        reason="encore")  # fmt: skip
    with pytest.raises(Conflict):
        dismiss_finding(ctx=nurse, encounter_id=encounter.pk, rule="news2", reason="absent")


def test_only_the_units_clinicians_dismiss() -> None:
    encounter, _nurse = _hypertensive()
    assistant = AccessContext(user=unit_staff(UserRole.ASSISTANT, "midelt-1"))
    with pytest.raises(AccessDenied):
        dismiss_finding(ctx=assistant, encounter_id=encounter.pk, rule="blood-pressure",
                        reason="pas d'accord")  # fmt: skip
    assert not FindingDismissal.objects.exists()
    denied = AuditEvent.objects.filter(resource_type="Finding").latest("at")
    assert denied.outcome == "denied"
