"""Allocation: the solver's plans pass an independent check; broken plans are caught."""

from __future__ import annotations

import json
import random
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.core.management import call_command

from tbib.planning.allocation import Parameters, Plan, Site, greedy, solve, violations
from tbib.planning.models import Scenario


def _sites(seed: int = 3) -> list[Site]:
    rng = random.Random(seed)
    sites = []
    for province in range(6):
        lat0, lon0 = 31 + province * 0.6, -7 + (province % 3) * 0.7
        for index in range(12):
            population = rng.randint(3000, 25000)
            lat, lon = lat0 + rng.uniform(-0.25, 0.25), lon0 + rng.uniform(-0.25, 0.25)
            underserved = int(population * rng.random())
            code = f"P{province}C{index:02d}"
            sites.append(Site(code, f"P{province}", population, underserved, lat, lon))
    return sites


PARAMS = Parameters(units=6, provinces=4, communes_per_unit=3, radius_km=40,
                    budget_mad=20_000_000, must_serve=("P0C00", "P5C03"), time_limit_s=30,
                    target_gap=0.0)  # fmt: skip


def test_the_exact_plan_satisfies_every_constraint_and_beats_greedy() -> None:
    sites = _sites()
    exact = solve(sites, PARAMS, log=lambda _line: None)
    assert violations(exact, sites, PARAMS) == []
    assert exact.gap is not None and exact.gap <= 1e-6
    baseline = greedy(sites, PARAMS)
    assert violations(baseline, sites, PARAMS) == []
    assert exact.objective >= baseline.objective


def test_the_checker_catches_each_broken_constraint() -> None:
    sites = _sites()
    good = solve(sites, PARAMS, log=lambda _line: None)
    bases = {b: list(c) for b, c in good.bases.items()}
    first, second = sorted(bases)[:2]

    def broken(change: dict[str, list[str]], objective: float | None = None) -> list[str]:
        plan = Plan(change, good.objective if objective is None else objective)
        return violations(plan, sites, PARAMS)

    assert any("units" in v for v in broken({b: c for b, c in bases.items() if b != first}))
    doubled = {**bases, second: bases[second] + bases[first][:1]}
    assert any("served from" in v for v in broken(doubled))
    far = next(s.code for s in sites if s.province != sites[0].province and s.code not in
               {c for cs in bases.values() for c in cs} and s.code not in bases)  # fmt: skip
    assert any("km from its base" in v or "communes" in v
               for v in broken({**bases, first: bases[first] + [far]}))  # fmt: skip
    without_pilot = {b: [c for c in cs if c != "P0C00"] for b, cs in bases.items()}
    assert any("pilot P0C00" in v for v in broken(without_pilot))
    assert any("objective" in v for v in broken(bases, objective=good.objective + 1000))
    tight = Parameters(**{**vars(PARAMS), "budget_mad": 1_000_000})
    assert any("budget" in v for v in violations(good, sites, tight))


@pytest.mark.django_db
def test_the_command_plans_on_the_real_communes(tmp_path: Path) -> None:
    out, shapes = tmp_path / "plan.json", tmp_path / "plan.geojson"
    call_command("plan_allocate", units=8, provinces=6, budget_mad=40_000_000, out=str(out),
                 time_limit=60, geojson=str(shapes), save="cli",
                 map=str(tmp_path / "plan.svg"))  # fmt: skip
    plan = json.loads(out.read_text())
    features = json.loads(shapes.read_text())["features"]
    assert sum(f["properties"]["layer"] == "base" for f in features) == 8
    svg = ElementTree.parse(tmp_path / "plan.svg").getroot()  # well-formed XML
    circles = svg.findall("{http://www.w3.org/2000/svg}circle")
    assert sum(c.get("class") == "unit" for c in circles) == 8
    assert len(svg.findall("{http://www.w3.org/2000/svg}path")) == 75
    saved = Scenario.objects.get(name="cli")
    assert (saved.covered_population, saved.adopted) == (plan["covered_population"], False)
    assert len(plan["units"]) == 8
    assert len({u["province"] for u in plan["units"]}) == 6
    served = {c for u in plan["units"] for c in u["communes"]}
    assert {"08.363.15.07", "09.541.01.11", "02.251.07.11"} <= served  # pilots
    assert plan["gap"] <= 0.01 and plan["objective"] >= plan["greedy"]["objective"]
    assert "Haut-Commissariat au Plan" in plan["source"]
