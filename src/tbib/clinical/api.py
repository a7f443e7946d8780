"""The encounter's API: the unit's day from triage to the signed, printed visit."""

import datetime
import uuid
from decimal import Decimal
from typing import Annotated

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field, StringConstraints

from tbib.access.scope import (
    AccessContext,
    chart_encounters,
    read_encounter,
    read_patient,
    waiting_list,
)
from tbib.accounts.models import User
from tbib.clinical import icd10
from tbib.clinical.choices import DocumentKind, ReferralUrgency, Triage
from tbib.clinical.models import Encounter, PrescriptionLine, Referral
from tbib.clinical.services import (
    correct_encounter,
    prescribe,
    record_referral_reached,
    refer,
    remove_diagnosis,
    sign_encounter,
    start_encounter,
    update_encounter,
    withdraw_prescription,
)
from tbib.core.schemas import ErrorOut

router = Router(tags=["encounters"])
reference_router = Router(tags=["reference"])

Code = Annotated[str, StringConstraints(min_length=1, max_length=10)]


def _ctx(request: HttpRequest) -> AccessContext:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return AccessContext.from_request(request, user)


class Vitals(Schema):
    """Measurements, each optional; units are fixed (clinical.codes)."""

    systolic_bp: Decimal | None = Field(default=None, description="mm[Hg], LOINC 8480-6")
    diastolic_bp: Decimal | None = Field(default=None, description="mm[Hg], LOINC 8462-4")
    heart_rate: Decimal | None = Field(default=None, description="/min, LOINC 8867-4")
    respiratory_rate: Decimal | None = Field(default=None, description="/min, LOINC 9279-1")
    temperature: Decimal | None = Field(default=None, description="Cel, LOINC 8310-5")
    spo2: Decimal | None = Field(default=None, description="%, LOINC 59408-5")
    weight: Decimal | None = Field(default=None, description="kg, LOINC 29463-7")
    height: Decimal | None = Field(default=None, description="cm, LOINC 8302-2")
    glucose: Decimal | None = Field(default=None, description="g/L capillary, LOINC 41653-7")
    muac: Decimal | None = Field(default=None, description="cm, LOINC 56072-2")
    gestational_age: Decimal | None = Field(default=None, description="wk, LOINC 18185-9")
    fundal_height: Decimal | None = Field(default=None, description="cm, LOINC 11881-0")


class EncounterIn(Schema):
    patient_id: uuid.UUID
    triage: Triage = Triage.STANDARD
    reason: str = Field(default="", max_length=300)
    vitals: Vitals = Field(default_factory=Vitals)
    diagnoses: list[Code] = Field(default_factory=list, max_length=20)


class EncounterPatch(Schema):
    triage: Triage | None = None
    reason: str | None = Field(default=None, max_length=300)
    history: str | None = Field(default=None, max_length=5000)
    examination: str | None = Field(default=None, max_length=5000)
    follow_up_date: datetime.date | None = None
    vitals: Vitals = Field(default_factory=Vitals)
    diagnoses: list[Code] = Field(default_factory=list, max_length=20)


class ObservationOut(Schema):
    key: str
    loinc: str
    value: Decimal
    unit: str
    source: str
    effective_at: datetime.datetime


class DiagnosisOut(Schema):
    code: str
    label: str
    is_primary: bool


class PrescriptionIn(Schema):
    medicine: str = Field(max_length=40)
    quantity: int = Field(ge=1, le=1000)
    dosage: str = Field(min_length=1, max_length=200)
    duration_days: int | None = Field(default=None, ge=1, le=365)


class PrescriptionOut(Schema):
    id: uuid.UUID
    medicine: str
    medicine_name: str
    quantity: int
    dosage: str
    duration_days: int | None
    carried_over: bool

    @staticmethod
    def resolve_medicine(obj: PrescriptionLine) -> str:
        return obj.medicine_id

    @staticmethod
    def resolve_medicine_name(obj: PrescriptionLine) -> str:
        return str(obj.medicine)


class ReferralIn(Schema):
    hub: str = Field(default="", max_length=40, description="Code of a hub hospital")
    facility_id: uuid.UUID | None = Field(default=None, description="Or a health facility")
    reason: str = Field(min_length=1, max_length=500)
    urgency: ReferralUrgency = ReferralUrgency.ROUTINE


