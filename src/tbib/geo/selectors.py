"""Reads of the reference geography (public reference data: no patient, no audit)."""

from __future__ import annotations

from django.db.models import QuerySet

from tbib.geo.models import Commune, Province, Region


class UnknownCode(Exception):
    """A code that names no division; the message names the code and its kind."""


def require_code(
    model: type[Region] | type[Province] | type[Commune], code: str, kind: str
) -> None:
    """Raise UnknownCode unless `code` names a division of this model."""
    if not model.objects.filter(code=code).exists():
        raise UnknownCode(f"Unknown {kind} code {code!r}.")


def provinces(*, region: str | None = None) -> QuerySet[Province]:
    queryset = Province.objects.select_related("region")
    if region is not None:
        require_code(Region, region, "region")
        queryset = queryset.filter(region_id=region)
    return queryset.order_by("code")


COMMUNE_ORDERINGS = {
    "code": ("code",),
    "name": ("name_fr", "code"),
    "-population": ("-population_2024", "code"),
    "population": ("population_2024", "code"),
    "-distance_to_paved_road": ("-distance_to_paved_road_km", "code"),
}


def communes(
    *,
    region: str | None = None,
    province: str | None = None,
    kind: str | None = None,
    order: str = "code",
) -> QuerySet[Commune]:
    queryset = Commune.objects.select_related("province", "region")
    if region is not None:
        require_code(Region, region, "region")
        queryset = queryset.filter(region_id=region)
    if province is not None:
        require_code(Province, province, "province")
        queryset = queryset.filter(province_id=province)
    if kind is not None:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by(*COMMUNE_ORDERINGS[order])


def commune(code: str) -> Commune:
    found = Commune.objects.select_related("province", "region", "cercle").filter(code=code).first()
    if found is None:
        raise UnknownCode(f"Unknown commune code {code!r}.")
    return found
