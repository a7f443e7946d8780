"""`tbib audit export --out FILE.csv [--since ISO-DATE]`: the audit trail as CSV."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tbib.access.export import export_audit_csv


class Command(BaseCommand):
    help = "Export the audit trail of access to patient data as CSV (oldest first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", help="file to write (default: standard output)")
        parser.add_argument("--since", help="only events at or after this date (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        since = None
        if options["since"]:
            try:
                day = datetime.date.fromisoformat(options["since"])
            except ValueError as error:
                raise CommandError(f"--since must be a date like 2026-01-31: {error}") from error
            since = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
        if options["out"]:
            with Path(options["out"]).open("w", newline="", encoding="utf-8") as handle:
                count = export_audit_csv(handle, since=since)
            self.stderr.write(f"{count} audit events written to {options['out']}")
        else:
            count = export_audit_csv(sys.stdout, since=since)
            self.stderr.write(f"{count} audit events written")
