"""tbib edge enrol --hub URL --code CODE: enrol this edge, then pull the unit's data."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tbib.sync import client


class Command(BaseCommand):
    help = "Enrol this edge with a one-time code issued at the hub, and pull its initial data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hub", required=True, help="the hub's URL, e.g. https://hub.tbib.ma")
        parser.add_argument("--code", required=True, help="the one-time code from the hub")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.TBIB_ROLE != "edge":
            raise CommandError("Enrolment runs on an edge (TBIB_ROLE=edge).")
        call_command("migrate", verbosity=0)
        started = time.monotonic()
        try:
            link = client.enrol(options["hub"], options["code"])
        except (client.LinkDown, client.HubRefused) as error:
            raise CommandError(f"Enrolment failed: {error}") from error
        self.stdout.write(f"Enrolled as {link.node}; pulling the unit's data…")
        report = client.Report()
        # The first pull is long on a thin link: retried until complete, resuming each time.
        while True:
            try:
                client.sync_once(report)
                break
            except client.LinkDown as error:
                self.stderr.write(f"link down ({error}); resuming in 5 s")
                time.sleep(5)
            except client.HubRefused as error:
                raise CommandError(str(error)) from error
        self.stdout.write(
            f"Done in {time.monotonic() - started:.0f} s: {report.pulled} records, "
            f"{report.wire_bytes} bytes."
        )
