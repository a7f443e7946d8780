"""`tbib devices gateway --unit CODE [--broker mqtt://127.0.0.1:1883]`: run the unit's gateway."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from tbib.devices.gateway import Gateway


class Command(BaseCommand):
    help = "Record the readings the unit's devices publish on MQTT."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="unit code, e.g. midelt-1")
        parser.add_argument("--broker", default="mqtt://127.0.0.1:1883")

    def handle(self, *args: Any, **options: Any) -> None:
        broker = urlparse(options["broker"])
        if broker.scheme != "mqtt" or not broker.hostname:
            raise CommandError("--broker must look like mqtt://host:1883")
        gateway = Gateway(host=broker.hostname, port=broker.port or 1883, unit_code=options["unit"])
        gateway.start()
        self.stdout.write(f"Listening on {gateway.topic} at {options['broker']}")
        try:
            while True:
                for reading in gateway.process(timeout=5):
                    self.stdout.write(f"{reading.topic}: {reading.status} {reading.reason}")
                close_old_connections()
        except KeyboardInterrupt:
            gateway.stop()
