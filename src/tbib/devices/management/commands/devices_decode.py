"""`tbib devices decode <characteristic> <hex payload>`: print the reading as JSON.

Exit code 2, with a typed error on standard error, when the payload is not valid.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tbib.devices.gatt import DecodeError, decode


class Command(BaseCommand):
    help = "Decode a Bluetooth health characteristic's payload (e.g. 2A35 and its hex bytes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("characteristic", help="16-bit UUID, e.g. 2A35")
        parser.add_argument("payload", help="the bytes in hexadecimal, spaces allowed")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            payload = bytes.fromhex(options["payload"].replace(":", " "))
        except ValueError:
            self._fail("InvalidHex", f"{options['payload']!r} is not hexadecimal.")
        try:
            reading = decode(options["characteristic"], payload)
        except DecodeError as error:
            self._fail("DecodeError", str(error))
        self.stdout.write(json.dumps(reading, ensure_ascii=False, sort_keys=True))

    def _fail(self, kind: str, message: str) -> None:
        self.stderr.write(json.dumps({"error": kind, "detail": message}))
        sys.exit(2)
