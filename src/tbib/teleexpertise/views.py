"""Screens of tele-expertise: the specialist's queue and case, the unit's requests and answers."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tbib.access.choices import AuditAction, AuditOutcome
from tbib.access.scope import (
    AccessContext,
    AccessDenied,
    RecordNotFound,
    audit,
    case_queue,
    chart_encounters,
    read_case,
    read_encounter,
    visible_cases,
)
from tbib.accounts.choices import LIVE_ROLES, UserRole
from tbib.accounts.models import User
from tbib.assist.encounter import reviewed_case_findings, top_finding
from tbib.core.errors import Conflict
from tbib.devices.models import EcgStrip
from tbib.network.models import Specialty
from tbib.pharmacy.models import Medicine
from tbib.teleexpertise import storage
from tbib.teleexpertise import trends as trends_module
from tbib.teleexpertise.choices import AttachmentKind, CaseStatus, Urgency
from tbib.teleexpertise.models import Case
from tbib.teleexpertise.services import (
    UploadRefused,
    answer_case,
    append_chunk,
    claim_case,
    close_case,
    open_case,
    request_information,
    start_upload,
    submit_case,
)

View = Callable[..., HttpResponseBase]
OPEN_STATUSES = (CaseStatus.QUEUED, CaseStatus.CLAIMED, CaseStatus.MORE_INFO)
QUEUE_PAGE = 100


def _ctx(request: HttpRequest) -> AccessContext:
    assert isinstance(request.user, User)
    return AccessContext.from_request(request, request.user)


def _guarded(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except RecordNotFound:
            return render(request, "web/not_found.html", {"what": ""}, status=404)
        except AccessDenied as error:
            return render(request, "clinical/forbidden.html", {"reason": str(error)}, status=403)

    return wrapped


def _specialist(request: HttpRequest) -> bool:
    return isinstance(request.user, User) and request.user.role == UserRole.SPECIALIST


@_guarded
def queue(request: HttpRequest) -> HttpResponse:
    """The specialty's queue: most urgent first, then longest waiting; live over WebSocket."""
    if not _specialist(request):
        return render(request, "clinical/forbidden.html", status=403)
    cases = case_queue(_ctx(request), statuses=OPEN_STATUSES).select_related("patient")
    partial = bool(request.headers.get("HX-Request"))
    template = "teleexpertise/_queue_rows.html" if partial else "teleexpertise/queue.html"
    # The head of the queue is what a specialist works on; the total says how long it is.
    shown = list(cases[:QUEUE_PAGE])
    for case in shown:
        case.top_finding = top_finding(case)  # type: ignore[attr-defined]
    return render(request, template, {"cases": shown, "total": cases.count()})


def _save_files(
    ctx: AccessContext, case_id: uuid.UUID, files: list[UploadedFile], kind: str
) -> None:
    """Store uploaded files through the same chunked path as the API (checks included)."""
    chunk = int(settings.TBIB_UPLOAD_CHUNK_BYTES)
    for upload_file in files:
        data = upload_file.read()
        upload = start_upload(
            ctx=ctx,
            case_id=case_id,
            filename=upload_file.name or "file",
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            kind=kind,
        )
        for offset in range(0, len(data), chunk):
            append_chunk(
                ctx=ctx, upload_id=upload.pk, offset=offset, data=data[offset : offset + chunk]
            )


