"""The tele-expertise API: cases, their transitions, resumable attachment uploads."""

import datetime
import uuid
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from tbib.access.choices import AuditAction, AuditOutcome
from tbib.access.scope import AccessContext, audit, case_queue, read_case
from tbib.accounts.models import User
from tbib.core.schemas import ErrorOut
from tbib.teleexpertise import storage
from tbib.teleexpertise.choices import AttachmentKind, CaseStatus, Urgency
from tbib.teleexpertise.models import Answer, Attachment, Case, Upload
from tbib.teleexpertise.services import (
    OffsetMismatch,
    UploadRefused,
    answer_case,
    append_chunk,
    assign_case,
    cancel_case,
    claim_case,
    close_case,
    open_case,
    provide_information,
    release_case,
    request_information,
    start_upload,
    submit_case,
)

router = Router(tags=["tele-expertise"])
uploads_router = Router(tags=["tele-expertise"])

_ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _ctx(request: HttpRequest) -> AccessContext:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return AccessContext.from_request(request, user)


class VitalOut(Schema):
    key: str
    loinc: str
    display: str
    value: str
    unit: str


class PrescriptionLineIn(Schema):
    medicine: str = Field(max_length=40)
    quantity: int = Field(ge=1, le=1000)
    dosage: str = Field(min_length=1, max_length=200)


class AnswerOut(Schema):
    id: uuid.UUID
    created_at: datetime.datetime
    author: str
    is_request_for_information: bool
    advice: str
    diagnoses: list[str]
    prescriptions: list[PrescriptionLineIn]
    referral: str
    live_session_at: datetime.datetime | None
    acknowledged_at: datetime.datetime | None

    @staticmethod
    def resolve_author(obj: Answer) -> str:
        return obj.author.get_full_name() or obj.author.username


class AttachmentOut(Schema):
    sha256: str
    kind: str
    content_type: str
    size: int
    filename: str


class CaseOut(Schema):
    id: uuid.UUID
    encounter_id: uuid.UUID
    patient_id: uuid.UUID
    unit: str
    specialty: str
    question: str
    urgency: str
    status: str
    consent_at: datetime.datetime | None
    vitals: list[VitalOut]
    queued_at: datetime.datetime | None
    sla_due_at: datetime.datetime | None
    claimed_by: str | None
    escalation_level: int
    answers: list[AnswerOut]
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_unit(obj: Case) -> str:
        return obj.unit.code

    @staticmethod
    def resolve_specialty(obj: Case) -> str:
        return obj.specialty_id

    @staticmethod
    def resolve_claimed_by(obj: Case) -> str | None:
        return obj.claimed_by.username if obj.claimed_by else None

    @staticmethod
    def resolve_answers(obj: Case) -> list[Any]:
        return list(obj.answers.all())  # prefetched with their authors by the queue

    @staticmethod
    def resolve_attachments(obj: Case) -> list[Any]:
        return list(obj.attachments.all())


class CaseIn(Schema):
    encounter_id: uuid.UUID
    specialty: str = Field(max_length=32)
    question: str = Field(min_length=1, max_length=4000)
    urgency: Urgency = Urgency.ROUTINE
    consent: bool = Field(description="The patient agreed to tele-expertise.")


class QueueFilters(Schema):
    status: list[CaseStatus] = Field(default_factory=list)
    escalated: bool = Field(default=False, description="Only cases past their SLA (escalated)")


class SubmitIn(Schema):
    consent: bool = False


class AssignIn(Schema):
    specialist: str = Field(max_length=150, description="Username of a specialist")


class AnswerIn(Schema):
    advice: str = Field(min_length=1, max_length=8000)
    diagnoses: list[str] = Field(default_factory=list, max_length=10)
    prescriptions: list[PrescriptionLineIn] = Field(default_factory=list, max_length=20)
    referral: str = Field(default="", max_length=500)
    live_session_at: datetime.datetime | None = Field(
        default=None, description="Plan a live session with the unit at this time"
    )


