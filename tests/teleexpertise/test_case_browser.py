"""A dermatology case between two browsers: the unit's GP and the platform's dermatologist."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import LazySettings
from playwright.sync_api import Browser, Page, expect

from tbib.access.scope import AccessContext
from tbib.accounts.choices import UserRole
from tbib.clinical.services import start_encounter
from tests.factories import (
    TEST_PASSWORD,
    PatientFactory,
    UserFactory,
    open_stop_today,
    unit,
    unit_staff,
)
from tests.web.network import ensure_network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _photo(colour: tuple[int, int, int]) -> bytes:
    """A small real PNG (zlib-compressed rows), as a phone photo would be, only smaller."""
    import struct
    import zlib

    width = height = 64
    raw = b"".join(b"\x00" + bytes(colour) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")


def test_gp_sends_photos_dermatologist_answers_live_gp_reads(
    browser: Browser, asgi_live_server: str, tmp_path: Path, settings: LazySettings
) -> None:
    settings.MEDIA_ROOT = tmp_path
    ensure_network()
    open_stop_today("azilal-1")
    gp = unit_staff(UserRole.GP, "azilal-1", username="gp-ahansal")
    UserFactory(
        username="dr-derm",
        role=UserRole.SPECIALIST,
        specialty_id="dermatology",
        first_name="Salma",
    )
    patient = PatientFactory(unit=unit("azilal-1"), given_name="Brahim", family_name="Oubaha")
    encounter = start_encounter(ctx=AccessContext(user=gp), patient_id=patient.pk)
    base = asgi_live_server

    derm_context = browser.new_context(viewport={"width": 1366, "height": 768})
    derm = derm_context.new_page()
    _sign_in(derm, base, "dr-derm")
    derm.goto(f"{base}/platform/")
    queue = derm.get_by_test_id("queue")
    expect(queue).to_contain_text("Aucun dossier en attente")
    expect(derm.locator("body")).to_have_attribute("data-live", "connected")

    gp_context = browser.new_context(viewport={"width": 1366, "height": 768})
    unit_page = gp_context.new_page()
    _sign_in(unit_page, base, "gp-ahansal")
    unit_page.goto(f"{base}/unit/encounters/{encounter.pk}/")
    unit_page.click("#ask-specialist")
    unit_page.select_option("#case-specialty", "dermatology")
    unit_page.fill("#case-question", "Plaque squameuse du coude depuis 3 mois: psoriasis ?")
    photos = [tmp_path / "coude-1.png", tmp_path / "coude-2.png"]
    photos[0].write_bytes(_photo((200, 120, 110)))
    photos[1].write_bytes(_photo((190, 110, 100)))
    unit_page.set_input_files("#case-files", [str(p) for p in photos])
    unit_page.check("#case-consent")
    unit_page.click("#send-case")
    expect(unit_page.get_by_test_id("case")).to_contain_text("2 fichiers")
    expect(unit_page.locator("body")).to_have_attribute("data-live", "connected")

    # The dermatologist's queue shows the case without a reload.
    expect(queue).to_contain_text("Plaque squameuse")
    queue.get_by_role("link").first.click()
    expect(derm.get_by_test_id("photos").locator("img")).to_have_count(2)
    derm.click("#claim")
    derm.fill("#advice", "Psoriasis en plaques probable. Dermocorticoïde 3 semaines, revoir.")
    derm.fill("#diagnosis", "L40.0")
    derm.select_option("#answer-medicine", "clotrimazole-1-cream")
    derm.fill("#answer-quantity", "1")
    derm.fill("#answer-dosage", "1 application le soir")
    derm.click("#send-answer")
    expect(derm.get_by_test_id("case-status")).to_have_text("Répondu")

    # The GP's open page shows the answer by itself.
    answer = unit_page.get_by_test_id("answer")
    expect(answer).to_contain_text("Psoriasis en plaques probable")
    expect(answer).to_contain_text("clotrimazole-1-cream")
    unit_page.click("#acknowledge")
    expect(unit_page.get_by_test_id("case")).to_contain_text("Clôturé")
    derm_context.close()
    gp_context.close()
