"""Role × route: every route of the node, asked by every role, against the access table.

The routes come from the URL resolver (routes.py), so a new route fails
`test_every_route_is_in_the_table` until someone reviews it and adds its row.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.http import HttpResponseBase
from django.shortcuts import resolve_url

from tests.security.access_table import ACCESS, PRINCIPALS, Rule
from tests.security.conftest import Principal
from tests.security.routes import Route, all_routes

pytestmark = pytest.mark.django_db

ROUTES = all_routes()
_LOGIN_PATHS = {resolve_url(settings.LOGIN_URL), "/admin/login/"}


def test_every_route_is_in_the_table() -> None:
    found = {route.key for route in ROUTES}
    unlisted = sorted(found - ACCESS.keys())
    stale = sorted(ACCESS.keys() - found)
    assert not unlisted, f"Routes missing from tests/security/access_table.py: {unlisted}"
    assert not stale, f"Rows of tests/security/access_table.py with no route: {stale}"


def is_refusal(response: HttpResponseBase) -> bool:
    """401/403, or the redirect to a login page that login_required answers (with ?next=).

    A redirect to the login page without "next" is a page's own answer (logging out).
    """
    if response.status_code in (401, 403):
        return True
    if response.status_code != 302:
        return False
    location = urlsplit(response["Location"])
    return location.path in _LOGIN_PATHS and "next" in parse_qs(location.query)


def ask(
    principal: Principal, method: str, url: str, rule: Rule, values: dict[str, str]
) -> HttpResponseBase:
    query = rule.query
    headers = {}
    for name, value in [*(("query", query),), *rule.headers.items()]:
        for key, filled in values.items():
            value = value.replace(f"<{key}>", filled)
        if name == "query":
            query = value
        else:
            headers[name] = value
    return principal.client.generic(method, f"{url}?{query}" if query else url, headers=headers)


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.key)
def test_roles_get_what_the_table_says(
    route: Route, principals: dict[str, Principal], path_values: dict[str, str]
) -> None:
    rule = ACCESS.get(route.key)
    if rule is None:
        pytest.fail(f"{route.key} is not in the access table")
    wrong = []
    for url in route.urls(path_values):
        for method in route.methods:
            answers = {
                name: ask(principals[name], method, url, rule, path_values) for name in PRINCIPALS
            }
            # A method the route serves to none of the roles it lets in (405) says nothing
            # about roles: the others may be told 405 or refused, neither leaks anything.
            let_in = rule.allow | rule.hide
            if all(answers[name].status_code == 405 for name in let_in):
                continue
            for name, response in answers.items():
                status = response.status_code
                if name in rule.allow:
                    ok = not is_refusal(response) and status < 500
                elif name in rule.hide:
                    # Nothing about the record: "not found" to a read, and to a write either
                    # that or a refusal of its body made before the record is looked up.
                    ok = status == 404 if method == "GET" else 400 <= status < 500
                    ok = ok and not is_refusal(response)
                else:
                    ok = is_refusal(response)
                if not ok:
                    wrong.append(f"{method} {url} as {name}: {status}")
    assert not wrong, "\n".join(wrong)
