"""Coordinators in a real browser: each sees their own place, and the charts are drawn."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from tbib.accounts.choices import UserRole
from tbib.network.models import MobileUnit
from tests.factories import (
    TEST_PASSWORD,
    PatientFactory,
    UserFactory,
    case_about,
    encounter_at,
    stop_on,
    unit,
)
from tests.web.network import ensure_network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _activity() -> None:
    """Three consultations this month, in two regions, one with a tele-expertise case."""
    today = timezone.localdate()
    first = today.replace(day=1)
    seen = []
    for code, day in (("midelt-1", first), ("midelt-1", today), ("figuig-1", today)):
        stop = stop_on(code, day)
        at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
        seen.append(encounter_at(stop, PatientFactory(unit=unit(code)), at,
                                 vitals={"heart_rate": "device"}))  # fmt: skip
    case_about(seen[1], "cardiology", "urgent", queued_at=at, sla_minutes=120,
               status="answered", answered_at=at + datetime.timedelta(minutes=50))  # fmt: skip


def _sign_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/supervision/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")


def test_regional_and_national_coordinators_see_their_own_place(
    browser: Browser, live_server: LiveServer
) -> None:
    ensure_network()
    _activity()
    UserFactory(username="coord-draa", role=UserRole.REGIONAL_COORDINATOR, region_id="08")
    UserFactory(username="coord-nat", role=UserRole.NATIONAL_COORDINATOR)

    page = browser.new_page(viewport={"width": 1366, "height": 900})
    _sign_in(page, live_server.url, "coord-draa")
    dashboard = page.get_by_test_id("dashboard")
    expect(dashboard).to_be_visible()
    in_region = MobileUnit.objects.filter(province__region_id="08").count()
    expect(page.get_by_test_id("supervision-map").locator("circle.unit")).to_have_count(in_region)
    rows = page.get_by_test_id("breakdown").get_by_test_id("breakdown-row")
    codes = [rows.nth(i).get_attribute("data-code") or "" for i in range(rows.count())]
    assert codes and all(code.startswith("08.") for code in codes)
    expect(page.get_by_test_id("kpi-consultations")).to_have_text("2")
    # The charts are drawn, not empty: a line of consultations, a bar per specialty.
    series = page.get_by_test_id("chart-consultations")
    assert series.locator("circle.marker").count() >= 28
    assert len(series.locator("polyline.line").get_attribute("points") or "") > 50
    bars = page.get_by_test_id("chart-specialties").locator("rect.bar")
    expect(bars).to_have_count(1)
    box = bars.first.bounding_box()
    assert box is not None and box["height"] > 20
    # Down to a unit, then to its day.
    page.locator('[data-code="08.363"] a').click()
    page.locator('[data-code="midelt-1"] a').click()
    expect(page.get_by_test_id("unit-days").locator("tbody tr")).to_have_count(2)
    page.close()

    page = browser.new_page(viewport={"width": 1366, "height": 900})
    _sign_in(page, live_server.url, "coord-nat")
    expect(page.get_by_test_id("supervision-map").locator("circle.unit")).to_have_count(
        MobileUnit.objects.count()
    )
    expect(page.get_by_test_id("kpi-consultations")).to_have_text("3")
    # In Arabic the page runs right to left and the charts are still drawn.
    with page.expect_navigation():
        page.select_option("#language-select", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_test_id("dashboard")).to_contain_text("الاستشارات")
    expect(page.get_by_test_id("chart-specialties").locator("rect.bar")).to_have_count(1)
    page.close()