class TextIn(Schema):
    text: str = Field(min_length=1, max_length=4000)


@router.get("", response={200: list[CaseOut]}, summary="My queue: most urgent, then oldest")
def queue(request: HttpRequest, filters: Query[QueueFilters]) -> list[Case]:
    statuses = tuple(str(s) for s in filters.status)
    cases = case_queue(_ctx(request), statuses=statuses)
    if filters.escalated:
        cases = cases.filter(escalation_level__gt=0)
    # Four queries per case otherwise: 200 cases took a second under load (issue 11).
    cases = cases.select_related("unit", "claimed_by").prefetch_related(
        Prefetch("answers", queryset=Answer.objects.select_related("author")), "attachments"
    )
    return list(cases[:200])


@router.post("", response={201: CaseOut, **_ERRORS}, summary="Draft a case from an encounter")
def create(request: HttpRequest, payload: CaseIn) -> tuple[int, Case]:
    case = open_case(
        ctx=_ctx(request),
        encounter_id=payload.encounter_id,
        specialty=payload.specialty,
        question=payload.question,
        urgency=payload.urgency,
        consent=payload.consent,
    )
    return 201, case


@router.get("/{uuid:case_id}", response={200: CaseOut, 404: ErrorOut})
def get(request: HttpRequest, case_id: uuid.UUID) -> Case:
    return read_case(_ctx(request), case_id)


@router.post("/{uuid:case_id}/submit", response={200: CaseOut, **_ERRORS})
def submit(request: HttpRequest, case_id: uuid.UUID, payload: SubmitIn) -> Case:
    return submit_case(ctx=_ctx(request), case_id=case_id, consent=payload.consent)


@router.post("/{uuid:case_id}/claim", response={200: CaseOut, **_ERRORS})
def claim(request: HttpRequest, case_id: uuid.UUID) -> Case:
    return claim_case(ctx=_ctx(request), case_id=case_id)


@router.post("/{uuid:case_id}/assign", response={200: CaseOut, **_ERRORS})
def assign(request: HttpRequest, case_id: uuid.UUID, payload: AssignIn) -> Case:
    specialist = User.objects.filter(username=payload.specialist).first()
    if specialist is None:
        raise HttpError(404, f"No user is called {payload.specialist!r}.")
    return assign_case(ctx=_ctx(request), case_id=case_id, specialist=specialist)


@router.post("/{uuid:case_id}/release", response={200: CaseOut, **_ERRORS})
def release(request: HttpRequest, case_id: uuid.UUID) -> Case:
    return release_case(ctx=_ctx(request), case_id=case_id)


@router.post("/{uuid:case_id}/answer", response={200: CaseOut, **_ERRORS})
def answer(request: HttpRequest, case_id: uuid.UUID, payload: AnswerIn) -> Case:
    ctx = _ctx(request)
    answer_case(
        ctx=ctx,
        case_id=case_id,
        advice=payload.advice,
        diagnoses=payload.diagnoses,
        prescriptions=[line.model_dump() for line in payload.prescriptions],
        referral=payload.referral,
        live_session_at=payload.live_session_at,
    )
    return read_case(ctx, case_id)


@router.post("/{uuid:case_id}/request-info", response={200: CaseOut, **_ERRORS})
def more_info(request: HttpRequest, case_id: uuid.UUID, payload: TextIn) -> Case:
    ctx = _ctx(request)
    request_information(ctx=ctx, case_id=case_id, question=payload.text)
    return read_case(ctx, case_id)


@router.post("/{uuid:case_id}/provide-info", response={200: CaseOut, **_ERRORS})
def provide_info(request: HttpRequest, case_id: uuid.UUID, payload: TextIn) -> Case:
    return provide_information(ctx=_ctx(request), case_id=case_id, text=payload.text)


@router.post("/{uuid:case_id}/close", response={200: CaseOut, **_ERRORS})
def close(request: HttpRequest, case_id: uuid.UUID) -> Case:
    return close_case(ctx=_ctx(request), case_id=case_id)


