"""Audited attempts outlive the rollback of the transaction they were written in."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from tbib.access.choices import AuditAction, AuditOutcome
from tbib.access.kept import KeepAuditedAttemptsMiddleware
from tbib.access.models import AuditEvent
from tbib.access.scope import AccessContext, audit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


class _Refused(Exception):
    pass


def test_refusals_and_reads_are_written_back_but_rolled_back_writes_are_not() -> None:
    ctx = AccessContext(UserFactory(username="kept-user"))

    def view(request: HttpRequest) -> HttpResponse:
        try:
            with transaction.atomic():
                audit(ctx, action=AuditAction.READ, resource_type="Patient",
                      outcome=AuditOutcome.ALLOWED)  # fmt: skip
                audit(ctx, action=AuditAction.CREATE, resource_type="Patient",
                      outcome=AuditOutcome.ALLOWED)  # fmt: skip
                audit(ctx, action=AuditAction.CREATE, resource_type="Encounter",
                      outcome=AuditOutcome.DENIED)  # fmt: skip
                raise _Refused
        except _Refused:
            return HttpResponse(status=403)

    response = KeepAuditedAttemptsMiddleware(view)(RequestFactory().post("/"))
    assert response.status_code == 403
    kept = AuditEvent.objects.filter(actor=ctx.user)
    assert sorted(kept.values_list("action", "outcome")) == [
        ("create", "denied"),
        ("read", "allowed"),
    ]


def test_events_of_a_committed_request_are_written_once() -> None:
    ctx = AccessContext(UserFactory(username="kept-user-2"))

    def view(request: HttpRequest) -> HttpResponse:
        with transaction.atomic():
            audit(ctx, action=AuditAction.READ, resource_type="Patient",
                  outcome=AuditOutcome.DENIED)  # fmt: skip
        return HttpResponse()

    KeepAuditedAttemptsMiddleware(view)(RequestFactory().get("/"))
    assert AuditEvent.objects.filter(actor=ctx.user).count() == 1
