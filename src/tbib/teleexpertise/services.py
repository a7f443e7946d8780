"""Writes of tele-expertise: every transition of a case, checked, audited, broadcast.

A transition is one conditional UPDATE on the case's status: when two specialists claim the
same case at once, or two workers escalate it, exactly one succeeds.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tbib.access.choices import AuditAction, AuditOutcome
from tbib.access.scope import (
    AccessContext,
    AccessDenied,
    RecordNotFound,
    audit,
    read_case,
    read_encounter,
)
from tbib.accounts.choices import UNIT_ROLES, UserRole
from tbib.accounts.models import User
from tbib.clinical import icd10
from tbib.clinical.codes import MEASURES
from tbib.core.errors import Conflict
from tbib.network.models import Specialty
from tbib.pharmacy.models import Medicine
from tbib.teleexpertise import realtime, storage
from tbib.teleexpertise.choices import URGENCY_RANK, AttachmentKind, CaseStatus, Urgency
from tbib.teleexpertise.models import Answer, Attachment, Case, CaseEvent, Upload
from tbib.teleexpertise.workflow import TRANSITIONS, TransitionRefused, next_status, sla_due


def _audit(ctx: AccessContext | None, case: Case, detail: str, outcome: str = "allowed") -> None:
    if ctx is None:
        return
    audit(
        ctx,
        action=AuditAction.UPDATE,
        resource_type="Case",
        resource_id=str(case.pk),
        patient_id=case.patient_id,
        outcome=AuditOutcome(outcome),
        detail=detail,
    )


def _transition(
    case: Case,
    action: str,
    *,
    ctx: AccessContext | None,
    note: str = "",
    **changes: Any,
) -> Case:
    """Move the case by `action`, if its status (read again in the database) allows it."""
    try:
        target = next_status(case.status, action)
    except TransitionRefused as error:
        raise Conflict(str(error)) from error
    sources = TRANSITIONS[action].sources
    with transaction.atomic():
        moved = Case.objects.filter(pk=case.pk, status__in=sources).update(
            status=target,
            status_version=F("status_version") + 1,
            updated_at=timezone.now(),
            **changes,
        )
        if not moved:
            case.refresh_from_db()
            raise Conflict(f"This case changed meanwhile: it is now {case.status}.")
        CaseEvent.objects.create(
            case=case,
            actor=ctx.user if ctx else None,
            action=action,
            from_status=case.status,
            to_status=target,
            note=note,
        )
        case.refresh_from_db()
        _audit(ctx, case, action)
        transaction.on_commit(lambda: realtime.case_changed(case))
    return case


def _require(ctx: AccessContext, case: Case, allowed: bool, message: str) -> None:
    if not allowed:
        _audit(ctx, case, message, outcome="denied")
        raise AccessDenied(message)


def _is_unit_gp(user: User, case: Case) -> bool:
    return user.role == UserRole.GP and user.unit_id == case.unit_id


def _is_specialist_of(user: User, case: Case) -> bool:
    return user.role == UserRole.SPECIALIST and user.specialty_id == case.specialty_id


def _vitals_of(encounter_id: uuid.UUID) -> list[dict[str, str]]:
    from tbib.clinical.models import Observation

    return [
        {
            "key": o.key,
            "loinc": o.loinc,
            "display": MEASURES[o.key].display if o.key in MEASURES else o.key,
            "value": f"{o.value.normalize():f}",
            "unit": o.unit,
        }
        for o in Observation.objects.filter(encounter_id=encounter_id)
    ]


def open_case(
    *,
    ctx: AccessContext,
    encounter_id: uuid.UUID,
    specialty: str,
    question: str,
    urgency: str,
    consent: bool,
) -> Case:
    """The GP drafts a case from an encounter; its vital signs are attached as they are."""
    encounter = read_encounter(ctx, encounter_id)
    user = ctx.user
    if not (user.role == UserRole.GP and user.unit_id == encounter.unit_id):
        audit(
            ctx,
            action=AuditAction.CREATE,
            resource_type="Case",
            patient_id=encounter.patient_id,
            outcome=AuditOutcome.DENIED,
        )
        raise AccessDenied("Only the unit's general practitioner opens a tele-expertise case.")
    errors = {}
    found = Specialty.objects.filter(slug=specialty).first()
    if found is None:
        errors["specialty"] = f"Unknown specialty {specialty!r}."
    if not question.strip():
        errors["question"] = "Write the clinical question for the specialist."
    if urgency not in Urgency.values:
        errors["urgency"] = f"Unknown urgency {urgency!r}."
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})
    assert found is not None
    with transaction.atomic():
        case = Case.objects.create(
            encounter=encounter,
            patient_id=encounter.patient_id,
            unit_id=encounter.unit_id,
            specialty=found,
            question=question.strip(),
            urgency=urgency,
            urgency_rank=URGENCY_RANK[Urgency(urgency)],
            consent_at=timezone.now() if consent else None,
            created_by=user,
            vitals=_vitals_of(encounter.pk),
        )
        CaseEvent.objects.create(
            case=case, actor=user, action="open", from_status="", to_status=CaseStatus.DRAFT
        )
        audit(
            ctx,
            action=AuditAction.CREATE,
            resource_type="Case",
            resource_id=str(case.pk),
            patient_id=case.patient_id,
            outcome=AuditOutcome.ALLOWED,
        )
    return case


def _queue_fields(case: Case, now: datetime.datetime) -> dict[str, Any]:
    return {
        "queued_at": now,
        "sla_due_at": sla_due(now, case.urgency, settings.TBIB_SLA_MINUTES),
        "escalation_level": 0,
        "escalated_at": None,
        "claimed_by": None,
        "claimed_at": None,
    }


def submit_case(*, ctx: AccessContext, case_id: uuid.UUID, consent: bool = False) -> Case:
    """Send the draft to the platform; on the hub it enters its specialty's queue at once."""
    case = read_case(ctx, case_id)
    _require(ctx, case, _is_unit_gp(ctx.user, case), "Only the unit's GP submits its cases.")
    if consent and case.consent_at is None:
        Case.objects.filter(pk=case.pk).update(consent_at=timezone.now())
        case.refresh_from_db()
    if case.consent_at is None:
        raise ValidationError(
            {"consent": ["Record the patient's consent to tele-expertise before submitting."]}
        )
    if case.status == CaseStatus.DRAFT:
        case = _transition(case, "submit", ctx=ctx)
    return _transition(case, "enqueue", ctx=ctx, **_queue_fields(case, timezone.now()))


