"""The JSON API (Django Ninja): routers of every app, and how errors read."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema

from tbib.access.choices import AuditAction, AuditOutcome
from tbib.access.scope import AccessContext, AccessDenied, RecordNotFound, audit
from tbib.accounts.api import router as accounts_router
from tbib.accounts.auth import API_AUTH
from tbib.accounts.models import User
from tbib.accounts.services import LoginError
from tbib.assist.api import router as assist_router
from tbib.clinical.api import reference_router
from tbib.clinical.api import router as encounters_router
from tbib.core.errors import Conflict
from tbib.core.openapi_links import add_links
from tbib.devices.api import router as devices_router
from tbib.geo.api import router as geo_router
from tbib.network.api import router as network_router
from tbib.patients.api import router as patients_router
from tbib.pharmacy.api import router as pharmacy_router
from tbib.teleexpertise.api import router as cases_router
from tbib.teleexpertise.api import uploads_router
from tbib.tours.api import router as tours_router

logger = logging.getLogger(__name__)

# API paths that read or write patient data: every call to them is audited.
PATIENT_DATA_PREFIXES = (
    "/api/patients",
    "/api/encounters",
    "/api/cases",
    "/api/uploads",
    "/api/devices",
)

_AUTH_REQUIRED = (
    "Authentication required: send 'Authorization: Bearer <token>' from POST /api/auth/token."
)


class TbibAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        add_links(schema)
        return schema


api = TbibAPI(
    title="Tbib API",
    version="1",
    description="The JSON API of the Tbib rural telemedicine network. Census figures: "
    "Haut-Commissariat au Plan (HCP), RGPH 2024, CC BY 4.0. Positions: © OpenStreetMap "
    "contributors, ODbL.",
    auth=API_AUTH,
    urls_namespace="api",
)
api.add_router("/", accounts_router)
api.add_router("/geo", geo_router)
api.add_router("/network", network_router)
api.add_router("/patients", patients_router)
api.add_router("/tours", tours_router)
api.add_router("/encounters", encounters_router)
api.add_router("/reference", reference_router)
api.add_router("/pharmacy", pharmacy_router)
api.add_router("/cases", cases_router)
api.add_router("/uploads", uploads_router)
api.add_router("/devices", devices_router)
api.add_router("/assist", assist_router)


def _error(request: HttpRequest, status: int, detail: object) -> HttpResponse:
    return api.create_response(request, {"detail": detail}, status=status)


@api.exception_handler(NinjaValidationError)
def _invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = []
    for error in exc.errors:
        location = ".".join(str(part) for part in error.get("loc", ()))
        errors.append({"field": location, "message": error.get("msg", "Invalid value.")})
    user = getattr(request, "auth", None)
    if isinstance(user, User) and request.path.startswith(PATIENT_DATA_PREFIXES):
        # A patient-data call refused before reaching the access layer is still one access
        # attempt: trace it like the others.
        audit(
            AccessContext.from_request(request, user),
            action=AuditAction.CREATE if request.method == "POST" else AuditAction.READ,
            resource_type="Patient",
            outcome=AuditOutcome.INVALID,
            detail="; ".join(f"{e['field']}: {e['message']}" for e in errors),
        )
    return _error(request, 422, errors)


@api.exception_handler(DjangoValidationError)
def _invalid_record(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        errors = [
            {"field": field, "message": " ".join(str(m) for m in messages)}
            for field, messages in exc.message_dict.items()
        ]
    else:
        errors = [{"field": "", "message": " ".join(exc.messages)}]
    return _error(request, 422, errors)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    message = str(exc)
    if not message or message == "Unauthorized":
        message = _AUTH_REQUIRED
    return _error(request, 401, message)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, str(exc))


@api.exception_handler(LoginError)
def _login_failed(request: HttpRequest, exc: LoginError) -> HttpResponse:
    return _error(request, exc.status, str(exc))


@api.exception_handler(AccessDenied)
def _denied(request: HttpRequest, exc: AccessDenied) -> HttpResponse:
    return _error(request, 403, str(exc))


@api.exception_handler(RecordNotFound)
def _not_found(request: HttpRequest, exc: RecordNotFound) -> HttpResponse:
    return _error(request, 404, str(exc))


@api.exception_handler(Conflict)
def _conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    return _error(request, 409, str(exc))
