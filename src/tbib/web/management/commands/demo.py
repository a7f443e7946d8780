"""`tbib demo --port P`: a fresh demo network on real geography, served on 127.0.0.1:P."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone

from tbib.accounts.demo import DEMO_PASSWORD, create_demo_users
from tbib.clinical.demo import simulate_pilot_days
from tbib.clinical.demo_history import simulate_past_weeks
from tbib.dhis2.service import write_demo_mapping
from tbib.network.services import build_demo_network
from tbib.patients.demo import register_demo_patients
from tbib.pharmacy.demo import stock_demo_units
from tbib.planning.plans import allocate
from tbib.planning.services import parameters_from
from tbib.tours.demo import plan_demo_tours

# The exact plan's time budget at the demo's first start (then cached): HiGHS starts from
# the greedy plan, so a run cut short still has the baseline and a proven gap.
DEMO_PLAN_SECONDS = 40.0


class Command(BaseCommand):
    help = "Build a fresh demo database (SQLite under var/), the network and users, and serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--no-serve", action="store_true", help="build, then exit")
        parser.add_argument(
            "--keep",
            action="store_true",
            help="serve the demo database as it is (a hub restarted beside its edge)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("`tbib demo` runs only in demo mode (TBIB_MODE=demo).")
        if connection.vendor != "sqlite":
            raise CommandError("`tbib demo` builds a fresh SQLite database; unset DATABASE_URL.")
        if options["keep"]:
            call_command("migrate", interactive=False, verbosity=0)
            self._serve(options["host"], options["port"])
            return
        started = time.monotonic()
        self._fresh_database()
        call_command("migrate", interactive=False, verbosity=0)
        call_command("geo_import", stdout=self.stdout)
        plan = self._network_plan()
        units = build_demo_network(plan)
        users = create_demo_users()
        patients = register_demo_patients()
        stops = plan_demo_tours(start=timezone.localdate())
        stock_demo_units()
        history = simulate_past_weeks()
        encounters = simulate_pilot_days()
        write_demo_mapping(settings.TBIB_DHIS2_MAPPING)
        self.stdout.write(
            f"network: {len(units)} mobile units, {users} users (password {DEMO_PASSWORD!r}), "
            f"{patients} synthetic patients, {stops} tour stops, "
            f"{history} encounters in the past six weeks, "
            f"{encounters} encounters today at the pilot units; "
            f"built in {time.monotonic() - started:.1f} s"
        )
        if options["no_serve"]:
            return
        self._serve(options["host"], options["port"])

    def _network_plan(self) -> dict[str, Any]:
        """The units' bases and communes, solved exactly (planning module): at most
        DEMO_PLAN_SECONDS of HiGHS started from the greedy plan, cached under var/ for the
        next start on the same inputs."""
        params = dataclasses.replace(
            parameters_from({}), time_limit_s=DEMO_PLAN_SECONDS, target_gap=0.01
        )
        plan = allocate(params, log=lambda _line: None, cache_dir=settings.ENV.var_dir / "plans")
        self.stdout.write(
            f"plan ({plan['solver']}): {len(plan['units'])} units, "
            f"{plan['covered_communes']} communes, {plan['covered_population']:,} people, "
            + (f"gap {100 * plan['gap']:.1f} %" if plan["gap"] is not None else "no bound yet")
            + "; greedy baseline "
            f"{plan['greedy']['covered_population']:,} people"
        )
        return plan

    def _fresh_database(self) -> None:
        """Delete the demo database file, only if it lies under var/ (never a user's own)."""
        connection.close()
        database = Path(str(settings.DATABASES["default"]["NAME"])).resolve()
        if settings.ENV.var_dir not in database.parents:
            raise CommandError(f"Refusing to delete {database}: not under {settings.ENV.var_dir}.")
        for suffix in ("", "-wal", "-shm"):
            database.with_name(database.name + suffix).unlink(missing_ok=True)
        database.parent.mkdir(parents=True, exist_ok=True)

    def _serve(self, host: str, port: int) -> None:
        import uvicorn

        from tbib.teleexpertise import scheduler

        scheduler.start()

        self.stdout.write(f"Serving on http://{host}:{port}/ (Ctrl-C to stop)")
        uvicorn.run("tbib.asgi:application", host=host, port=port, log_level="warning")
