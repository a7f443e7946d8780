"""Schemathesis over the whole OpenAPI document (/api/openapi.json): every operation, driven
with generated valid and invalid input by a signed-in unit GP; no answer is a 5xx.

Schemathesis generates the cases from the document; they are sent through Django's test
client, so that each runs inside the test's transaction like every other API test.
"""

from __future__ import annotations

import json
import os
import urllib.parse
from collections.abc import Callable

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.test import Client
from hypothesis import HealthCheck, settings

from tbib.accounts.choices import UserRole
from tbib.accounts.models import User
from tests.factories import unit_staff

# On PostgreSQL only, where out-of-range values and types surface as database errors (a
# bigint offset did); the SQLite run keeps the Hypothesis fuzz tests of the same endpoints.
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="run against PostgreSQL (make test-postgres)",
    ),
]

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture
def gp_auth(bearer: Callable[[User], dict[str, str]]) -> dict[str, str]:
    return bearer(unit_staff(UserRole.GP, "midelt-1", username="schemathesis-gp"))


def send(case: schemathesis.Case, auth: dict[str, str]) -> tuple[int, bytes]:
    query = urllib.parse.urlencode(case.query or {}, doseq=True)
    path = case.formatted_path + (f"?{query}" if query else "")
    headers = {k: str(v) for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
    client = Client(REMOTE_ADDR="10.20.30.40", headers=headers)
    body = case.body
    has_body = not isinstance(body, schemathesis.core.NotSet)
    if has_body and case.media_type == "multipart/form-data" and isinstance(body, dict):
        response = (
            client.generic(case.method, path, **auth)
            if case.method != "POST"
            else (client.post(path, body, **auth))
        )
    elif has_body:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        response = client.generic(
            case.method, path, raw, content_type=case.media_type or "application/json", **auth
        )
    else:
        response = client.generic(case.method, path, **auth)
    return response.status_code, response.content


@schema.parametrize()
@settings(max_examples=5, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_operation_answers_a_server_error(
    case: schemathesis.Case, gp_auth: dict[str, str]
) -> None:
    status, content = send(case, gp_auth)
    assert status < 500, (case.method, case.formatted_path, case.query, case.body, content[:300])
