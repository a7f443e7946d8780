"""What a person sees in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from tbib.accounts.choices import UserRole
from tbib.accounts.models import User
from tests.factories import TEST_PASSWORD, unit_staff
from tests.web.network import ensure_network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_gp_signs_in_and_switches_to_arabic(browser: Browser, live_server: LiveServer) -> None:
    ensure_network()
    unit_staff(UserRole.GP, "midelt-1", username="gp-midelt-1", first_name="Youssef")
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/")
    # French by default, left to right.
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    page.fill("#id_username", "gp-midelt-1")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    expect(page.get_by_test_id("units-table")).to_be_visible()
    expect(page.get_by_test_id("who")).to_contain_text("Youssef")
    expect(page.get_by_test_id("credits")).to_contain_text("HCP")

    with page.expect_navigation():
        page.select_option("#language-select", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    assert User.objects.get(username="gp-midelt-1").language == "ar"

    # Remembered on the account: a new browser session opens in Arabic after sign-in.
    other = browser.new_page()
    other.goto(f"{live_server.url}/accounts/login/")
    expect(other.locator("html")).to_have_attribute("dir", "ltr")
    other.fill("#id_username", "gp-midelt-1")
    other.fill("#id_password", TEST_PASSWORD)
    other.click("button[type=submit]")
    expect(other.locator("html")).to_have_attribute("dir", "rtl")
    page.close()
    other.close()
