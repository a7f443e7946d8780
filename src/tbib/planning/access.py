"""Access to care per rural commune, and a documented medical-desert index. Pure.

Inputs per commune: its 2024 population (HCP, RGPH 2024), its households' average distance to
a paved road (HCP census, complete for rural communes) and the distance to the nearest mapped
health facility giving primary care (OpenStreetMap: partial, it knows only a fraction of the
rural health centres).

Distances to facilities are great-circle distances times a road circuity factor of 1.4: rural
and mountain roads run 30 to 50 % longer than the straight line (Ballou, Rahardja and Sakai,
"Selected country circuity factors for road travel distance estimation", Transportation
Research A 36, 2002, report country factors of about 1.1 to 1.5; mountains sit at the high
end). No road network is used.

The index, 0 (good access) to 100 (medical desert), leans on the census and lets the map only
lower it:

    R = min(households' distance to a paved road / 6 km, 1)     census, complete
    P = max(0, 1 - facility road distance / 30 km)             a facility mapped nearby
    index = 100 x R x (1 - 0.5 P)

A primary-care facility mapped close by is evidence of access and halves the index at most;
the map's silence is not evidence of absence (OpenStreetMap knows a fraction of rural health
centres), so a commune with no mapped facility keeps its census figure. Thresholds (choices,
stated so that a planner can argue with them): 6 km is about the 97th percentile of Morocco's
rural communes (median 1.2 km, 95th percentile 5.1 km; `tbib plan access` prints them), so the
scale spreads over real values; 30 km by road, about an hour on rural roads, is taken as no
practical access to a facility. A commune's underserved population is its population times the
index / 100; communes rank by it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from tbib.geo.distance import great_circle_km

CIRCUITY = 1.4
ROAD_SATURATION_KM = 6.0
FACILITY_REACH_KM = 30.0
FACILITY_RELIEF = 0.5
BOTH = "census road distance, lowered by a facility mapped within 30 km"
CENSUS_ONLY = "census road distance (no facility mapped within 30 km: the map is incomplete)"


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class CommuneFacts:
    code: str
    name: str
    province: str
    region: str
    population: int
    road_km: float | None
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class Access:
    commune: CommuneFacts
    facility: str  # nearest mapped facility's name, or ""
    facility_road_km: float | None
    index: float | None
    basis: str

    @property
    def underserved(self) -> int:
        return round(self.commune.population * (self.index or 0) / 100)


def desert_index(road_km: float | None, facility_road_km: float | None) -> tuple[float | None, str]:
    if road_km is None:
        return None, "no census figure"
    census = min(road_km / ROAD_SATURATION_KM, 1.0)
    proximity = 0.0
    if facility_road_km is not None:
        proximity = max(0.0, 1 - facility_road_km / FACILITY_REACH_KM)
    index = round(100 * census * (1 - FACILITY_RELIEF * proximity), 1)
    return index, BOTH if proximity > 0 else CENSUS_ONLY


class _Grid:
    """Facilities in 0.5° cells, so that each commune looks only at its neighbourhood."""

    CELL = 0.5

    def __init__(self, places: Iterable[Place]) -> None:
        self.cells: dict[tuple[int, int], list[Place]] = defaultdict(list)
        for place in places:
            self.cells[self._cell(place.latitude, place.longitude)].append(place)

    def _cell(self, lat: float, lon: float) -> tuple[int, int]:
        return math.floor(lat / self.CELL), math.floor(lon / self.CELL)

    def nearest(self, lat: float, lon: float) -> tuple[Place, float] | None:
        row, col = self._cell(lat, lon)
        best: tuple[Place, float] | None = None
        # 50 km by road is at most ~36 km straight: two cells (~55 km) around are enough.
        for dr in range(-2, 3):
            for dc in range(-2, 3):
                for place in self.cells.get((row + dr, col + dc), []):
                    km = great_circle_km(lat, lon, place.latitude, place.longitude)
                    if best is None or km < best[1]:
                        best = (place, km)
        return best


def analyse(communes: Iterable[CommuneFacts], facilities: Iterable[Place]) -> list[Access]:
    """Every commune's access, most underserved population first."""
    grid = _Grid(facilities)
    results = []
    for commune in communes:
        found = None
        if commune.latitude is not None and commune.longitude is not None:
            found = grid.nearest(commune.latitude, commune.longitude)
        road_km = round(found[1] * CIRCUITY, 1) if found else None
        index, basis = desert_index(commune.road_km, road_km)
        results.append(Access(commune, found[0].name if found else "", road_km, index, basis))
    return sorted(results, key=lambda a: (-a.underserved, a.commune.code))
