"""Past weeks of the demo network's activity, so that the hubs' dashboards have a history.

Today's day at the pilot units goes through the real services (clinical.demo); the weeks
before it are written in bulk, as replication would have brought them to the hub: closed
stops on each unit's rotation, signed encounters of the unit's synthetic patients with
vital signs (some from devices) and a diagnosis, a few tele-expertise cases answered, a few
referrals. Every record enters the change log, so an edge enrolled later receives its unit's
history.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.utils import timezone

from tbib.accounts.models import User
from tbib.clinical.choices import EncounterStatus, ObservationSource, Triage
from tbib.clinical.codes import MEASURES
from tbib.clinical.icd10 import entry
from tbib.clinical.models import Diagnosis, Encounter, Observation, Referral, ReferralCompletion
from tbib.network.models import MobileUnit
from tbib.patients.models import Patient
from tbib.planning.selectors import served_by_base
from tbib.sync.capture import record_changes
from tbib.teleexpertise.choices import URGENCY_RANK, CaseStatus, Urgency
from tbib.teleexpertise.models import Answer, Case
from tbib.tours.choices import StopStatus
from tbib.tours.demo import rotation_of
from tbib.tours.models import Stop

# (ICD-10 code, reason, specialty asked about it or None)
_PICTURES = (
    ("I10", "Contrôle tension", "cardiology"),
    ("E11.9", "Suivi diabète", "endocrinology"),
    ("M54.5", "Douleurs lombaires", None),
    ("K29.7", "Brûlures d'estomac", None),
    ("J20.9", "Toux, fièvre", "pulmonology"),
    ("A09", "Diarrhée", "paediatrics"),
    ("L30.9", "Plaques qui démangent", "dermatology"),
    ("H66.9", "Otalgie", "ent"),
)
# Measurements taken at every visit: (key, typical value, spread).
_VITALS = (
    ("systolic_bp", 132, 18),
    ("diastolic_bp", 82, 10),
    ("heart_rate", 80, 12),
    ("temperature", 37.0, 0.6),
)


def _created(model: type[models.Model], rows: Sequence[Any]) -> None:
    model._default_manager.bulk_create(rows, batch_size=2000)
    # bulk_create bypasses post_save: the change log (replication) is told here.
    record_changes(model, [row.pk for row in rows], created=True)


def _past_days(today: datetime.date, weeks: int) -> list[datetime.date]:
    """Working days (Monday to Saturday) of the `weeks` weeks before today."""
    days = [today - datetime.timedelta(days=offset) for offset in range(1, 7 * weeks + 1)]
    return sorted(day for day in days if day.weekday() != 6)


def simulate_past_weeks(
    *, weeks: int = 6, per_stop: tuple[int, int] = (4, 12), seed: int = 5
) -> int:
    """Write the network's past `weeks` weeks; return the number of encounters."""
    if not settings.DEMO_MODE:
        raise ImproperlyConfigured("The demo history is written only in demo mode.")
    rng = random.Random(seed)
    zone = timezone.get_current_timezone()
    days = _past_days(timezone.localdate(), weeks)
    served = served_by_base()
    users = {u.username: u for u in User.objects.filter(username__startswith="gp-")}
    specialists = {u.specialty_id: u for u in User.objects.filter(username__startswith="dr-")}
    patients: dict[Any, list[Patient]] = {}
    for patient in Patient.objects.only("pk", "unit_id"):
        patients.setdefault(patient.unit_id, []).append(patient)
    stops: list[Stop] = []
    encounters: list[Encounter] = []
    observations: list[Observation] = []
    diagnoses: list[Diagnosis] = []
    cases: list[Case] = []
    referrals: list[Referral] = []
    for unit in MobileUnit.objects.select_related("home_commune", "province", "regional_hub"):
        gp = users.get(f"gp-{unit.code}")
        if gp is None or not patients.get(unit.pk):
            continue
        rotation = rotation_of(unit, served)
        for index, day in enumerate(days):
            cancelled = rng.random() < 0.04  # a road cut by snow or a flood
            stop = Stop(
                unit=unit,
                date=day,
                commune=rotation[index % len(rotation)],
                status=StopStatus.CANCELLED if cancelled else StopStatus.CLOSED,
            )
            stops.append(stop)
            if cancelled:
                continue
            opened = datetime.datetime.combine(day, datetime.time(9), zone)
            stop.opened_at, stop.closed_at = opened, opened + datetime.timedelta(hours=7)
            for _ in range(rng.randint(*per_stop)):
                arrived = opened + datetime.timedelta(minutes=rng.randint(0, 380))
                code, reason, specialty = rng.choice(_PICTURES)
                encounter = Encounter(
                    patient=rng.choice(patients[unit.pk]),
                    unit=unit,
                    stop=stop,
                    status=EncounterStatus.SIGNED,
                    triage=Triage.STANDARD,
                    arrived_at=arrived,
                    reason=reason,
                    created_by=gp,
                    signed_at=arrived + datetime.timedelta(minutes=25),
                    signed_by=gp,
                )
                encounters.append(encounter)
                from_device = rng.random() < 0.45  # the van's connected cuff and thermometer
                for key, typical, spread in _VITALS:
                    measure = MEASURES[key]
                    value = Decimal(str(round(rng.gauss(typical, spread), measure.places)))
                    observations.append(
                        Observation(
                            encounter=encounter,
                            key=key,
                            loinc=measure.loinc,
                            value=value,
                            unit=measure.ucum,
                            effective_at=arrived + datetime.timedelta(minutes=5),
                            source=ObservationSource.DEVICE
                            if from_device
                            else ObservationSource.MANUAL,
                        )
                    )
                diagnoses.append(
                    Diagnosis(
                        encounter=encounter, code=code, label=entry(code).label, is_primary=True
                    )
                )
                if specialty and rng.random() < 0.06 and specialty in specialists:
                    cases.append(_case(rng, encounter, specialty, specialists[specialty]))
                elif rng.random() < 0.02 and unit.regional_hub_id:
                    referrals.append(
                        Referral(
                            encounter=encounter,
                            hub=unit.regional_hub,
                            reason="Bilan et avis spécialisé",
                        )
                    )
    with transaction.atomic():
        for model, rows in (
            (Stop, stops),
            (Encounter, encounters),
            (Observation, observations),
            (Diagnosis, diagnoses),
            (Case, cases),
            (Referral, referrals),
            (ReferralCompletion, _completions(rng, referrals)),
        ):
            _created(model, rows)
        _created(Answer, [_answer(case) for case in cases if case.answered_at])
    return len(encounters)


