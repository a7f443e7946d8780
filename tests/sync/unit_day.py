"""A recorded unit day, written on an edge through the real services.

Run inside an edge's environment: `python -m tests.sync.unit_day --unit midelt-1`. 60 new
patients (synthetic, from the commune's census profile), each seen once with about fifteen
measurements, a diagnosis and a signature; 10 tele-expertise cases with two photos each
(JPEG, about 200 KB, as incompressible as real photos). Prints one JSON line of counts.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import random


def _photo(rng: random.Random, target: int = 200_000) -> bytes:
    """A JPEG of noise: real photos do not compress either."""
    from PIL import Image

    side = 330
    while True:
        pixels = bytes(rng.getrandbits(8) for _ in range(side * side * 3))
        buffer = io.BytesIO()
        Image.frombytes("RGB", (side, side), pixels).save(buffer, "JPEG", quality=90)
        if buffer.tell() >= target * 0.9:
            return buffer.getvalue()
        side += 20


def record_day(unit_code: str, *, patients: int, cases: int, photos_per_case: int,
               seed: int) -> dict[str, int]:  # fmt: skip
    import datetime

    from django.utils import timezone

    from tbib.access.scope import AccessContext
    from tbib.accounts.models import User
    from tbib.clinical.services import sign_encounter, start_encounter, update_encounter
    from tbib.network.models import MobileUnit
    from tbib.patients.demo import demography_of
    from tbib.patients.services import register_patient
    from tbib.patients.synthetic import generate_people
    from tbib.teleexpertise.services import append_chunk, open_case, start_upload, submit_case
    from tbib.tours.models import Stop
    from tbib.tours.services import open_stop

    rng = random.Random(seed)
    unit = MobileUnit.objects.select_related("home_commune").get(code=unit_code)
    gp = AccessContext(user=User.objects.get(username=f"gp-{unit_code}"))
    nurse = AccessContext(user=User.objects.get(username=f"nurse1-{unit_code}"))
    stop = Stop.objects.filter(unit=unit, date=timezone.localdate()).first()
    if stop is None:
        stop = Stop.objects.create(unit=unit, date=timezone.localdate(),
                                   commune=unit.home_commune)  # fmt: skip
    open_stop(user=nurse.user, stop=stop)
    people = generate_people(demography=demography_of(unit.home_commune), count=patients,
                             rng=rng, today=datetime.date.today())  # fmt: skip
    encounters = []
    for person in people:
        patient = register_patient(
            ctx=nurse,
            given_name=person.given_latin,
            family_name=person.family_latin,
            given_name_ar=person.given_arabic,
            family_name_ar=person.family_arabic,
            sex=person.sex,
            birth_date=person.birth_date,
            commune=unit.home_commune,
        )
        systolic = rng.randint(105, 170)
        encounter = start_encounter(
            ctx=nurse,
            patient_id=patient.pk,
            reason="Consultation de la caravane",
            measurements={
                "systolic_bp": systolic,
                "diastolic_bp": systolic - rng.randint(40, 60),
                "heart_rate": rng.randint(60, 100),
                "respiratory_rate": rng.randint(12, 22),
                "temperature": round(rng.uniform(36.2, 38.4), 1),
                "spo2": rng.randint(93, 99),
                "weight": round(rng.uniform(45, 90), 1),
                "height": rng.randint(150, 182),
                "glucose": round(rng.uniform(0.8, 2.6), 2),
            },
        )
        # The GP measures again after rest, as the guidelines ask for a raised pressure.
        update_encounter(
            ctx=gp,
            encounter_id=encounter.pk,
            measurements={
                "systolic_bp": systolic - rng.randint(0, 12),
                "diastolic_bp": systolic - rng.randint(45, 60),
                "heart_rate": rng.randint(60, 96),
                "spo2": rng.randint(94, 99),
                "temperature": round(rng.uniform(36.2, 38.0), 1),
            },
            notes={"examination": "Examen clinique sans particularité."},
            diagnoses=[rng.choice(["I10", "E11.9", "J20.9", "L30.9", "K29.7"])],
        )
        sign_encounter(ctx=gp, encounter_id=encounter.pk)
        encounters.append(encounter)
    photo_bytes = 0
    for encounter in encounters[:cases]:
        case = open_case(ctx=gp, encounter_id=encounter.pk, specialty="dermatology",
                         question="Lésion cutanée : avis ?", urgency="routine",
                         consent=True)  # fmt: skip
        for index in range(photos_per_case):
            data = _photo(rng)
            upload = start_upload(ctx=gp, case_id=case.pk, filename=f"photo-{index}.jpg",
                                  size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                                  kind="photo")  # fmt: skip
            for offset in range(0, len(data), 64 * 1024):
                append_chunk(ctx=gp, upload_id=upload.pk, offset=offset,
                             data=data[offset : offset + 64 * 1024])  # fmt: skip
            photo_bytes += len(data)
        submit_case(ctx=gp, case_id=case.pk)
    from tbib.clinical.models import Observation

    observations = Observation.objects.filter(encounter__in=encounters).count()
    return {"patients": len(encounters), "observations": observations, "cases": cases,
            "photos": cases * photos_per_case, "photo_bytes": photo_bytes}  # fmt: skip


def main() -> None:
    import django

    parser = argparse.ArgumentParser()
    parser.add_argument("--unit", default="midelt-1")
    parser.add_argument("--patients", type=int, default=60)
    parser.add_argument("--cases", type=int, default=10)
    parser.add_argument("--photos-per-case", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    django.setup()
    counts = record_day(args.unit, patients=args.patients, cases=args.cases,
                        photos_per_case=args.photos_per_case, seed=args.seed)  # fmt: skip
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
