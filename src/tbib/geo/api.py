"""Reference geography: regions, provinces and communes with HCP census figures."""

from typing import Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from tbib.core.pagination import BoundedLimitOffset
from tbib.core.schemas import ErrorOut
from tbib.geo import selectors
from tbib.geo.models import Commune, Province, Region

router = Router(tags=["geography"])

HCP_CREDIT = "Population: Haut-Commissariat au Plan (HCP), RGPH 2024, CC BY 4.0."


class RegionOut(Schema):
    code: str
    name_fr: str
    name_ar: str
    population_2024: int
    households_2024: int


class ProvinceOut(RegionOut):
    kind: str
    region_code: str

    @staticmethod
    def resolve_region_code(obj: Province) -> str:
        return obj.region_id


class CommuneOut(RegionOut):
    kind: str
    region_code: str
    province_code: str
    cercle_code: str | None
    population_2014: int | None
    households_2014: int | None
    distance_to_paved_road_km: float | None
    running_water_pct: float | None
    electricity_pct: float | None
    illiteracy_pct: float | None
    latitude: float | None
    longitude: float | None

    @staticmethod
    def resolve_region_code(obj: Commune) -> str:
        return obj.region_id

    @staticmethod
    def resolve_province_code(obj: Commune) -> str:
        return obj.province_id

    @staticmethod
    def resolve_cercle_code(obj: Commune) -> str | None:
        return obj.cercle_id


class ProvinceFilters(Schema):
    region: str | None = None


class CommuneFilters(Schema):
    region: str | None = None
    province: str | None = None
    kind: Literal["rural", "urban"] | None = None
    order: Literal["code", "name", "population", "-population", "-distance_to_paved_road"] = "code"


def _unknown(error: selectors.UnknownCode) -> HttpError:
    return HttpError(404, str(error))


@router.get("/regions", response=list[RegionOut], summary=f"Regions. {HCP_CREDIT}")
def list_regions(request: HttpRequest) -> QuerySet[Region]:
    return Region.objects.order_by("code")


@router.get("/provinces", response={200: list[ProvinceOut], 404: ErrorOut}, summary=HCP_CREDIT)
@paginate(BoundedLimitOffset)
def list_provinces(request: HttpRequest, filters: Query[ProvinceFilters]) -> QuerySet[Province]:
    try:
        return selectors.provinces(region=filters.region)
    except selectors.UnknownCode as error:
        raise _unknown(error) from error


@router.get("/communes", response={200: list[CommuneOut], 404: ErrorOut}, summary=HCP_CREDIT)
@paginate(BoundedLimitOffset)
def list_communes(request: HttpRequest, filters: Query[CommuneFilters]) -> QuerySet[Commune]:
    try:
        return selectors.communes(
            region=filters.region, province=filters.province, kind=filters.kind, order=filters.order
        )
    except selectors.UnknownCode as error:
        raise _unknown(error) from error


@router.get("/communes/{code}", response={200: CommuneOut, 404: ErrorOut}, summary=HCP_CREDIT)
def get_commune(request: HttpRequest, code: str) -> Commune:
    try:
        return selectors.commune(code)
    except selectors.UnknownCode as error:
        raise _unknown(error) from error
