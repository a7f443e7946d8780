"""The patient registry's API: every call passes the scoped-access layer and is audited once."""

import datetime
import uuid

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import Field

from tbib.access.scope import (
    AccessContext,
    lookup_patient_by_cin,
    match_patients,
    read_patient,
    search_patients,
)
from tbib.accounts.models import User
from tbib.core.pagination import BoundedLimitOffset
from tbib.core.schemas import ErrorOut
from tbib.geo.selectors import UnknownCode, commune
from tbib.patients.choices import GuardianRelationship, PregnancyStatus, Sex
from tbib.patients.matching import DEFAULT_THRESHOLD, PatientFacts
from tbib.patients.models import Patient, PatientMerge
from tbib.patients.services import merge_patients, register_patient, undo_merge

router = Router(tags=["patients"])


def _ctx(request: HttpRequest) -> AccessContext:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return AccessContext.from_request(request, user)


class PatientOut(Schema):
    id: uuid.UUID
    unit: str
    given_name: str
    family_name: str
    given_name_ar: str
    family_name_ar: str
    sex: str
    birth_date: datetime.date | None
    cin: str | None
    phone: str
    amo_number: str
    commune_code: str | None
    village: str
    birth_date_is_estimated: bool
    guardian_id: uuid.UUID | None
    guardian_relationship: str
    pregnancy_status: str
    merged_into_id: uuid.UUID | None

    @staticmethod
    def resolve_unit(obj: Patient) -> str:
        return obj.unit.code

    @staticmethod
    def resolve_commune_code(obj: Patient) -> str | None:
        return obj.commune_id


class PatientIn(Schema):
    given_name: str = Field(min_length=1, max_length=80)
    family_name: str = Field(min_length=1, max_length=80)
    given_name_ar: str = Field(default="", max_length=80)
    family_name_ar: str = Field(default="", max_length=80)
    sex: Sex
    birth_date: datetime.date | None = None
    cin: str | None = Field(default=None, pattern=r"^[A-Za-z]{1,2}\d{1,6}$")
    phone: str = Field(default="", max_length=24)
    amo_number: str = Field(default="", max_length=20)
    commune_code: str | None = None
    village: str = Field(default="", max_length=120)
    age_years: int | None = Field(
        default=None, ge=0, le=120, description="Stated age when the birth date is unknown."
    )
    guardian_id: uuid.UUID | None = None
    guardian_relationship: GuardianRelationship | None = None
    pregnancy_status: PregnancyStatus = PregnancyStatus.UNKNOWN


class SearchFilters(Schema):
    q: str = Field(default="", max_length=100)


class LookupFilters(Schema):
    cin: str = Field(pattern=r"^[A-Za-z]{1,2}\d{1,6}$")


@router.get("", response={200: list[PatientOut], 401: ErrorOut}, summary="Search my patients")
@paginate(BoundedLimitOffset)
def list_patients(request: HttpRequest, filters: Query[SearchFilters]) -> QuerySet[Patient]:
    return search_patients(_ctx(request), query=filters.q)


@router.post("", response={201: PatientOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def create_patient(request: HttpRequest, payload: PatientIn) -> tuple[int, Patient]:
    try:
        place = commune(payload.commune_code) if payload.commune_code else None
    except UnknownCode as error:
        raise HttpError(404, str(error)) from error
    patient = register_patient(
        ctx=_ctx(request),
        given_name=payload.given_name,
        family_name=payload.family_name,
        given_name_ar=payload.given_name_ar,
        family_name_ar=payload.family_name_ar,
        sex=payload.sex,
        birth_date=payload.birth_date,
        cin=payload.cin,
        phone=payload.phone,
        amo_number=payload.amo_number,
        commune=place,
        village=payload.village,
        age_years=payload.age_years,
        guardian_id=payload.guardian_id,
        guardian_relationship=payload.guardian_relationship or "",
        pregnancy_status=payload.pregnancy_status,
    )
    return 201, patient


class MatchIn(Schema):
    given_name: str = Field(default="", max_length=80)
    family_name: str = Field(default="", max_length=80)
    given_name_ar: str = Field(default="", max_length=80)
    family_name_ar: str = Field(default="", max_length=80)
    sex: Sex | None = None
    birth_date: datetime.date | None = None
    commune_code: str = Field(default="", max_length=16)
    cin: str = Field(default="", max_length=10)
    threshold: float = Field(default=DEFAULT_THRESHOLD, ge=0.5, le=1.0)


class CandidateOut(Schema):
    patient: PatientOut
    score: float
    reasons: list[str]


@router.post(
    "/match",
    response={200: list[CandidateOut], 422: ErrorOut},
    summary="Likely duplicates of these demographics among my patients, ranked, with reasons",
)
def match(request: HttpRequest, payload: MatchIn) -> list[dict[str, object]]:
    facts = PatientFacts(
        id="",
        given_name=payload.given_name,
        family_name=payload.family_name,
        given_name_ar=payload.given_name_ar,
        family_name_ar=payload.family_name_ar,
        sex=payload.sex or "",
        birth_date=payload.birth_date,
        commune=payload.commune_code,
        cin=payload.cin,
    )
    if not facts.name_keys():
        raise HttpError(422, "Give at least a name, in Latin or Arabic script.")
    found = match_patients(_ctx(request), facts, threshold=payload.threshold)
    return [
        {"patient": patient, "score": result.score, "reasons": list(result.reasons)}
        for patient, result in found
    ]


@router.get(
    "/lookup",
    response={200: PatientOut, 403: ErrorOut, 404: ErrorOut},
    summary="Find a patient of any unit by exact CIN (audited as a lookup)",
)
def lookup_patient(request: HttpRequest, filters: Query[LookupFilters]) -> Patient:
    return lookup_patient_by_cin(_ctx(request), filters.cin)


@router.get("/{uuid:patient_id}", response={200: PatientOut, 404: ErrorOut})
def get_patient(request: HttpRequest, patient_id: uuid.UUID) -> Patient:
    return read_patient(_ctx(request), patient_id)


class MergeIn(Schema):
    survivor_id: uuid.UUID = Field(description="The record to keep.")
    duplicate_id: uuid.UUID = Field(description="The record found to be the same person.")
    reason: str = Field(default="", max_length=300)


class MergeOut(Schema):
    id: uuid.UUID
    survivor_id: uuid.UUID
    duplicate_id: uuid.UUID
    reason: str
    created_at: datetime.datetime
    undone_at: datetime.datetime | None


@router.post(
    "/merges",
    response={201: MergeOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Declare two records the same person (audited; both histories kept; undoable)",
)
def create_merge(request: HttpRequest, payload: MergeIn) -> tuple[int, PatientMerge]:
    merge = merge_patients(
        ctx=_ctx(request),
        survivor_id=payload.survivor_id,
        duplicate_id=payload.duplicate_id,
        reason=payload.reason,
    )
    return 201, merge


@router.post(
    "/merges/{uuid:merge_id}/undo",
    response={200: MergeOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Undo a merge: both records are separate again, exactly as before",
)
def undo(request: HttpRequest, merge_id: uuid.UUID) -> PatientMerge:
    return undo_merge(ctx=_ctx(request), merge_id=merge_id)
