"""tbib plan allocate --units 50 --provinces 40 --budget-mad 180000000 --out plan.json"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tbib.planning import geojson, selectors, services
from tbib.planning.allocation import Parameters
from tbib.planning.maps import plan_svg
from tbib.planning.plans import PlanError, allocate


class Command(BaseCommand):
    help = "Place the units (bases and served communes) to reach the most underserved people."

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = Parameters()
        parser.add_argument("--units", type=int, default=defaults.units)
        parser.add_argument("--provinces", type=int, default=defaults.provinces)
        parser.add_argument("--budget-mad", type=float, default=defaults.budget_mad)
        parser.add_argument("--communes-per-unit", type=int, default=defaults.communes_per_unit)
        parser.add_argument("--radius-km", type=float, default=defaults.radius_km)
        parser.add_argument("--time-limit", type=float, default=defaults.time_limit_s)
        parser.add_argument("--out", required=True, help="the plan as JSON")
        parser.add_argument("--geojson", help="also write the plan as GeoJSON")
        parser.add_argument("--map", help="also draw the plan as an SVG map")
        parser.add_argument("--save", metavar="NAME", help="save as a scenario for the UI")

    def handle(self, *args: Any, **options: Any) -> None:
        params = services.parameters_from({**options, "time_limit_s": options["time_limit"]})
        try:
            document = allocate(params, log=self.stdout.write)
        except PlanError as error:
            raise CommandError(str(error)) from error
        Path(options["out"]).write_text(json.dumps(document, indent=1, ensure_ascii=False))
        if options["geojson"]:
            collection = geojson.plan_collection(document, selectors.access())
            Path(options["geojson"]).write_text(json.dumps(collection, ensure_ascii=False))
        if options["map"]:
            Path(options["map"]).write_text(plan_svg(document, selectors.access()))
        if options["save"]:
            services.save_scenario(options["save"], document)
        greedy = document["greedy"]
        self.stdout.write(
            f"plan: {document['covered_communes']} communes, "
            f"{document['covered_population']:,} people (underserved "
            f"{document['objective']:,.0f}); {_proof(document)} in {document['seconds']:.0f} s; "
            f"{document['cost_mad']:,} MAD, {document['km_per_year']:,} km a year; "
            f"greedy {greedy['objective']:,.0f} ({greedy['covered_communes']} communes, "
            f"{greedy['covered_population']:,} people). Wrote {options['out']}.\n"
            f"{selectors.CREDIT}."
        )


def _proof(document: dict[str, Any]) -> str:
    if document["bound"] is None or document["gap"] is None:
        return "no bound proven yet (time limit too short)"
    return f"bound {document['bound']:,.0f}, gap {100 * document['gap']:.2f} %"
