"""tbib plan access --out FILE.csv: rural communes ranked by underserved population."""

from __future__ import annotations

import csv
import statistics
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tbib.geo.choices import CommuneKind
from tbib.geo.models import Commune
from tbib.network.choices import FacilityKind
from tbib.network.models import HealthFacility
from tbib.planning.access import CommuneFacts, Place, analyse

PRIMARY_CARE = [
    FacilityKind.UNIVERSITY_HOSPITAL,
    FacilityKind.REGIONAL_HOSPITAL,
    FacilityKind.PROVINCIAL_HOSPITAL,
    FacilityKind.HOSPITAL,
    FacilityKind.HEALTH_CENTRE,
    FacilityKind.DISPENSARY,
]
CREDIT = (
    "Population and road distances: Haut-Commissariat au Plan (HCP), RGPH 2024, CC BY 4.0; "
    "facilities and positions: © OpenStreetMap contributors, ODbL"
)


class Command(BaseCommand):
    help = "Rank rural communes by underserved population (medical-desert index, see docs)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="CSV file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        communes = [
            CommuneFacts(c.code, c.name_fr, c.province.name_fr, c.region.name_fr,
                         c.population_2024, c.distance_to_paved_road_km, c.latitude, c.longitude)
            for c in Commune.objects.filter(kind=CommuneKind.RURAL).select_related(
                "province", "region")
        ]  # fmt: skip
        if not communes:
            raise CommandError("No rural commune: run `tbib geo import` first.")
        facilities = [
            Place(str(f.pk), f.name, f.latitude, f.longitude)
            for f in HealthFacility.objects.filter(kind__in=PRIMARY_CARE, latitude__isnull=False,
                                                   longitude__isnull=False)
            if f.latitude is not None and f.longitude is not None
        ]  # fmt: skip
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
            writer.writerow([f"# {CREDIT}"])
        roads = sorted(c.road_km for c in communes if c.road_km is not None)
        deciles = statistics.quantiles(roads, n=20)
        underserved = sum(a.underserved for a in ranked)
        self.stdout.write(
            f"{len(ranked)} rural communes, {len(facilities)} mapped primary-care facilities; "
            f"households' distance to a paved road: median {statistics.median(roads):.1f} km, "
            f"95th percentile {deciles[-1]:.1f} km; underserved population {underserved:,}. "
            f"Top: {', '.join(a.commune.name for a in ranked[:5])}. Wrote {out}.\n{CREDIT}."
        )
