"""Supervision indicators of the network for a period, per unit, province, region or nation.

Every figure is added up by the database (grouped queries, a window-function percentile):
a table costs the same number of queries whatever the number of encounters, cases or units.
Definitions: docs/supervision.md. Rows carry no patient identity, so reading them is not
patient data and is not audited (as the network and planning aggregates).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from tbib.accounts.models import User
from tbib.assist.models import FindingDismissal
from tbib.devices.models import EcgStrip
from tbib.network.models import MobileUnit
from tbib.supervision import counts
from tbib.supervision.choices import LEVEL_ORDER, NATION_CODE, Level, Step
from tbib.supervision.cost import adopted_unit_cost
from tbib.supervision.period import Period
from tbib.supervision.scope import NATION, OutOfScope, Scope, group_field, narrow, scope_of
from tbib.supervision.stats import Seconds, percentiles
from tbib.tours.choices import StopStatus

__all__ = [
    "FindingRow",
    "OutOfScope",
    "IndicatorRow",
    "SeriesPoint",
    "SpecialtyRow",
    "consultation_series",
    "findings_by_type",
    "indicator_table",
    "indicators",
    "summary_and_breakdown",
    "table",
    "tables",
    "teleexpertise_by_specialty",
]


@dataclass(frozen=True)
class IndicatorRow:
    """The indicators of one unit, province, region or of the nation over a period."""

    level: str
    code: str
    name: str
    units: int
    consultations: int
    unique_patients: int
    new_patients: int
    communes_visited: int
    population_visited: int
    population_reached_share: float | None
    stops_planned: int
    stops_made: int
    stops_made_share: float | None
    teleexpertise_requests: int
    teleexpertise_answered: int
    answer_median_s: float | None
    answer_p90_s: float | None
    answered_within_sla: int
    answered_within_sla_share: float | None
    referrals: int
    referrals_completed: int
    referrals_completed_share: float | None
    observations: int
    observations_from_devices: int
    device_share: float | None
    findings_dismissed: int
    ecg_af_suspected: int
    cost_mad: float | None
    budget_mad: float | None
    cost_per_consultation_mad: float | None
    budget_per_consultation_mad: float | None


@dataclass(frozen=True)
class SpecialtyRow:
    """Tele-expertise of one specialty within a scope over a period."""

    specialty: str
    requests: int
    answered: int
    answer_median_s: float | None
    answer_p90_s: float | None
    answered_within_sla: int
    answered_within_sla_share: float | None


@dataclass(frozen=True)
class FindingRow:
    """How many assistant findings of one kind were recorded within a scope over a period."""

    kind: str  # "dismissed" (a clinician's dismissal, by rule) or "ecg"
    rule: str
    count: int


@dataclass(frozen=True)
class SeriesPoint:
    """Consultations of one day (or of the week starting that Monday)."""

    day: datetime.date
    consultations: int


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _per(amount: float | None, consultations: int) -> float | None:
    return round(amount / consultations, 2) if amount is not None and consultations else None


def _groups(by: Level, within: Scope) -> dict[str, tuple[str, int]]:
    """{group code: (name, units)} of the groups of `within` at level `by` (one query)."""
    units = MobileUnit.objects.filter(within.units(path="")).order_by()
    if by == Level.NATION:
        return {NATION_CODE: (_("Morocco"), units.count())}
    name = {Level.UNIT: "name", Level.PROVINCE: "province__name_fr",
            Level.REGION: "province__region__name_fr"}[by]  # fmt: skip
    field = group_field(by, path="")
    assert field is not None
    rows = units.values(code_=F(field), name_=F(name)).annotate(units_=Count("pk"))
    return {str(r["code_"]): (str(r["name_"]), int(r["units_"])) for r in rows}


def _key(by: Level, path: str = "unit") -> dict[str, Any]:
    """The `values()` argument naming a row's group (nothing for the nation)."""
    field = group_field(by, path)
    return {} if field is None else {"key0": F(field)}


def _answer_times(rows: Any, by: Level) -> dict[tuple[Any, ...], list[float]]:
    """{(group,): [median, p90]} of the seconds from queue to answer."""
    key = _key(by)
    timed = rows.order_by().values(**key, seconds=Seconds("answered_at", "queued_at"))
    return percentiles(timed, tuple(key), "seconds", (0.5, 0.9))


