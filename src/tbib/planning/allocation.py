"""Where the units go: bases and served communes, an exact MILP (HiGHS) beside a greedy
baseline, and an independent check of any plan. Pure (no Django).

Defaults, and why (ALLOCATION_DEFAULTS; every one can be set from the command line):
- A unit returns to each of its communes every two weeks (the programme's rhythm) and a rural
  commune spreads over several douars, so a visit takes 2 to 3 days: with 20 working days a
  month, a unit serves 4 communes (2 visits x 2.5 days x 4 = 20 days).
- A served commune lies within 50 km by road of the unit's base (great-circle x 1.4, as in
  planning.access): about an hour's drive each way on rural roads, so that a day at a stop
  keeps 6 hours of consultations.
- Units: 50 over exactly 40 provinces, each of them with at least one unit (phase 1).
- The six pilot communes must be served, and the pilot units keep their bases (fixed bases:
  units already on the road are not moved by a plan).
- Cost: 2.5 million MAD per equipped unit (vehicle, medical and connected devices) plus
  4 MAD per km driven (two visits a month, a round trip each, over a year); the plan's cost
  must stay within the budget (180 million MAD for phase 1).
- Each commune counts for its underserved population (planning.access): the objective is the
  underserved population the plan reaches.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tbib.planning.access import CIRCUITY, great_circle_km


@dataclass(frozen=True)
class Site:
    code: str
    province: str
    population: int
    underserved: int
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Parameters:
    units: int = 50
    provinces: int = 40
    communes_per_unit: int = 4
    radius_km: float = 50.0
    budget_mad: float = 180_000_000
    unit_cost_mad: float = 2_500_000
    cost_per_km_mad: float = 4.0
    visits_per_year: int = 24
    must_serve: tuple[str, ...] = ()
    fixed_bases: tuple[str, ...] = ()
    time_limit_s: float = 110.0
    target_gap: float = 0.005


@dataclass
class Plan:
    bases: dict[str, list[str]]  # base commune → served communes
    objective: float
    bound: float | None = None
    gap: float | None = None
    seconds: float = 0.0
    solver: str = ""
    extra: dict[str, object] = field(default_factory=dict)


def road_km(a: Site, b: Site) -> float:
    return great_circle_km(a.latitude, a.longitude, b.latitude, b.longitude) * CIRCUITY


def reachable(sites: Sequence[Site], radius_km: float) -> dict[str, list[tuple[str, float]]]:
    """For each site (as a base), the sites within the radius by road, with the distance."""
    cell = 0.5
    grid: dict[tuple[int, int], list[Site]] = defaultdict(list)
    for site in sites:
        grid[(math.floor(site.latitude / cell), math.floor(site.longitude / cell))].append(site)
    reach = math.ceil(radius_km / CIRCUITY / 50) + 1
    out: dict[str, list[tuple[str, float]]] = {}
    for base in sites:
        row, col = math.floor(base.latitude / cell), math.floor(base.longitude / cell)
        near = []
        for dr in range(-reach, reach + 1):
            for dc in range(-reach, reach + 1):
                for other in grid.get((row + dr, col + dc), []):
                    km = road_km(base, other)
                    if km <= radius_km:
                        near.append((other.code, km))
        out[base.code] = near
    return out


def _cost(p: Parameters, km: float) -> float:
    return 2 * km * p.visits_per_year * p.cost_per_km_mad


def yearly_km(plan: Plan, sites: Sequence[Site], p: Parameters) -> float:
    """Kilometres driven in a year: a round trip from the base per visit."""
    by_code = {s.code: s for s in sites}
    return sum(
        2 * road_km(by_code[base], by_code[code]) * p.visits_per_year
        for base, communes in plan.bases.items()
        for code in communes
    )


def cost_mad(plan: Plan, sites: Sequence[Site], p: Parameters) -> float:
    """Equipped units plus the kilometres of a year, as in the model's budget row."""
    return len(plan.bases) * p.unit_cost_mad + yearly_km(plan, sites, p) * p.cost_per_km_mad


