"""A flagged encounter shows the assistant's finding, its values and its guideline."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from tbib.access.scope import AccessContext
from tbib.accounts.choices import UserRole
from tbib.clinical.services import start_encounter
from tests.factories import TEST_PASSWORD, PatientFactory, open_stop_today, unit, unit_staff
from tests.web.network import ensure_network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_gp_sees_a_flagged_encounter_with_its_explanation(
    browser: Browser, live_server: LiveServer
) -> None:
    ensure_network()
    open_stop_today("midelt-1")
    nurse = unit_staff(UserRole.NURSE, "midelt-1", username="nurse-assist")
    unit_staff(UserRole.GP, "midelt-1", username="gp-assist")
    patient = PatientFactory(unit=unit("midelt-1"), birth_date=datetime.date(1958, 3, 1),
                             given_name="Moha", family_name="Oubella")  # fmt: skip
    encounter = start_encounter(
        ctx=AccessContext(user=nurse),
        patient_id=patient.pk,
        measurements={"systolic_bp": "186", "diastolic_bp": "112", "weight": "92",
                      "height": "160", "glucose": "2.3"},
    )  # fmt: skip
    page = browser.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "gp-assist")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/unit/encounters/{encounter.pk}/")
    pressure = page.locator("[data-rule=blood-pressure]")
    expect(pressure).to_contain_text("186/112")
    expect(pressure).to_contain_text("hypertension de grade 3")  # the UI speaks French
    expect(pressure).to_contain_text("ESC/ESH")
    expect(pressure).to_have_class("finding finding-high")
    expect(page.locator("[data-rule=bmi]")).to_contain_text("obésité de classe II")  # 35.9
    # Asking a specialist: the assistant's choice is preselected, and says why.
    expect(page.locator("#case-specialty")).to_have_value("cardiology")
    expect(page.locator("#case-urgency")).to_have_value("emergency")
    # 2.3 g/L random capillary glucose = 12.8 mmol/L.
    expect(page.locator("[data-rule=glucose]")).to_contain_text("Glycémie au hasard 12.8 mmol/L")
    # The GP knows better about this one: dismissed with a reason, kept on the record.
    bmi = page.locator("[data-rule=bmi]")
    bmi.locator("summary").click()
    bmi.locator("input[name=reason]").fill(
        "Oedèmes des membres inférieurs : poids non interprétable"
    )
    bmi.locator("button[type=submit]").click()
    expect(page.locator("[data-rule=bmi] [data-testid=dismissal]")).to_contain_text(
        "poids non interprétable"
    )
    expect(page.locator("[data-rule=bmi]")).to_have_class("finding finding-low finding-dismissed")
    page.close()
