from __future__ import annotations

from collections import Counter

import pytest

from tbib.network.allocation import RuralCommune, place_units
from tbib.network.models import MobileUnit
from tbib.network.services import PILOT_UNITS


def _communes() -> list[RuralCommune]:
    return [
        RuralCommune("a1", "A", 1000, 5.0),
        RuralCommune("a2", "A", 3000, 2.0),
        RuralCommune("a3", "A", 9000, 0.2),
        RuralCommune("b1", "B", 500, 3.0),
        RuralCommune("c1", "C", 800, 0.1),
        RuralCommune("d1", "D", 700, 1.5),
    ]


def test_pilots_first_then_remote_provinces_then_largest_share() -> None:
    placements = place_units(communes=_communes(), pilot_commune_codes=["c1"], provinces=3, units=4)
    assert placements[0].home_commune_code == "c1" and placements[0].pilot
    # Remote populations: A 4,000 (a1, a2), B 500, D 700: pilot province C, then A and D.
    assert [p.province_code for p in placements] == ["C", "A", "D", "A"]
    # Within a province, remote communes first, the most populous first.
    assert [p.home_commune_code for p in placements if p.province_code == "A"] == ["a2", "a1"]


def test_units_fewer_than_provinces_is_refused() -> None:
    with pytest.raises(ValueError, match="^2 units cannot cover 3 provinces.$"):
        place_units(communes=_communes(), pilot_commune_codes=[], provinces=3, units=2)


@pytest.mark.django_db
def test_demo_network_has_50_units_over_40_provinces_with_the_pilots() -> None:
    units = MobileUnit.objects.select_related("home_commune")
    assert units.count() >= 50
    assert len({unit.province_id for unit in units}) == 40
    pilot_homes = {unit.home_commune_id for unit in units if unit.is_pilot}
    assert pilot_homes == {pilot.commune_code for pilot in PILOT_UNITS}
    assert max(Counter(unit.home_commune_id for unit in units).values()) == 1
    for unit in units:
        assert unit.regional_hub.region_id == unit.province.region_id
        assert unit.devices.count() == 7