def solve(
    sites: Sequence[Site],
    p: Parameters,
    log: Callable[[str], None] = print,
    start: Plan | None = None,
) -> Plan:
    """The exact model with HiGHS: maximise the underserved population reached.

    `start` (the greedy plan) is given to HiGHS as its first incumbent: a run stopped by the
    time limit is then never worse than the baseline, and the bound still proves the gap.
    """
    import highspy

    started = time.monotonic()
    by_code = {s.code: s for s in sites}
    reach = reachable(sites, p.radius_km)
    h = highspy.Highs()
    h.setOptionValue("output_flag", True)
    h.setOptionValue("log_to_console", True)
    h.setOptionValue("time_limit", p.time_limit_s)
    h.setOptionValue("mip_rel_gap", p.target_gap)
    inf = highspy.kHighsInf
    columns = 0

    def add(cost: float, lower: float = 0.0) -> int:
        nonlocal columns
        h.addCol(cost, lower, 1.0, 0, [], [])
        h.changeColIntegrality(columns, highspy.HighsVarType.kInteger)
        columns += 1
        return columns - 1

    base_var = {s.code: add(0.0, 1.0 if s.code in p.fixed_bases else 0.0) for s in sites}
    provinces = sorted({s.province for s in sites})
    province_var = {prov: add(0.0) for prov in provinces}
    pair_var: dict[tuple[str, str], int] = {}
    for base, near in reach.items():
        for code, _km in near:
            pair_var[(base, code)] = add(-float(by_code[code].underserved))  # maximise
    served_by: dict[str, list[int]] = defaultdict(list)
    for (_base, code), var in pair_var.items():
        served_by[code].append(var)

    def row(lower: float, upper: float, entries: list[tuple[int, float]]) -> None:
        h.addRow(lower, upper, len(entries), [i for i, _ in entries], [v for _, v in entries])

    # Exactly `units` units, at most one per base commune.
    row(p.units, p.units, [(v, 1.0) for v in base_var.values()])
    for base, near in reach.items():
        pairs = [pair_var[(base, code)] for code, _ in near]
        # A unit serves at most `communes_per_unit` communes, only from its own base.
        row(-inf, 0.0, [(v, 1.0) for v in pairs] + [(base_var[base], -p.communes_per_unit)])
        for v in pairs:
            row(-inf, 0.0, [(v, 1.0), (base_var[base], -1.0)])
    for code in by_code:
        # A commune is served by one unit at most; a pilot by exactly one.
        lower = 1.0 if code in p.must_serve else -inf
        row(lower, 1.0, [(v, 1.0) for v in served_by.get(code, [])])
    # Exactly `provinces` provinces, each with at least one unit.
    row(p.provinces, p.provinces, [(v, 1.0) for v in province_var.values()])
    in_province: dict[str, list[int]] = defaultdict(list)
    for site in sites:
        in_province[site.province].append(base_var[site.code])
    for prov, province_bases in in_province.items():
        for v in province_bases:
            row(-inf, 0.0, [(v, 1.0), (province_var[prov], -1.0)])
        row(0.0, inf, [(v, 1.0) for v in province_bases] + [(province_var[prov], -1.0)])
    # Budget.
    budget = [(v, p.unit_cost_mad) for v in base_var.values()]
    budget += [(var, _cost(p, km)) for base, near in reach.items() for code, km in near
               for var in [pair_var[(base, code)]]]  # fmt: skip
    row(-inf, p.budget_mad, budget)
    log(f"model: {columns} variables ({len(pair_var)} base-commune pairs), {h.getNumRow()} rows")
    if start is not None:
        chosen = {base_var[b] for b in start.bases} | {
            province_var[by_code[b].province] for b in start.bases
        }
        chosen |= {pair_var[(b, c)] for b, cs in start.bases.items() for c in cs}
        h.setSolution(columns, list(range(columns)),
                      [1.0 if i in chosen else 0.0 for i in range(columns)])  # fmt: skip
    h.run()
    info = h.getInfo()
    values = h.getSolution().col_value
    bases: dict[str, list[str]] = {}
    for code, var in base_var.items():
        if values[var] > 0.5:
            bases[code] = []
    for (base, code), var in pair_var.items():
        if values[var] > 0.5:
            bases[base].append(code)
    objective = -info.objective_function_value
    bound: float | None = -info.mip_dual_bound
    gap: float | None = None
    if bound is not None and math.isfinite(bound):
        gap = max((bound - objective) / bound if bound else 0.0, 0.0)
    else:
        # Stopped before HiGHS proved any bound (a very short time limit): no gap to claim,
        # and no infinity for JSON or PostgreSQL to refuse.
        bound = None
    return Plan(bases, objective, bound, gap, time.monotonic() - started, "HiGHS",
                {"status": h.modelStatusToString(h.getModelStatus())})  # fmt: skip


