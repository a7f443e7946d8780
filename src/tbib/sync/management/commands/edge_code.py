"""tbib edge code --unit CODE: a one-time enrolment code for a unit's edge (run at the hub)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tbib.network.models import MobileUnit
from tbib.sync.hub import issue_code


class Command(BaseCommand):
    help = "Issue a one-time enrolment code (valid 24 h) for a unit's edge."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="the unit's code, e.g. midelt-1")

    def handle(self, *args: Any, **options: Any) -> None:
        unit = MobileUnit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"No unit {options['unit']!r}.")
        self.stdout.write(issue_code(unit))