def _completions(rng: random.Random, referrals: list[Referral]) -> list[ReferralCompletion]:
    """Most referred patients are seen at the hub hospital within days (the return slip comes
    back at a later stop); some are not, or not yet."""
    today = timezone.localdate()
    completions = []
    for referral in referrals:
        arrived = timezone.localtime(referral.encounter.arrived_at).date()
        seen = arrived + datetime.timedelta(days=rng.randint(2, 12))
        if seen < today and rng.random() < 0.7:
            completions.append(
                ReferralCompletion(
                    referral=referral, reached_on=seen, recorded_by=referral.encounter.created_by
                )
            )
    return completions


def _case(rng: random.Random, encounter: Encounter, specialty: str, specialist: User) -> Case:
    urgency = rng.choice([Urgency.ROUTINE] * 5 + [Urgency.URGENT] * 2)
    queued = encounter.arrived_at + datetime.timedelta(minutes=30)
    minutes = settings.TBIB_SLA_MINUTES[urgency]
    # Most answers come within the SLA, some after it (what the dashboards show).
    answered = queued + datetime.timedelta(minutes=rng.uniform(0.1, 1.4) * minutes)
    return Case(
        encounter=encounter,
        patient_id=encounter.patient_id,
        unit_id=encounter.unit_id,
        specialty_id=specialty,
        question="Avis sur la conduite à tenir ?",
        urgency=urgency,
        urgency_rank=URGENCY_RANK[urgency],
        status=CaseStatus.ANSWERED,
        consent_at=queued,
        created_by=encounter.created_by,
        queued_at=queued,
        sla_due_at=queued + datetime.timedelta(minutes=minutes),
        claimed_by=specialist,
        claimed_at=queued + datetime.timedelta(minutes=5),
        answered_at=answered,
        vitals=[],
    )


def _answer(case: Case) -> Answer:
    assert case.claimed_by is not None
    return Answer(
        case=case,
        author=case.claimed_by,
        advice="Poursuivre le traitement, contrôle dans 15 jours.",
    )
