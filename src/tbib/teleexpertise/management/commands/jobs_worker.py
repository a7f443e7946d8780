"""`tbib jobs worker [--beat]`: a Celery worker on TBIB_BROKER_URL (production hub)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Run a background-job worker on the broker (and the periodic scheduler with --beat)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--beat", action="store_true", help="also run the periodic jobs")
        parser.add_argument("--concurrency", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.TBIB_BROKER_URL:
            raise CommandError(
                "Set TBIB_BROKER_URL (amqp://...) to run workers; the demo needs none."
            )
        from tbib.celery import app

        argv = ["worker", "--loglevel=INFO", f"--concurrency={options['concurrency']}"]
        if options["beat"]:
            argv.append("--beat")
        app.worker_main(argv)
