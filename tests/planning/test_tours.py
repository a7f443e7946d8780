"""Tours: a month of stops that keeps the working day, the rest days and the visit rhythm."""

from __future__ import annotations

import datetime
import random
from pathlib import Path

import pytest
from django.core.management import call_command

from tbib.planning.access import CIRCUITY, great_circle_km
from tbib.planning.tours import (
    SERVICE_MINUTES,
    SPEED_KMH,
    WORKING_MINUTES,
    TourStop,
    plan_month,
    to_ics,
    working_days,
)
from tbib.tours.models import Stop

BASE = (32.15, -5.63)  # Imilchil


def _minutes(a: tuple[float, float], b: tuple[float, float]) -> float:
    return great_circle_km(*a, *b) * CIRCUITY / SPEED_KMH * 60


def test_working_days_skip_weekends_and_public_holidays() -> None:
    days = working_days(2027, 1)
    assert datetime.date(2027, 1, 1) not in days  # New Year, a Friday
    assert datetime.date(2027, 1, 11) not in days  # Independence Manifesto
    assert datetime.date(2027, 1, 14) not in days  # Amazigh New Year
    assert all(d.weekday() < 5 for d in days) and len(days) == 18


def test_a_month_keeps_every_rule_and_is_rechecked_from_scratch() -> None:
    rng = random.Random(2)
    stops = [TourStop(f"S{i}", f"Douar {i}", BASE[0] + rng.uniform(-0.2, 0.2),
                      BASE[1] + rng.uniform(-0.2, 0.2)) for i in range(10)]  # fmt: skip
    month = plan_month(BASE, stops, 2027, 1, time_limit_s=3)
    assert month.missed == [] and len(month.visits) == 20
    days = working_days(2027, 1)
    half = days[len(days) // 2]
    for stop in stops:
        dates = sorted(v.day for v in month.visits if v.stop == stop)
        assert len(dates) == 2 and dates[0] < half <= dates[1]  # once in each half
    by_day: dict[datetime.date, list] = {}
    for visit in month.visits:
        assert visit.day in days
        by_day.setdefault(visit.day, []).append(visit)
    kilometres = 0.0
    for visits in by_day.values():
        visits.sort(key=lambda v: v.arrival)
        places = [BASE] + [(v.stop.latitude, v.stop.longitude) for v in visits] + [BASE]
        travel = sum(_minutes(a, b) for a, b in zip(places, places[1:], strict=False))
        assert travel + SERVICE_MINUTES * len(visits) <= WORKING_MINUTES + len(places)  # rounding
        kilometres += sum(great_circle_km(*a, *b) * CIRCUITY
                          for a, b in zip(places, places[1:], strict=False))  # fmt: skip
    assert kilometres == pytest.approx(month.kilometres, rel=0.01)
    calendar = to_ics("midelt-1", month)
    assert calendar.startswith("BEGIN:VCALENDAR\r\n") and calendar.count("BEGIN:VEVENT") == 20


@pytest.mark.django_db
def test_the_command_writes_the_calendar_and_pushes_the_stops(tmp_path: Path) -> None:
    out = tmp_path / "tours.ics"
    call_command("plan_tours", unit="midelt-1", month="2027-01", out=str(out), time_limit=2,
                 push=True)  # fmt: skip
    events = out.read_text().count("BEGIN:VEVENT")
    planned = Stop.objects.filter(unit__code="midelt-1", date__year=2027, date__month=1,
                                  status="planned")  # fmt: skip
    assert events > 0 and planned.count() == events
