from __future__ import annotations

import pytest
from django.test import Client

from tbib.accounts.choices import UserRole
from tests.factories import UserFactory, unit_staff

pytestmark = pytest.mark.django_db


def test_healthz_reports_role_mode_version_database_and_counts() -> None:
    UserFactory(username="someone")
    body = Client().get("/healthz").json()
    assert body["status"] == "ok"
    assert body["role"] == "hub"
    assert body["mode"] == "demo"
    assert body["version"]
    assert body["database"] in {"sqlite", "postgresql"}
    counts = body["counts"]
    assert (counts["regions"], counts["provinces"], counts["communes"]) == (12, 75, 1503)
    assert counts["units"] >= 50
    assert counts["users"] >= 1


def test_pages_need_a_signed_in_user() -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_login_page_is_french_by_default_whatever_the_browser_asks() -> None:
    response = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert '<html lang="fr" dir="ltr">' in html
    assert "Se connecter" in html


def test_home_shows_the_network_with_credits() -> None:
    client = Client()
    client.force_login(unit_staff(UserRole.GP, "midelt-1", username="gp-home"))
    html = client.get("/").content.decode()
    assert "Imilchil" in html
    assert "Haut-Commissariat au Plan" in html
    assert "OpenStreetMap" in html
    assert html.count('class="unit"') >= 50


def test_unit_page_and_unknown_unit() -> None:
    client = Client()
    client.force_login(UserFactory(username="nat-pages"))
    assert "Talsint" in client.get("/units/figuig-1/").content.decode()
    assert client.get("/units/nowhere-1/").status_code == 404


def test_language_switch_is_remembered_on_the_account() -> None:
    user = unit_staff(UserRole.NURSE, "figuig-1", username="nurse-lang")
    client = Client()
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "ar", "next": "/"})
    user.refresh_from_db()
    assert user.language == "ar"
    html = Client(enforce_csrf_checks=False)
    html.force_login(user)
    assert 'dir="rtl"' in html.get("/").content.decode()


def test_openapi_document_lists_the_routers() -> None:
    paths = Client().get("/api/openapi.json").json()["paths"]
    for path in ("/api/auth/token", "/api/me", "/api/geo/communes", "/api/network/units",
                 "/api/patients"):  # fmt: skip
        assert path in paths
