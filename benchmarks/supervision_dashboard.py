"""The national dashboard with one year of activity of 60 units, on PostgreSQL.

Run: .venv/bin/python benchmarks/supervision_dashboard.py [DATABASE_URL] [--encounters 200000]
(default: postgres://postgres@127.0.0.1:5432/tbib_bench; a test database is created and
dropped). Builds a 60-unit network (the planning module's greedy plan for 60 units), then a
year of activity in bulk: 240 working days of stops per unit (some cancelled), 60,000 patients
(1,000 per unit), 200,000 encounters (signed, a few left unsigned), 5 measurements each
(1 million observations, two in five from devices), tele-expertise cases for 4 % of the
encounters with answers, referrals for 3 %. Then renders the national and a regional
coordinator's dashboards, for a month of that year (November) and for the whole year, through
Django's test client (full page: indicators, charts, map, data quality). Last line: one JSON
object.
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


def seed(encounters_wanted: int, rng: random.Random) -> dict[str, int]:
    """One year of a 60-unit network's activity, inserted in bulk (no services: speed)."""
    from django.utils import timezone

    from tbib.accounts.models import User
    from tbib.clinical.models import Encounter, Observation, Referral
    from tbib.network.models import Hub, MobileUnit, Specialty
    from tbib.network.services import build_demo_network
    from tbib.patients.models import Patient
    from tbib.planning.plans import allocate
    from tbib.planning.services import parameters_from
    from tbib.teleexpertise.choices import URGENCY_RANK, Urgency
    from tbib.teleexpertise.models import Answer, Case
    from tbib.tours.models import Stop

    plan = allocate(parameters_from({"units": 60}), log=lambda _line: None, exact=False)
    build_demo_network(plan)
    units = list(MobileUnit.objects.select_related("home_commune", "province"))
    hubs = {h.region_id: h for h in Hub.objects.filter(level="regional")}
    specialties = list(Specialty.objects.values_list("slug", flat=True))
    specialist = User.objects.create(
        username="bench-specialist", role="specialist", specialty_id=specialties[0]
    )
    gps = {u.pk: User.objects.create(username=f"gp-{u.code}", role="gp", unit=u) for u in units}
    tz = timezone.get_current_timezone()
    year = datetime.date(2026, 1, 1)
    days = [
        year + datetime.timedelta(days=i)
        for i in range(365)
        if (year + datetime.timedelta(days=i)).weekday() < 5
    ][:240]
    stops = Stop.objects.bulk_create(
        (
            Stop(
                unit=unit,
                date=day,
                commune=unit.home_commune,
                status="cancelled" if rng.random() < 0.05 else "closed",
            )
            for unit in units
            for day in days
        ),
        batch_size=5000,
    )
    made = [s for s in stops if s.status == "closed"]
    patients = Patient.objects.bulk_create(
        (
            Patient(
                unit=unit,
                given_name="Fatima" if i % 2 else "Mohamed",
                family_name=f"Ait Ali {i}",
                sex="female" if i % 2 else "male",
                birth_date=datetime.date(1950 + i % 70, 1 + i % 12, 1 + i % 28),
                commune=unit.home_commune,
            )
            for unit in units
            for i in range(1000)
        ),
        batch_size=5000,
    )
    by_unit: dict[object, list[Patient]] = {}
    for patient in patients:
        by_unit.setdefault(patient.unit_id, []).append(patient)
    encounters: list[Encounter] = []
    for index in range(encounters_wanted):
        stop = made[index % len(made)]
        arrived = datetime.datetime.combine(stop.date, datetime.time(9), tz) + datetime.timedelta(
            minutes=rng.randint(0, 400)
        )
        signed = rng.random() > 0.002
        encounters.append(
            Encounter(
                patient=rng.choice(by_unit[stop.unit_id]),
                unit_id=stop.unit_id,
                stop=stop,
                status="signed" if signed else "in-progress",
                arrived_at=arrived,
                created_by=gps[stop.unit_id],
                signed_at=arrived + datetime.timedelta(minutes=20) if signed else None,
                signed_by=gps[stop.unit_id] if signed else None,
            )
        )
    Encounter.objects.bulk_create(encounters, batch_size=5000)
    measures = (
        ("systolic_bp", "8480-6", 132, "mm[Hg]"),
        ("diastolic_bp", "8462-4", 84, "mm[Hg]"),
        ("heart_rate", "8867-4", 78, "/min"),
        ("temperature", "8310-5", 37, "Cel"),
        ("weight", "29463-7", 64, "kg"),
    )
    batch: list[Observation] = []
    observations = 0
    for encounter in encounters:
        for index, (key, loinc, value, ucum) in enumerate(measures):
            batch.append(
                Observation(
                    encounter=encounter,
                    key=key,
                    loinc=loinc,
                    value=value,
                    unit=ucum,
                    source="device" if index < 2 else "manual",
                    effective_at=encounter.arrived_at,
                )
            )
        if len(batch) >= 20000:
            Observation.objects.bulk_create(batch)
            observations += len(batch)
            batch = []
    Observation.objects.bulk_create(batch)
    observations += len(batch)
    cases, referrals = [], []
    for encounter in rng.sample(encounters, len(encounters) * 4 // 100):
        urgency = rng.choice([Urgency.ROUTINE] * 6 + [Urgency.URGENT] * 3 + [Urgency.EMERGENCY])
        queued = encounter.arrived_at + datetime.timedelta(minutes=30)
        answered = queued + datetime.timedelta(minutes=rng.randint(10, 4000))
        cases.append(
            Case(
                encounter=encounter,
                patient_id=encounter.patient_id,
                unit_id=encounter.unit_id,
                specialty_id=rng.choice(specialties),
                question="Avis ?",
                urgency=urgency,
                urgency_rank=URGENCY_RANK[urgency],
                status="answered",
                consent_at=queued,
                created_by_id=encounter.created_by_id,
                queued_at=queued,
                sla_due_at=queued + datetime.timedelta(hours=24),
                claimed_by=specialist,
                claimed_at=queued,
                answered_at=answered,
                vitals=[],
            )
        )
    Case.objects.bulk_create(cases, batch_size=5000)
    Answer.objects.bulk_create(
        (
            Answer(
                case=c, author=specialist, advice="Traitement proposé.", created_at=c.answered_at
            )
            for c in cases
        ),
        batch_size=5000,
    )
    for encounter in rng.sample(encounters, len(encounters) * 3 // 100):
        unit = next(u for u in units if u.pk == encounter.unit_id)
        referrals.append(
            Referral(encounter=encounter, hub=hubs[unit.province.region_id], reason="Bilan")
        )
    Referral.objects.bulk_create(referrals, batch_size=5000)
    return {
        "units": len(units),
        "stops": len(stops),
        "patients": len(patients),
        "encounters": len(encounters),
        "observations": observations,
        "cases": len(cases),
        "referrals": len(referrals),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "database_url", nargs="?", default="postgres://postgres@127.0.0.1:5432/tbib_bench"
    )
    parser.add_argument("--encounters", type=int, default=200_000)
    parser.add_argument("--renders", type=int, default=15)
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

    from tbib.accounts.models import User
    from tbib.geo.importer import import_reference_geography
    from tbib.geo.models import Region
    from tbib.network.models import MobileUnit

    databases = setup_databases(verbosity=0, interactive=False)
    try:
        import_reference_geography()
        started = time.perf_counter()
        counts = seed(args.encounters, random.Random(11))
        load_s = time.perf_counter() - started
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        region = Region.objects.filter(
            code__in=MobileUnit.objects.values("province__region_id")
        ).first()
        national = User.objects.create(username="bench-nat", role="national-coordinator")
        regional = User.objects.create(
            username="bench-reg", role="regional-coordinator", region=region
        )
        month = "/supervision/?period=month&month=2026-11"
        year = "/supervision/?period=year&year=2026"
        timings = {}
        for name, user, url in (
            ("national_month", national, month),
            ("national_year", national, year),
            ("regional_month", regional, month),
            ("regional_year", regional, year),
        ):
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(user)
            samples = []
            for _ in range(args.renders):
                began = time.perf_counter()
                response = client.get(url)
                samples.append((time.perf_counter() - began) * 1000)
                assert response.status_code == 200, response.status_code
            timings[name] = {
                "p50_ms": round(statistics.median(samples), 1),
                "p95_ms": _p(samples, 0.95),
                "max_ms": round(max(samples), 1),
            }
        result = {
            "benchmark": "supervision_dashboard",
            "date": datetime.date.today().isoformat(),
            "database": connection.vendor,
            **counts,
            "load_s": round(load_s, 1),
            **timings,
        }
    finally:
        teardown_databases(databases, verbosity=0)
    print(
        "Dashboards, p50 (max) ms: "
        + "; ".join(f"{k} {v['p50_ms']} ({v['max_ms']})" for k, v in timings.items())
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
