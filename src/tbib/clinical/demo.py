"""A simulated day at the pilot units: triage, vital signs, diagnoses, prescriptions, signatures.

Everything goes through the real services (access checks, audit, stock), as the staff would.
The clinical picture is plausible for rural primary care, not epidemiology.
"""

from __future__ import annotations

import contextlib
import datetime
import random
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from tbib.access.scope import AccessContext
from tbib.accounts.models import User
from tbib.clinical.choices import ReferralUrgency, Triage
from tbib.clinical.services import (
    prescribe,
    refer,
    sign_encounter,
    start_encounter,
    update_encounter,
)
from tbib.network.models import MobileUnit
from tbib.patients.models import Patient
from tbib.pharmacy.services import OutOfStock
from tbib.teleexpertise.services import answer_case, claim_case, open_case, submit_case
from tbib.tours.selectors import current_stop
from tbib.tours.services import open_stop


@dataclass(frozen=True)
class _Picture:
    reason: str
    code: str
    medicine: str
    quantity: int
    dosage: str


_ADULT = (
    _Picture("Céphalées, contrôle tension", "I10", "amlodipine-5-tab", 30, "1 cp le matin"),
    _Picture("Soif, fatigue", "E11.9", "metformin-850-tab", 60, "1 cp matin et soir"),
    _Picture("Douleurs lombaires", "M54.5", "paracetamol-500-tab", 20, "2 cp 3 fois/j"),
    _Picture("Brûlures d'estomac", "K29.7", "omeprazole-20-cap", 28, "1 gél. le matin à jeun"),
    _Picture("Toux, fièvre", "J20.9", "amoxicillin-500-cap", 21, "1 gél. 3 fois/j"),
    _Picture("Fatigue, pâleur", "D50.9", "iron-folic-tab", 30, "1 cp/j"),
    _Picture("Plaques qui démangent", "L30.9", "clotrimazole-1-cream", 1, "2 applications/j"),
)
_CHILD = (
    _Picture("Diarrhée", "A09", "ors-sachet", 6, "1 sachet après chaque selle"),
    _Picture("Fièvre, rhinite", "J06.9", "paracetamol-120-syr", 1, "5 mL 3 fois/j"),
    _Picture("Otalgie", "H66.9", "amoxicillin-250-susp", 1, "5 mL 3 fois/j"),
    _Picture("Vers intestinaux", "B82.9", "albendazole-400-tab", 1, "1 cp en une prise"),
)


def _age(patient: Patient, today: datetime.date) -> int:
    if patient.birth_date is None:
        return 40
    return today.year - patient.birth_date.year


def _vitals(rng: random.Random, age: int, picture: _Picture) -> dict[str, object]:
    if age < 15:
        weight = round(3.5 + age * 2.6 + rng.uniform(-1.5, 1.5), 1)
        vitals: dict[str, object] = {
            "temperature": round(rng.uniform(37.0, 39.2), 1),
            "heart_rate": rng.randint(85, 130),
            "respiratory_rate": rng.randint(20, 36),
            "weight": weight,
        }
        if age < 5:
            vitals["muac"] = round(rng.uniform(11.0, 15.5), 1)
        return vitals
    systolic = rng.randint(150, 175) if picture.code == "I10" else rng.randint(105, 138)
    vitals = {
        "systolic_bp": systolic,
        "diastolic_bp": systolic - rng.randint(40, 60),
        "heart_rate": rng.randint(60, 96),
        "temperature": round(rng.uniform(36.3, 37.4), 1),
        "spo2": rng.randint(94, 99),
        "weight": round(rng.uniform(52, 88), 1),
        "height": rng.randint(150, 180),
    }
    if picture.code == "E11.9":
        vitals["glucose"] = round(rng.uniform(1.9, 3.2), 2)
    return vitals


