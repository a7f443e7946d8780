"""The protections every response carries: CSRF, session fixation, framing, CSP, sniffing,
referrer, and the login lockout of the web form.

`tbib manage check --deploy` in production mode (HSTS, secure cookies, SSL redirect) is
tested in tests/accounts/test_settings.py.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tbib.accounts.choices import UserRole
from tbib.core.middleware import CSP_EXEMPT_PATHS
from tests.factories import TEST_PASSWORD, UserFactory, unit_staff
from tests.security.access_table import ACCESS, PRINCIPALS
from tests.security.conftest import Principal
from tests.security.routes import Route, all_routes

pytestmark = pytest.mark.django_db

# What a policy without 'unsafe-inline' would block: a <script> with a body (JSON data blocks
# are not executed and pass), an on*= event handler, a style= attribute.
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
_STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.I)


def _gp(username: str = "sec-headers-gp") -> UserFactory:
    return unit_staff(UserRole.GP, "midelt-1", username=username)


def test_a_form_post_without_the_csrf_token_is_refused() -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(_gp())
    assert client.post("/unit/patients/new/", {"given_name": "Itto"}).status_code == 403
    # With the token of the form the same post goes through to the view.
    client.get("/unit/patients/new/")
    token = client.cookies["csrftoken"].value
    response = client.post("/unit/patients/new/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 200


def test_the_login_form_needs_its_csrf_token_too() -> None:
    _gp()
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/login/", {"username": "sec-headers-gp", "password": TEST_PASSWORD}
    )
    assert response.status_code == 403


def test_signing_in_gives_a_new_session_key() -> None:
    _gp()
    client = Client()
    client.get("/accounts/login/")
    session = client.session
    session["planted"] = "by someone else"
    session.save()
    before = session.session_key
    response = client.post(
        "/accounts/login/", {"username": "sec-headers-gp", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert client.session.session_key != before


def test_pages_forbid_framing_sniffing_and_foreign_referrers() -> None:
    client = Client()
    client.force_login(_gp())
    for path in ("/", "/unit/", "/accounts/login/"):
        response = client.get(path)
        assert response["X-Frame-Options"] == "DENY", path
        assert response["X-Content-Type-Options"] == "nosniff", path
        assert response["Referrer-Policy"] == "same-origin", path


def test_the_policy_allows_only_the_node_itself() -> None:
    response = Client().get("/accounts/login/")
    policy = dict(
        directive.split(" ", 1) for directive in response["Content-Security-Policy"].split("; ")
    )
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert policy["connect-src"] == "'self' ws://testserver wss://testserver"
    assert policy["media-src"] == "'self' blob:"


_PAGE_ROUTES = [route for route in all_routes() if "GET" in route.methods]


@pytest.mark.parametrize("route", _PAGE_ROUTES, ids=lambda route: route.key)
def test_every_html_answer_carries_the_policy_and_needs_no_inline_code(
    route: Route, principals: dict[str, Principal], path_values: dict[str, str]
) -> None:
    """Each GET route as the first role the access table lets in, and as anonymous."""
    rule = ACCESS.get(route.key)
    allowed = [name for name in PRINCIPALS if rule and name in rule.allow]
    for name in {*allowed[:1], "anonymous"}:
        for url in route.urls(path_values):
            response = principals[name].client.get(url)
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            if url in CSP_EXEMPT_PATHS:
                assert "Content-Security-Policy" not in response
                continue
            assert "Content-Security-Policy" in response, f"{url} as {name}"
            html = response.content.decode()
            for pattern in (_INLINE_SCRIPT, _HANDLER, _STYLE_ATTRIBUTE):
                found = pattern.search(html)
                assert found is None, f"{url} as {name}: {found and found.group(0)}"


def test_five_failed_web_logins_lock_the_account_with_a_readable_page() -> None:
    UserFactory(username="sec-locked")
    client = Client()
    for _ in range(4):
        response = client.post("/accounts/login/", {"username": "sec-locked", "password": "x"})
        assert response.status_code == 200
    response = client.post("/accounts/login/", {"username": "sec-locked", "password": "x"})
    assert response.status_code == 429
    assert (
        "Ce compte est bloqué après 5 échecs de connexion ; réessayez dans 15 minutes."
        in response.content.decode()
    )
    # The right password from elsewhere does not open it either.
    other = Client(REMOTE_ADDR="10.9.9.9")
    response = other.post("/accounts/login/", {"username": "sec-locked", "password": TEST_PASSWORD})
    assert response.status_code == 429