class ReferralOut(Schema):
    id: uuid.UUID
    destination: str
    reason: str
    urgency: str
    seen_on: datetime.date | None = Field(
        description="When the patient was seen at the facility (the referral completed)"
    )

    @staticmethod
    def resolve_destination(obj: Referral) -> str:
        return obj.destination

    @staticmethod
    def resolve_seen_on(obj: Referral) -> datetime.date | None:
        # Two nodes apart may each have recorded it: the earliest date stands.
        return min((c.reached_on for c in obj.completions.all()), default=None)


class ReferralCompletionIn(Schema):
    seen_on: datetime.date = Field(description="The day the patient was seen at the facility")


class EncounterOut(Schema):
    id: uuid.UUID
    patient_id: uuid.UUID
    unit: str
    stop_id: uuid.UUID
    status: str
    triage: int
    arrived_at: datetime.datetime
    reason: str
    history: str
    examination: str
    follow_up_date: datetime.date | None
    version: int
    supersedes_id: uuid.UUID | None
    signed_at: datetime.datetime | None
    signed_by: str | None
    observations: list[ObservationOut]
    diagnoses: list[DiagnosisOut]
    prescriptions: list[PrescriptionOut]
    referrals: list[ReferralOut]

    @staticmethod
    def resolve_unit(obj: Encounter) -> str:
        return obj.unit.code

    @staticmethod
    def resolve_signed_by(obj: Encounter) -> str | None:
        return obj.signed_by.get_full_name() or obj.signed_by.username if obj.signed_by else None

    @staticmethod
    def resolve_observations(obj: Encounter) -> list[object]:
        return list(obj.observations.all())

    @staticmethod
    def resolve_diagnoses(obj: Encounter) -> list[object]:
        return list(obj.diagnoses.all())

    @staticmethod
    def resolve_prescriptions(obj: Encounter) -> list[object]:
        return list(obj.prescriptions.all())  # see _with_details

    @staticmethod
    def resolve_referrals(obj: Encounter) -> list[object]:
        return list(obj.referrals.all())


class EncounterFilters(Schema):
    patient: uuid.UUID | None = Field(default=None, description="A patient's chart")
    waiting_at: uuid.UUID | None = Field(default=None, description="A stop's waiting list")


_ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _with_details(encounters: QuerySet[Encounter]) -> QuerySet[Encounter]:
    """What EncounterOut shows, in a fixed number of queries: a chart under load made six
    queries per past encounter (issue 11)."""
    return encounters.select_related("unit", "signed_by").prefetch_related(
        "observations",
        "diagnoses",
        Prefetch("prescriptions", queryset=PrescriptionLine.objects.select_related("medicine")),
        Prefetch(
            "referrals",
            queryset=Referral.objects.select_related("hub", "facility").prefetch_related(
                "completions"
            ),
        ),
    )


def _vitals(vitals: Vitals) -> dict[str, object]:
    return {key: value for key, value in vitals.model_dump().items() if value is not None}


@router.get("", response={200: list[EncounterOut], 404: ErrorOut, 422: ErrorOut})
def list_encounters(request: HttpRequest, filters: Query[EncounterFilters]) -> QuerySet[Encounter]:
    """A patient's chart (`patient`) or a stop's waiting list in triage order (`waiting_at`)."""
    ctx = _ctx(request)
    if (filters.patient is None) == (filters.waiting_at is None):
        raise HttpError(422, "Give exactly one of 'patient' and 'waiting_at'.")
    if filters.patient is not None:
        return _with_details(chart_encounters(ctx, read_patient(ctx, filters.patient)))
    assert filters.waiting_at is not None
    return _with_details(waiting_list(ctx, filters.waiting_at))


@router.post(
    "", response={201: EncounterOut, **_ERRORS}, summary="Put a patient on the waiting list"
)
def create(request: HttpRequest, payload: EncounterIn) -> tuple[int, Encounter]:
    encounter = start_encounter(
        ctx=_ctx(request),
        patient_id=payload.patient_id,
        triage=payload.triage,
        reason=payload.reason,
        measurements=_vitals(payload.vitals),
        diagnoses=payload.diagnoses,
    )
    return 201, encounter


@router.get("/{uuid:encounter_id}", response={200: EncounterOut, 404: ErrorOut})
def get(request: HttpRequest, encounter_id: uuid.UUID) -> Encounter:
    return read_encounter(_ctx(request), encounter_id)


@router.patch("/{uuid:encounter_id}", response={200: EncounterOut, **_ERRORS})
def patch(request: HttpRequest, encounter_id: uuid.UUID, payload: EncounterPatch) -> Encounter:
    notes = payload.model_dump(
        include={"triage", "reason", "history", "examination", "follow_up_date"},
        exclude_unset=True,
    )
    return update_encounter(
        ctx=_ctx(request),
        encounter_id=encounter_id,
        notes=notes,
        measurements=_vitals(payload.vitals),
        diagnoses=payload.diagnoses,
    )


