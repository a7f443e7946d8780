"""The medical-desert index and `tbib plan access` on the real rural communes."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import call_command

from tbib.planning.access import CommuneFacts, Place, analyse, desert_index


def test_the_census_decides_and_a_mapped_facility_can_only_lower_the_index() -> None:
    assert desert_index(0.0, None) == (0.0, desert_index(0.0, None)[1])
    assert desert_index(6.0, None)[0] == 100.0  # saturates at 6 km from a paved road
    assert desert_index(12.0, None)[0] == 100.0
    assert desert_index(3.0, None)[0] == 50.0
    # A facility next door halves it; one 15 km away by road relieves a quarter; 30 km nothing.
    assert desert_index(3.0, 0.0)[0] == 25.0
    assert desert_index(3.0, 15.0)[0] == 37.5
    assert desert_index(3.0, 30.0)[0] == 50.0
    assert desert_index(3.0, 80.0)[0] == 50.0  # the map's silence never raises it
    assert desert_index(None, 5.0) == (None, "no census figure")


def test_ranking_by_underserved_population_uses_road_distances() -> None:
    near = Place("f1", "CSR Tounfite", 32.47, -5.24)
    communes = [
        CommuneFacts("A", "Imilchil", "Midelt", "Drâa-Tafilalet", 14000, 6.0, 32.15, -5.63),
        CommuneFacts("B", "Tounfite", "Midelt", "Drâa-Tafilalet", 20000, 2.0, 32.47, -5.24),
        CommuneFacts("C", "No position", "Midelt", "Drâa-Tafilalet", 5000, 6.0, None, None),
    ]
    ranked = analyse(communes, [near])
    assert [a.commune.code for a in ranked] == ["A", "C", "B"]
    imilchil = ranked[0]
    # ~51 km straight to Tounfite, x 1.4 by road: beyond reach, census only.
    assert imilchil.facility_road_km == pytest.approx(71.5, abs=0.1)
    assert imilchil.index == 100.0 and imilchil.underserved == 14000
    assert ranked[2].facility_road_km == 0.0 and ranked[2].index == pytest.approx(16.7, abs=0.1)


@pytest.mark.django_db
def test_the_command_ranks_the_real_rural_communes(tmp_path: Path) -> None:
    out = tmp_path / "access.csv"
    call_command("plan_access", out=str(out))
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header, body, credit = rows[0], rows[1:-1], rows[-1]
    assert header[:3] == ["rank", "commune_code", "commune"]
    assert len(body) > 1200  # Morocco's rural communes (HCP 2024)
    underserved = [int(row[10]) for row in body]
    assert underserved == sorted(underserved, reverse=True)
    assert "Haut-Commissariat au Plan" in credit[0] and "RGPH 2024" in credit[0]
