"""The foundation's simple rule for placing the demo network's units (pure, no Django).

To be replaced by the planning module's optimiser. The rule:

1. The programme's pilot units come first, each based in its pilot commune.
2. A province's *remote rural population* is the 2024 population (HCP) of its rural communes
   whose households live, on average, 1 km or more from a paved road (HCP RGPH 2024,
   "distance moyenne à la route goudronnée"). 1 km is about the median over rural communes,
   so the rule keeps the more isolated half.
3. The K provinces with the largest remote rural population each get a unit (pilot provinces
   count among the K whatever their rank).
4. The remaining units, up to the target, go one at a time to the selected province with the
   largest remote population per unit already there (a D'Hondt-style share).
5. Each new unit is based in the province's rural commune with the largest population among
   those not yet a base, preferring remote communes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

REMOTE_DISTANCE_KM = 1.0


@dataclass(frozen=True)
class RuralCommune:
    code: str
    province_code: str
    population: int
    distance_to_paved_road_km: float | None

    @property
    def is_remote(self) -> bool:
        return (self.distance_to_paved_road_km or 0.0) >= REMOTE_DISTANCE_KM


@dataclass(frozen=True)
class Placement:
    """One unit of the network: the province it serves and its home-base commune."""

    province_code: str
    home_commune_code: str
    pilot: bool


def remote_population_by_province(communes: list[RuralCommune]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for commune in communes:
        if commune.is_remote:
            totals[commune.province_code] += commune.population
    return dict(totals)


def place_units(
    *,
    communes: list[RuralCommune],
    pilot_commune_codes: list[str],
    provinces: int,
    units: int,
) -> list[Placement]:
    """Place `units` units over exactly `provinces` provinces, pilots first (rule above)."""
    by_code = {commune.code: commune for commune in communes}
    remote = remote_population_by_province(communes)
    placements = [
        Placement(by_code[code].province_code, code, pilot=True) for code in pilot_commune_codes
    ]
    chosen = list(dict.fromkeys(placement.province_code for placement in placements))
    ranked = sorted(remote, key=lambda province: (-remote[province], province))
    for province in ranked:
        if len(chosen) >= provinces:
            break
        if province not in chosen:
            chosen.append(province)
    if len(chosen) < provinces:
        raise ValueError(f"Only {len(chosen)} provinces have remote rural communes.")
    if units < len(chosen):
        raise ValueError(f"{units} units cannot cover {len(chosen)} provinces.")

    bases = {placement.home_commune_code for placement in placements}
    count = defaultdict(int, dict.fromkeys(chosen, 0))
    for placement in placements:
        count[placement.province_code] += 1

    def next_base(province: str) -> str:
        candidates = [
            commune
            for commune in communes
            if commune.province_code == province and commune.code not in bases
        ]
        best = max(candidates, key=lambda c: (c.is_remote, c.population, c.code))
        bases.add(best.code)
        return best.code

    for province in chosen:
        if count[province] == 0:
            placements.append(Placement(province, next_base(province), pilot=False))
            count[province] += 1
    while len(placements) < units:
        province = max(chosen, key=lambda p: (remote.get(p, 0) / (count[p] + 1), p))
        placements.append(Placement(province, next_base(province), pilot=False))
        count[province] += 1
    return placements
