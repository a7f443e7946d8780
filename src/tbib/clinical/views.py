"""The unit's screens: today's stop and waiting list, registration, the chart, the encounter.

Views are thin: they read through the access layer and write through the services, and show
the services' field errors next to the fields.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tbib.access.scope import (
    AccessContext,
    AccessDenied,
    RecordNotFound,
    chart_encounters,
    facts_of,
    match_patients,
    read_encounter,
    read_patient,
    search_patients,
    waiting_list,
)
from tbib.accounts.choices import UNIT_ROLES, UserRole
from tbib.accounts.models import User
from tbib.assist.encounter import reviewed_findings, suggestion_for
from tbib.clinical import icd10
from tbib.clinical.choices import DocumentKind, ReferralUrgency
from tbib.clinical.documents import document_pdf
from tbib.clinical.forms import VITAL_FIELDS, PatientForm, VisitForm
from tbib.clinical.models import Encounter
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
from tbib.core.errors import Conflict
from tbib.devices.models import EcgStrip
from tbib.devices.services import bind_device
from tbib.network.models import Device, Hub
from tbib.patients.models import PatientMerge
from tbib.patients.qr import patient_code, patient_qr_svg
from tbib.patients.services import merge_patients, register_patient, undo_merge
from tbib.pharmacy.models import UnitStock
from tbib.teleexpertise import views as te_views
from tbib.tours.choices import StopStatus
from tbib.tours.models import Stop
from tbib.tours.selectors import current_stop
from tbib.tours.services import open_stop

View = Callable[..., HttpResponse]


def unit_staff_only(view: View) -> View:
    """Signed-in unit staff only; others get a readable 403 page."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not isinstance(user, User) or user.role not in UNIT_ROLES or user.unit_id is None:
            return render(request, "clinical/forbidden.html", status=403)
        try:
            return view(request, *args, **kwargs)
        except RecordNotFound:
            return render(request, "web/not_found.html", {"what": ""}, status=404)
        except AccessDenied as error:
            return render(request, "clinical/forbidden.html", {"reason": str(error)}, status=403)

    return wrapped


def _ctx(request: HttpRequest) -> AccessContext:
    assert isinstance(request.user, User)
    return AccessContext.from_request(request, request.user)


def _errors(error: ValidationError) -> dict[str, str]:
    if hasattr(error, "error_dict"):
        return {field: " ".join(messages) for field, messages in error.message_dict.items()}
    return {"": " ".join(error.messages)}


def _vitals(request: HttpRequest) -> dict[str, object]:
    return {key: request.POST.get(key, "") for key, _label, _unit in VITAL_FIELDS}


@unit_staff_only
def today(request: HttpRequest) -> HttpResponse:
    """Today's stop, its waiting list in triage order, and patient search."""
    ctx = _ctx(request)
    assert ctx.user.unit_id is not None
    stop = current_stop(ctx.user.unit_id, today=timezone.localdate())
    waiting: list[Encounter] = []
    seen: list[Encounter] = []
    if stop is not None and stop.status == StopStatus.OPEN:
        waiting = list(waiting_list(ctx, stop.pk))
        seen = list(
            Encounter.objects.filter(stop=stop, status="signed")
            .select_related("patient")
            .order_by("-signed_at")[:50]
        )
    query = request.GET.get("q", "").strip()
    results = list(search_patients(ctx, query=query)[:20]) if query else []
    answered = te_views.answered_cases(ctx)
    context = {
        "stop": stop,
        "waiting": waiting,
        "seen": seen,
        "query": query,
        "results": results,
        "answered": answered,
    }
    if request.headers.get("HX-Request") and query:
        return render(request, "clinical/_search_results.html", context)
    return render(request, "clinical/today.html", context)


@unit_staff_only
def patient_new(request: HttpRequest) -> HttpResponse:
    """Register a patient; likely duplicates are shown first, ranked, with their reasons."""
    ctx = _ctx(request)
    guardian = None
    guardian_id = request.POST.get("guardian") or request.GET.get("guardian")
    if guardian_id:
        try:
            guardian = read_patient(ctx, uuid.UUID(guardian_id))
        except ValueError:
            guardian = None
    initial = {"guardian": guardian.pk, "family_name": guardian.family_name} if guardian else {}
    form = PatientForm(request.POST or None, initial=initial)
    candidates: list[tuple[Any, Any]] = []
    errors: dict[str, str] = {}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not request.POST.get("confirm"):
            from tbib.patients.matching import PatientFacts

            facts = PatientFacts(
                id="",
                given_name=data["given_name"],
                family_name=data["family_name"],
                given_name_ar=data["given_name_ar"],
                family_name_ar=data["family_name_ar"],
                sex=data["sex"],
                birth_date=data["birth_date"],
                commune="",
                cin=data["cin"] or "",
            )
            candidates = match_patients(ctx, facts)
        if not candidates:
            try:
                patient = register_patient(
                    ctx=ctx,
                    given_name=data["given_name"],
                    family_name=data["family_name"],
                    given_name_ar=data["given_name_ar"],
                    family_name_ar=data["family_name_ar"],
                    sex=data["sex"],
                    birth_date=data["birth_date"],
                    age_years=data["age_years"],
                    cin=data["cin"] or None,
                    phone=data["phone"],
                    amo_number=data["amo_number"],
                    village=data["village"],
                    pregnancy_status=data["pregnancy_status"] or "",
                    guardian_id=data["guardian"],
                    guardian_relationship=data["guardian_relationship"] or "",
                )
            except ValidationError as error:
                errors = _errors(error)
            else:
                messages.success(request, _("Patient registered."))
                return redirect("unit-patient", patient_id=patient.pk)
    return render(
        request,
        "clinical/patient_new.html",
        {"form": form, "candidates": candidates, "errors": errors, "guardian": guardian},
    )