@router.delete("/{uuid:encounter_id}/diagnoses/{code}", response={204: None, **_ERRORS})
def delete_diagnosis(request: HttpRequest, encounter_id: uuid.UUID, code: str) -> tuple[int, None]:
    remove_diagnosis(ctx=_ctx(request), encounter_id=encounter_id, code=code)
    return 204, None


@router.post("/{uuid:encounter_id}/prescriptions", response={201: PrescriptionOut, **_ERRORS})
def add_prescription(
    request: HttpRequest, encounter_id: uuid.UUID, payload: PrescriptionIn
) -> tuple[int, PrescriptionLine]:
    line = prescribe(
        ctx=_ctx(request),
        encounter_id=encounter_id,
        medicine_code=payload.medicine,
        quantity=payload.quantity,
        dosage=payload.dosage,
        duration_days=payload.duration_days,
    )
    return 201, line


@router.delete("/{uuid:encounter_id}/prescriptions/{uuid:line_id}", response={204: None, **_ERRORS})
def delete_prescription(
    request: HttpRequest, encounter_id: uuid.UUID, line_id: uuid.UUID
) -> tuple[int, None]:
    withdraw_prescription(ctx=_ctx(request), encounter_id=encounter_id, line_id=line_id)
    return 204, None


@router.post("/{uuid:encounter_id}/referrals", response={201: ReferralOut, **_ERRORS})
def add_referral(
    request: HttpRequest, encounter_id: uuid.UUID, payload: ReferralIn
) -> tuple[int, Referral]:
    referral = refer(
        ctx=_ctx(request),
        encounter_id=encounter_id,
        reason=payload.reason,
        urgency=payload.urgency,
        hub_code=payload.hub,
        facility_id=payload.facility_id,
    )
    return 201, referral


@router.post(
    "/{uuid:encounter_id}/referrals/{uuid:referral_id}/completion",
    response={201: ReferralOut, **_ERRORS},
    summary="Record that the referred patient was seen at the facility (signed encounters)",
)
def complete_referral(
    request: HttpRequest,
    encounter_id: uuid.UUID,
    referral_id: uuid.UUID,
    payload: ReferralCompletionIn,
) -> tuple[int, Referral]:
    completion = record_referral_reached(
        ctx=_ctx(request),
        encounter_id=encounter_id,
        referral_id=referral_id,
        reached_on=payload.seen_on,
    )
    return 201, completion.referral


@router.post("/{uuid:encounter_id}/sign", response={200: EncounterOut, **_ERRORS})
def sign(request: HttpRequest, encounter_id: uuid.UUID) -> Encounter:
    return sign_encounter(ctx=_ctx(request), encounter_id=encounter_id)


@router.post(
    "/{uuid:encounter_id}/corrections",
    response={201: EncounterOut, **_ERRORS},
    summary="Start a correction of a signed encounter (a new version that will supersede it)",
)
def correct(request: HttpRequest, encounter_id: uuid.UUID) -> tuple[int, Encounter]:
    return 201, correct_encounter(ctx=_ctx(request), encounter_id=encounter_id)


class DocumentFilters(Schema):
    lang: str = Field(default="fr", pattern="^(fr|ar|en)$")


@router.get(
    "/{uuid:encounter_id}/documents/{kind}.pdf",
    response={200: None, **_ERRORS},
    summary="The prescription, referral letter or visit summary as PDF (fr, ar or en)",
)
def document(
    request: HttpRequest,
    encounter_id: uuid.UUID,
    kind: DocumentKind,
    filters: Query[DocumentFilters],
) -> HttpResponse:
    from tbib.clinical.documents import document_pdf

    number, pdf = document_pdf(
        ctx=_ctx(request), encounter_id=encounter_id, kind=kind, language=filters.lang
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{number}-{filters.lang}.pdf"'
    return response


class Icd10Out(Schema):
    code: str
    label: str
    language: str
    billable: bool


class Icd10Filters(Schema):
    q: str = Field(default="", max_length=80)
    lang: str = Field(default="fr", pattern="^(fr|ar|en)$")
    limit: int = Field(default=20, ge=1, le=50)


@reference_router.get("/icd10", response=list[Icd10Out], summary="Search ICD-10 as you type")
def search_icd10(request: HttpRequest, filters: Query[Icd10Filters]) -> list[icd10.Icd10Entry]:
    return icd10.search(filters.q, language=filters.lang, limit=filters.limit)
