"""Reads of the network registry (no patient data, no audit)."""

from __future__ import annotations

from django.db.models import QuerySet

from tbib.geo.models import Commune, Province, Region
from tbib.geo.selectors import UnknownCode, require_code
from tbib.network.choices import FacilityKind
from tbib.network.models import HealthFacility, MobileUnit

__all__ = ["BadFilter", "UnknownCode", "facilities", "unit", "units"]


class BadFilter(Exception):
    """A filter value outside its coded list."""


def units(*, region: str | None = None, province: str | None = None) -> QuerySet[MobileUnit]:
    queryset = MobileUnit.objects.select_related(
        "province", "regional_hub", "home_commune"
    ).order_by("code")
    if region is not None:
        require_code(Region, region, "region")
        queryset = queryset.filter(province__region_id=region)
    if province is not None:
        require_code(Province, province, "province")
        queryset = queryset.filter(province_id=province)
    return queryset


def unit(code: str) -> MobileUnit:
    found = (
        MobileUnit.objects.select_related("province", "regional_hub", "home_commune")
        .prefetch_related("devices", "team")
        .filter(code=code)
        .first()
    )
    if found is None:
        raise UnknownCode(f"Unknown unit code {code!r}.")
    return found


def facilities(
    *, commune: str | None = None, province: str | None = None, kind: str | None = None
) -> QuerySet[HealthFacility]:
    queryset = HealthFacility.objects.order_by("name", "id")
    if commune is not None:
        require_code(Commune, commune, "commune")
        queryset = queryset.filter(commune_id=commune)
    if province is not None:
        require_code(Province, province, "province")
        queryset = queryset.filter(commune__province_id=province)
    if kind is not None:
        if kind not in FacilityKind.values:
            allowed = ", ".join(FacilityKind.values)
            raise BadFilter(f"Unknown facility kind {kind!r}; expected one of: {allowed}.")
        queryset = queryset.filter(kind=kind)
    return queryset
