"""tbib plan allocate --units 50 --provinces 40 --budget-mad 180000000 --out plan.json"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tbib.planning import selectors
from tbib.planning.allocation import Parameters, Plan, greedy, solve, violations


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
        parser.add_argument("--out", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        ranked = selectors.access()
        sites = selectors.sites(ranked)
        if not sites:
            raise CommandError("No commune: run `tbib geo import` first.")
        params = Parameters(
            units=options["units"], provinces=options["provinces"],
            budget_mad=options["budget_mad"], communes_per_unit=options["communes_per_unit"],
            radius_km=options["radius_km"], time_limit_s=options["time_limit"],
            must_serve=tuple(selectors.pilot_codes()),
        )  # fmt: skip
        baseline = greedy(sites, params)
        greedy_summary = _summary(baseline, by_code_of(sites))
        self.stdout.write(f"greedy baseline: {baseline.objective:,.0f} underserved people "
                          f"reached in {baseline.seconds:.1f} s")  # fmt: skip
        plan = solve(sites, params, log=self.stdout.write)
        problems = violations(plan, sites, params)
        if problems:
            raise CommandError(f"The solver's plan breaks constraints: {problems[:5]}")
        by_code = {s.code: s for s in sites}
        names = {a.commune.code: a.commune.name for a in ranked}
        document = {
            "parameters": {k: v for k, v in vars(params).items() if k != "must_serve"},
            "must_serve": list(params.must_serve),
            "units": [
                {"base": base, "base_name": names[base], "province": by_code[base].province,
                 "communes": communes,
                 "covered_population": sum(by_code[c].population for c in communes),
                 "covered_underserved": sum(by_code[c].underserved for c in communes)}
                for base, communes in sorted(plan.bases.items())
            ],
            "covered_communes": sum(len(c) for c in plan.bases.values()),
            "covered_population": sum(by_code[c].population for cs in plan.bases.values()
                                      for c in cs),
            "objective": plan.objective,
            "bound": plan.bound,
            "gap": plan.gap,
            "seconds": round(plan.seconds, 1),
            "status": plan.extra.get("status"),
            "greedy": greedy_summary,
            "source": selectors.CREDIT,
        }  # fmt: skip
        Path(options["out"]).write_text(json.dumps(document, indent=1, ensure_ascii=False))
        self.stdout.write(
            f"plan: {document['covered_communes']} communes, "
            f"{document['covered_population']:,} people (underserved {plan.objective:,.0f}); "
            f"bound {plan.bound:,.0f}, gap {100 * (plan.gap or 0):.2f} % in {plan.seconds:.0f} s; "
            f"greedy {baseline.objective:,.0f} ({greedy_summary['covered_communes']} "
            f"communes). Wrote {options['out']}.\n{selectors.CREDIT}."
        )


def by_code_of(sites: list[Any]) -> dict[str, Any]:
    return {s.code: s for s in sites}


def _summary(plan: Plan, by_code: dict[str, Any]) -> dict[str, Any]:
    return {
        "objective": plan.objective,
        "covered_communes": sum(len(c) for c in plan.bases.values()),
        "covered_population": sum(by_code[c].population for cs in plan.bases.values() for c in cs),
    }