@unit_staff_only
def patient_chart(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    """The chart as a timeline, and the start of a visit (triage and vital signs)."""
    ctx = _ctx(request)
    patient = read_patient(ctx, patient_id)
    action = request.POST.get("action", "visit")
    if request.method == "POST" and action == "bind":
        try:
            bind_device(ctx=ctx, serial=request.POST.get("serial", ""), patient_id=patient.pk)
            messages.success(request, _("Device bound: its readings go to this patient's visit."))
        except (Conflict, AccessDenied) as error:
            messages.error(request, str(error))
        return redirect("unit-patient", patient_id=patient.pk)
    if request.method == "POST" and action in ("merge", "undo-merge"):
        try:
            if action == "merge":
                merge_patients(
                    ctx=ctx,
                    survivor_id=patient.pk,
                    duplicate_id=uuid.UUID(request.POST.get("duplicate", "")),
                    reason=request.POST.get("reason", ""),
                )
                messages.success(request, _("Records merged. This can be undone."))
            else:
                undo_merge(ctx=ctx, merge_id=uuid.UUID(request.POST.get("merge", "")))
                messages.success(request, _("Merge undone."))
        except (Conflict, ValueError) as error:
            messages.error(request, str(error))
        return redirect("unit-patient", patient_id=patient.pk)
    form = VisitForm(request.POST or None)
    errors: dict[str, str] = {}
    if request.method == "POST" and form.is_valid():
        try:
            encounter = start_encounter(
                ctx=ctx,
                patient_id=patient.pk,
                triage=form.cleaned_data["triage"],
                reason=form.cleaned_data["reason"],
                measurements=_vitals(request),
            )
        except ValidationError as error:
            errors = {k.removeprefix("vitals."): v for k, v in _errors(error).items()}
        except Conflict as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Added to the waiting list."))
            if ctx.user.role == UserRole.GP:
                return redirect("unit-encounter", encounter_id=encounter.pk)
            return redirect("unit-today")
    duplicates = []
    if patient.merged_into_id is None:
        duplicates = [
            (candidate, match)
            for candidate, match in match_patients(ctx, facts_of(patient))
            if candidate.pk != patient.pk
        ]
    merges = PatientMerge.objects.filter(survivor=patient, undone_at__isnull=True).select_related(
        "duplicate"
    )
    encounters = chart_encounters(ctx, patient).prefetch_related(
        "observations", "diagnoses", "prescriptions__medicine", "referrals__hub"
    )
    return render(
        request,
        "clinical/chart.html",
        {
            "patient": patient,
            "encounters": encounters,
            "form": form,
            "errors": errors,
            "vital_fields": VITAL_FIELDS,
            "values": request.POST,
            "duplicates": duplicates,
            "merges": merges,
            "devices": Device.objects.filter(unit_id=ctx.user.unit_id).exclude(kind="camera"),
            "patient_qr": patient_qr_svg(patient.pk),
            "patient_code": patient_code(patient.pk),
        },
    )


def _encounter_action(request: HttpRequest, ctx: AccessContext, encounter: Encounter) -> Any:
    """Run the POSTed action; return the encounter to show next, or None to stay."""
    action = request.POST.get("action", "")
    post = request.POST
    if action == "save":
        return update_encounter(
            ctx=ctx,
            encounter_id=encounter.pk,
            notes={
                "reason": post.get("reason", ""),
                "history": post.get("history", ""),
                "examination": post.get("examination", ""),
                "follow_up_date": post.get("follow_up_date") or None,
            },
            measurements=_vitals(request),
        )
    if action == "diagnose":
        return update_encounter(
            ctx=ctx, encounter_id=encounter.pk, diagnoses=[post.get("code", "")]
        )
    if action == "undiagnose":
        remove_diagnosis(ctx=ctx, encounter_id=encounter.pk, code=post.get("code", ""))
    elif action == "prescribe":
        try:
            quantity = int(post.get("quantity", "0"))
        except ValueError:
            raise ValidationError({"quantity": _("Enter a whole number.")}) from None
        prescribe(
            ctx=ctx,
            encounter_id=encounter.pk,
            medicine_code=post.get("medicine", ""),
            quantity=quantity,
            dosage=post.get("dosage", ""),
            duration_days=int(post["duration_days"])
            if post.get("duration_days", "").isdigit()
            else None,
        )
    elif action == "withdraw":
        try:
            line_id = uuid.UUID(post.get("line", ""))
        except ValueError:
            raise Conflict(_("This encounter has no such prescription line.")) from None
        withdraw_prescription(ctx=ctx, encounter_id=encounter.pk, line_id=line_id)
    elif action == "refer":
        refer(
            ctx=ctx,
            encounter_id=encounter.pk,
            hub_code=post.get("hub", ""),
            reason=post.get("referral_reason", ""),
            urgency=post.get("urgency", ReferralUrgency.ROUTINE),
        )
    elif action == "referral-reached":
        try:
            referral_id = uuid.UUID(post.get("referral", ""))
        except ValueError:
            raise Conflict(_("This encounter has no such referral.")) from None
        try:
            reached_on = datetime.date.fromisoformat(post.get("reached_on", ""))
        except ValueError:
            raise ValidationError({"reached_on": _("Enter a date.")}) from None
        record_referral_reached(
            ctx=ctx, encounter_id=encounter.pk, referral_id=referral_id, reached_on=reached_on
        )
        messages.success(request, _("Referral completed: the patient was seen there."))
    elif action == "sign":
        sign_encounter(ctx=ctx, encounter_id=encounter.pk)
        messages.success(request, _("Encounter signed."))
    elif action == "correct":
        return correct_encounter(ctx=ctx, encounter_id=encounter.pk)
    return None


@unit_staff_only
def encounter_view(request: HttpRequest, encounter_id: uuid.UUID) -> HttpResponse:
    """The encounter form: notes, vitals, ICD-10 diagnoses, prescription, referral, signature."""
    ctx = _ctx(request)
    encounter = read_encounter(ctx, encounter_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            following = _encounter_action(request, ctx, encounter)
        except ValidationError as error:
            errors = {k.removeprefix("vitals."): v for k, v in _errors(error).items()}
        except Conflict as error:
            messages.error(request, str(error))
        else:
            target = following.pk if following is not None else encounter.pk
            return redirect("unit-encounter", encounter_id=target)
    stock = UnitStock.objects.filter(unit_id=ctx.user.unit_id).select_related("medicine")
    observations = {o.key: o for o in encounter.observations.all()}
    hubs = Hub.objects.order_by("level", "name")
    findings = reviewed_findings(encounter)
    return render(
        request,
        "clinical/encounter.html",
        {
            "encounter": encounter,
            "patient": encounter.patient,
            "errors": errors,
            "values": request.POST,
            "vital_fields": VITAL_FIELDS,
            "observations": observations,
            "stock": stock,
            "hubs": hubs,
            "urgencies": ReferralUrgency.choices,
            "document_kinds": DocumentKind.choices,
            "icd10_source": icd10.SOURCE,
            "cases": te_views._encounter_cases(ctx, encounter.pk),
            "ecg_strips": EcgStrip.objects.filter(encounter=encounter),
            "findings": findings,
            "suggestion": suggestion_for(
                encounter, [f for f, dismissed in findings if not dismissed]
            ),
            **te_views.case_form_context(),
        },
    )


@require_GET
@unit_staff_only
def icd10_options(request: HttpRequest) -> HttpResponse:
    """Search-as-you-type results for the diagnosis field (an htmx partial)."""
    entries = icd10.search(request.GET.get("q", ""), language=request.LANGUAGE_CODE, limit=12)
    return render(request, "clinical/_icd10_options.html", {"entries": entries})


@require_GET
@unit_staff_only
def document(request: HttpRequest, encounter_id: uuid.UUID, kind: str) -> HttpResponse:
    """A signed encounter's document as PDF, in the language asked for."""
    language = request.GET.get("lang", request.LANGUAGE_CODE)
    if kind not in DocumentKind.values or language not in ("fr", "ar", "en"):
        return render(request, "web/not_found.html", {"what": kind}, status=404)
    try:
        number, pdf = document_pdf(
            ctx=_ctx(request),
            encounter_id=encounter_id,
            kind=DocumentKind(kind),
            language=language,
        )
    except Conflict as error:
        messages.error(request, str(error))
        return redirect("unit-encounter", encounter_id=encounter_id)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{number}-{language}.pdf"'
    return response


@require_POST
@unit_staff_only
def stop_open(request: HttpRequest, stop_id: uuid.UUID) -> HttpResponse:
    stop = Stop.objects.filter(pk=stop_id).first()
    if stop is None:
        return render(request, "web/not_found.html", {"what": ""}, status=404)
    try:
        open_stop(user=_ctx(request).user, stop=stop)
    except Conflict as error:
        messages.error(request, str(error))
    return redirect("unit-today")
