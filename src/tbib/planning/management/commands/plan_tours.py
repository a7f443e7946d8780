"""tbib plan tours --unit CODE --month 2027-01 --out tours.ics [--push]"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from tbib.geo.choices import CommuneKind
from tbib.geo.models import Commune
from tbib.network.models import MobileUnit
from tbib.planning.access import CIRCUITY, great_circle_km
from tbib.planning.tours import TourStop, plan_month, to_ics
from tbib.tours.choices import StopStatus
from tbib.tours.models import Stop


class Command(BaseCommand):
    help = "A unit's month of stops (OR-Tools), as an iCalendar file; --push plans them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True)
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--out", required=True)
        parser.add_argument("--stops", type=int, default=25, help="nearest communes to visit")
        parser.add_argument("--radius-km", type=float, default=50.0)
        parser.add_argument("--time-limit", type=float, default=20.0)
        parser.add_argument("--push", action="store_true",
                            help="replace the unit's planned stops of that month")  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        unit = (
            MobileUnit.objects.select_related("home_commune").filter(code=options["unit"]).first()
        )
        if unit is None:
            raise CommandError(f"No unit {options['unit']!r}.")
        try:
            first = datetime.datetime.strptime(options["month"], "%Y-%m").date()
        except ValueError as error:
            raise CommandError("--month is YYYY-MM, e.g. 2027-01.") from error
        home = unit.home_commune
        if home.latitude is None or home.longitude is None:
            raise CommandError(f"{home.name_fr} has no position.")
        nearby = []
        for commune in Commune.objects.filter(kind=CommuneKind.RURAL, latitude__isnull=False):
            km = CIRCUITY * great_circle_km(home.latitude, home.longitude,
                                            commune.latitude, commune.longitude)  # type: ignore[arg-type]  # fmt: skip
            if km <= options["radius_km"]:
                nearby.append((km, commune))
        nearby.sort(key=lambda pair: pair[0])
        communes = {c.code: c for _, c in nearby[: options["stops"]]}
        stops = [TourStop(c.code, c.name_fr, c.latitude, c.longitude)  # type: ignore[arg-type]
                 for c in communes.values()]  # fmt: skip
        month = plan_month((home.latitude, home.longitude), stops, first.year, first.month,
                           time_limit_s=options["time_limit"])  # fmt: skip
        Path(options["out"]).write_text(to_ics(unit.code, month), encoding="utf-8")
        if options["push"]:
            with transaction.atomic():
                planned = Stop.objects.filter(
                    unit=unit,
                    status=StopStatus.PLANNED,
                    date__year=first.year,
                    date__month=first.month,
                )
                planned.update(status=StopStatus.CANCELLED)
                for visit in month.visits:
                    Stop.objects.create(
                        unit=unit,
                        date=visit.day,
                        commune=communes[visit.stop.code],
                        planned_start=visit.arrival,
                        planned_end=visit.departure,
                    )
        self.stdout.write(
            f"{unit.code} {options['month']}: {len(month.visits)} visits of {len(stops)} stops, "
            f"{month.kilometres:,.0f} km, {len(month.missed)} left out, "
            f"{month.seconds:.0f} s. Wrote {options['out']}"
            + ("; pushed to the unit's tour." if options["push"] else ".")
        )
