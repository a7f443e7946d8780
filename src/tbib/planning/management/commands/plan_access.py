"""tbib plan access --out FILE.csv: rural communes ranked by underserved population."""

from __future__ import annotations

import csv
import json
import statistics
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tbib.planning import geojson, selectors
from tbib.planning.access import analyse


class Command(BaseCommand):
    help = "Rank rural communes by underserved population (medical-desert index, see docs)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="CSV file to write")
        parser.add_argument("--geojson", help="also write the communes and provinces as GeoJSON")

    def handle(self, *args: Any, **options: Any) -> None:
        communes = selectors.communes()
        if not communes:
            raise CommandError("No rural commune: run `tbib geo import` first.")
        facilities = selectors.facilities()
        ranked = analyse(communes, facilities)
        out = Path(options["out"])
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["rank", "commune_code", "commune", "province", "region",
                             "population_2024", "distance_to_paved_road_km",
                             "nearest_mapped_facility", "facility_road_km", "desert_index",
                             "underserved_population", "basis"])  # fmt: skip
            for rank, access in enumerate(ranked, start=1):
                c = access.commune
                writer.writerow([rank, c.code, c.name, c.province, c.region, c.population,
                                 c.road_km, access.facility, access.facility_road_km,
                                 access.index, access.underserved, access.basis])  # fmt: skip
            writer.writerow([f"# {selectors.CREDIT}"])
        if options["geojson"]:
            collection = geojson.access_collection(ranked)
            Path(options["geojson"]).write_text(json.dumps(collection, ensure_ascii=False))
        roads = sorted(c.road_km for c in communes if c.road_km is not None)
        twentieths = statistics.quantiles(roads, n=20)
        underserved = sum(a.underserved for a in ranked)
        self.stdout.write(
            f"{len(ranked)} communes, {len(facilities)} mapped primary-care facilities; "
            f"households' distance to a paved road: median {statistics.median(roads):.1f} km, "
            f"95th percentile {twentieths[-1]:.1f} km; underserved population {underserved:,}. "
            f"Top: {', '.join(a.commune.name for a in ranked[:5])}. Wrote {out}.\n"
            f"{selectors.CREDIT}."
        )
