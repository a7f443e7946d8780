"""A planner, in a real browser: runs a scenario, waits for it, sees it on the map."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from tbib.accounts.choices import UserRole
from tests.factories import TEST_PASSWORD, UserFactory
from tests.web.network import ensure_network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_planner_runs_a_scenario_and_sees_it_drawn(
    browser: Browser, live_server: LiveServer
) -> None:
    ensure_network()
    UserFactory(username="planner-b", role=UserRole.PLANNER)
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/planning/")
    page.fill("#id_username", "planner-b")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    expect(page.get_by_test_id("access-table").locator("tbody tr")).to_have_count(25)

    form = page.get_by_test_id("scenario-form")
    form.locator("#id_name").fill("Haut Atlas")
    form.locator("#id_units").fill("8")
    form.locator("#id_provinces").fill("6")
    form.locator("#id_budget_mad").fill("40000000")
    form.locator("#id_time_limit_s").fill("30")
    form.locator("button[type=submit]").click()
    # The run goes on beside the server (no broker here); the page follows it until done.
    figures = page.get_by_test_id("scenario-figures")
    expect(figures).to_be_visible(timeout=60_000)
    plan_map = page.get_by_test_id("plan-map")
    expect(plan_map.locator("path.province")).to_have_count(75)
    expect(plan_map.locator("circle.unit")).to_have_count(8)
    assert plan_map.locator("circle.served").count() >= 8
    box = plan_map.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 200
    expect(page.get_by_test_id("plan-units").locator("tbody tr")).to_have_count(8)
    page.close()
