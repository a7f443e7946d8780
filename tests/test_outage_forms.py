"""A database outage reads in the caller's form: OperationOutcome, JSON or text, with
Retry-After (the restart itself is in tests/faults)."""

from __future__ import annotations

import json

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from tbib.core.outage import RETRY_AFTER_SECONDS, DatabaseOutageMiddleware


def _down(request: HttpRequest) -> HttpResponse:
    raise AssertionError("process_exception answers for the view")


def _answer(path: str) -> HttpResponse:
    middleware = DatabaseOutageMiddleware(_down)
    request = RequestFactory().get(path)
    response = middleware.process_exception(request, OperationalError("connection refused"))
    assert response is not None
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    return response


def test_each_caller_reads_the_outage_in_its_own_form() -> None:
    fhir = _answer("/fhir/Patient")
    outcome = json.loads(fhir.content)
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["code"] == "transient"
    assert "detail" in json.loads(_answer("/api/patients").content)
    assert _answer("/unit/")["Content-Type"].startswith("text/plain")
