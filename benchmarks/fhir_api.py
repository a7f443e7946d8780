"""FHIR interface throughput on PostgreSQL with 100,000 patients, authenticated and audited.

Run: .venv/bin/python benchmarks/fhir_api.py [--patients 100000] [--workers 3] [--seconds 20]
[--server gunicorn|uvicorn] [--keep]
Needs wrk (Debian package `wrk`). Creates the database tbib_bench_fhir on the local
PostgreSQL (dropped at the end unless --keep; a kept database with the same number of
patients is reused), imports the geography, builds the network, registers the synthetic
patients (each with a CIN), then serves the hub as production serves its HTTP interfaces
(gunicorn, WSGI, several worker processes with threads; `--server uvicorn` serves the ASGI
application instead, for comparison) and drives it with wrk: `GET /fhir/Patient/<id>` of random
patients, then `GET /fhir/Patient?identifier=<cin system>|<cin>`, as the national
coordinator with a bearer token. Every request goes through the scoped-access layer and writes
its audit event (checked: the audit trail grows by the number of requests). Last line: one
JSON object.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

DB = "tbib_bench_fhir"
PORT = 8099


def _psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-q", "-c", sql],
        check=True,
        capture_output=True,
    )


def _wrk(script: Path, seconds: int, connections: int) -> dict[str, float]:
    result = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(script),
            f"http://127.0.0.1:{PORT}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    out = result.stdout

    def ms(label: str) -> float:
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", out, re.M)
        assert match, out
        value, unit = float(match.group(1)), match.group(2)
        return round(value / 1000 if unit == "us" else value * 1000 if unit == "s" else value, 1)

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return {
        "requests": requests,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": ms("50"),
        "p90_ms": ms("90"),
        "p99_ms": ms("99"),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def _script(path: Path, token: str, paths: list[str]) -> Path:
    table = ",".join(json.dumps(p) for p in paths)
    path.write_text(
        f"local paths = {{{table}}}\n"
        f'wrk.headers["Authorization"] = "Bearer {token}"\n'
        "request = function()\n"
        '  return wrk.format("GET", paths[math.random(#paths)])\n'
        "end\n"
    )
    return path


def _patients_in_kept_database() -> int | None:
    found = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", DB, "-Atc",
         "SELECT count(*) FROM patients_patient"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return int(found.stdout) if found.returncode == 0 and found.stdout.strip() else None


def _load_patients(count: int) -> float:
    """The geography, the demo network and `count` synthetic patients; seconds taken."""
    from django.core.management import call_command

    from tbib.geo.importer import import_reference_geography
    from tbib.network.models import MobileUnit
    from tbib.network.services import build_demo_network
    from tbib.patients.demo import demography_of, patient_of
    from tbib.patients.models import Patient
    from tbib.patients.synthetic import generate_people

    call_command("migrate", verbosity=0)
    import_reference_geography()
    build_demo_network()
    rng = random.Random(9)
    units = list(MobileUnit.objects.select_related("home_commune"))
    started, batch = time.perf_counter(), []
    for index in range(count):
        unit = units[index % len(units)]
        person = generate_people(
            demography=demography_of(unit.home_commune),
            count=1,
            rng=rng,
            today=datetime.date(2026, 11, 22),
        )[0]
        patient = patient_of(person, unit, cin=f"BK{index:06d}")
        patient.refresh_name_keys()
        batch.append(patient)
        if len(batch) == 5000:
            Patient.objects.bulk_create(batch)
            batch = []
    Patient.objects.bulk_create(batch)
    return time.perf_counter() - started


def _server_command(args: argparse.Namespace) -> list[str]:
    """gunicorn's threaded workers run Django's WSGI handler directly; under uvicorn (ASGI)
    every synchronous view and middleware crosses asgiref's thread hops, which measured here
    doubles the CPU of a request (docs/benchmarks.md)."""
    port, workers = str(PORT), str(args.workers)
    if args.server == "uvicorn":
        app, options = "tbib.asgi:application", ["--port", port, "--no-access-log"]
    else:
        app = "tbib.wsgi:application"
        options = ["--bind", f"127.0.0.1:{port}", "--worker-class", "gthread"]
        options += ["--threads", str(args.threads)]
    return [
        sys.executable,
        "-m",
        args.server,
        app,
        "--workers",
        workers,
        "--log-level",
        "warning",
    ] + options


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4, help="per gunicorn worker")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=12)
    parser.add_argument("--server", choices=["gunicorn", "uvicorn"], default="gunicorn")
    parser.add_argument("--pool", type=int, default=0, help="TBIB_DB_POOL of the server")
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the database")
    args = parser.parse_args()
    url = f"postgres://postgres@127.0.0.1:5432/{DB}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TBIB_MODE": "demo",
        "TBIB_ROLE": "hub",
        "TBIB_VAR_DIR": tempfile.mkdtemp(),
        "DJANGO_SETTINGS_MODULE": "tbib.settings.base",
    }
    os.environ.update(env)
    reused = args.keep and _patients_in_kept_database() == args.patients
    if not reused:
        _psql(f"DROP DATABASE IF EXISTS {DB}")
        _psql(f"CREATE DATABASE {DB}")
    server = None
    load_s = 0.0
    try:
        import django

        django.setup()
        from django.db import connection
        from django.test import RequestFactory

        from tbib.access.models import AuditEvent
        from tbib.accounts.models import User
        from tbib.accounts.services import issue_token
        from tbib.fhir.mapping import CIN_SYSTEM
        from tbib.patients.models import Patient

        if not reused:
            load_s = _load_patients(args.patients)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        national = User.objects.create_user(
            f"bench-fhir-{uuid.uuid4().hex[:8]}",
            password="pw-Bench-2026",
            role="national-coordinator",
        )
        token = issue_token(
            RequestFactory().post("/"), username=national.username, password="pw-Bench-2026"
        ).token
        sample = list(Patient.objects.order_by("?").values_list("pk", "cin")[:2000])
        connection.close()

        server = subprocess.Popen(
            _server_command(args), env={**env, "TBIB_DB_POOL": str(args.pool)}
        )
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        folder = Path(tempfile.mkdtemp())
        reads = _script(folder / "read.lua", token, [f"/fhir/Patient/{pk}" for pk, _ in sample])
        searches = _script(
            folder / "search.lua",
            token,
            [f"/fhir/Patient?identifier={CIN_SYSTEM}|{cin}" for _, cin in sample],
        )
        _wrk(reads, 3, args.connections)  # warm-up: connections, caches
        audited_before = AuditEvent.objects.count()
        read = _wrk(reads, args.seconds, args.connections)
        search = _wrk(searches, args.seconds, args.connections)
        audited = AuditEvent.objects.count() - audited_before
        connection.close()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    result = {
        "benchmark": "fhir_api",
        "date": datetime.date.today().isoformat(),
        "patients": args.patients,
        "load_s": round(load_s, 1),
        "workers": args.workers,
        "connections": args.connections,
        "seconds": args.seconds,
        "read": read,
        "search_by_identifier": search,
        "audit_events_written": audited,
        "requests_made": read["requests"] + search["requests"],
    }
    print(
        f"Patient read: {read['rps']:.0f} req/s, p50 {read['p50_ms']} ms, p99 {read['p99_ms']} ms; "
        f"search by identifier: {search['rps']:.0f} req/s, p50 {search['p50_ms']} ms, "
        f"p99 {search['p99_ms']} ms; {audited} audit events for "
        f"{result['requests_made']} requests"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
