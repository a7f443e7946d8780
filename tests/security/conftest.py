"""Who asks, and about what: one user per role, an enrolled edge, and real records to ask for."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client

from tbib.access.scope import AccessContext
from tbib.accounts.choices import UserRole
from tbib.accounts.models import User
from tbib.clinical.services import start_encounter
from tbib.planning.models import Scenario
from tbib.sync.hub import enrol, issue_code
from tbib.teleexpertise.services import claim_case, open_case, submit_case
from tests.factories import (
    PatientFactory,
    UserFactory,
    open_stop_today,
    regional_coordinator,
    specialist,
    unit,
    unit_staff,
)
from tests.security.access_table import ANONYMOUS, EDGE

HOME_UNIT = "midelt-1"  # region 08, Drâa-Tafilalet


@dataclass(frozen=True)
class Principal:
    """A client signed in as one role: a session for pages, a bearer token for APIs."""

    name: str
    client: Client
    user: User | None


@pytest.fixture
def principals(token_for: Callable[[User], str]) -> dict[str, Principal]:
    users = {
        UserRole.GP: unit_staff(UserRole.GP, HOME_UNIT, username="sec-gp"),
        UserRole.NURSE: unit_staff(UserRole.NURSE, HOME_UNIT, username="sec-nurse"),
        UserRole.ASSISTANT: unit_staff(UserRole.ASSISTANT, HOME_UNIT, username="sec-assistant"),
        UserRole.SPECIALIST: specialist("cardiology"),
        UserRole.REGIONAL_COORDINATOR: regional_coordinator("08"),
        UserRole.NATIONAL_COORDINATOR: UserFactory(role=UserRole.NATIONAL_COORDINATOR),
        UserRole.PLANNER: UserFactory(role=UserRole.PLANNER),
        # As the demo accounts (accounts/demo.py): the administrator is the admin site's staff.
        UserRole.ADMINISTRATOR: UserFactory(
            role=UserRole.ADMINISTRATOR, is_staff=True, is_superuser=True
        ),
    }
    found = {ANONYMOUS: Principal(ANONYMOUS, Client(REMOTE_ADDR="10.20.30.40"), None)}
    for role, user in users.items():
        # Both credentials on every request: pages read the session, /api/ and /fhir/ the
        # token, so each route is asked the way its own clients ask.
        client = Client(REMOTE_ADDR="10.20.30.40", HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
        client.force_login(user)
        found[role.value] = Principal(role.value, client, user)
    _peer, credential = enrol(issue_code(unit(HOME_UNIT)))
    edge = Client(REMOTE_ADDR="10.20.30.41", HTTP_AUTHORIZATION=f"Bearer {credential}")
    found[EDGE] = Principal(EDGE, edge, None)
    return found


@pytest.fixture
def path_values(principals: dict[str, Principal]) -> dict[str, str]:
    """Values for the routes' parameters: real records of the home unit where that is easy,
    made-up ids elsewhere (a 404 for an allowed role still shows the role got through)."""
    gp = principals[UserRole.GP].user
    assert gp is not None
    stop = open_stop_today(HOME_UNIT)
    patient = PatientFactory(unit=unit(HOME_UNIT), cin="AB123456")
    ctx = AccessContext(user=gp)
    encounter = start_encounter(
        ctx=ctx, patient_id=patient.pk, measurements={"systolic_bp": 172, "diastolic_bp": 104}
    )
    case = open_case(
        ctx=ctx,
        encounter_id=encounter.pk,
        specialty="cardiology",
        question="HTA sévère: avis sur le traitement ?",
        urgency="urgent",
        consent=True,
    )
    submit_case(ctx=ctx, case_id=case.pk, consent=True)
    # Claimed by the cardiologist, so that their release and answer reach the workflow.
    cardiologist = principals[UserRole.SPECIALIST].user
    assert cardiologist is not None
    claim_case(ctx=AccessContext(user=cardiologist), case_id=case.pk)
    made_up = str(uuid.uuid4())
    return {
        "code": HOME_UNIT,
        "stop_id": str(stop.pk),
        "patient_id": str(patient.pk),
        "encounter_id": str(encounter.pk),
        "case_id": str(case.pk),
        "scenario_id": str(Scenario.objects.get(adopted=True).pk),
        "fmt": "csv",
        "kind": "prescription",
        "rule": "made-up-rule",
        "sha256": "0" * 64,
        "merge_id": made_up,
        "line_id": made_up,
        "referral_id": made_up,
        "upload_id": made_up,
        "reading_id": made_up,
        # FHIR ids: the patient's, which the Patient routes find and the others do not.
        "rid": str(patient.pk),
        "vid": "1",
        "table": "breakdown",
        "day": stop.date.isoformat(),
        "cin": patient.cin or "",
        "gp_username": gp.username,
    }
