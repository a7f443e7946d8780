"""The unit's day in a real browser: the nurse registers and triages, the GP signs and prints."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader
from pytest_django.live_server_helper import LiveServer

from tbib.accounts.choices import UserRole
from tbib.clinical.models import Encounter
from tests.factories import TEST_PASSWORD, open_stop_today, unit_staff
from tests.web.network import ensure_network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{base}/unit/")


def _fits(page: Page) -> None:
    """No horizontal scrolling at this viewport."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"]  # type: ignore[index]


def test_nurse_registers_and_triages_then_gp_finds_signs_and_prints(
    browser: Browser,
    live_server: LiveServer,
    tmp_path: Path,
) -> None:
    ensure_network()
    open_stop_today("midelt-1")
    unit_staff(UserRole.NURSE, "midelt-1", username="nurse-imilchil")
    unit_staff(UserRole.GP, "midelt-1", username="gp-imilchil", first_name="Youssef")
    base = live_server.url

    nurse_context = browser.new_context(viewport={"width": 1366, "height": 768})
    nurse = nurse_context.new_page()
    _sign_in(nurse, base, "nurse-imilchil")
    expect(nurse.get_by_test_id("stop")).to_contain_text("Agoudal")
    nurse.click("#new-patient")
    # No identifier at all: a name, the sex and a stated age.
    nurse.fill("#id_given_name", "Fadma")
    nurse.fill("#id_family_name", "Ait Ouahmane")
    nurse.fill("#id_given_name_ar", "فاطمة")
    nurse.select_option("#id_sex", "female")
    nurse.fill("#id_age_years", "47")
    nurse.fill("#id_village", "Tighdouine")
    nurse.click("#register")
    expect(nurse.get_by_test_id("patient")).to_contain_text("Fadma Ait Ouahmane")
    nurse.select_option("#id_triage", "2")
    nurse.fill("#id_reason", "Céphalées")
    for field, value in {
        "#v-systolic_bp": "168",
        "#v-diastolic_bp": "102",
        "#v-temperature": "37,1",
        "#v-spo2": "97",
        "#v-weight": "70",
        "#v-height": "158",
    }.items():
        nurse.fill(field, value)
    _fits(nurse)
    nurse.click("#add-to-waiting-list")
    expect(nurse.get_by_test_id("waiting-list")).to_contain_text("Fadma Ait Ouahmane")
    nurse_context.close()

    gp = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
    page = gp.new_page()
    _sign_in(page, base, "gp-imilchil")
    # Misspelled: Fatima for Fadma, Ouahman for Ouahmane.
    page.fill("#patient-search", "fatima ouahman")
    results = page.get_by_test_id("search-results")
    expect(results).to_contain_text("Fadma Ait Ouahmane")
    results.get_by_role("link", name="Fadma Ait Ouahmane").click()
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("PA systolique")
    timeline.get_by_role("link").first.click()

    expect(page.get_by_test_id("vitals")).to_contain_text("LOINC 39156-5")  # BMI computed
    page.fill("#examination", "Pas de signe de gravité.")
    page.click("#save-notes")
    page.fill("#icd10-search", "hypert")
    option = page.get_by_test_id("icd10-options").get_by_role("button").first
    expect(option).to_contain_text("I10")
    option.click()
    expect(page.get_by_test_id("diagnoses")).to_contain_text("I10")
    page.select_option("#medicine", "amlodipine-5-tab")
    page.fill("#quantity", "30")
    page.fill("#duration_days", "30")
    page.fill("#dosage", "1 comprimé le matin")
    page.click("#prescribe")
    expect(page.get_by_test_id("prescriptions")).to_contain_text("Amlodipine")
    _fits(page)
    page.click("#sign")
    expect(page.get_by_test_id("status")).to_have_text("Signée")
    expect(page.locator("#sign")).to_have_count(0)

    with page.expect_download() as download_info:
        page.click("#pdf-prescription-fr")
    target = tmp_path / "prescription.pdf"
    download_info.value.save_as(target)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(target.read_bytes())).pages)
    assert "Fadma Ait Ouahmane" in text
    assert "Amlodipine 5 mg" in text
    assert "Ordonnance" in text

    encounter = Encounter.objects.get(patient__family_name="Ait Ouahmane")
    assert encounter.status == "signed"
    assert encounter.signed_by is not None and encounter.signed_by.username == "gp-imilchil"

    # The same screen on a tablet held upright: nothing overflows.
    tablet = gp.new_page()
    tablet.set_viewport_size({"width": 768, "height": 1024})
    tablet.goto(f"{base}/unit/encounters/{encounter.pk}/")
    expect(tablet.get_by_test_id("diagnoses")).to_contain_text("I10")
    _fits(tablet)
    gp.close()
