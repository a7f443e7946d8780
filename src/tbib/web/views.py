"""Server-rendered pages of the hub: the network overview, units, health, language."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from tbib.accounts.models import User
from tbib.geo.models import Commune, Province, Region
from tbib.geo.selectors import UnknownCode
from tbib.network import selectors as network_selectors
from tbib.network.models import Hub, MobileUnit
from tbib.web import maps


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and what this node holds; no authentication, no patient data."""
    from tbib.sync import keys

    if keys.is_locked():  # alive, but its database opens only at a team member's sign-in
        return JsonResponse(
            {
                "status": "locked",
                "role": settings.TBIB_ROLE,
                "mode": settings.TBIB_MODE,
                "version": settings.TBIB_VERSION,
            }
        )
    return JsonResponse(
        {
            "status": "ok",
            "role": settings.TBIB_ROLE,
            "mode": settings.TBIB_MODE,
            "version": settings.TBIB_VERSION,
            "database": connection.vendor,
            "counts": {
                "regions": Region.objects.count(),
                "provinces": Province.objects.count(),
                "communes": Commune.objects.count(),
                "units": MobileUnit.objects.count(),
                "users": User.objects.count(),
            },
        }
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The national network on real geography: regions, units, hubs and a map."""
    regions = Region.objects.annotate(
        rural_population=Sum("communes__population_2024", filter=Q(communes__kind="rural")),
        commune_count=Count("communes", distinct=True),
    ).order_by("code")
    units_per_region = dict(
        MobileUnit.objects.values_list("province__region_id").annotate(n=Count("id"))
    )
    units = MobileUnit.objects.select_related("province", "home_commune", "regional_hub")
    communes = Commune.objects.filter(latitude__isnull=False).only(
        "code", "name_fr", "kind", "latitude", "longitude"
    )
    commune_points = [
        maps.point(c.latitude, c.longitude, c.name_fr, c.kind)
        for c in communes
        if c.latitude is not None and c.longitude is not None
    ]
    unit_points = [
        maps.point(u.home_commune.latitude, u.home_commune.longitude, u.name, "unit")
        for u in units
        if u.home_commune.latitude is not None and u.home_commune.longitude is not None
    ]
    hub_points = [
        maps.point(h.commune.latitude, h.commune.longitude, h.name, h.level)
        for h in Hub.objects.select_related("commune")
        if h.commune.latitude is not None and h.commune.longitude is not None
    ]
    context = {
        "regions": [(region, units_per_region.get(region.code, 0)) for region in regions],
        "units": units.order_by("code"),
        "total_population": sum(region.population_2024 for region in regions),
        "map": {
            "width": maps.WIDTH,
            "height": maps.HEIGHT,
            "communes": commune_points,
            "units": unit_points,
            "hubs": hub_points,
            "provinces": maps.province_paths(),
        },
        "shows_census": True,
    }
    return render(request, "web/home.html", context)


@login_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        unit = network_selectors.unit(code)
    except UnknownCode:
        return render(request, "web/not_found.html", {"what": code}, status=404)
    return render(request, "web/unit.html", {"unit": unit, "shows_census": True})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the UI language, and remember it on the account of a signed-in user."""
    language = request.POST.get("language", "")
    user = request.user
    if isinstance(user, User) and language in dict(settings.LANGUAGES):
        user.language = language
        user.save(update_fields=["language"])
    return django_set_language(request)
