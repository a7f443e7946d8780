"""A unit's calendar: who plans, who opens the day, and the rules of an open stop."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.test import Client

from tbib.accounts.choices import UserRole
from tbib.accounts.models import User
from tbib.planning.selectors import served_by_base
from tbib.tours.demo import plan_demo_tours, working_days
from tbib.tours.models import Stop
from tests.factories import regional_coordinator, unit, unit_staff

pytestmark = pytest.mark.django_db


def test_working_days_keep_the_start_and_skip_sundays() -> None:
    sunday = datetime.date(2026, 11, 22)  # a Sunday
    days = working_days(sunday, 8)
    assert days[0] == sunday
    assert [d.isoformat() for d in days[1:]] == [
        "2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-28",
    ]  # fmt: skip


def test_demo_tours_give_every_unit_a_stop_today_at_home_then_its_planned_communes() -> None:
    today = datetime.date(2026, 11, 22)
    created = plan_demo_tours(start=today, days=30)
    assert created == 50 * len(working_days(today, 30))
    midelt = unit("midelt-1")
    first = Stop.objects.get(unit=midelt, date=today)
    assert first.commune_id == midelt.home_commune_id
    planned = served_by_base()[midelt.home_commune_id]  # the network's adopted plan
    visited = set(Stop.objects.filter(unit=midelt).values_list("commune_id", flat=True))
    assert visited == {midelt.home_commune_id, *planned} and len(visited) >= 2


def test_staff_open_and_close_their_day_and_only_one_stop_is_open(
    api_client: Client, bearer: Callable[[User], dict[str, str]]
) -> None:
    midelt = unit("midelt-1")
    gp = unit_staff(UserRole.GP, "midelt-1")
    auth = bearer(gp)
    planned = []
    for day in (1, 2):
        response = api_client.post(
            "/api/tours/stops",
            {
                "unit": "midelt-1",
                "date": f"2026-12-0{day}",
                "commune_code": midelt.home_commune_id,
                "village": "Tighdouine",
            },
            content_type="application/json",
            **auth,
        )
        assert response.status_code == 201, response.content
        planned.append(response.json()["id"])
    opened = api_client.post(f"/api/tours/stops/{planned[0]}/open", **auth)
    assert opened.status_code == 200
    assert opened.json()["status"] == "open"
    second = api_client.post(f"/api/tours/stops/{planned[1]}/open", **auth)
    assert second.status_code == 409
    assert second.json() == {"detail": "Another stop of this unit is open: close it first."}
    assert api_client.post(f"/api/tours/stops/{planned[0]}/close", **auth).status_code == 200
    assert api_client.post(f"/api/tours/stops/{planned[1]}/open", **auth).status_code == 200


def test_another_units_staff_and_coordinators_cannot_open_a_stop(
    api_client: Client, bearer: Callable[[User], dict[str, str]]
) -> None:
    midelt = unit("midelt-1")
    stop = Stop.objects.create(
        unit=midelt, date=datetime.date(2026, 12, 3), commune=midelt.home_commune
    )
    talsint_nurse = bearer(unit_staff(UserRole.NURSE, "figuig-1"))
    assert api_client.post(f"/api/tours/stops/{stop.pk}/open", **talsint_nurse).status_code == 404
    coordinator = bearer(regional_coordinator(midelt.province.region_id))
    listed = api_client.get("/api/tours/stops", {"unit": "midelt-1"}, **coordinator).json()
    assert [item["id"] for item in listed["items"]] == [str(stop.pk)]
    refused = api_client.post(f"/api/tours/stops/{stop.pk}/open", **coordinator)
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Only the staff of this unit can open or close its stops."}


def test_a_stop_must_end_after_it_starts(
    api_client: Client, bearer: Callable[[User], dict[str, str]]
) -> None:
    auth = bearer(unit_staff(UserRole.GP, "midelt-1"))
    response = api_client.post(
        "/api/tours/stops",
        {
            "unit": "midelt-1",
            "date": "2026-12-04",
            "commune_code": unit("midelt-1").home_commune_id,
            "planned_start": "15:00",
            "planned_end": "09:00",
        },
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"field": "planned_end", "message": "Une halte doit finir après son début."}]
    }
