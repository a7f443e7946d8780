"""A hand-counted October 2026 in two regions (08 Drâa-Tafilalet, 02 Oriental).

Units: midelt-1 and midelt-2 (province 08.363), ouarzazate-1 (08.401), figuig-1 (02.251).
Communes: IMILCHIL (midelt-1's home), ANEFGOU (midelt-2's home), OUARZAZATE-1's home,
FIGUIG-1's home. Patients P1..P6; every figure of tests/supervision counts these by hand:

stops (planned / made = closed)        midelt-1 5/3 (Imilchil ×2, Anefgou; one planned, one
                                       cancelled), midelt-2 2/1 (Anefgou), ouarzazate-1 1/1,
                                       figuig-1 1/1 (+ one on 30 September, outside)
signed encounters (unique patients)    midelt-1: P1 5th, P1 12th, P2 12th (+ P3 19th left
                                       in progress); midelt-2: P1 6th, P4 6th;
                                       ouarzazate-1: P5 7th; figuig-1: P6 8th (+ P6 30 Sept)
patients registered in October         P1, P2 (midelt-1), P4 (midelt-2), P5 (ouarzazate-1)
measurements (from a device)           midelt-1 4 (2): P1 5th HR device + BP typed, P1 12th
                                       weight typed, P3 19th temperature device (in
                                       progress); midelt-2 1 (1); figuig-1 1 (0)
referrals                              midelt-1 1 (P1 5th), figuig-1 1 (seen at the hub
                                       hospital on 20 October: recorded twice, on two nodes)
cases (queue → answer, SLA)            C1 midelt-1 cardiology urgent 60 min (within 120)
                                       C2 midelt-1 dermatology routine 72 h (late, 48 h)
                                       C3 midelt-2 cardiology emergency 10 min (within 15)
                                       C4 midelt-2 cardiology urgent 3 h, escalated (late)
                                       C5 figuig-1 cardiology routine 20 min (within)
                                       C6 ouarzazate-1 dermatology urgent, still queued
                                       C7 midelt-1 draft (never counted)
findings                               dismissed: midelt-1 "hypertension" and "news2",
                                       figuig-1 "hypertension"; ECG: midelt-2 one AF
                                       suspected, one not
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from tbib.accounts.choices import UserRole
from tbib.assist.models import FindingDismissal
from tbib.clinical.choices import ObservationSource
from tbib.clinical.models import Encounter, Referral, ReferralCompletion
from tbib.devices.models import EcgStrip
from tbib.patients.models import Patient
from tbib.tours.choices import StopStatus
from tests.factories import PatientFactory, case_about, encounter_at, stop_on, unit

ZONE = timezone.get_current_timezone()
ANEFGOU = "08.363.17.13"
DEVICE, TYPED = ObservationSource.DEVICE, ObservationSource.MANUAL


def at(day: int, hour: int, minute: int = 0, month: int = 10) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=ZONE)


@dataclass
class October:
    encounters: dict[str, Encounter]
    patients: dict[str, Patient]


def _patient(unit_code: str, registered: datetime.datetime) -> Patient:
    patient = PatientFactory(unit=unit(unit_code))
    Patient.objects.filter(pk=patient.pk).update(created_at=registered)
    return patient


@pytest.fixture
def october(db: None) -> October:
    p = {
        "P1": _patient("midelt-1", at(1, 9)),
        "P2": _patient("midelt-1", at(12, 9)),
        "P3": _patient("midelt-1", at(15, 9, month=9)),
        "P4": _patient("midelt-2", at(6, 9)),
        "P5": _patient("ouarzazate-1", at(7, 9)),
        "P6": _patient("figuig-1", at(20, 9, month=9)),
    }
    s = {
        "m1-5": stop_on("midelt-1", datetime.date(2026, 10, 5)),
        "m1-12": stop_on("midelt-1", datetime.date(2026, 10, 12)),
        "m1-19": stop_on("midelt-1", datetime.date(2026, 10, 19), commune_code=ANEFGOU),
        "m2-6": stop_on("midelt-2", datetime.date(2026, 10, 6)),
        "o1-7": stop_on("ouarzazate-1", datetime.date(2026, 10, 7)),
        "f1-8": stop_on("figuig-1", datetime.date(2026, 10, 8)),
        "f1-sep": stop_on("figuig-1", datetime.date(2026, 9, 30)),
    }
    stop_on("midelt-1", datetime.date(2026, 10, 26), status=StopStatus.PLANNED)
    stop_on("midelt-1", datetime.date(2026, 10, 28), status=StopStatus.CANCELLED)
    stop_on("midelt-2", datetime.date(2026, 10, 20), status=StopStatus.PLANNED)
    e = {
        "m1-P1-5": encounter_at(s["m1-5"], p["P1"], at(5, 10),
                                vitals={"heart_rate": DEVICE, "systolic_bp": TYPED}),
        "m1-P1-12": encounter_at(s["m1-12"], p["P1"], at(12, 10), vitals={"weight": TYPED}),
        "m1-P2-12": encounter_at(s["m1-12"], p["P2"], at(12, 11)),
        "m1-P3-19": encounter_at(s["m1-19"], p["P3"], at(19, 10), status="in-progress",
                                 vitals={"temperature": DEVICE}),
        "m2-P1-6": encounter_at(s["m2-6"], p["P1"], at(6, 10)),
        "m2-P4-6": encounter_at(s["m2-6"], p["P4"], at(6, 11), vitals={"spo2": DEVICE}),
        "o1-P5-7": encounter_at(s["o1-7"], p["P5"], at(7, 10)),
        "f1-P6-8": encounter_at(s["f1-8"], p["P6"], at(8, 10), vitals={"heart_rate": TYPED}),
        "f1-P6-sep": encounter_at(s["f1-sep"], p["P6"], at(30, 10, month=9)),
    }  # fmt: skip
    referrals = Referral.objects.bulk_create([
        Referral(encounter=e["m1-P1-5"], hub=unit("midelt-1").regional_hub, reason="Appendicitis?"),
        Referral(encounter=e["f1-P6-8"], hub=unit("figuig-1").regional_hub, reason="Fracture?"),
    ])  # fmt: skip
    ReferralCompletion.objects.bulk_create(
        ReferralCompletion(referral=referrals[1], reached_on=datetime.date(2026, 10, 20),
                           recorded_by=e["f1-P6-8"].created_by)
        for _node in ("edge", "hub")
    )  # fmt: skip
    case_about(
        e["m1-P1-5"],
        "cardiology",
        "urgent",
        queued_at=at(5, 10, 30),
        sla_minutes=120,
        status="answered",
        answered_at=at(5, 11, 30),
    )
    case_about(
        e["m1-P1-12"],
        "dermatology",
        "routine",
        queued_at=at(12, 9),
        sla_minutes=2880,
        status="closed",
        answered_at=at(15, 9),
    )
    case_about(
        e["m2-P4-6"],
        "cardiology",
        "emergency",
        queued_at=at(6, 11),
        sla_minutes=15,
        status="answered",
        answered_at=at(6, 11, 10),
    )
    # Escalated at 14:00: the due time moved to 16:00, the answer at 15:00 is still late.
    case_about(
        e["m2-P1-6"],
        "cardiology",
        "urgent",
        queued_at=at(6, 12),
        sla_minutes=240,
        status="answered",
        answered_at=at(6, 15),
        escalation_level=1,
    )
    case_about(
        e["f1-P6-8"],
        "cardiology",
        "routine",
        queued_at=at(8, 9),
        sla_minutes=2880,
        status="answered",
        answered_at=at(8, 9, 20),
    )
    case_about(e["o1-P5-7"], "dermatology", "urgent", queued_at=at(7, 10), sla_minutes=120)
    case_about(
        e["m1-P2-12"],
        "cardiology",
        "routine",
        queued_at=None,
        sla_minutes=0,
        status="draft",
        created_at=at(12, 12),
    )
    for encounter, rule in [
        (e["m1-P1-5"], "hypertension"),
        (e["m1-P1-12"], "news2"),
        (e["f1-P6-8"], "hypertension"),
    ]:
        dismissal = FindingDismissal.objects.create(
            encounter=encounter,
            rule=rule,
            explanation="…",
            reason="Known, treated.",
            dismissed_by=encounter.created_by,
        )
        FindingDismissal.objects.filter(pk=dismissal.pk).update(created_at=encounter.arrived_at)
    for af in (True, False):
        strip = EcgStrip.objects.create(
            encounter=e["m2-P4-6"],
            lead="II",
            sampling_rate=500,
            sampled_data={},
            finding={"af_suspected": af},
            recorded_by=e["m2-P4-6"].created_by,
        )
        EcgStrip.objects.filter(pk=strip.pk).update(created_at=at(6, 11, 5))
    return October(e, p)  # fmt: skip


@pytest.fixture
def nurse_midelt() -> object:
    from tests.factories import unit_staff

    return unit_staff(UserRole.NURSE, "midelt-1", username="nurse-midelt-sup")
