"""The specialist's queue and case carry the assistant's findings, with severity and source."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from tbib.access.scope import AccessContext
from tbib.accounts.choices import UserRole
from tbib.clinical.services import start_encounter
from tbib.teleexpertise.services import open_case, submit_case
from tests.factories import PatientFactory, open_stop_today, specialist, unit, unit_staff

pytestmark = pytest.mark.django_db


def test_queue_and_case_show_the_findings(client: Client) -> None:
    open_stop_today("midelt-1")
    nurse = AccessContext(user=unit_staff(UserRole.NURSE, "midelt-1"))
    gp = AccessContext(user=unit_staff(UserRole.GP, "midelt-1"))
    patient = PatientFactory(unit=unit("midelt-1"), birth_date=datetime.date(1955, 5, 5))
    vitals = {"systolic_bp": "186", "diastolic_bp": "112"}
    encounter = start_encounter(ctx=nurse, patient_id=patient.pk, measurements=vitals)
    case = open_case(
        ctx=gp,
        encounter_id=encounter.pk,
        specialty="cardiology",
        question="HTA sévère : conduite ?",
        urgency="urgent",
        consent=True,
    )
    submit_case(ctx=gp, case_id=case.pk)
    client.force_login(specialist("cardiology"))
    queue = client.get("/platform/").content.decode()
    assert 'data-testid="queue-finding"' in queue and "hypertension de grade 3" in queue
    page = client.get(f"/platform/cases/{case.pk}/").content.decode()
    assert "186/112" in page and "ESC/ESH" in page and "finding-high" in page
    assert "Dismiss this finding" not in page and "Écarter ce constat" not in page