def claim_case(*, ctx: AccessContext, case_id: uuid.UUID) -> Case:
    case = read_case(ctx, case_id)
    _require(
        ctx,
        case,
        _is_specialist_of(ctx.user, case),
        "Only a specialist of this specialty claims it.",
    )
    now = timezone.now()
    return _transition(case, "claim", ctx=ctx, claimed_by=ctx.user, claimed_at=now)


def assign_case(*, ctx: AccessContext, case_id: uuid.UUID, specialist: User) -> Case:
    """The national coordinator (or a specialist of the specialty) gives the case to someone."""
    case = read_case(ctx, case_id)
    allowed = ctx.user.role == UserRole.NATIONAL_COORDINATOR or _is_specialist_of(ctx.user, case)
    _require(ctx, case, allowed, "You cannot assign this case.")
    if not _is_specialist_of(specialist, case) or not specialist.is_active:
        raise ValidationError({"specialist": ["Assign the case to a specialist of its specialty."]})
    return _transition(
        case, "assign", ctx=ctx, claimed_by=specialist, claimed_at=timezone.now(),
        note=f"assigned to {specialist.username}",
    )  # fmt: skip


def release_case(*, ctx: AccessContext, case_id: uuid.UUID) -> Case:
    case = read_case(ctx, case_id)
    _require(ctx, case, case.claimed_by_id == ctx.user.pk, "Only the specialist who claimed it.")
    return _transition(case, "release", ctx=ctx, claimed_by=None, claimed_at=None)


