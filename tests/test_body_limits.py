"""Every body is bounded: too large is a 413 the caller can read, before anything reads it."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tbib.core.middleware import BODY_LIMITS, DEFAULT_BODY_LIMIT, LARGEST_BODY, body_limit

pytestmark = pytest.mark.django_db


def _post(path: str, size: int, content_type: str = "application/json") -> Any:
    return Client().generic("POST", path, b"x" * size, content_type=content_type)


def test_limits_per_route() -> None:
    assert body_limit("/fhir/") == 10 * 1024 * 1024
    assert body_limit("/sync/push") > 16 * 1024 * 1024  # a full batch and its envelope
    assert body_limit("/api/patients") == DEFAULT_BODY_LIMIT
    assert body_limit("/accounts/login/") == DEFAULT_BODY_LIMIT
    # Django's own check must never answer first, with its bare "Bad Request".
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE >= LARGEST_BODY
    assert all(limit <= LARGEST_BODY for _, limit in BODY_LIMITS)


def test_too_large_is_a_readable_413_in_the_callers_format() -> None:
    api = _post("/api/patients", DEFAULT_BODY_LIMIT + 1)
    assert api.status_code == 413
    assert "at most 2621440 bytes" in api.json()["detail"]
    fhir = _post("/fhir/", 10 * 1024 * 1024 + 1, "application/fhir+json")
    assert fhir.status_code == 413
    outcome = fhir.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["code"] == "too-costly"
    page = _post("/accounts/login/", DEFAULT_BODY_LIMIT + 1, "application/x-www-form-urlencoded")
    assert page.status_code == 413
    assert page["Content-Type"].startswith("text/plain")


def test_a_large_fhir_transaction_within_its_limit_is_read() -> None:
    # 3 MB: above Django's usual 2.5 MB, within the FHIR limit: it reaches the interface,
    # which asks for a bearer token (401), rather than a bare 400 from Django.
    response = _post("/fhir/", 3 * 1024 * 1024, "application/fhir+json")
    assert response.status_code == 401
