"""The network registry: hubs, specialties, mobile units and health facilities."""

import uuid

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from tbib.core.pagination import BoundedLimitOffset
from tbib.core.schemas import ErrorOut
from tbib.network import selectors
from tbib.network.models import HealthFacility, Hub, MobileUnit, Specialty

router = Router(tags=["network"])


class SpecialtyOut(Schema):
    slug: str
    name: str

    @staticmethod
    def resolve_name(obj: Specialty) -> str:
        return str(obj.get_slug_display())


class HubOut(Schema):
    code: str
    name: str
    level: str
    region_code: str | None
    commune_code: str

    @staticmethod
    def resolve_region_code(obj: Hub) -> str | None:
        return obj.region_id

    @staticmethod
    def resolve_commune_code(obj: Hub) -> str:
        return obj.commune_id


class DeviceOut(Schema):
    kind: str
    manufacturer: str
    model: str
    serial: str


class TeamMemberOut(Schema):
    username: str
    full_name: str
    role: str


class UnitOut(Schema):
    id: uuid.UUID
    code: str
    name: str
    status: str
    is_pilot: bool
    province_code: str
    region_code: str
    regional_hub: str
    home_commune_code: str
    home_commune_name: str

    @staticmethod
    def resolve_province_code(obj: MobileUnit) -> str:
        return obj.province_id

    @staticmethod
    def resolve_region_code(obj: MobileUnit) -> str:
        return obj.province.region_id

    @staticmethod
    def resolve_regional_hub(obj: MobileUnit) -> str:
        return obj.regional_hub.code

    @staticmethod
    def resolve_home_commune_code(obj: MobileUnit) -> str:
        return obj.home_commune_id

    @staticmethod
    def resolve_home_commune_name(obj: MobileUnit) -> str:
        return obj.home_commune.name_fr


class UnitDetailOut(UnitOut):
    devices: list[DeviceOut]
    team: list[TeamMemberOut]

    @staticmethod
    def resolve_devices(obj: MobileUnit) -> list[DeviceOut]:
        return [DeviceOut.from_orm(device) for device in obj.devices.all()]

    @staticmethod
    def resolve_team(obj: MobileUnit) -> list[TeamMemberOut]:
        return [
            TeamMemberOut(username=m.username, full_name=m.get_full_name(), role=m.role)
            for m in obj.team.all()
        ]


class FacilityOut(Schema):
    id: uuid.UUID
    name: str
    kind: str
    osm_kind: str
    commune_code: str | None
    latitude: float | None
    longitude: float | None
    source: str
    osm_ref: str | None

    @staticmethod
    def resolve_commune_code(obj: HealthFacility) -> str | None:
        return obj.commune_id


class UnitFilters(Schema):
    region: str | None = None
    province: str | None = None


class FacilityFilters(Schema):
    commune: str | None = None
    province: str | None = None
    kind: str | None = None


@router.get("/specialties", response=list[SpecialtyOut])
def list_specialties(request: HttpRequest) -> QuerySet[Specialty]:
    return Specialty.objects.order_by("slug")


@router.get("/hubs", response=list[HubOut])
def list_hubs(request: HttpRequest) -> QuerySet[Hub]:
    return Hub.objects.order_by("level", "code")


@router.get("/units", response={200: list[UnitOut], 404: ErrorOut})
@paginate(BoundedLimitOffset)
def list_units(request: HttpRequest, filters: Query[UnitFilters]) -> QuerySet[MobileUnit]:
    try:
        return selectors.units(region=filters.region, province=filters.province)
    except selectors.UnknownCode as error:
        raise HttpError(404, str(error)) from error


@router.get("/units/{code}", response={200: UnitDetailOut, 404: ErrorOut})
def get_unit(request: HttpRequest, code: str) -> MobileUnit:
    try:
        return selectors.unit(code)
    except selectors.UnknownCode as error:
        raise HttpError(404, str(error)) from error


@router.get("/facilities", response={200: list[FacilityOut], 404: ErrorOut, 422: ErrorOut})
@paginate(BoundedLimitOffset)
def list_facilities(
    request: HttpRequest, filters: Query[FacilityFilters]
) -> QuerySet[HealthFacility]:
    try:
        return selectors.facilities(
            commune=filters.commune, province=filters.province, kind=filters.kind
        )
    except selectors.UnknownCode as error:
        raise HttpError(404, str(error)) from error
    except selectors.BadFilter as error:
        raise HttpError(422, str(error)) from error
