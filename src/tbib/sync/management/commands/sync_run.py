"""tbib sync run [--once]: the edge's sync loop, or one round for scripts.

With --once the exit status is 0 only when everything is replicated (nothing pending either
way), 1 otherwise, with the reason on stderr.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tbib.sync import client


class Command(BaseCommand):
    help = "Replicate with the hub: forever (with backoff), or one round with --once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="one round, then exit")
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between rounds")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["once"]:
            client.run_forever(interval_s=options["interval"])
            return
        try:
            report = client.sync_once()
        except (client.LinkDown, client.HubRefused) as error:
            self.stderr.write(f"sync incomplete: {error}")
            sys.exit(1)
        state = client.status()
        self.stdout.write(
            f"pulled {report.pulled}, pushed {report.pushed}, "
            f"{report.blob_bytes} attachment bytes, {report.wire_bytes} bytes on the wire"
        )
        figures = {k: v for k, v in vars(report).items() if k != "started"}
        self.stdout.write(json.dumps(figures))
        if not state.up_to_date:
            self.stderr.write(
                f"still pending: {state.pending_changes} changes, {state.pending_bytes} bytes"
            )
            sys.exit(1)