def _check_answer(
    diagnoses: Sequence[str], prescriptions: Sequence[dict[str, Any]]
) -> tuple[list[str], dict[str, str]]:
    errors: dict[str, str] = {}
    codes = []
    for index, code in enumerate(diagnoses):
        try:
            codes.append(icd10.normalise(code))
        except icd10.UnknownCode as error:
            errors[f"diagnoses.{index}"] = str(error)
    known = set(Medicine.objects.values_list("code", flat=True))
    for index, line in enumerate(prescriptions):
        if line.get("medicine") not in known:
            errors[f"prescriptions.{index}.medicine"] = (
                f"{line.get('medicine')!r} is not in the formulary."
            )
    return codes, errors


def answer_case(
    *,
    ctx: AccessContext,
    case_id: uuid.UUID,
    advice: str,
    diagnoses: Sequence[str] = (),
    prescriptions: Sequence[dict[str, Any]] = (),
    referral: str = "",
    live_session_at: datetime.datetime | None = None,
) -> Answer:
    """The specialist who holds the case answers; the answer goes back to the unit.

    The answer may plan a live session (video or audio) with the unit instead of, or besides,
    written advice.
    """
    case = read_case(ctx, case_id)
    _require(ctx, case, case.claimed_by_id == ctx.user.pk, "Claim the case before answering it.")
    codes, errors = _check_answer(diagnoses, prescriptions)
    if not advice.strip():
        errors["advice"] = "Write the advice for the unit."
    if live_session_at is not None and live_session_at <= timezone.now():
        errors["live_session_at"] = "Plan the live session in the future."
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})
    with transaction.atomic():
        _transition(case, "answer", ctx=ctx, answered_at=timezone.now())
        return Answer.objects.create(
            case=case,
            author=ctx.user,
            advice=advice.strip(),
            diagnoses=codes,
            prescriptions=list(prescriptions),
            referral=referral.strip(),
            live_session_at=live_session_at,
        )


def request_information(*, ctx: AccessContext, case_id: uuid.UUID, question: str) -> Answer:
    case = read_case(ctx, case_id)
    _require(ctx, case, case.claimed_by_id == ctx.user.pk, "Claim the case before answering it.")
    if not question.strip():
        raise ValidationError({"question": ["Say what information is needed."]})
    with transaction.atomic():
        _transition(case, "request-info", ctx=ctx, note=question.strip())
        return Answer.objects.create(
            case=case, author=ctx.user, advice=question.strip(), is_request_for_information=True
        )


def provide_information(*, ctx: AccessContext, case_id: uuid.UUID, text: str) -> Case:
    """The unit answers the specialist's request; the case goes back to the queue."""
    case = read_case(ctx, case_id)
    _require(ctx, case, _is_unit_gp(ctx.user, case), "Only the unit's GP completes its cases.")
    if not text.strip():
        raise ValidationError({"text": ["Write the information asked for."]})
    return _transition(
        case, "provide-info", ctx=ctx, note=text.strip(), **_queue_fields(case, timezone.now())
    )


def close_case(*, ctx: AccessContext, case_id: uuid.UUID) -> Case:
    """The GP has read the answer: it is acknowledged and the case is closed."""
    case = read_case(ctx, case_id)
    _require(ctx, case, _is_unit_gp(ctx.user, case), "Only the unit's GP acknowledges answers.")
    now = timezone.now()
    with transaction.atomic():
        case = _transition(case, "close", ctx=ctx, closed_at=now)
        answers = list(case.answers.filter(acknowledged_at__isnull=True))
        case.answers.filter(acknowledged_at__isnull=True).update(
            acknowledged_at=now, acknowledged_by=ctx.user
        )
    _apply_to_encounter(ctx, case, answers)
    return case


