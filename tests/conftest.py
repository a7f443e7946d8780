"""Shared fixtures: the real reference geography and demo network, loaded once per run."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tbib.accounts.models import User
from tbib.geo.importer import import_reference_geography
from tbib.network.services import build_demo_network
from tbib.pharmacy.demo import stock_demo_units
from tests.asgi_server import asgi_live_server  # noqa: F401  (fixture)
from tests.browser import browser  # noqa: F401  (one session fixture for every browser test)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> None:
    """Import Morocco's geography and build the demo network once, in the test database.

    Tests run inside transactions rolled back after each, so this shared base stays intact;
    transactional (browser) tests run last and build their own data.
    """
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        import_reference_geography()
        build_demo_network()
        stock_demo_units()


@pytest.fixture
def api_client() -> Client:
    return Client(REMOTE_ADDR="10.20.30.40")


@pytest.fixture
def token_for(api_client: Client) -> Callable[[User], str]:
    """Issue a bearer token through the real endpoint for a user whose password is 'pw'."""

    def issue(user: User) -> str:
        response = api_client.post(
            "/api/auth/token",
            {"username": user.username, "password": "pw-Tbib-2026"},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        return str(response.json()["access_token"])

    return issue


@pytest.fixture
def bearer(token_for: Callable[[User], str]) -> Callable[[User], dict[str, str]]:
    def headers(user: User) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {token_for(user)}"}

    return headers
