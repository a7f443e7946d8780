"""What a hub's dashboard shows for one selection (place and period): figures, charts, map.

The views parse the request into a `Selection`, then ask this module for the page's context;
every figure comes from `indicators` and `quality` (database aggregates, scoped there).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tbib.accounts.models import User
from tbib.network.choices import SpecialtySlug
from tbib.network.models import MobileUnit
from tbib.supervision import counts, indicators, quality
from tbib.supervision.choices import Level, Step
from tbib.supervision.period import Period
from tbib.supervision.scope import Scope, narrow, scope_of
from tbib.tours.choices import StopStatus
from tbib.tours.models import Stop
from tbib.web import charts, maps

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^\d{4}$")

# One level down from each scope, for the table under the figures (None: the unit's days).
BREAKDOWN = {
    Level.NATION: Level.REGION,
    Level.REGION: Level.PROVINCE,
    Level.PROVINCE: Level.UNIT,
    Level.UNIT: None,
}


class BadSelection(ValueError):
    """A period or place that cannot be read from the request, with a readable reason."""


@dataclass(frozen=True)
class Selection:
    scope: Scope
    period: Period
    kind: str  # "month" or "year"
    label: str  # "2026-11" or "2026"

    @property
    def step(self) -> Step:
        return Step.DAY if self.kind == "month" else Step.WEEK

    def query(self, **changes: str) -> str:
        """The query string of this selection, with `changes` applied (for links)."""
        values = {
            "level": self.scope.level.value,
            "code": self.scope.code,
            "period": self.kind,
            self.kind: self.label,
        }
        values.update(changes)
        return "&".join(f"{key}={value}" for key, value in values.items() if value)


def _period(params: dict[str, str], today: datetime.date) -> tuple[Period, str, str]:
    kind = params.get("period") or "month"
    if kind == "year":
        raw = params.get("year") or str(today.year)
        if not _YEAR.match(raw) or not 2000 <= int(raw) <= 2100:
            raise BadSelection(_("A year is written as four digits, such as 2026."))
        year = int(raw)
        return Period(datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)), kind, raw
    if kind != "month":
        raise BadSelection(_("The period is a month or a year."))
    raw = params.get("month") or today.strftime("%Y-%m")
    found = _MONTH.match(raw)
    if not found or not 1 <= int(found.group(2)) <= 12 or not 2000 <= int(found.group(1)) <= 2100:
        raise BadSelection(_("A month is written as year-month, such as 2026-11."))
    return Period.month(int(found.group(1)), int(found.group(2))), kind, raw


def selection_from(user: User, params: dict[str, str]) -> Selection:
    """The place and period asked for; BadSelection, or OutOfScope for a place not the user's."""
    period, kind, label = _period(params, timezone.localdate())
    level = params.get("level")
    if not level:
        scope = scope_of(user)
    elif level not in Level.values:
        raise BadSelection(_("Unknown level of the network."))
    else:
        scope = narrow(user, level, params.get("code", ""))
    return Selection(scope, period, kind, label)


def _map(selection: Selection) -> dict[str, Any]:
    """Units of the scope at their bases, and the communes where their stops were made."""
    units = MobileUnit.objects.filter(selection.scope.units(path="")).select_related("home_commune")
    unit_points = [
        maps.point(u.home_commune.latitude, u.home_commune.longitude, u.name, "unit")
        for u in units
        if u.home_commune.latitude is not None and u.home_commune.longitude is not None
    ]
    visited = (
        counts.stops(selection.period)
        .filter(selection.scope.units(), status=StopStatus.CLOSED)
        .order_by()
        .values("commune__name_fr", "commune__latitude", "commune__longitude")
        .annotate(n=Count("pk"))
    )
    stop_points = [
        maps.point(
            row["commune__latitude"],
            row["commune__longitude"],
            f"{row['commune__name_fr']}: {row['n']}",
            "stop",
        )
        for row in visited
        if row["commune__latitude"] is not None and row["commune__longitude"] is not None
    ]
    return {
        "width": maps.WIDTH,
        "height": maps.HEIGHT,
        "provinces": maps.province_paths(),
        "units": unit_points,
        "stops": stop_points,
    }


