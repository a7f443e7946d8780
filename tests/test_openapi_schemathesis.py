"""Schemathesis over the whole OpenAPI document (/api/openapi.json): every operation, driven
with generated valid and invalid input by a signed-in unit GP; no answer is a 5xx.

Schemathesis generates the cases from the document; they are sent through Django's test
client, so that each runs inside the test's transaction like every other API test.
"""

from __future__ import annotations

import json
import os
import urllib.parse
from collections import Counter
from collections.abc import Callable

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
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


# A second view of the document for the stateful run: registering on it does not change the
# stateless test's generation above.
sequences_schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@sequences_schema.hook
def map_body(context: schemathesis.HookContext, body: object) -> object:
    """Registration bodies that pass the registry's checks (names in letters, a valid sex), so
    that chains start from real patients. Generated registration bodies are the stateless
    test's (above); here, with half of them refused, a run could follow no link at all: the
    order in which the state machine offers its rules varies from process to process."""
    operation = context.operation
    if operation is None or (operation.method.upper(), operation.path) != ("POST", "/api/patients"):
        return body
    return {"given_name": "Fatima", "family_name": f"Ait Ali {len(str(body))}",
            "sex": "female", "age_years": 30}  # fmt: skip


def test_call_sequences_answer_no_server_error(gp_auth: dict[str, str]) -> None:
    """Stateful: Schemathesis chains operations through the document's links (create a
    patient then read it, open a case then submit, claim, answer or upload to it, ...), on
    the records the earlier calls created; no step answers a 5xx."""
    machine = sequences_schema.as_state_machine()
    authorization = gp_auth["HTTP_AUTHORIZATION"]
    steps: list[tuple[str, str, int]] = []

    class Sequences(machine):  # type: ignore[misc,valid-type]
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, object]:
            return {"headers": {"Authorization": authorization}}

        def validate_response(
            self, response: schemathesis.Response, case: schemathesis.Case, **kwargs: object
        ) -> None:
            steps.append((case.method, case.path, response.status_code))
            assert response.status_code < 500, (case.method, case.formatted_path, response.text)

    # Calls go to the WSGI application in this thread, inside the test's transaction: keep
    # its connection open between requests, as Django's test client does.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        Sequences.run(
            settings=settings(
                max_examples=25,
                stateful_step_count=5,
                deadline=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
        )
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    # The links were followed: some call used an id an earlier call created.
    assert any("{" in path and status < 400 for _, path, status in steps), Counter(steps)
