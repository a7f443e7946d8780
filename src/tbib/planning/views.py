"""The planners' screens: access ranking, scenarios (run, map, adopt) and their comparison."""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tbib.accounts.choices import UserRole
from tbib.planning import geojson, selectors, services
from tbib.planning.allocation import Parameters
from tbib.planning.maps import plan_map
from tbib.planning.models import Scenario, ScenarioStatus
from tbib.planning.plans import PlanError

PLANNING_ROLES = {UserRole.PLANNER, UserRole.NATIONAL_COORDINATOR, UserRole.ADMINISTRATOR}
_DEFAULTS = Parameters()


def planners_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(request.user, "role", None) not in PLANNING_ROLES:
            reason = _("Planning is for the programme's planners and national coordinators.")
            return render(request, "clinical/forbidden.html", {"reason": reason}, status=403)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


class ScenarioForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    units = forms.IntegerField(
        label=gettext_lazy("Units"), min_value=1, max_value=200, initial=_DEFAULTS.units
    )
    provinces = forms.IntegerField(
        label=gettext_lazy("Provinces"), min_value=1, max_value=75, initial=_DEFAULTS.provinces
    )
    budget_mad = forms.FloatField(
        label=gettext_lazy("Budget (MAD)"), min_value=0, initial=_DEFAULTS.budget_mad
    )
    communes_per_unit = forms.IntegerField(
        label=gettext_lazy("Communes per unit"),
        min_value=1,
        max_value=20,
        initial=_DEFAULTS.communes_per_unit,
    )
    radius_km = forms.FloatField(
        label=gettext_lazy("Radius from the base (km by road)"),
        min_value=5,
        max_value=300,
        initial=_DEFAULTS.radius_km,
    )
    time_limit_s = forms.FloatField(
        label=gettext_lazy("Solver time limit (s)"),
        min_value=5,
        max_value=600,
        initial=_DEFAULTS.time_limit_s,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        units, provinces = data.get("units"), data.get("provinces")
        if units is not None and provinces is not None and provinces > units:
            raise forms.ValidationError(_("Each province needs a unit: provinces ≤ units."))
        return data


def _overview(request: HttpRequest, form: ScenarioForm, status: int = 200) -> HttpResponse:
    ranked = selectors.access()
    context = {
        "ranked": ranked[:25],
        "commune_count": len(ranked),
        "underserved": sum(a.underserved for a in ranked),
        "scenarios": Scenario.objects.select_related("created_by")[:50],
        "form": form,
        "shows_census": True,
    }
    return render(request, "planning/overview.html", context, status=status)


@require_GET
@planners_only
def overview(request: HttpRequest) -> HttpResponse:
    return _overview(request, ScenarioForm())


@require_POST
@planners_only
def scenario_new(request: HttpRequest) -> HttpResponse:
    form = ScenarioForm(request.POST)
    if not form.is_valid():
        return _overview(request, form, status=400)
    values = dict(form.cleaned_data)
    scenario = services.queue_scenario(values.pop("name"), values, user=request.user)  # type: ignore[arg-type]
    return redirect("planning-scenario", scenario_id=scenario.pk)


@require_GET
@planners_only
def scenario_detail(request: HttpRequest, scenario_id: str) -> HttpResponse:
    scenario = get_object_or_404(Scenario, pk=scenario_id)
    context: dict[str, Any] = {"scenario": scenario, "shows_census": True}
    if scenario.status == ScenarioStatus.DONE and scenario.document:
        context["map"] = plan_map(scenario.document, selectors.access())
        context["units"] = scenario.document["units"]
    return render(request, "planning/scenario.html", context)


@require_POST
@planners_only
def scenario_adopt(request: HttpRequest, scenario_id: str) -> HttpResponse:
    scenario = get_object_or_404(Scenario, pk=scenario_id)
    try:
        services.adopt(scenario)
    except PlanError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Scenario adopted as the network's plan."))
    return redirect("planning-scenario", scenario_id=scenario.pk)


@require_GET
@planners_only
def scenario_download(request: HttpRequest, scenario_id: str, fmt: str) -> HttpResponse:
    if fmt not in ("json", "geojson", "csv"):
        raise Http404(fmt)
    scenario = get_object_or_404(Scenario, pk=scenario_id, status=ScenarioStatus.DONE)
    document = scenario.document or {}
    filename = f"scenario-{scenario.pk}.{fmt}"
    if fmt == "json":
        response: HttpResponse = JsonResponse(document, json_dumps_params={"ensure_ascii": False})
    elif fmt == "geojson":
        collection = geojson.plan_collection(document, selectors.access())
        response = HttpResponse(json.dumps(collection, ensure_ascii=False),
                                content_type="application/geo+json")  # fmt: skip
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        writer = csv.writer(response)
        writer.writerow(["base", "base_name", "province", "communes", "covered_population",
                         "covered_underserved"])  # fmt: skip
        for unit in document.get("units", []):
            writer.writerow([unit["base"], unit["base_name"], unit["province"],
                             " ".join(unit["communes"]), unit["covered_population"],
                             unit["covered_underserved"]])  # fmt: skip
        writer.writerow([f"# {selectors.CREDIT}"])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@planners_only
def access_download(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("geojson", "csv"):
        raise Http404(fmt)
    ranked = selectors.access()
    if fmt == "geojson":
        response = HttpResponse(json.dumps(geojson.access_collection(ranked), ensure_ascii=False),
                                content_type="application/geo+json")  # fmt: skip
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        writer = csv.writer(response)
        writer.writerow(["rank", "commune_code", "commune", "province", "population_2024",
                         "distance_to_paved_road_km", "nearest_mapped_facility",
                         "facility_road_km", "desert_index", "underserved_population"])  # fmt: skip
        for rank, item in enumerate(ranked, start=1):
            c = item.commune
            writer.writerow([rank, c.code, c.name, c.province, c.population, c.road_km,
                             item.facility, item.facility_road_km, item.index,
                             item.underserved])  # fmt: skip
        writer.writerow([f"# {selectors.CREDIT}"])
    response["Content-Disposition"] = f'attachment; filename="access.{fmt}"'
    return response


@require_GET
@planners_only
def compare(request: HttpRequest) -> HttpResponse:
    """Scenarios side by side: coverage, cost, kilometres, proof of optimality."""
    ids = []
    for value in request.GET.getlist("ids"):
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            continue  # a mangled link: the scenarios that remain are still compared
    scenarios = list(Scenario.objects.filter(pk__in=ids, status=ScenarioStatus.DONE))
    if len(scenarios) < 2:
        messages.error(request, _("Choose at least two finished scenarios to compare."))
        return redirect("planning")
    for scenario in scenarios:
        greedy = (scenario.document or {}).get("greedy", {})
        scenario.greedy_population = greedy.get("covered_population")  # type: ignore[attr-defined]
    return render(request, "planning/compare.html", {"scenarios": scenarios, "shows_census": True})