def _apply_to_encounter(ctx: AccessContext, case: Case, answers: list[Answer]) -> list[str]:
    """Write the answer's diagnoses and prescriptions into the encounter, if still open.

    A signed encounter is not touched (decision 0004): the answer stays on the case, shown
    with the encounter, and the GP writes a correction to take it into the record. Returns
    what could not be applied, e.g. a medicine out of stock.
    """
    from tbib.clinical.models import Encounter
    from tbib.clinical.services import prescribe, update_encounter

    if Encounter.objects.get(pk=case.encounter_id).is_locked:
        return []
    problems = []
    for answer in answers:
        if answer.is_request_for_information:
            continue
        if answer.diagnoses:
            update_encounter(ctx=ctx, encounter_id=case.encounter_id, diagnoses=answer.diagnoses)
        for line in answer.prescriptions:
            try:
                prescribe(
                    ctx=ctx,
                    encounter_id=case.encounter_id,
                    medicine_code=line["medicine"],
                    quantity=int(line["quantity"]),
                    dosage=f"{line['dosage']} (avis {case.specialty_id})",
                )
            except (Conflict, ValidationError) as error:
                problems.append(f"{line['medicine']}: {error}")
    if problems:
        # Kept on the case's history, where the GP sees what still needs doing by hand.
        CaseEvent.objects.create(
            case=case,
            actor=ctx.user,
            action="apply",
            from_status=case.status,
            to_status=case.status,
            note="; ".join(problems),
        )
    return problems


def cancel_case(*, ctx: AccessContext, case_id: uuid.UUID, reason: str = "") -> Case:
    case = read_case(ctx, case_id)
    _require(ctx, case, _is_unit_gp(ctx.user, case), "Only the unit's GP cancels its cases.")
    return _transition(case, "cancel", ctx=ctx, note=reason.strip())


def escalate_overdue(*, now: datetime.datetime | None = None) -> list[uuid.UUID]:
    """Raise by one level every queued case past its SLA; each level is reached exactly once.

    Level 1 alerts the specialty's on-call specialist, level 2 (one more SLA period later) the
    national coordinator. The conditional UPDATE makes concurrent runs (two workers, a retry)
    harmless: a case moves from level n to n + 1 in one run only.
    """
    now = now or timezone.now()
    escalated = []
    overdue = Case.objects.filter(
        status=CaseStatus.QUEUED, sla_due_at__lt=now, escalation_level__lt=2
    )
    for case in overdue.only("pk", "escalation_level", "urgency", "sla_due_at"):
        level = case.escalation_level
        with transaction.atomic():
            moved = Case.objects.filter(
                pk=case.pk, escalation_level=level, status=CaseStatus.QUEUED, sla_due_at__lt=now
            ).update(
                escalation_level=level + 1,
                escalated_at=now,
                # The next level waits one more SLA period.
                sla_due_at=sla_due(now, case.urgency, settings.TBIB_SLA_MINUTES),
            )
            if moved:
                target = "on-call specialist" if level == 0 else "national coordinator"
                CaseEvent.objects.create(
                    case_id=case.pk,
                    action="escalate",
                    from_status=CaseStatus.QUEUED,
                    to_status=CaseStatus.QUEUED,
                    note=f"SLA exceeded: escalated to the {target}",
                )
                escalated.append(case.pk)
    for case_id in escalated:
        realtime.case_changed(Case.objects.get(pk=case_id))
    return escalated


