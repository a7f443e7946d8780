"""The tour calendar's API: a unit's stops, and opening and closing the day."""

import datetime
import uuid

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import Field

from tbib.accounts.models import User
from tbib.core.pagination import BoundedLimitOffset
from tbib.core.schemas import ErrorOut
from tbib.geo.selectors import UnknownCode, commune
from tbib.network.models import MobileUnit
from tbib.tours.models import Stop
from tbib.tours.selectors import visible_stops
from tbib.tours.services import close_stop, open_stop, plan_stop

router = Router(tags=["tours"])


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


class StopOut(Schema):
    id: uuid.UUID
    unit: str
    date: datetime.date
    commune_code: str
    commune_name: str
    village: str
    planned_start: datetime.time
    planned_end: datetime.time
    status: str
    opened_at: datetime.datetime | None
    closed_at: datetime.datetime | None

    @staticmethod
    def resolve_unit(obj: Stop) -> str:
        return obj.unit.code

    @staticmethod
    def resolve_commune_code(obj: Stop) -> str:
        return obj.commune_id

    @staticmethod
    def resolve_commune_name(obj: Stop) -> str:
        return obj.commune.name_fr


class StopFilters(Schema):
    unit: str = Field(default="", max_length=40)
    date_from: datetime.date | None = Field(default=None, alias="from")
    date_to: datetime.date | None = Field(default=None, alias="to")


class StopIn(Schema):
    unit: str = Field(max_length=40)
    date: datetime.date
    commune_code: str = Field(max_length=16)
    village: str = Field(default="", max_length=120)
    planned_start: datetime.time = datetime.time(9, 0)
    planned_end: datetime.time = datetime.time(16, 0)


@router.get("/stops", response={200: list[StopOut], 401: ErrorOut}, summary="Stops I may see")
@paginate(BoundedLimitOffset)
def list_stops(request: HttpRequest, filters: Query[StopFilters]) -> QuerySet[Stop]:
    stops = visible_stops(_user(request))
    if filters.unit:
        stops = stops.filter(unit__code=filters.unit)
    if filters.date_from:
        stops = stops.filter(date__gte=filters.date_from)
    if filters.date_to:
        stops = stops.filter(date__lte=filters.date_to)
    return stops


@router.post("/stops", response={201: StopOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def create_stop(request: HttpRequest, payload: StopIn) -> tuple[int, Stop]:
    unit = MobileUnit.objects.select_related("province").filter(code=payload.unit).first()
    if unit is None:
        raise HttpError(404, f"No mobile unit has the code {payload.unit!r}.")
    try:
        place = commune(payload.commune_code)
    except UnknownCode as error:
        raise HttpError(404, str(error)) from error
    stop = plan_stop(
        user=_user(request),
        unit=unit,
        date=payload.date,
        commune=place,
        village=payload.village,
        planned_start=payload.planned_start,
        planned_end=payload.planned_end,
    )
    return 201, stop


def _stop(request: HttpRequest, stop_id: uuid.UUID) -> Stop:
    stop = visible_stops(_user(request)).filter(pk=stop_id).first()
    if stop is None:
        raise HttpError(404, "No stop with this id in your scope.")
    return stop


@router.post(
    "/stops/{uuid:stop_id}/open",
    response={200: StopOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def open_(request: HttpRequest, stop_id: uuid.UUID) -> Stop:
    return open_stop(user=_user(request), stop=_stop(request, stop_id))


@router.post(
    "/stops/{uuid:stop_id}/close",
    response={200: StopOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def close(request: HttpRequest, stop_id: uuid.UUID) -> Stop:
    return close_stop(user=_user(request), stop=_stop(request, stop_id))
