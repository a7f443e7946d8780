"""The hubs' supervision screens: dashboard per place and period, a unit's day, exports, the
monthly regional report and the DHIS2 data value set."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tbib.accounts.models import User
from tbib.supervision import dashboard, export, indicators, quality, report
from tbib.supervision.dashboard import BREAKDOWN, BadSelection, Selection, selection_from
from tbib.supervision.scope import NATION, OutOfScope, can_supervise, scope_of


def _refusal(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "supervision/refused.html", {"message": message}, status=status)


def supervisors_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in users whose role supervises a place; bad selections answer 400, places out of
    the user's scope 403, each with a readable reason."""

    @login_required
    @require_GET
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        assert isinstance(user, User)
        if not can_supervise(user):
            return _refusal(request, _("Your role gives no access to supervision."), 403)
        try:
            return view(request, user, *args, **kwargs)
        except BadSelection as error:
            return _refusal(request, str(error), 400)
        except OutOfScope as error:
            return _refusal(request, str(error), 403)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _selection(request: HttpRequest, user: User) -> Selection:
    return selection_from(user, {key: request.GET.get(key, "") for key in request.GET})


@supervisors_only
def overview(request: HttpRequest, user: User) -> HttpResponse:
    """The dashboard of the user's place (or of a place under it), for a month or a year."""
    selection = _selection(request, user)
    context = dashboard.context(user, selection)
    context["shows_census"] = True
    template = (
        "supervision/_panel.html" if request.headers.get("HX-Request") else "supervision/index.html"
    )
    return render(request, template, context)


@supervisors_only
def unit_day(request: HttpRequest, user: User, code: str, day: str) -> HttpResponse:
    try:
        date = datetime.date.fromisoformat(day)
    except ValueError as error:
        raise BadSelection(_("A day is written as year-month-day, such as 2026-11-30.")) from error
    return render(request, "supervision/unit_day.html", dashboard.unit_day(user, code, date))


# Every table the dashboard shows, as rows for the exports.
_TABLES: dict[str, Callable[[User, Selection], list[Any]]] = {
    "summary": lambda u, s: [indicators.indicators(u, s.period, scope=s.scope)],
    "breakdown": lambda u, s: indicators.indicator_table(
        u, s.period, by=BREAKDOWN[s.scope.level] or s.scope.level, scope=s.scope
    ),
    "specialties": lambda u, s: indicators.teleexpertise_by_specialty(u, s.period, scope=s.scope),
    "findings": lambda u, s: indicators.findings_by_type(u, s.period, scope=s.scope),
    "series": lambda u, s: indicators.consultation_series(u, s.period, scope=s.scope, step=s.step),
    "stale-syncs": lambda u, s: quality.stale_syncs(u, scope=s.scope),
    "unsigned": lambda u, s: quality.unsigned_encounters(u, scope=s.scope),
    "late-cases": lambda u, s: quality.late_cases(u, scope=s.scope),
    "quarantine": lambda u, s: quality.quarantined_devices(u, scope=s.scope),
}
TABLES = tuple(_TABLES)


@supervisors_only
def table_export(request: HttpRequest, user: User, table: str, fmt: str) -> HttpResponse:
    """Any table of the dashboard as CSV or Excel, for the same place and period."""
    if table not in _TABLES or fmt not in ("csv", "xlsx"):
        return _refusal(request, _("No such table or format (CSV or XLSX)."), 404)
    selection = _selection(request, user)
    rows = _TABLES[table](user, selection)
    name = f"tbib-{table}-{selection.scope.level}-{selection.scope.code}-{selection.label}"
    if fmt == "csv":
        response = HttpResponse(export.to_csv(rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            export.to_xlsx(rows, title=table),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@supervisors_only
def monthly_report(request: HttpRequest, user: User) -> HttpResponse:
    """The monthly PDF report of a region (or of the place selected), for one month."""
    selection = _selection(request, user)
    if selection.kind != "month":
        raise BadSelection(_("The report covers one month."))
    pdf = report.monthly_pdf(user, selection)
    name = f"tbib-report-{selection.scope.level}-{selection.scope.code}-{selection.label}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@supervisors_only
def dhis2_export(request: HttpRequest, user: User) -> HttpResponse:
    """The month's DHIS2 dataValueSet (national staff; the mapping from TBIB_DHIS2_MAPPING)."""
    from tbib.dhis2.service import DhisUnavailable, data_value_set_for

    if scope_of(user) != NATION:
        raise OutOfScope(_("The DHIS2 export is for national staff."))
    selection = _selection(request, user)
    if selection.kind != "month" or selection.scope != NATION:
        raise BadSelection(_("The DHIS2 export covers the whole network for one month."))
    try:
        document, skipped = data_value_set_for(selection.period)
    except DhisUnavailable as error:
        return _refusal(request, str(error), 409)
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="dhis2-{selection.label}.json"'
    # What the mapping leaves out is said, never dropped silently (the body stays a plain
    # dataValueSet, ready to POST to DHIS2).
    response["X-Tbib-Not-Mapped"] = str(len(skipped))
    return response