def simulate_pilot_days(*, per_unit: int = 24, signed_share: float = 0.7, seed: int = 11) -> int:
    """Open today's stop at each pilot unit and see `per_unit` patients; return encounters."""
    if not settings.DEMO_MODE:
        raise ImproperlyConfigured("The simulated day runs only in demo mode.")
    rng = random.Random(seed)
    today = timezone.localdate()
    created = 0
    for unit in MobileUnit.objects.filter(is_pilot=True).order_by("code"):
        gp = AccessContext(user=User.objects.get(username=f"gp-{unit.code}"))
        nurse = AccessContext(user=User.objects.get(username=f"nurse1-{unit.code}"))
        stop = current_stop(unit.pk, today=today)
        if stop is None:
            continue
        open_stop(user=nurse.user, stop=stop)
        patients = list(Patient.objects.filter(unit=unit).order_by("id")[:per_unit])
        for patient in patients:
            age = _age(patient, today)
            picture = rng.choice(_CHILD if age < 15 else _ADULT)
            triage = rng.choices([Triage.EMERGENCY, Triage.URGENT, Triage.STANDARD], [1, 4, 15])[0]
            encounter = start_encounter(
                ctx=nurse,
                patient_id=patient.pk,
                triage=triage,
                reason=picture.reason,
                measurements=_vitals(rng, age, picture),
            )
            created += 1
            if rng.random() > signed_share:
                continue  # still on the waiting list
            update_encounter(
                ctx=gp,
                encounter_id=encounter.pk,
                notes={"examination": "Examen clinique sans particularité en dehors du motif."},
                diagnoses=[picture.code],
            )
            # Out of stock, as happens in the van: the GP signs and the patient buys it in town.
            with contextlib.suppress(OutOfStock):
                prescribe(
                    ctx=gp,
                    encounter_id=encounter.pk,
                    medicine_code=picture.medicine,
                    quantity=picture.quantity,
                    dosage=picture.dosage,
                )

            if triage == Triage.EMERGENCY:
                refer(
                    ctx=gp,
                    encounter_id=encounter.pk,
                    hub_code=unit.regional_hub.code,
                    reason="Avis spécialisé et bilan",
                    urgency=ReferralUrgency.URGENT,
                )
            sign_encounter(ctx=gp, encounter_id=encounter.pk)
            if picture.code in _ASK and rng.random() < 0.5:
                _ask_specialist(rng, gp, encounter.pk, picture.code, triage)
    return created


# What the GP asks the platform about, per diagnosis (specialty, question).
_ASK = {
    "I10": ("cardiology", "HTA mal contrôlée malgré amlodipine : quelle association ?"),
    "E11.9": ("endocrinology", "Diabète de découverte récente, glycémie > 2 g/L : insuline ?"),
    "J20.9": ("pulmonology", "Toux depuis 3 semaines, fumeur : radio ou traitement d'épreuve ?"),
    "H66.9": ("ent", "Otite récidivante chez l'enfant, 4e épisode cette année."),
    "A09": ("paediatrics", "Diarrhée avec déshydratation modérée : surveillance ou évacuation ?"),
    "D50.9": ("gynaecology-obstetrics", "Anémie chez une femme en âge de procréer : bilan ?"),
    "L30.9": ("dermatology", "Plaques érythémato-squameuses des coudes : psoriasis ?"),
}


def _ask_specialist(
    rng: random.Random, gp: AccessContext, encounter_id: uuid.UUID, code: str, triage: int
) -> None:
    """Send a case to the platform; some are already answered by the demo specialist."""
    specialty, question = _ASK[code]
    urgencies: dict[int, str] = {Triage.EMERGENCY: "emergency", Triage.URGENT: "urgent"}
    urgency = urgencies.get(triage, "routine")
    case = open_case(
        ctx=gp,
        encounter_id=encounter_id,
        specialty=specialty,
        question=question,
        urgency=urgency,
        consent=True,
    )
    submit_case(ctx=gp, case_id=case.pk)
    if rng.random() < 0.3:
        specialist = AccessContext(user=User.objects.get(username=f"dr-{specialty}"))
        claim_case(ctx=specialist, case_id=case.pk)
        answer_case(
            ctx=specialist,
            case_id=case.pk,
            advice="Poursuivre le traitement, contrôle dans 15 jours ; adresser si aggravation.",
            diagnoses=[code],
        )
