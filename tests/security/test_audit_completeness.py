"""Every route that touches patient data leaves an AuditEvent when an allowed role calls it.

The routes are the access table's rows flagged `patient` (access_table.py), so a new patient
route declares itself there or fails test_access_matrix.py.
"""

from __future__ import annotations

import pytest

from tbib.access.models import AuditEvent
from tests.security.access_table import ACCESS, PRINCIPALS
from tests.security.conftest import Principal
from tests.security.routes import Route, all_routes
from tests.security.test_access_matrix import ask

pytestmark = pytest.mark.django_db

PATIENT_ROUTES = [
    route
    for route in all_routes()
    if route.key in ACCESS and ACCESS[route.key].patient and not ACCESS[route.key].unaudited
]
# Answers given before any record is looked at: the method is not served here (405) or the
# body is not JSON (415). They touch no patient data, so there is nothing to trace.
_NOT_REACHED = {405, 415}


@pytest.mark.parametrize("route", PATIENT_ROUTES, ids=lambda route: route.key)
def test_an_allowed_call_is_audited(
    route: Route, principals: dict[str, Principal], path_values: dict[str, str]
) -> None:
    rule = ACCESS[route.key]
    name = next(name for name in PRINCIPALS if name in rule.allow)
    silent = []
    for url in route.urls(path_values):
        for method in route.methods:
            before = AuditEvent.objects.count()
            response = ask(principals[name], method, url, rule, path_values)
            if response.status_code in _NOT_REACHED:
                continue
            if AuditEvent.objects.count() == before:
                silent.append(f"{method} {url} as {name}: {response.status_code}")
    assert not silent, "No audit event for:\n" + "\n".join(silent)
