"""tbib sync digest: every replicated record's content hash, by type and id, as JSON.

Two nodes hold the same records exactly when their digests (restricted to one unit's scope)
are equal: what the replication tests compare.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser

from tbib.sync import wire
from tbib.sync.registry import REPLICATED, SCOPE


class Command(BaseCommand):
    help = "Print the content hash of every replicated record (of one unit with --unit)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", help="only this unit's records (its code)")

    def handle(self, *args: Any, **options: Any) -> None:
        from tbib.network.models import MobileUnit

        digests: dict[str, dict[str, str]] = {}
        unit = MobileUnit.objects.get(code=options["unit"]) if options["unit"] else None
        for name in REPLICATED:
            query = apps.get_model(name)._default_manager.all()
            if unit is not None:
                query = query.filter(**{SCOPE[name]: unit.pk})
            digests[name] = {
                str(record.pk): hashlib.sha256(
                    json.dumps(wire.row_of(record), sort_keys=True, default=bytes.hex).encode()
                ).hexdigest()
                for record in query.iterator()
            }
        self.stdout.write(json.dumps(digests, sort_keys=True))
