from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tbib.accounts.models import User
from tests.factories import UserFactory, unit_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def auth(bearer: Callable[[User], dict[str, str]]) -> dict[str, str]:
    return bearer(UserFactory(username="national-test"))


def test_hubs_one_national_and_one_per_region(api_client: Client, auth: dict[str, str]) -> None:
    hubs = api_client.get("/api/network/hubs", **auth).json()
    assert [hub["level"] for hub in hubs].count("national") == 1
    regional = [hub for hub in hubs if hub["level"] == "regional"]
    assert sorted(hub["region_code"] for hub in regional) == [f"{n:02d}" for n in range(1, 13)]


def test_platform_specialties(api_client: Client, auth: dict[str, str]) -> None:
    slugs = {s["slug"] for s in api_client.get("/api/network/specialties", **auth).json()}
    assert slugs == {
        "gynaecology-obstetrics", "paediatrics", "endocrinology", "dermatology",
        "ent", "cardiology", "pulmonology",
    }  # fmt: skip


def test_units_filter_by_region(api_client: Client, auth: dict[str, str]) -> None:
    page = api_client.get("/api/network/units", {"region": "08", "limit": 100}, **auth).json()
    codes = {unit["code"] for unit in page["items"]}
    assert {"midelt-1", "midelt-2"} <= codes
    assert {unit["region_code"] for unit in page["items"]} == {"08"}


def test_unit_detail_has_devices_and_team(api_client: Client, auth: dict[str, str]) -> None:
    unit_staff("gp", "figuig-1", username="gp-figuig-test")
    unit = api_client.get("/api/network/units/figuig-1", **auth).json()
    assert unit["home_commune_name"] == "Talsint"
    assert unit["is_pilot"] is True
    assert len(unit["devices"]) == 7
    assert [member["username"] for member in unit["team"]] == ["gp-figuig-test"]


def test_unknown_unit_is_a_readable_404(api_client: Client, auth: dict[str, str]) -> None:
    response = api_client.get("/api/network/units/atlantis-9", **auth)
    assert response.status_code == 404
    assert response.json() == {"detail": "Unknown unit code 'atlantis-9'."}


def test_facilities_filter(api_client: Client, auth: dict[str, str]) -> None:
    page = api_client.get(
        "/api/network/facilities", {"province": "04.421", "limit": 500}, **auth
    ).json()
    assert page["count"] > 0
    response = api_client.get("/api/network/facilities", {"kind": "spaceport"}, **auth)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Unknown facility kind 'spaceport'")