@router.post("/{uuid:case_id}/cancel", response={200: CaseOut, **_ERRORS})
def cancel(request: HttpRequest, case_id: uuid.UUID) -> Case:
    return cancel_case(ctx=_ctx(request), case_id=case_id)


@router.get(
    "/{uuid:case_id}/attachments/{sha256}",
    response={200: None, 404: ErrorOut},
    summary="An attachment's bytes (content-addressed)",
)
def attachment(request: HttpRequest, case_id: uuid.UUID, sha256: str) -> HttpResponse:
    case = read_case(_ctx(request), case_id)
    found = Attachment.objects.filter(case=case, sha256=sha256).first()
    if found is None or not storage.stored_path(found.sha256).exists():
        raise HttpError(404, "No such attachment in this case.")
    return storage.file_response(found.sha256, found.content_type, found.filename)


class UploadIn(Schema):
    filename: str = Field(min_length=1, max_length=200)
    size: int = Field(ge=1)
    sha256: str = Field(min_length=64, max_length=64)
    kind: AttachmentKind


class UploadOut(Schema):
    id: uuid.UUID
    offset: int
    size: int
    chunk_size: int
    complete: bool
    attachment: AttachmentOut | None

    @staticmethod
    def resolve_offset(obj: Upload) -> int:
        return obj.received

    @staticmethod
    def resolve_chunk_size(obj: Upload) -> int:
        from django.conf import settings

        return int(settings.TBIB_UPLOAD_CHUNK_BYTES)

    @staticmethod
    def resolve_complete(obj: Upload) -> bool:
        return obj.attachment_id is not None


@router.post(
    "/{uuid:case_id}/uploads",
    response={201: UploadOut, 413: ErrorOut, **_ERRORS},
    summary="Announce a file; then send its bytes in chunks to /api/uploads/{id}",
)
def announce(request: HttpRequest, case_id: uuid.UUID, payload: UploadIn) -> tuple[int, Upload]:
    try:
        upload = start_upload(
            ctx=_ctx(request),
            case_id=case_id,
            filename=payload.filename,
            size=payload.size,
            sha256=payload.sha256,
            kind=payload.kind,
        )
    except UploadRefused as error:
        raise HttpError(error.status, str(error)) from error
    return 201, upload


@uploads_router.get("/{uuid:upload_id}", response={200: UploadOut, 404: ErrorOut})
def upload_state(request: HttpRequest, upload_id: uuid.UUID) -> Upload:
    ctx = _ctx(request)
    found = Upload.objects.filter(pk=upload_id, created_by=ctx.user).first()
    # An upload belongs to a case, so to a patient: asking about one is audited.
    audit(ctx, action=AuditAction.READ, resource_type="Upload", resource_id=str(upload_id),
          patient_id=found.case.patient_id if found else None,
          outcome=AuditOutcome.ALLOWED if found else AuditOutcome.NOT_FOUND)  # fmt: skip
    if found is None:
        raise HttpError(404, "No upload with this id.")
    return found


@uploads_router.patch(
    "/{uuid:upload_id}",
    response={
        200: UploadOut,
        400: ErrorOut,
        413: ErrorOut,
        415: ErrorOut,
        507: ErrorOut,
        **_ERRORS,
    },
    summary="Send the bytes starting at the `Upload-Offset` header (raw body)",
)
def upload_chunk(request: HttpRequest, upload_id: uuid.UUID) -> Upload:
    raw_offset = request.headers.get("Upload-Offset", "")
    if not raw_offset.isdigit():
        raise HttpError(400, "Send the chunk's first byte position in the Upload-Offset header.")
    data = request.body
    if not data:
        raise HttpError(400, "The chunk is empty.")
    try:
        return append_chunk(
            ctx=_ctx(request), upload_id=upload_id, offset=int(raw_offset), data=data
        )
    except UploadRefused as error:
        raise HttpError(error.status, str(error)) from error
    except OffsetMismatch as error:
        raise HttpError(409, str(error)) from error
