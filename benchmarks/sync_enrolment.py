"""Enrolment of a unit whose scope holds 20,000 patients with their history, over 2G; then
name search on the enrolled (encrypted) edge.

Run (as root: the link is emulated in network namespaces, tests/linkemu.py):
    .venv/bin/python benchmarks/sync_enrolment.py [--patients 20000] [--profile 2G]

The hub is the demo network plus, in unit midelt-1, N synthetic patients (drawn from the
home commune's census profile) each with one past signed encounter at one of 200 past stops:
8 measurements (blood pressure, heart rate, temperature, SpO2, weight, height, BMI) and one
diagnosis, about 11 records per patient. The hub serves in one namespace, the edge enrols
from the other through the 2G link (64 kbit/s up, 128 kbit/s down, 600 ms round trip, random
stalls of 1-3 s): `tbib edge enrol` until every record is applied. Then 300 name searches
through the scoped-access layer (audited) on the edge's SQLCipher database.
Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.linkemu import Link  # noqa: E402
from tests.sync.nodes import REPO, Node, build_hub_template, issue_code  # noqa: E402

UNIT = "midelt-1"

GROW = r"""
import datetime, random, uuid
from django.db import transaction
from django.utils import timezone
from tbib.accounts.models import User
from tbib.clinical.codes import MEASURES
from tbib.clinical.models import Diagnosis, Encounter, Observation
from tbib.core.bulk import insert_rows
from tbib.core.models import new_id
from tbib.network.models import MobileUnit
from tbib.patients.demo import demography_of
from tbib.patients.models import Patient
from tbib.patients.synthetic import generate_people
from tbib.tours.models import Stop

rng = random.Random(20000)
unit = MobileUnit.objects.select_related("home_commune").get(code="UNIT")
gp = User.objects.get(username="gp-UNIT")
today = datetime.date.today()
people = generate_people(demography=demography_of(unit.home_commune), count=COUNT, rng=rng,
                         today=today)
def rows(instances):
    return [{f.attname: getattr(i, f.attname) for f in i._meta.concrete_fields
             if not f.name in ("created_at", "updated_at")} for i in instances]
with transaction.atomic():
    stops = [Stop(id=new_id(), unit=unit, date=today - datetime.timedelta(days=2 + d),
                  commune=unit.home_commune, status="closed") for d in range(200)]
    insert_rows(Stop, rows(stops))
    patients = []
    for p in people:
        patient = Patient(id=new_id(), unit=unit, given_name=p.given_latin,
                          family_name=p.family_latin, given_name_ar=p.given_arabic,
                          family_name_ar=p.family_arabic, sex=p.sex, birth_date=p.birth_date,
                          commune=unit.home_commune)
        patient.refresh_name_keys()
        patients.append(patient)
    insert_rows(Patient, rows(patients))
    encounters, observations, diagnoses = [], [], []
    for patient in patients:
        stop = rng.choice(stops)
        at = timezone.make_aware(datetime.datetime.combine(stop.date, datetime.time(10)))
        encounter = Encounter(id=new_id(), patient=patient, unit=unit, stop=stop,
                              status="signed", triage=3, arrived_at=at, reason="Consultation",
                              created_by=gp, signed_at=at, signed_by=gp)
        encounters.append(encounter)
        systolic = rng.randint(100, 170)
        weight, height = round(rng.uniform(45, 90), 1), rng.randint(150, 182)
        values = {"systolic_bp": systolic, "diastolic_bp": systolic - rng.randint(40, 60),
                  "heart_rate": rng.randint(60, 100),
                  "temperature": round(rng.uniform(36.2, 38), 1),
                  "spo2": rng.randint(93, 99), "weight": weight, "height": height,
                  "bmi": round(weight / (height / 100) ** 2, 1)}
        for key, value in values.items():
            m = MEASURES[key]
            observations.append(Observation(id=new_id(), encounter=encounter, key=key,
                                            loinc=m.loinc, value=value, unit=m.ucum,
                                            effective_at=at))
        diagnoses.append(Diagnosis(id=new_id(), encounter=encounter, code="I10",
                                   label="Hypertension essentielle (primitive)", is_primary=True))
    insert_rows(Encounter, rows(encounters))
    insert_rows(Observation, rows(observations))
    insert_rows(Diagnosis, rows(diagnoses))
print(len(patients) + len(encounters) + len(observations) + len(diagnoses) + len(stops))
"""

SEARCH = r"""
import json, random, statistics, time
from tbib.access.scope import AccessContext, search_patients
from tbib.accounts.models import User
from tbib.patients.models import Patient
rng = random.Random(1)
nurse = AccessContext(user=User.objects.get(username="nurse1-UNIT"))
sample = list(Patient.objects.order_by("?").values_list("given_name", "family_name",
                                                         "family_name_ar")[:100])
queries = []
for given, family, family_ar in sample:
    queries += [family, f"{given} {family}", family_ar]
times = []
for query in queries:
    started = time.perf_counter()
    list(search_patients(nurse, query=query)[:20])
    times.append((time.perf_counter() - started) * 1000)
times.sort()
print(json.dumps({"queries": len(times), "patients": Patient.objects.count(),
                  "p50_ms": round(statistics.median(times), 1),
                  "p95_ms": round(times[int(len(times) * 0.95)], 1),
                  "max_ms": round(times[-1], 1)}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=20_000)
    parser.add_argument("--profile", default="2G")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="tbib-enrolment-"))
    hub = Node("hub", build_hub_template(home / "hub"))
    started = time.monotonic()
    grown = hub.python(GROW.replace("UNIT", UNIT).replace("COUNT", str(args.patients)))
    print(f"hub: {grown.strip()} records added for {UNIT} in {time.monotonic() - started:.0f} s")
    edge = Node("edge", home / "edge")
    edge.home.mkdir()
    with Link(args.profile, seed=1, hub_port=8000) as link:
        link.run_in_hub(hub.serve_command(link.hub_address, 8000), env=hub.env(),
                        cwd=hub.home, stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(4)
        code = issue_code(hub, UNIT)
        started = time.monotonic()
        enrol = link.run_in_edge(
            edge.command("edge", "enrol", "--hub", link.edge_url, "--code", code),
            env=edge.env(), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        out, err = enrol.communicate(timeout=3600)
        enrol_s = time.monotonic() - started
        stalls = link.stalls
    if enrol.returncode != 0:
        raise SystemExit(f"enrolment failed: {err[-2000:]}")
    print(out.strip())
    same = edge.digest(UNIT) == hub.digest(UNIT)
    search = json.loads(edge.python(SEARCH.replace("UNIT", UNIT)).strip().splitlines()[-1])
    records = int(out.split("Done in")[1].split(":")[1].split("records")[0])
    wire = int(out.split("records,")[1].split("bytes")[0])
    figures = {
        "profile": args.profile,
        "patients_in_scope": search["patients"],
        "records": records,
        "wire_bytes": wire,
        "enrolment_s": round(enrol_s, 1),
        "stalls": stalls,
        "identical_to_hub": same,
        "search": search,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
