"""tbib dhis2 export --month 2026-11 --mapping mapping.json --out datavalueset.json"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tbib.dhis2.export import data_value_set, parse_mapping
from tbib.dhis2.indicators import monthly


class Command(BaseCommand):
    help = "Monthly indicators per unit as a DHIS2 dataValueSet (JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--mapping", required=True, help="JSON mapping (docs/dhis2.md)")
        parser.add_argument("--out", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            first = datetime.datetime.strptime(options["month"], "%Y-%m").date()
        except ValueError as error:
            raise CommandError("--month is YYYY-MM, e.g. 2026-11.") from error
        try:
            mapping = parse_mapping(json.loads(Path(options["mapping"]).read_text()))
        except (OSError, ValueError) as error:  # MappingError is a ValueError
            raise CommandError(f"Mapping {options['mapping']}: {error}") from error
        export = data_value_set(monthly(first.year, first.month), mapping, first.year, first.month)
        Path(options["out"]).write_text(json.dumps(export.data_value_set, indent=1))
        for line in export.skipped:
            self.stderr.write(f"not exported: {line}")
        self.stdout.write(
            f"{len(export.data_value_set['dataValues'])} data values for {options['month']} "
            f"written to {options['out']}; {len(export.skipped)} not mapped (listed above)."
        )
