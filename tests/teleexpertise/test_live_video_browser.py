"""Live video: two Chromium pages with fake camera and microphone connect through our signalling."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Browser, Page, expect

from tbib.access.scope import AccessContext
from tbib.accounts.choices import UserRole
from tbib.clinical.services import start_encounter
from tbib.teleexpertise.models import LiveSession
from tbib.teleexpertise.services import open_case, submit_case
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


def _page(browser: Browser, base: str, username: str) -> Page:
    context = browser.new_context(permissions=["camera", "microphone"])
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    return page


def _frames(page: Page) -> int:
    return int(page.evaluate("window.tbibLiveStats().then(s => s.framesDecoded)"))


def test_unit_and_cardiologist_connect_and_see_each_other(
    browser: Browser, asgi_live_server: str
) -> None:
    ensure_network()
    open_stop_today("figuig-1")
    gp = unit_staff(UserRole.GP, "figuig-1", username="gp-talsint")
    UserFactory(username="dr-cardio", role=UserRole.SPECIALIST, specialty_id="cardiology")
    ctx = AccessContext(user=gp)
    encounter = start_encounter(ctx=ctx, patient_id=PatientFactory(unit=unit("figuig-1")).pk)
    case = open_case(
        ctx=ctx,
        encounter_id=encounter.pk,
        specialty="cardiology",
        question="Souffle cardiaque chez l'enfant",
        urgency="urgent",
        consent=True,
    )
    submit_case(ctx=ctx, case_id=case.pk)
    base = asgi_live_server

    unit_page = _page(browser, base, "gp-talsint")
    unit_page.goto(f"{base}/live/{case.pk}/")
    expect(unit_page.get_by_test_id("live-state")).to_have_text("waiting")
    specialist_page = _page(browser, base, "dr-cardio")
    specialist_page.goto(f"{base}/live/{case.pk}/")

    for page in (unit_page, specialist_page):
        expect(page.get_by_test_id("live-state")).to_have_text("connected", timeout=15_000)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and min(_frames(unit_page), _frames(specialist_page)) < 10:
        time.sleep(0.3)
    assert _frames(unit_page) >= 10 and _frames(specialist_page) >= 10

    session = LiveSession.objects.get(case=case)
    assert sorted(session.participants) == ["dr-cardio", "gp-talsint"]
    unit_page.context.close()
    specialist_page.context.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and LiveSession.objects.get(pk=session.pk).ended_at is None:
        time.sleep(0.2)
    assert LiveSession.objects.get(pk=session.pk).ended_at is not None


def test_a_stranger_cannot_join_the_signalling(browser: Browser, asgi_live_server: str) -> None:
    ensure_network()
    open_stop_today("figuig-1")
    gp = unit_staff(UserRole.GP, "figuig-1")
    ctx = AccessContext(user=gp)
    encounter = start_encounter(ctx=ctx, patient_id=PatientFactory(unit=unit("figuig-1")).pk)
    case = open_case(
        ctx=ctx, encounter_id=encounter.pk, specialty="ent", question="Otite", urgency="routine",
        consent=True,
    )  # fmt: skip
    UserFactory(username="dr-derm2", role=UserRole.SPECIALIST, specialty_id="dermatology")
    page = _page(browser, asgi_live_server, "dr-derm2")
    response = page.goto(f"{asgi_live_server}/live/{case.pk}/")
    assert response is not None and response.status == 404
    script = """url => new Promise(resolve => {
        const ws = new WebSocket(url);
        ws.onopen = () => resolve("open");
        ws.onclose = e => resolve(e.code);
    })"""
    url = asgi_live_server.replace("http", "ws") + f"/ws/live/{case.pk}/"
    # The handshake is refused before it completes: browsers report 1006.
    assert page.evaluate(script, url) == 1006
    assert not LiveSession.objects.filter(case=case).exists()
    page.context.close()
