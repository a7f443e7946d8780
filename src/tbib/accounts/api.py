"""Authentication and the caller's own identity."""

import datetime
import uuid

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from tbib.accounts.models import User
from tbib.accounts.services import issue_token
from tbib.core.schemas import ErrorOut

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=256)
    otp: str | None = Field(default=None, max_length=12, description="TOTP code, where required")


class TokenOut(Schema):
    access_token: str
    token_type: str = "Bearer"
    expires_at: datetime.datetime


class PlaceOut(Schema):
    level: str
    unit: str | None
    region: str | None


class MeOut(Schema):
    id: uuid.UUID
    username: str
    full_name: str
    role: str
    specialty: str | None
    language: str
    place: PlaceOut


@router.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Exchange username and password (and TOTP where required) for a bearer token",
)
def create_token(request: HttpRequest, payload: TokenIn) -> TokenOut:
    issued = issue_token(
        request, username=payload.username, password=payload.password, otp=payload.otp
    )
    return TokenOut(access_token=issued.token, expires_at=issued.expires_at)


@router.get("/me", response={200: MeOut, 401: ErrorOut}, summary="Who I am and where")
def me(request: HttpRequest) -> MeOut:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return MeOut(
        id=user.id,
        username=user.username,
        full_name=user.get_full_name(),
        role=user.role,
        specialty=user.specialty_id,
        language=user.language,
        place=PlaceOut(
            level=user.place_level,
            unit=user.unit.code if user.unit else None,
            region=user.region_id or (user.unit.province.region_id if user.unit else None),
        ),
    )
