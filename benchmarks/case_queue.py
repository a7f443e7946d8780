"""The specialist's screens under load: the queue page and the case view with 5,000 open cases.

Run: .venv/bin/python benchmarks/case_queue.py [DATABASE_URL] [--cases 5000]
(default: postgres://postgres@127.0.0.1:5432/tbib_bench; a test database is created and
dropped). Builds the network, 5,000 open cases spread over the 7 specialties (with their
patients, encounters and vitals), then times full page renders through Django's test client
as a dermatologist: the queue (`/platform/`, 100 most urgent + count) and case views.
Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import tempfile
import time


def _p(samples: list[float], q: float) -> float:
    samples = sorted(samples)
    return round(samples[max(0, int(len(samples) * q) - 1)], 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "database_url", nargs="?", default="postgres://postgres@127.0.0.1:5432/tbib_bench"
    )
    parser.add_argument("--cases", type=int, default=5000)
    args = parser.parse_args()
    os.environ.update(
        DATABASE_URL=args.database_url, TBIB_VAR_DIR=tempfile.mkdtemp(), TBIB_MODE="demo"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tbib.settings.test")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_databases, teardown_databases
    from django.utils import timezone

    from tbib.accounts.models import User
    from tbib.clinical.models import Encounter, Observation
    from tbib.geo.importer import import_reference_geography
    from tbib.network.models import MobileUnit, Specialty
    from tbib.network.services import build_demo_network
    from tbib.patients.models import Patient
    from tbib.teleexpertise.choices import URGENCY_RANK, Urgency
    from tbib.teleexpertise.models import Case
    from tbib.tours.models import Stop

    databases = setup_databases(verbosity=0, interactive=False)
    try:
        import_reference_geography()
        build_demo_network()
        rng = random.Random(3)
        now = timezone.now()
        gp = User.objects.create(username="bench-gp", role="gp", unit=MobileUnit.objects.first())
        units = list(MobileUnit.objects.select_related("home_commune"))
        specialties = list(Specialty.objects.values_list("slug", flat=True))
        started = time.perf_counter()
        stops = Stop.objects.bulk_create(
            Stop(unit=u, date=now.date(), commune=u.home_commune) for u in units
        )
        stop_of = {s.unit_id: s for s in stops}
        patients = Patient.objects.bulk_create(
            Patient(
                unit=units[i % len(units)],
                given_name=f"Fatima{i}",
                family_name="Ait Ali",
                sex="female",
                birth_date=datetime.date(1970 + i % 40, 1 + i % 12, 1 + i % 28),
            )  # fmt: skip
            for i in range(args.cases)
        )
        encounters = Encounter.objects.bulk_create(
            Encounter(
                patient=p,
                unit_id=p.unit_id,
                stop=stop_of[p.unit_id],
                created_by=gp,
                arrived_at=now,
                reason="Consultation",
            )  # fmt: skip
            for p in patients
        )
        Observation.objects.bulk_create(
            Observation(encounter=e, key=key, loinc=loinc, value=value, unit=ucum, effective_at=now)
            for e in encounters
            for key, loinc, value, ucum in (
                ("systolic_bp", "8480-6", 150, "mm[Hg]"),
                ("diastolic_bp", "8462-4", 95, "mm[Hg]"),
                ("heart_rate", "8867-4", 88, "/min"),
            )
        )
        urgencies = [Urgency.ROUTINE] * 6 + [Urgency.URGENT] * 3 + [Urgency.EMERGENCY]
        cases = []
        for i, encounter in enumerate(encounters):
            urgency = rng.choice(urgencies)
            queued = now - datetime.timedelta(minutes=rng.randint(1, 3000))
            cases.append(
                Case(
                    encounter=encounter,
                    patient_id=encounter.patient_id,
                    unit_id=encounter.unit_id,
                    specialty_id=specialties[i % len(specialties)],
                    question="Lésion cutanée depuis 3 mois, avis ?",
                    urgency=urgency,
                    urgency_rank=URGENCY_RANK[urgency],
                    status="queued",
                    consent_at=now,
                    created_by=gp,
                    queued_at=queued,
                    sla_due_at=queued,
                    vitals=[],
                )  # fmt: skip
            )
        Case.objects.bulk_create(cases, batch_size=1000)
        load_s = time.perf_counter() - started
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        derm = User.objects.create(
            username="bench-derm", role="specialist", specialty_id="dermatology"
        )
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(derm)
        queue_ms, case_ms = [], []
        for _ in range(60):
            began = time.perf_counter()
            response = client.get("/platform/")
            queue_ms.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, response.status_code
        sample = list(Case.objects.filter(specialty_id="dermatology").order_by("?")[:60])
        for case in sample:
            began = time.perf_counter()
            response = client.get(f"/platform/cases/{case.pk}/")
            case_ms.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, response.status_code
        result = {
            "database": connection.vendor,
            "open_cases": Case.objects.count(),
            "dermatology_queue": Case.objects.filter(specialty_id="dermatology").count(),
            "load_s": round(load_s, 1),
            "queue_p50_ms": round(statistics.median(queue_ms), 1),
            "queue_p95_ms": _p(queue_ms, 0.95),
            "case_p50_ms": round(statistics.median(case_ms), 1),
            "case_p95_ms": _p(case_ms, 0.95),
        }
    finally:
        teardown_databases(databases, verbosity=0)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
