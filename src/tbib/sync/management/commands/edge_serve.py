"""tbib edge serve --port 8001: an enrolled edge's web application with its sync loop.

The loop runs in a thread of the same process (the van's laptop runs one process); in a
deployment it may run apart as `tbib sync run`, under the same key.
"""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tbib.sync import client
from tbib.sync.models import HubLink


class Command(BaseCommand):
    help = "Serve this edge and replicate with its hub in the background."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8001)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--interval", type=float, default=10.0, help="seconds between rounds")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.TBIB_ROLE != "edge":
            raise CommandError("`tbib edge serve` runs on an edge (TBIB_ROLE=edge).")
        link = HubLink.objects.first()
        if link is None:
            raise CommandError("This edge is not enrolled: run `tbib edge enrol` first.")
        import uvicorn

        loop = threading.Thread(
            target=client.run_forever,
            kwargs={"interval_s": options["interval"], "max_backoff_s": 60.0},
            name="sync-loop",
            daemon=True,
        )
        loop.start()
        self.stdout.write(
            f"Edge {link.node} serving on http://{options['host']}:{options['port']}/, "
            f"replicating with {link.hub_url} every {options['interval']:.0f} s (Ctrl-C to stop)"
        )
        uvicorn.run(
            "tbib.asgi:application", host=options["host"], port=options["port"],
            log_level="warning",
        )  # fmt: skip