@require_POST
@_guarded
def ask_specialist(request: HttpRequest, encounter_id: uuid.UUID) -> HttpResponse:
    """The GP sends a case from the encounter: question, urgency, consent, photos or files."""
    ctx = _ctx(request)
    encounter = read_encounter(ctx, encounter_id)
    try:
        case = open_case(
            ctx=ctx,
            encounter_id=encounter.pk,
            specialty=request.POST.get("specialty", ""),
            question=request.POST.get("question", ""),
            urgency=request.POST.get("urgency", Urgency.ROUTINE),
            consent=request.POST.get("consent") == "on",
        )
        _save_files(ctx, case.pk, request.FILES.getlist("files"), request.POST.get("kind", "photo"))
        submit_case(ctx=ctx, case_id=case.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except (Conflict, UploadRefused) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Sent to the specialists."))
    return redirect("unit-encounter", encounter_id=encounter.pk)


@require_POST
@_guarded
def acknowledge(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    ctx = _ctx(request)
    try:
        case = close_case(ctx=ctx, case_id=case_id)
    except Conflict as error:
        # A case not answered yet (queued, claimed) cannot be closed: say so on the encounter
        # rather than fail with a server error.
        messages.error(request, str(error))
        case = read_case(ctx, case_id)
    return redirect("unit-encounter", encounter_id=case.encounter_id)


@_guarded
def case_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """The specialist's workspace: the case, the patient's history in scope, the answer."""
    ctx = _ctx(request)
    case = read_case(ctx, case_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "claim":
                claim_case(ctx=ctx, case_id=case.pk)
            elif action == "answer":
                medicine = request.POST.get("medicine", "")
                lines = []
                if medicine:
                    lines.append(
                        {
                            "medicine": medicine,
                            "quantity": int(request.POST.get("quantity") or 1),
                            "dosage": request.POST.get("dosage", ""),
                        }
                    )
                code = request.POST.get("diagnosis", "").strip()
                planned = parse_datetime(request.POST.get("live_session_at", "") or "")
                if planned is not None and timezone.is_naive(planned):
                    planned = timezone.make_aware(planned)
                answer_case(
                    ctx=ctx,
                    case_id=case.pk,
                    advice=request.POST.get("advice", ""),
                    diagnoses=[code] if code else [],
                    prescriptions=lines,
                    referral=request.POST.get("referral", ""),
                    live_session_at=planned,
                )
            elif action == "request-info":
                request_information(
                    ctx=ctx, case_id=case.pk, question=request.POST.get("advice", "")
                )
        except ValidationError as error:
            errors = {k: " ".join(v) for k, v in error.message_dict.items()}
        except (Conflict, ValueError) as error:
            messages.error(request, str(error))
        else:
            return redirect("platform-case", case_id=case.pk)
    history = chart_encounters(ctx, case.patient).prefetch_related("observations", "diagnoses")
    series: dict[tuple[str, str], list[tuple[Any, Any]]] = {}
    for encounter in history:
        for observation in encounter.observations.all():
            key = (observation.key, observation.unit)
            series.setdefault(key, []).append((observation.effective_at, observation.value))
    trends = [
        found
        for (key, unit), points in sorted(series.items())
        if (found := trends_module.trend(key, unit, points)) is not None
    ]
    return render(
        request,
        "teleexpertise/case.html",
        {
            "case": case,
            "encounter": case.encounter,
            "findings": reviewed_case_findings(case),
            "history": history,
            "trends": trends,
            "errors": errors,
            "medicines": Medicine.objects.all(),
            "photos": case.attachments.filter(content_type__startswith="image/").exclude(
                kind=AttachmentKind.ECG
            ),
            "ecgs": case.attachments.filter(
                kind=AttachmentKind.ECG, content_type__startswith="image/"
            ),
            "others": case.attachments.exclude(content_type__startswith="image/"),
            # Traces recorded by the unit's ECG (FHIR SampledData), drawn on calibrated paper.
            "ecg_strips": EcgStrip.objects.filter(encounter_id=case.encounter_id),
        },
    )


def case_form_context() -> dict[str, Any]:
    """What the encounter page needs to offer "ask a specialist"."""
    return {
        "specialties": Specialty.objects.order_by("slug"),
        "urgencies": Urgency.choices,
        "attachment_kinds": AttachmentKind.choices,
    }


def _encounter_cases(ctx: AccessContext, encounter_id: uuid.UUID) -> Any:
    return (
        visible_cases(ctx.user)
        .filter(encounter_id=encounter_id)
        .prefetch_related("answers__author", "attachments")
        .order_by("-created_at")
    )


@_guarded
def encounter_cases(request: HttpRequest, encounter_id: uuid.UUID) -> HttpResponse:
    """The encounter's cases and answers (a fragment the page refreshes live)."""
    ctx = _ctx(request)
    encounter = read_encounter(ctx, encounter_id)
    return render(
        request,
        "teleexpertise/_encounter_cases.html",
        {"cases": _encounter_cases(ctx, encounter.pk)},
    )


@_guarded
def attachment(request: HttpRequest, case_id: uuid.UUID, sha256: str) -> HttpResponseBase:
    case = read_case(_ctx(request), case_id)
    found = case.attachments.filter(sha256=sha256).first()
    path = storage.stored_path(sha256)
    if found is None or not path.exists():
        return render(request, "web/not_found.html", {"what": sha256[:12]}, status=404)
    return storage.file_response(found.sha256, found.content_type, found.filename)


@_guarded
def live(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """A live video consultation about a case (unit staff and the case's specialists)."""
    ctx = _ctx(request)
    if ctx.user.role not in LIVE_ROLES:
        # Coordinators read cases, but do not join a consultation: need to know.
        audit(ctx, action=AuditAction.READ, resource_type="LiveSession",
              resource_id=str(case_id), outcome=AuditOutcome.DENIED)  # fmt: skip
        raise AccessDenied(_("Live consultations are for the unit's staff and the specialists."))
    case = read_case(ctx, case_id)
    audio_only = request.GET.get("audio") == "1"
    config = {
        "signalling": f"/ws/live/{case.pk}/",
        "iceServers": settings.TBIB_ICE_SERVERS,
        "maxVideoBitrate": settings.TBIB_LIVE_MAX_VIDEO_BITRATE,
        "audioOnly": audio_only,
    }
    return render(
        request,
        "teleexpertise/live.html",
        {"case": case, "live_config": config, "audio_only": audio_only},
    )


@_guarded
def unit_answers(request: HttpRequest) -> HttpResponse:
    """The unit's cases answered and not yet read (a fragment refreshed live)."""
    answered = answered_cases(_ctx(request))
    return render(request, "teleexpertise/_unit_answers.html", {"answered": answered})


def answered_cases(ctx: AccessContext) -> Any:
    """The unit's cases waiting for the GP: answered, or sent back for more information."""
    if not ctx.user.unit_id:
        return Case.objects.none()
    # Through the queue's door: the listing (patients' names) is audited.
    return (
        case_queue(ctx, statuses=(CaseStatus.ANSWERED, CaseStatus.MORE_INFO))
        .select_related("patient", "specialty")
        .order_by("-updated_at")
    )
