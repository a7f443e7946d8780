from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tbib.accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def auth(bearer: Callable[[User], dict[str, str]]) -> dict[str, str]:
    return bearer(UserFactory(username="planner-test", role="planner"))


def test_geography_requires_authentication(api_client: Client) -> None:
    response = api_client.get("/api/geo/regions")
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Authentication required")


def test_regions_are_listed_with_hcp_population(api_client: Client, auth: dict[str, str]) -> None:
    regions = api_client.get("/api/geo/regions", **auth).json()
    assert len(regions) == 12
    assert regions[0]["code"] == "01"
    assert sum(region["population_2024"] for region in regions) == 36_828_330


def test_provinces_filter_by_region(api_client: Client, auth: dict[str, str]) -> None:
    page = api_client.get("/api/geo/provinces", {"region": "08", "limit": 100}, **auth).json()
    names = {province["name_fr"] for province in page["items"]}
    assert page["count"] == 5
    assert "Midelt" in names


def test_communes_filter_order_and_page(api_client: Client, auth: dict[str, str]) -> None:
    page = api_client.get(
        "/api/geo/communes",
        {"province": "08.363", "kind": "rural", "order": "-population", "limit": 5, "offset": 0},
        **auth,
    ).json()
    assert page["count"] > 10
    items = page["items"]
    assert len(items) == 5
    populations = [item["population_2024"] for item in items]
    assert populations == sorted(populations, reverse=True)
    assert {item["kind"] for item in items} == {"rural"}
    assert {item["province_code"] for item in items} == {"08.363"}
    second = api_client.get(
        "/api/geo/communes",
        {"province": "08.363", "kind": "rural", "order": "-population", "limit": 5, "offset": 5},
        **auth,
    ).json()["items"]
    assert not {i["code"] for i in items} & {i["code"] for i in second}


def test_commune_detail(api_client: Client, auth: dict[str, str]) -> None:
    commune = api_client.get("/api/geo/communes/02.251.07.11", **auth).json()
    assert commune["name_fr"] == "Talsint"
    assert commune["distance_to_paved_road_km"] is not None


def test_unknown_commune_code_is_a_readable_404(api_client: Client, auth: dict[str, str]) -> None:
    response = api_client.get("/api/geo/communes/99.999.99.99", **auth)
    assert response.status_code == 404
    assert response.json() == {"detail": "Unknown commune code '99.999.99.99'."}


def test_unknown_filter_codes_are_readable(api_client: Client, auth: dict[str, str]) -> None:
    response = api_client.get("/api/geo/communes", {"province": "00.000"}, **auth)
    assert response.status_code == 404
    assert response.json() == {"detail": "Unknown province code '00.000'."}
    response = api_client.get("/api/geo/communes", {"kind": "suburban"}, **auth)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "query.kind"