def greedy(sites: Sequence[Site], p: Parameters) -> Plan:
    """AccessMod's scale-up style: one unit at a time where it adds the most underserved
    population (its best `communes_per_unit` uncovered communes in reach), pilots first, the
    first `provinces` units in new provinces, the rest within them."""
    started = time.monotonic()
    by_code = {s.code: s for s in sites}
    reach = reachable(sites, p.radius_km)
    covered: set[str] = set()
    bases: dict[str, list[str]] = {}
    used_provinces: set[str] = set()

    def best_communes(base: str) -> list[str]:
        free = [c for c, _ in reach[base] if c not in covered]
        return sorted(free, key=lambda c: -by_code[c].underserved)[: p.communes_per_unit]

    for base in p.fixed_bases:
        if base in by_code and base not in bases:
            own = [c for c in p.must_serve if c in dict(reach[base]) and c not in covered]
            chosen = own + [c for c in best_communes(base) if c not in own]
            bases[base] = chosen[: p.communes_per_unit]
            covered.update(bases[base])
            used_provinces.add(by_code[base].province)
    for pilot in p.must_serve:
        if pilot in covered or pilot not in by_code:
            continue
        options = [b for b, near in reach.items() if b not in bases and pilot in dict(near)]
        base = max(options, key=lambda b: sum(by_code[c].underserved for c in best_communes(b)))
        chosen = [pilot] + [c for c in best_communes(base) if c != pilot][: p.communes_per_unit - 1]
        bases[base] = chosen
        covered.update(chosen)
        used_provinces.add(by_code[base].province)
    while len(bases) < p.units:
        new_province = len(used_provinces) < p.provinces
        candidates = [
            b for b in reach if b not in bases
            and ((by_code[b].province not in used_provinces) == new_province)
        ]  # fmt: skip
        if not candidates:
            break
        base = max(candidates, key=lambda b: sum(by_code[c].underserved for c in best_communes(b)))
        chosen = best_communes(base)
        bases[base] = chosen
        covered.update(chosen)
        used_provinces.add(by_code[base].province)
    objective = sum(by_code[c].underserved for c in covered)
    return Plan(bases, objective, seconds=time.monotonic() - started, solver="greedy",
                extra={"status": "heuristic"})  # fmt: skip


def violations(plan: Plan, sites: Sequence[Site], p: Parameters) -> list[str]:
    """Every constraint the plan breaks, checked from scratch (not trusting the solver)."""
    by_code = {s.code: s for s in sites}
    problems = []
    if len(plan.bases) != p.units:
        problems.append(f"{len(plan.bases)} units, not {p.units}")
    provinces = {by_code[b].province for b in plan.bases if b in by_code}
    if len(provinces) != p.provinces:
        problems.append(f"units in {len(provinces)} provinces, not {p.provinces}")
    seen: dict[str, str] = {}
    cost = 0.0
    for base, communes in plan.bases.items():
        if base not in by_code:
            problems.append(f"unknown base {base}")
            continue
        cost += p.unit_cost_mad
        if len(communes) > p.communes_per_unit:
            problems.append(f"{base} serves {len(communes)} communes")
        for code in communes:
            if code in seen:
                problems.append(f"{code} served from {seen[code]} and {base}")
            seen[code] = base
            km = road_km(by_code[base], by_code[code])
            if km > p.radius_km + 1e-6:
                problems.append(f"{code} is {km:.1f} km from its base {base}")
            cost += _cost(p, km)
    for pilot in p.must_serve:
        if pilot not in seen:
            problems.append(f"pilot {pilot} not served")
    for base in p.fixed_bases:
        if base not in plan.bases:
            problems.append(f"fixed base {base} not kept")
    if cost > p.budget_mad + 1e-6:
        problems.append(f"cost {cost:,.0f} MAD over the budget {p.budget_mad:,.0f}")
    reached = sum(by_code[c].underserved for c in seen)
    if abs(reached - plan.objective) > 0.5:
        problems.append(f"objective {plan.objective} but the plan reaches {reached}")
    return problems