def unit_days(selection: Selection) -> list[dict[str, Any]]:
    """A unit's stops in the period with their consultations: the way into a unit's day."""
    signed = Q(encounters__status="signed")
    return list(
        counts.stops(selection.period)
        .filter(selection.scope.units())
        .order_by("date", "planned_start")
        .values("pk", "date", "status", "commune__name_fr", "village")
        .annotate(consultations=Count("encounters", filter=signed))
    )


def specialty_names() -> dict[str, str]:
    """Each specialty's name in the reader's language."""
    return {str(slug): str(label) for slug, label in SpecialtySlug.choices}


def context(user: User, selection: Selection) -> dict[str, Any]:
    """Everything the dashboard page draws for this selection."""
    scope, period = selection.scope, selection.period
    below = BREAKDOWN[scope.level]
    summary, breakdown = indicators.summary_and_breakdown(user, period, scope=scope, by=below)
    series = indicators.consultation_series(user, period, scope=scope, step=selection.step)
    specialties = indicators.teleexpertise_by_specialty(user, period, scope=scope)
    names = specialty_names()
    return {
        "selection": selection,
        "summary": summary,
        "breakdown_level": below,
        "breakdown": breakdown,
        "days": unit_days(selection) if below is None else [],
        "specialties": [(names.get(row.specialty, row.specialty), row) for row in specialties],
        "findings": indicators.findings_by_type(user, period, scope=scope),
        "series_chart": charts.series([(p.day, p.consultations) for p in series]),
        "specialty_chart": charts.bars(
            [(names.get(row.specialty, row.specialty), row.requests) for row in specialties]
        ),
        "map": _map(selection),
        "stale_syncs": quality.stale_syncs(user, scope=scope),
        "unsigned": quality.unsigned_encounters(user, scope=scope),
        "late_cases": quality.late_cases(user, scope=scope),
        "quarantine": quality.quarantined_devices(user, scope=scope),
        "up": _up(user, scope),
    }


def _up(user: User, scope: Scope) -> Scope | None:
    """The enclosing place, when the user may see it (for a link back up)."""
    widest = scope_of(user)
    if scope == widest:
        return None
    if scope.level == Level.UNIT:
        unit = MobileUnit.objects.select_related("province").get(code=scope.code)
        return Scope(Level.PROVINCE, unit.province_id)
    if scope.level == Level.PROVINCE:
        from tbib.geo.models import Province

        region = Province.objects.values_list("region_id", flat=True).get(code=scope.code)
        return Scope(Level.REGION, str(region))
    return Scope(widest.level, widest.code)


def unit_day(user: User, unit_code: str, day: datetime.date) -> dict[str, Any]:
    """One unit's day for a coordinator: its stops and what was done there, in figures (no
    patient identities: the records themselves are reached through the audited chart)."""
    scope = narrow(user, Level.UNIT, unit_code)
    unit = MobileUnit.objects.select_related("province", "home_commune").get(code=unit_code)
    stops = (
        Stop.objects.filter(unit=unit, date=day)
        .select_related("commune")
        .order_by("planned_start")
        .annotate(
            waiting=Count("encounters", filter=Q(encounters__status="waiting"), distinct=True),
            in_progress=Count(
                "encounters", filter=Q(encounters__status="in-progress"), distinct=True
            ),
            signed=Count("encounters", filter=Q(encounters__status="signed"), distinct=True),
        )
    )
    period = Period(day, day + datetime.timedelta(days=1))
    return {
        "unit": unit,
        "day": day,
        "scope": scope,
        "stops": list(stops),
        "summary": indicators.indicators(user, period, scope=scope),
        "specialties": indicators.teleexpertise_by_specialty(user, period, scope=scope),
        "names": specialty_names(),
    }