def _visited(period: Period, by: Level, within: Scope) -> dict[str, dict[str, Any]]:
    """Communes where a stop was made, each counted once per group, with their population.

    The database lists the distinct (group, commune) pairs and adds them up: one query.
    """
    made = counts.stops(period).filter(within.units(), status=StopStatus.CLOSED).order_by()
    field = group_field(by)
    key = {} if field is None else {"group_": F(field)}
    pairs = made.values("commune_id", **key, population_=F("commune__population_2024"))
    inner_sql, params = pairs.distinct().query.sql_with_params()
    connection = connections[pairs.db]
    quote = connection.ops.quote_name
    group = f"{quote('group_')}, " if key else ""
    # Only quoted identifiers and Django's own compiled SQL go into the text.
    sql = (
        f"SELECT {group}COUNT(*), SUM({quote('population_')}) FROM ({inner_sql}) pairs_"  # noqa: S608
        + (f" GROUP BY {quote('group_')}" if key else "")
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    if not key:
        found = [(NATION_CODE, *row) for row in found]
    return {
        str(code): {"communes_visited": int(n or 0), "population_visited": int(people or 0)}
        for code, n, people in found
        if n
    }


def tables(
    period: Period, *, levels: tuple[Level, ...], within: Scope = NATION
) -> dict[Level, list[IndicatorRow]]:
    """The indicators of every group of `within` at each of `levels`, by code (no scope
    check: the viewer-facing functions below check; the DHIS2 export calls this for the
    nation). The additive counts are taken once per unit and added up into each level."""
    for by in levels:
        if LEVEL_ORDER.index(by) > LEVEL_ORDER.index(within.level):
            raise ValueError(f"Cannot break a {within.level} down by {by}.")
    per_unit = counts.activity_per_unit(period, within=within)
    answered = counts.cases_answered(period).filter(within.units())
    unit_cost = adopted_unit_cost()
    result = {}
    for by in levels:
        activity = counts.with_unique_patients(
            counts.fold(per_unit, counts.unit_groups(by, within)),
            counts.unique_patients(period, by=by, within=within),
        )
        visited, times = _visited(period, by, within), _answer_times(answered, by)
        result[by] = _rows(period, by, _groups(by, within), activity, visited, times, unit_cost)
    return result


def table(period: Period, *, by: Level, within: Scope = NATION) -> list[IndicatorRow]:
    """The indicators of every group of `within` at level `by`, by code (see `tables`)."""
    return tables(period, levels=(by,), within=within)[by]


def _rows(
    period: Period,
    by: Level,
    groups: dict[str, tuple[str, int]],
    activity: dict[str, dict[str, int]],
    visited: dict[str, dict[str, Any]],
    times: dict[tuple[Any, ...], list[float]],
    unit_cost: Any,
) -> list[IndicatorRow]:
    rows = []
    for code, (name, units) in sorted(groups.items()):
        c = activity.get(code) or dict.fromkeys(counts.COUNTS, 0)
        place = visited.get(code) or {}
        median, p90 = times.get((code,) if by != Level.NATION else (), [None, None])
        cost, budget = unit_cost.prorated(units, period.days) if unit_cost else (None, None)
        population = int(place.get("population_visited") or 0)
        rows.append(IndicatorRow(
            level=by.value, code=code, name=name, units=units,
            consultations=c["consultations"], unique_patients=c["unique_patients"],
            new_patients=c["new_patients"],
            communes_visited=int(place.get("communes_visited") or 0),
            population_visited=population,
            population_reached_share=_share(c["unique_patients"], population),
            stops_planned=c["stops_planned"], stops_made=c["stops_made"],
            stops_made_share=_share(c["stops_made"], c["stops_planned"]),
            teleexpertise_requests=c["teleexpertise_requests"],
            teleexpertise_answered=c["teleexpertise_answered"],
            answer_median_s=median, answer_p90_s=p90,
            answered_within_sla=c["answered_within_sla"],
            answered_within_sla_share=_share(c["answered_within_sla"],
                                             c["teleexpertise_answered"]),
            referrals=c["referrals"], referrals_completed=c["referrals_completed"],
            referrals_completed_share=_share(c["referrals_completed"], c["referrals"]),
            observations=c["observations"],
            observations_from_devices=c["observations_from_devices"],
            device_share=_share(c["observations_from_devices"], c["observations"]),
            findings_dismissed=c["findings_dismissed"], ecg_af_suspected=c["ecg_af_suspected"],
            cost_mad=None if cost is None else round(cost, 2),
            budget_mad=None if budget is None else round(budget, 2),
            cost_per_consultation_mad=_per(cost, c["consultations"]),
            budget_per_consultation_mad=_per(budget, c["consultations"]),
        ))  # fmt: skip
    return rows


def _within(viewer: User, scope: Scope | None) -> Scope:
    if scope is None:
        return scope_of(viewer)
    return narrow(viewer, scope.level, scope.code)


def indicator_table(
    viewer: User, period: Period, *, by: Level, scope: Scope | None = None
) -> list[IndicatorRow]:
    """One row per unit, province or region (`by`) of `scope` (default: all the viewer may
    see); OutOfScope when the viewer may not see `scope`."""
    return table(period, by=by, within=_within(viewer, scope))


def summary_and_breakdown(
    viewer: User, period: Period, *, by: Level | None, scope: Scope | None = None
) -> tuple[IndicatorRow, list[IndicatorRow]]:
    """The scope as a whole and its groups at level `by` (none when `by` is None), in one
    pass over the rows: what a dashboard shows."""
    within = _within(viewer, scope)
    levels = (within.level,) if by is None else (within.level, by)
    found = tables(period, levels=levels, within=within)
    (summary,) = found[within.level]
    return summary, found[by] if by is not None else []


def indicators(viewer: User, period: Period, *, scope: Scope | None = None) -> IndicatorRow:
    """The indicators of one scope as a whole (default: all the viewer may see)."""
    within = _within(viewer, scope)
    (row,) = table(period, by=within.level, within=within)
    return row


def teleexpertise_by_specialty(
    viewer: User, period: Period, *, scope: Scope | None = None
) -> list[SpecialtyRow]:
    """Cases sent and answered per specialty within the scope, with answer times and SLA."""
    within = _within(viewer, scope)
    sent = counts.cases_sent(period).filter(within.units()).order_by()
    answered = counts.cases_answered(period).filter(within.units()).order_by()
    requests = dict(sent.values_list("specialty_id").annotate(n=Count("pk")))
    done = {
        row["specialty_id"]: row
        for row in answered.values("specialty_id").annotate(
            n=Count("pk"), ok=Count("pk", filter=counts.WITHIN_SLA)
        )
    }
    times = percentiles(
        answered.values("specialty_id", seconds=Seconds("answered_at", "queued_at")),
        ("specialty_id",), "seconds", (0.5, 0.9),
    )  # fmt: skip
    rows = []
    for specialty in sorted(set(requests) | set(done)):
        n, ok = done.get(specialty, {}).get("n", 0), done.get(specialty, {}).get("ok", 0)
        median, p90 = times.get((specialty,), [None, None])
        rows.append(SpecialtyRow(str(specialty), requests.get(specialty, 0), n, median, p90, ok,
                                 _share(ok, n)))  # fmt: skip
    return rows


def findings_by_type(
    viewer: User, period: Period, *, scope: Scope | None = None
) -> list[FindingRow]:
    """Assistant findings recorded in the period: dismissals by rule, ECG AF suspicions."""
    within = _within(viewer, scope)
    start, end = period.bounds
    in_period = Q(created_at__gte=start, created_at__lt=end) & within.units("encounter__unit")
    dismissed = (
        FindingDismissal.objects.filter(in_period).order_by().values_list("rule")
        .annotate(n=Count("pk")).order_by("rule")
    )  # fmt: skip
    rows = [FindingRow("dismissed", str(rule), int(n)) for rule, n in dismissed]
    af = EcgStrip.objects.filter(in_period, finding__af_suspected=True).count()
    if af:
        rows.append(FindingRow("ecg", "af-suspected", af))
    return rows


def consultation_series(
    viewer: User, period: Period, *, scope: Scope | None = None, step: Step = Step.DAY
) -> list[SeriesPoint]:
    """Consultations per day (or per week, Monday first) of the period, zeros included."""
    within = _within(viewer, scope)
    zone = timezone.get_current_timezone()
    bucket = (TruncDate("arrived_at", tzinfo=zone) if step == Step.DAY
              else TruncWeek("arrived_at", tzinfo=zone))  # fmt: skip
    found = (
        counts.consultations(period).filter(within.units()).order_by()
        .values(day=bucket).annotate(n=Count("pk"))
    )  # fmt: skip
    per_day = {
        (row["day"].date() if isinstance(row["day"], datetime.datetime) else row["day"]): row["n"]
        for row in found
    }
    first = period.start
    if step == Step.WEEK:
        first -= datetime.timedelta(days=first.weekday())
    width = datetime.timedelta(days=1 if step == Step.DAY else 7)
    points, day = [], first
    # A loop over the calendar's days or weeks (not over rows), to draw empty days as zero.
    while day < period.end:
        points.append(SeriesPoint(day, int(per_day.get(day, 0))))
        day += width
    return points
