"""Every indicator at unit, province, region and national level against the hand count of
tests/supervision/conftest.py, and a bounded number of queries whatever the row count."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tbib.accounts.choices import UserRole
from tbib.geo.models import Commune
from tbib.network.models import MobileUnit
from tbib.planning.models import Scenario
from tbib.supervision.choices import Level, Step
from tbib.supervision.indicators import (
    FindingRow,
    SeriesPoint,
    SpecialtyRow,
    consultation_series,
    findings_by_type,
    indicator_table,
    indicators,
    table,
    teleexpertise_by_specialty,
)
from tbib.supervision.period import Period
from tbib.supervision.scope import NATION, Scope
from tests.factories import UserFactory, encounter_at, stop_on, unit
from tests.supervision.conftest import ANEFGOU, October, at

pytestmark = pytest.mark.django_db
OCTOBER = Period.month(2026, 10)
M1, M2 = Scope(Level.UNIT, "midelt-1"), Scope(Level.UNIT, "midelt-2")
MIDELT, DRAA, ORIENTAL = (Scope(Level.PROVINCE, "08.363"), Scope(Level.REGION, "08"),
                          Scope(Level.REGION, "02"))  # fmt: skip
SCOPES = (M1, M2, MIDELT, DRAA, ORIENTAL, NATION)

# Columns: midelt-1, midelt-2, province 08.363, region 08, region 02, nation.
EXPECTED: dict[str, tuple[object, ...]] = {
    "units": (1, 1, 2, 5, 3, 50),  # the demo network's units in each scope
    "consultations": (3, 2, 5, 6, 1, 7),
    # P1 is seen by both Midelt units: once in the province, the region and the nation.
    "unique_patients": (2, 2, 3, 4, 1, 5),
    "new_patients": (2, 1, 3, 4, 0, 4),
    # Anefgou is visited by both Midelt units: once in the province.
    "communes_visited": (2, 1, 2, 3, 1, 4),
    "stops_planned": (5, 2, 7, 8, 1, 9),
    "stops_made": (3, 1, 4, 5, 1, 6),
    "stops_made_share": (3 / 5, 1 / 2, 4 / 7, 5 / 8, 1.0, 6 / 9),
    "teleexpertise_requests": (2, 2, 4, 5, 1, 6),
    "teleexpertise_answered": (2, 2, 4, 4, 1, 5),
    # PERCENTILE_CONT by hand: midelt-1 [3600, 259200]; midelt-2 [600, 10800]; province and
    # region 08 [600, 3600, 10800, 259200]; nation with figuig's 1200 s.
    "answer_median_s": (131400.0, 5700.0, 7200.0, 7200.0, 1200.0, 3600.0),
    "answer_p90_s": (233640.0, 9780.0, 184680.0, 184680.0, 1200.0, 159840.0),
    "answered_within_sla": (1, 1, 2, 2, 1, 3),
    "answered_within_sla_share": (0.5, 0.5, 0.5, 0.5, 1.0, 0.6),
    "referrals": (1, 0, 1, 1, 1, 2),
    "referrals_completed": (0, 0, 0, 0, 1, 1),
    "referrals_completed_share": (0.0, None, 0.0, 0.0, 1.0, 0.5),
    "observations": (4, 1, 5, 5, 1, 6),
    "observations_from_devices": (2, 1, 3, 3, 0, 3),
    "device_share": (0.5, 1.0, 0.6, 0.6, 0.0, 0.5),
    "findings_dismissed": (2, 0, 2, 2, 1, 3),
    "ecg_af_suspected": (0, 1, 1, 1, 0, 1),
}


def _population(*codes: str) -> int:
    return sum(Commune.objects.filter(code__in=codes).values_list("population_2024", flat=True))


def _homes(*units: str) -> list[str]:
    return [unit(code).home_commune_id for code in units]


def test_every_indicator_at_every_level(october: October) -> None:
    rows = {scope: table(OCTOBER, by=scope.level, within=scope)[0] for scope in SCOPES}
    for name, values in EXPECTED.items():
        for scope, value in zip(SCOPES, values, strict=True):
            got = getattr(rows[scope], name)
            assert got == pytest.approx(value), f"{name} of {scope}: {got} != {value}"
    populations = (
        _population(*_homes("midelt-1"), ANEFGOU),
        _population(ANEFGOU),
        _population(*_homes("midelt-1"), ANEFGOU),
        _population(*_homes("midelt-1", "ouarzazate-1"), ANEFGOU),
        _population(*_homes("figuig-1")),
        _population(*_homes("midelt-1", "ouarzazate-1", "figuig-1"), ANEFGOU),
    )
    plan = Scenario.objects.get(adopted=True).document
    yearly_cost = plan["cost_mad"] / len(plan["units"])
    yearly_budget = plan["parameters"]["budget_mad"] / len(plan["units"])
    for scope, population in zip(SCOPES, populations, strict=True):
        row = rows[scope]
        assert row.population_visited == population
        assert row.population_reached_share == pytest.approx(row.unique_patients / population)
        cost = yearly_cost * row.units * 31 / 365
        budget = yearly_budget * row.units * 31 / 365
        assert row.cost_mad == round(cost, 2)
        assert row.budget_mad == round(budget, 2)
        assert row.cost_per_consultation_mad == round(cost / row.consultations, 2)
        assert row.budget_per_consultation_mad == round(budget / row.consultations, 2)


def test_a_breakdown_lists_every_group_with_its_name(october: October) -> None:
    by_unit = {row.code: row for row in table(OCTOBER, by=Level.UNIT, within=DRAA)}
    assert set(by_unit) == set(
        MobileUnit.objects.filter(province__region_id="08").values_list("code", flat=True)
    )
    assert by_unit["midelt-1"].name == unit("midelt-1").name
    assert (by_unit["zagora-1"].consultations, by_unit["zagora-1"].answer_median_s) == (0, None)
    assert by_unit["zagora-1"].cost_per_consultation_mad is None
    # The breakdown's rows are the same figures as each scope on its own.
    assert by_unit["midelt-1"] == table(OCTOBER, by=Level.UNIT, within=M1)[0]
    by_region = {row.code: row for row in table(OCTOBER, by=Level.REGION)}
    assert len(by_region) == 9 and by_region["08"].name == "Drâa-Tafilalet"
    assert dataclasses.replace(by_region["08"]) == table(OCTOBER, by=Level.REGION, within=DRAA)[0]


def test_without_an_adopted_plan_there_is_no_cost(october: October) -> None:
    Scenario.objects.update(adopted=False)
    row = table(OCTOBER, by=Level.UNIT, within=M1)[0]
    assert (row.cost_mad, row.budget_mad, row.cost_per_consultation_mad) == (None, None, None)


def test_teleexpertise_per_specialty(october: October) -> None:
    planner = UserFactory(role=UserRole.PLANNER, username="planner-sup")
    assert teleexpertise_by_specialty(planner, OCTOBER) == [
        # cardiology answers: 600, 1200, 3600, 10800 s; dermatology: 259200 s (C6 queued).
        SpecialtyRow("cardiology", 4, 4, 2400.0, 8640.0, 3, 0.75),
        SpecialtyRow("dermatology", 2, 1, 259200.0, 259200.0, 0, 0.0),
    ]
    assert teleexpertise_by_specialty(planner, OCTOBER, scope=ORIENTAL) == [
        SpecialtyRow("cardiology", 1, 1, 1200.0, 1200.0, 1, 1.0)
    ]


def test_findings_by_type(october: October) -> None:
    planner = UserFactory(role=UserRole.PLANNER, username="planner-sup")
    assert findings_by_type(planner, OCTOBER) == [
        FindingRow("dismissed", "hypertension", 2),
        FindingRow("dismissed", "news2", 1),
        FindingRow("ecg", "af-suspected", 1),
    ]
    assert findings_by_type(planner, OCTOBER, scope=M2) == [FindingRow("ecg", "af-suspected", 1)]


def test_consultations_per_day_and_per_week(october: October) -> None:
    planner = UserFactory(role=UserRole.PLANNER, username="planner-sup")
    week = Period(datetime.date(2026, 10, 5), datetime.date(2026, 10, 9))
    assert consultation_series(planner, week) == [
        SeriesPoint(datetime.date(2026, 10, 5), 1),
        SeriesPoint(datetime.date(2026, 10, 6), 2),
        SeriesPoint(datetime.date(2026, 10, 7), 1),
        SeriesPoint(datetime.date(2026, 10, 8), 1),
    ]
    weeks = consultation_series(planner, OCTOBER, scope=MIDELT, step=Step.WEEK)
    # Weeks start on Monday: 28 September (the 1st is a Thursday) to 26 October.
    assert [(p.day.isoformat(), p.consultations) for p in weeks] == [
        ("2026-09-28", 0), ("2026-10-05", 3), ("2026-10-12", 2), ("2026-10-19", 0),
        ("2026-10-26", 0),
    ]  # fmt: skip


def test_a_late_evening_consultation_counts_on_its_local_day(october: October) -> None:
    # 23:30 in Morocco (UTC+1) is 22:30 UTC: still the 9th locally.
    encounter_at(stop_on("figuig-1", datetime.date(2026, 10, 9)), october.patients["P6"],
                 at(9, 23, 30))  # fmt: skip
    planner = UserFactory(role=UserRole.PLANNER, username="planner-sup")
    day = Period(datetime.date(2026, 10, 9), datetime.date(2026, 10, 10))
    assert consultation_series(planner, day) == [SeriesPoint(datetime.date(2026, 10, 9), 1)]
    assert indicators(planner, day).consultations == 1


def _queries(call: object) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()  # type: ignore[operator]
    return len(captured.captured_queries)


def test_queries_are_bounded_whatever_the_rows(
    october: October, django_assert_max_num_queries: Any
) -> None:
    planner = UserFactory(role=UserRole.PLANNER, username="planner-sup")

    def everything() -> None:
        indicator_table(planner, OCTOBER, by=Level.UNIT)
        teleexpertise_by_specialty(planner, OCTOBER)
        findings_by_type(planner, OCTOBER)
        consultation_series(planner, OCTOBER)

    before = _queries(everything)
    # Ten times more consultations, at every unit of the region, on new stops.
    for code in MobileUnit.objects.filter(province__region_id="08").values_list("code", flat=True):
        stop = stop_on(code, datetime.date(2026, 10, 21))
        for n in range(10):
            encounter_at(stop, october.patients["P5"], at(21, 8, n), vitals={"pulse": "device"})
    with django_assert_max_num_queries(before):
        everything()
    # 15 for the table (9 sources counted per unit, units and their groups, distinct
    # patients, communes visited, answer times, cost), 3 for the specialties, 2 for findings,
    # 1 for the series.
    assert _queries(everything) == before == 21
