"""/fhir/ takes its own middleware chain (core.interfaces): the guards and headers every
answer carries, none of the browser's session machinery, a FHIR refusal where a page would be."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from fhir.resources.R4B.operationoutcome import OperationOutcome

from tbib.access.models import AuditEvent
from tbib.accounts.choices import UserRole
from tbib.accounts.models import User
from tbib.core.interfaces import chain
from tests.factories import PatientFactory, unit, unit_staff

pytestmark = pytest.mark.django_db


def test_a_fhir_read_keeps_the_guards_headers_and_audit_without_a_session(
    api_client: Client, bearer: Callable[[User], dict[str, str]]
) -> None:
    patient = PatientFactory(unit=unit("midelt-1"))
    gp = unit_staff(UserRole.GP, "midelt-1")
    # A browser's cookies on the same request change nothing: the token alone signs in.
    api_client.cookies["sessionid"] = "not-a-session"

    response = api_client.get(f"/fhir/Patient/{patient.pk}", **bearer(gp))

    assert response.status_code == 200, response.content
    assert response.json()["id"] == str(patient.pk)
    assert response["X-Content-Type-Options"] == "nosniff"  # SecurityMiddleware
    assert response["X-Frame-Options"] == "DENY"
    assert response["Content-Language"] == "fr"
    assert int(response["Content-Length"]) == len(response.content)
    assert "Set-Cookie" not in response.headers
    assert not hasattr(response.wsgi_request, "session")  # the short chain served it
    assert AuditEvent.objects.filter(patient_id=patient.pk, action="read").count() == 1


def test_the_guards_above_the_split_still_refuse(
    api_client: Client, bearer: Callable[[User], dict[str, str]]
) -> None:
    gp = unit_staff(UserRole.GP, "midelt-1")
    response = api_client.get("/fhir/Patient?name=a%00b", **bearer(gp))
    assert response.status_code == 400
    OperationOutcome.model_validate(response.json())


def test_a_path_under_fhir_that_names_nothing_is_an_operation_outcome(api_client: Client) -> None:
    response = api_client.get("/fhir/Patient/1/2/3")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/fhir+json")
    outcome = OperationOutcome.model_validate(response.json())
    assert outcome.issue[0].code == "not-found"


def test_pages_keep_the_whole_chain(client: Client) -> None:
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert hasattr(response.wsgi_request, "session")


def test_a_middleware_with_view_hooks_cannot_join_the_short_chain() -> None:
    # The chain calls the view directly: a process_view hook would silently never run.
    with pytest.raises(ImproperlyConfigured, match="process_view"):
        chain(["django.middleware.csrf.CsrfViewMiddleware"])
