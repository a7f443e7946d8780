"""The hub under a working day's load: 200 simulated people for 10 minutes (issue 11).

Run: .venv/bin/python benchmarks/load_test.py [--users 200] [--minutes 10] [--workers 4]
[--threads 4] [--server gunicorn|uvicorn] [--patients 200] [--spawn-rate 10]
Needs the local PostgreSQL, Redis and RabbitMQ. Creates the database tbib_bench_load, migrates,
imports the geography, builds the demo network, its users, patients (`--patients` per unit),
tours, stock, six past weeks and today's pilot encounters (the `tbib demo` builders, which
`tbib demo` itself runs on SQLite only), opens today's stop of every unit, queues a backlog of
cases and enrols an edge per unit. Then serves the hub as production would (gunicorn, several
WSGI worker processes with threads, docs/decisions/0005; `--server uvicorn` for ASGI; Redis
cache and channel layer, Celery worker with its beat on RabbitMQ; TBIB_MODE=demo for the
demo builders and accounts) and drives it with Locust (`benchmarks/load/locustfile.py`:
the mix and think times are described there). Everything is torn down at the end (processes,
database, the broker's vhost, the Redis database).
Last line: one JSON object (throughput, p50/p95/p99 and errors per request type and overall).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import psutil

DB = "tbib_bench_load"
PORT = 8097
REDIS_URL = "redis://127.0.0.1:6379/13"
# A vhost of its own on the shared broker: the benchmark's worker takes only its own tasks.
VHOST = "tbib-bench-load"
BROKER_URL = f"amqp://guest:guest@127.0.0.1:5672/{VHOST}"
LOCUSTFILE = Path(__file__).with_name("load") / "locustfile.py"
SPECIALISTS_PER_SPECIALTY = 4
BACKLOG_CASES = 60  # queued at the start, so that specialists have work from the first minute


def build_day(*, patients_per_unit: int, history: bool) -> dict[str, Any]:
    """The demo network at the start of a working day; what the simulated people need."""
    from django.contrib.auth.hashers import make_password
    from django.db.models import Max
    from django.utils import timezone

    from tbib.access.scope import AccessContext
    from tbib.accounts.demo import DEMO_PASSWORD, create_demo_users
    from tbib.accounts.models import User
    from tbib.clinical.demo import simulate_pilot_days
    from tbib.clinical.demo_history import simulate_past_weeks
    from tbib.clinical.models import Encounter
    from tbib.geo.importer import import_reference_geography
    from tbib.geo.models import Commune
    from tbib.network.models import MobileUnit, Specialty
    from tbib.network.services import build_demo_network
    from tbib.patients.demo import register_demo_patients
    from tbib.patients.models import Patient
    from tbib.pharmacy.demo import stock_demo_units
    from tbib.pharmacy.models import UnitStock
    from tbib.sync import hub
    from tbib.sync.models import Change
    from tbib.teleexpertise.services import open_case, submit_case
    from tbib.tours.demo import plan_demo_tours
    from tbib.tours.selectors import current_stop
    from tbib.tours.services import open_stop

    # The test suite's database holds the geography, network and stock already.
    if not Commune.objects.exists():
        import_reference_geography()
    if not MobileUnit.objects.exists():
        build_demo_network()
    create_demo_users()
    register_demo_patients(per_pilot_unit=patients_per_unit, per_unit=patients_per_unit)
    today = timezone.localdate()
    plan_demo_tours(start=today)
    if not UnitStock.objects.exists():
        stock_demo_units()
    if history:
        simulate_past_weeks()
    simulate_pilot_days()
    units = list(MobileUnit.objects.select_related("province__region").order_by("code"))
    for unit in units:  # the pilots' stops are open already
        stop = current_stop(unit.pk, today=today)
        assert stop is not None, f"{unit.code} has no stop today"
        open_stop(user=User.objects.get(username=f"nurse1-{unit.code}"), stop=stop)
    password = make_password(DEMO_PASSWORD)
    specialties = list(Specialty.objects.order_by("slug").values_list("slug", flat=True))
    # Interleaved, so that a handful of simulated specialists covers every specialty.
    specialists = []
    for number in range(1, SPECIALISTS_PER_SPECIALTY + 1):
        for slug in specialties:
            if number == 1:
                specialists.append(f"dr-{slug}")  # the demo's own
                continue
            User.objects.create(username=f"dr-{slug}-{number}", role="specialist",
                                specialty_id=slug, password=password)  # fmt: skip
            specialists.append(f"dr-{slug}-{number}")
    backlog = Encounter.objects.filter(stop__date=today).select_related("unit")
    for number, encounter in enumerate(backlog.order_by("arrived_at")[:BACKLOG_CASES]):
        gp = AccessContext(user=User.objects.get(username=f"gp-{encounter.unit.code}"))
        case = open_case(ctx=gp, encounter_id=encounter.pk, consent=True, urgency="routine",
                         specialty=specialties[number % len(specialties)],
                         question="Avis sur la conduite à tenir ?")  # fmt: skip
        submit_case(ctx=gp, case_id=case.pk)
    edges = []
    for unit in units:
        _peer, token = hub.enrol(hub.issue_code(unit))
        edges.append({"node": _peer.node, "unit_id": str(unit.pk), "token": token})
    # The edges were up to date when the day began: their rounds bring today's records.
    cursor = Change.objects.aggregate(last=Max("seq"))["last"] or 0
    for edge in edges:
        edge["cursor"] = cursor
    patients: dict[Any, list[dict[str, str]]] = {}
    for pk, unit_id, family in Patient.objects.values_list("pk", "unit_id", "family_name"):
        patients.setdefault(unit_id, []).append({"id": str(pk), "family": family})
    regions: dict[str, list[MobileUnit]] = {}
    for unit in units:
        regions.setdefault(unit.province.region.code, []).append(unit)
    coordinators = [
        {
            "username": "national",
            "below": [("region", code) for code in sorted(regions)],
            "units": [u.code for u in units],
        }  # fmt: skip
    ] + [
        {
            "username": f"coord-{code}",
            "units": [u.code for u in members],
            "below": sorted({("province", u.province.code) for u in members}),
        }  # fmt: skip
        for code, members in sorted(regions.items())
    ]
    accounts = [u["username"] for u in coordinators] + specialists
    accounts += [name for u in units for name in (f"gp-{u.code}", f"nurse1-{u.code}",
                                                   f"nurse2-{u.code}")]  # fmt: skip
    return {
        "password": DEMO_PASSWORD,
        "signed_in": _signed_in(accounts),
        "specialties": specialties,
        "specialists": specialists,
        "coordinators": coordinators,
        "edges": edges,
        "units": [
            {
                "code": u.code,
                "gp": f"gp-{u.code}",
                "patients": patients[u.pk][:200],
                "nurses": [f"nurse1-{u.code}", f"nurse2-{u.code}"],
            }  # fmt: skip
            for u in units
        ],
    }


def _signed_in(usernames: list[str]) -> dict[str, dict[str, str]]:
    """A bearer token and a web session for each account, as if signed in earlier that day.

    The password is not checked again here: Argon2id costs about 0.5 s of CPU per check on
    this machine, and the accounts share the demo password the load test knows.
    """
    from unittest import mock

    from django.test import Client, RequestFactory

    from tbib.accounts import services
    from tbib.accounts.models import User

    signed: dict[str, dict[str, str]] = {}
    for user in User.objects.filter(username__in=usernames):
        with mock.patch.object(services, "check_password_login", return_value=user):
            token = services.issue_token(RequestFactory().post("/"), username=user.username,
                                         password="")  # fmt: skip
        browser = Client()
        browser.force_login(user)
        signed[user.username] = {"token": token.token,
                                 "session": browser.cookies["sessionid"].value}  # fmt: skip
    return signed


def _run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True)


def _psql(sql: str) -> None:
    _run("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-q", "-c", sql)


def _stats(prefix: Path, seconds: float) -> dict[str, Any]:
    """Locust's CSV summary, per request type and overall."""

    def row_of(row: dict[str, str]) -> dict[str, Any]:
        requests, failures = int(row["Request Count"]), int(row["Failure Count"])
        return {
            "requests": requests,
            "rps": round(requests / seconds, 2),
            "p50_ms": float(row["50%"]),
            "p95_ms": float(row["95%"]),
            "p99_ms": float(row["99%"]),
            "max_ms": round(float(row["Max Response Time"])),
            "errors": failures,
            "error_rate": round(failures / requests, 5) if requests else 0.0,
        }

    with open(f"{prefix}_stats.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    per_type = {f"{r['Type']} {r['Name']}": row_of(r) for r in rows if r["Name"] != "Aggregated"}
    overall = next(row_of(r) for r in rows if r["Name"] == "Aggregated")
    with open(f"{prefix}_failures.csv", newline="") as file:
        failures = [f"{r['Occurrences']}× {r['Method']} {r['Name']}: {r['Error'][:200]}"
                    for r in csv.DictReader(file)]  # fmt: skip
    return {"overall": overall, "per_type": per_type, "failures": failures}


def _cpu_seconds(process: psutil.Process) -> float:
    """CPU time of a process and its children (the server's and Celery's workers)."""
    total = 0.0
    for each in [process, *process.children(recursive=True)]:
        try:
            times = each.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def _server_command(args: argparse.Namespace) -> list[str]:
    """The hub's HTTP as production serves it (docs/decisions/0005): gunicorn, WSGI worker
    processes with threads; or, with --server uvicorn, the ASGI application under uvicorn.
    Keep-alive longer than any think time, like a reverse proxy's (nginx: 75 s): with
    uvicorn's 5 s, a request sent as the server closed the idle connection failed without a
    status (a browser retries it; Locust does not)."""
    common = ["--workers", str(args.workers), "--log-level", "warning"]
    if args.server == "uvicorn":
        return [sys.executable, "-m", "uvicorn", "tbib.asgi:application", "--port", str(PORT),
                "--no-access-log", "--timeout-keep-alive", "75", *common]  # fmt: skip
    return [sys.executable, "-m", "gunicorn", "tbib.wsgi:application",
            "--bind", f"127.0.0.1:{PORT}", "--worker-class", "gthread",
            "--threads", str(args.threads), "--keep-alive", "75", *common]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--server", choices=["gunicorn", "uvicorn"], default="gunicorn")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4, help="per gunicorn worker")
    parser.add_argument("--patients", type=int, default=200, help="patients per unit")
    # Under ASGI a worker runs each request in flight on a thread of its own, each holding a
    # connection: with 4, requests queued past the pool's 10 s under load and answered 503.
    # gunicorn's threads each keep one connection (Django's own), bounded by --threads.
    parser.add_argument("--pool", type=int, default=None, help="TBIB_DB_POOL of each worker")
    args = parser.parse_args()
    if args.pool is None:
        args.pool = 8 if args.server == "uvicorn" else 0
    folder = Path(tempfile.mkdtemp(prefix="tbib-load-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
        "REDIS_URL": REDIS_URL,
        "TBIB_BROKER_URL": BROKER_URL,
        "TBIB_MODE": "demo",
        "TBIB_ROLE": "hub",
        "TBIB_VAR_DIR": str(folder / "var"),
        "DJANGO_SETTINGS_MODULE": "tbib.settings.base",
        "TBIB_LOAD_SETUP": str(folder / "setup.json"),
        "TBIB_DB_POOL": str(args.pool),
    }
    os.environ.update(env)
    _psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    _psql(f"CREATE DATABASE {DB}")
    subprocess.run(["rabbitmqctl", "delete_vhost", VHOST], capture_output=True)
    _run("rabbitmqctl", "add_vhost", VHOST)
    _run("rabbitmqctl", "set_permissions", "-p", VHOST, "guest", ".*", ".*", ".*")
    processes: list[subprocess.Popen[bytes]] = []
    try:
        import django

        django.setup()
        import redis
        from django.core.management import call_command
        from django.db import connection

        redis.Redis.from_url(REDIS_URL).flushdb()
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        setup = build_day(patients_per_unit=args.patients, history=True)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        connection.close()
        build_s = time.perf_counter() - started
        (folder / "setup.json").write_text(json.dumps(setup))
        logs = open(folder / "services.log", "wb")  # noqa: SIM115 (closed with the processes)
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tbib.celery", "worker", "--beat",
             "--concurrency", "1", "--loglevel", "warning",
             "--schedule", str(folder / "beat-schedule")],
            env=env, stdout=logs, stderr=logs,
        )  # fmt: skip
        processes.append(worker)
        server = subprocess.Popen(_server_command(args), env=env, stdout=logs, stderr=logs)
        processes.append(server)
        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        seconds = round(args.minutes * 60)
        cpu_before = {name: _cpu_seconds(psutil.Process(p.pid))
                      for name, p in (("server", server), ("worker", worker))}  # fmt: skip
        locust = subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
             "-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{seconds}s",
             "--host", f"http://127.0.0.1:{PORT}", "--csv", str(folder / "locust"),
             "--only-summary", "--stop-timeout", "60"],
            env=env, capture_output=True, text=True,
        )  # fmt: skip
        cpu = {name: round(_cpu_seconds(psutil.Process(p.pid)) - cpu_before[name])
               for name, p in (("server", server), ("worker", worker))}  # fmt: skip
        load_average = os.getloadavg()
        if not Path(f"{folder}/locust_stats.csv").exists():
            sys.exit(f"locust did not run:\n{locust.stderr[-3000:]}")
        stats = _stats(folder / "locust", seconds)
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        from django.db import connections

        connections.close_all()
        _psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        subprocess.run(["rabbitmqctl", "delete_vhost", VHOST], capture_output=True)
        try:
            import redis

            redis.Redis.from_url(REDIS_URL).flushdb()
        except Exception:  # noqa: BLE001 (Redis down: nothing was cached there either)
            pass
    result = {
        "benchmark": "load",
        "date": datetime.date.today().isoformat(),
        "users": args.users,
        "seconds": seconds,
        "server": args.server,
        "workers": args.workers,
        "threads": args.threads if args.server == "gunicorn" else None,
        "pool": args.pool,
        "patients_per_unit": args.patients,
        "build_s": round(build_s, 1),
        "cpu_s": cpu,
        "load_average_1_5_15": [round(v, 2) for v in load_average],
        **stats,
    }
    print(f"{'request':<45} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'errors':>7}")
    for name, row in [*stats["per_type"].items(), ("overall", stats["overall"])]:
        print(f"{name:<45} {row['rps']:>7} {row['p50_ms']:>6.0f} {row['p95_ms']:>6.0f} "
              f"{row['p99_ms']:>6.0f} {row['errors']:>7}")  # fmt: skip
    for failure in stats["failures"]:
        print(failure)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