class UploadRefused(Exception):
    """An upload refused for its size (413), type (415) or a full disk (507); the message
    says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def start_upload(
    *,
    ctx: AccessContext,
    case_id: uuid.UUID,
    filename: str,
    size: int,
    sha256: str,
    kind: str,
) -> Upload:
    """Announce a file: its name, size, SHA-256 and kind; chunks follow (`append_chunk`)."""
    case = read_case(ctx, case_id)
    unit_staff = ctx.user.role in UNIT_ROLES and ctx.user.unit_id == case.unit_id
    _require(ctx, case, unit_staff, "Only the unit's staff attach files to its cases.")
    if case.status in (CaseStatus.CLOSED, CaseStatus.CANCELLED, CaseStatus.ANSWERED):
        raise Conflict(f"A case that is {case.status} takes no more files.")
    if size > settings.TBIB_ATTACHMENT_MAX_BYTES:
        limit = settings.TBIB_ATTACHMENT_MAX_BYTES // (1024 * 1024)
        raise UploadRefused(413, f"Files are limited to {limit} MB.")
    errors = {}
    if kind not in AttachmentKind.values:
        errors["kind"] = f"Unknown kind {kind!r}."
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256.lower()):
        errors["sha256"] = "Give the file's SHA-256 as 64 hexadecimal characters."
    if size <= 0:
        errors["size"] = "A file has at least one byte."
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})
    return Upload.objects.create(
        case=case,
        created_by=ctx.user,
        filename=filename[:200],
        size=size,
        sha256=sha256.lower(),
        kind=kind,
    )


def append_chunk(*, ctx: AccessContext, upload_id: uuid.UUID, offset: int, data: bytes) -> Upload:
    """Add the bytes that start at `offset`; complete, verify and store the file at its end.

    A chunk sent again after a cut (same offset, already received) is refused with the
    current offset, so the client resumes from there; nothing is written twice.
    """
    upload = Upload.objects.filter(pk=upload_id, created_by=ctx.user).first()
    if upload is None:
        audit(ctx, action=AuditAction.UPDATE, resource_type="Upload", resource_id=str(upload_id),
              outcome=AuditOutcome.NOT_FOUND)  # fmt: skip
        raise RecordNotFound("No upload with this id.")
    try:
        return _append_chunk(ctx, upload, offset, data)
    except storage.StorageFull as error:
        # Rolled back, and storage kept no byte of the chunk: the upload stands where it
        # stood, and the same chunk is accepted once space is freed.
        raise UploadRefused(
            507,
            "The server's storage is full: this chunk was not saved. "
            f"Send it again later, from byte {upload.received}.",
        ) from error


def _append_chunk(ctx: AccessContext, upload: Upload, offset: int, data: bytes) -> Upload:
    with transaction.atomic():
        upload = Upload.objects.select_for_update().get(pk=upload.pk)
        if upload.attachment_id is not None:
            return upload
        if offset != upload.received:
            raise OffsetMismatch(upload.received)
        if upload.received + len(data) > upload.size:
            raise UploadRefused(413, "More bytes than announced.")
        path = storage.partial_path(upload.pk)
        # A crash between the write and the commit leaves bytes the database does not count.
        storage.truncate(path, upload.received)
        if upload.received == 0:
            media_type = storage.sniff(data[: storage.SNIFF_BYTES])
            if media_type not in storage.ALLOWED[AttachmentKind(upload.kind)]:
                upload.delete()
                raise UploadRefused(
                    415,
                    f"This file is not an accepted {upload.kind}: "
                    f"{', '.join(sorted(storage.ALLOWED[AttachmentKind(upload.kind)]))}.",
                )
            upload.content_type = media_type
        upload.received = storage.append(path, data, upload.received)
        if upload.received == upload.size:
            actual = storage.digest(path)
            if actual != upload.sha256:
                path.unlink(missing_ok=True)
                upload.received = 0
                upload.save(update_fields=["received", "content_type", "updated_at"])
                raise ChecksumMismatch()
            storage.store(path, actual)
            attachment, _created = Attachment.objects.get_or_create(
                case_id=upload.case_id,
                sha256=actual,
                defaults={
                    "kind": upload.kind,
                    "content_type": upload.content_type,
                    "size": upload.size,
                    "filename": upload.filename,
                },
            )
            upload.attachment = attachment
            case = Case.objects.get(pk=upload.case_id)
            _audit(ctx, case, f"attachment {actual[:12]} ({upload.kind})")
        upload.save()
    return upload


class OffsetMismatch(Conflict):
    """The chunk does not start where the upload stands; the client resumes from `offset`."""

    def __init__(self, offset: int) -> None:
        super().__init__(f"This upload stands at byte {offset}: send the bytes from there.")
        self.offset = offset


class ChecksumMismatch(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "The file received does not match its SHA-256; it was discarded, send it again."
        )
