"""The planning module's inputs, read from the reference geography and the facility layer."""

from __future__ import annotations

from django.db.models import Q

from tbib.geo.choices import CommuneKind
from tbib.geo.models import Commune
from tbib.network.choices import FacilityKind
from tbib.network.models import HealthFacility
from tbib.planning.access import Access, CommuneFacts, Place, analyse
from tbib.planning.allocation import Site

PRIMARY_CARE = [
    FacilityKind.UNIVERSITY_HOSPITAL,
    FacilityKind.REGIONAL_HOSPITAL,
    FacilityKind.PROVINCIAL_HOSPITAL,
    FacilityKind.HOSPITAL,
    FacilityKind.HEALTH_CENTRE,
    FacilityKind.DISPENSARY,
]
CREDIT = (
    "Population and road distances: Haut-Commissariat au Plan (HCP), RGPH 2024, CC BY 4.0; "
    "facilities and positions: © OpenStreetMap contributors, ODbL"
)


def pilot_codes() -> list[str]:
    from tbib.network.services import PILOT_UNITS

    return [pilot.commune_code for pilot in PILOT_UNITS]


def communes() -> list[CommuneFacts]:
    """Rural communes, and the pilot communes (Taliouine is an urban commune serving a rural
    area)."""
    query = Commune.objects.filter(Q(kind=CommuneKind.RURAL) | Q(code__in=pilot_codes()))
    return [
        CommuneFacts(c.code, c.name_fr, c.province.name_fr, c.region.name_fr, c.population_2024,
                     c.distance_to_paved_road_km, c.latitude, c.longitude)
        for c in query.select_related("province", "region").order_by("code")
    ]  # fmt: skip


def facilities() -> list[Place]:
    found = HealthFacility.objects.filter(
        kind__in=PRIMARY_CARE, latitude__isnull=False, longitude__isnull=False
    )
    return [
        Place(str(f.pk), f.name, f.latitude, f.longitude)
        for f in found
        if f.latitude is not None and f.longitude is not None
    ]


def access() -> list[Access]:
    return analyse(communes(), facilities())


def sites(ranked: list[Access]) -> list[Site]:
    """Allocation sites: communes with a position, weighted by their underserved population."""
    province_of = dict(Commune.objects.values_list("code", "province_id"))
    return [
        Site(a.commune.code, province_of[a.commune.code], a.commune.population, a.underserved,
             a.commune.latitude, a.commune.longitude)
        for a in ranked
        if a.commune.latitude is not None and a.commune.longitude is not None
    ]  # fmt: skip


def served_by_base() -> dict[str, list[str]]:
    """The adopted scenario's plan: each base commune's served communes (empty if none)."""
    from tbib.planning.models import Scenario

    adopted = Scenario.objects.filter(adopted=True).only("document").first()
    if adopted is None or not adopted.document:
        return {}
    return {unit["base"]: list(unit["communes"]) for unit in adopted.document["units"]}
