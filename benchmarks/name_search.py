"""Name search latency over a large register, through the scoped-access layer.

Run: .venv/bin/python benchmarks/name_search.py [DATABASE_URL] [--patients 100000]
(default: postgres://postgres@127.0.0.1:5432/tbib_bench; a test database is created and
dropped). Registers synthetic patients in one regional scope, then times `search_patients`
(query, evaluation of the first page of 20, and its audit event) for 300 queries made of
real spellings, variants and Arabic script. Last line: one JSON object.
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "database_url", nargs="?", default="postgres://postgres@127.0.0.1:5432/tbib_bench"
    )
    parser.add_argument("--patients", type=int, default=100_000)
    args = parser.parse_args()
    os.environ.update(
        DATABASE_URL=args.database_url, TBIB_VAR_DIR=tempfile.mkdtemp(), TBIB_MODE="demo"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tbib.settings.base")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from tbib.access.scope import AccessContext, search_patients
    from tbib.accounts.models import User
    from tbib.geo.importer import import_reference_geography
    from tbib.network.models import MobileUnit
    from tbib.network.services import build_demo_network
    from tbib.patients.demo import demography_of
    from tbib.patients.models import Patient
    from tbib.patients.names_data import SPELLING_VARIANTS
    from tbib.patients.synthetic import generate_people

    databases = setup_databases(verbosity=0, interactive=False)
    try:
        import_reference_geography()
        build_demo_network()
        rng = random.Random(5)
        units = list(MobileUnit.objects.select_related("home_commune"))
        started = time.perf_counter()
        batch: list[Patient] = []
        for index in range(args.patients):
            unit = units[index % len(units)]
            person = generate_people(
                demography=demography_of(unit.home_commune), count=1, rng=rng,
                today=datetime.date(2026, 11, 22),
            )[0]  # fmt: skip
            patient = Patient(
                unit=unit, given_name=person.given_latin, family_name=person.family_latin,
                given_name_ar=person.given_arabic, family_name_ar=person.family_arabic,
                sex=person.sex, birth_date=person.birth_date, phone=person.phone or "",
                commune=unit.home_commune,
            )  # fmt: skip
            patient.refresh_name_keys()
            batch.append(patient)
            if len(batch) == 5000:
                Patient.objects.bulk_create(batch)
                batch = []
        Patient.objects.bulk_create(batch)
        load_s = time.perf_counter() - started
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
        national = User.objects.create(username="bench-national", role="national-coordinator")
        ctx = AccessContext(user=national, client_address="127.0.0.1")
        sample = list(Patient.objects.order_by("?")[:100])
        variants = {v: k for k, vs in SPELLING_VARIANTS.items() for v in vs}
        queries = []
        for patient in sample:
            queries.append(f"{patient.given_name} {patient.family_name}")
            given = next(
                (v for v, k in variants.items() if k == patient.given_name), patient.given_name
            )
            queries.append(f"{given} {patient.family_name}")
            queries.append(f"{patient.given_name_ar} {patient.family_name_ar}")
        timings = []
        for query in queries:
            began = time.perf_counter()
            list(search_patients(ctx, query=query)[:20])
            timings.append((time.perf_counter() - began) * 1000)
        timings.sort()
        result = {
            "database": connection.vendor,
            "patients": Patient.objects.count(),
            "load_s": round(load_s, 1),
            "queries": len(timings),
            "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1),
            "max_ms": round(timings[-1], 1),
        }
    finally:
        teardown_databases(databases, verbosity=0)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
