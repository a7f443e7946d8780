from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.contrib.admin.sites import site
from django.core.management import call_command
from django.test import Client, RequestFactory

from tbib.access.choices import AuditAction, AuditOutcome
from tbib.access.models import AuditEvent, AuditImmutableError
from tbib.access.scope import AccessContext, audit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event() -> AuditEvent:
    user = UserFactory(username="auditor")
    return audit(
        AccessContext(user=user, client_address="192.0.2.7"),
        action=AuditAction.READ,
        resource_type="Patient",
        outcome=AuditOutcome.ALLOWED,
        detail="test",
    )


def test_events_cannot_be_changed_or_deleted(event: AuditEvent) -> None:
    event.detail = "rewritten"
    with pytest.raises(AuditImmutableError, match="^Audit events cannot be changed.$"):
        event.save()
    with pytest.raises(AuditImmutableError, match="^Audit events cannot be deleted.$"):
        event.delete()
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(detail="x")
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).detail == "test"


def test_admin_offers_no_way_to_change_events(event: AuditEvent) -> None:
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(username="root", role="administrator", is_superuser=True)
    model_admin = site._registry[AuditEvent]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)


def test_admin_pages_render_for_the_administrator(event: AuditEvent) -> None:
    admin = UserFactory(username="root2", role="administrator", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(admin)
    for url in ("/admin/", "/admin/access/auditevent/", "/admin/network/mobileunit/",
                "/admin/geo/commune/", "/admin/accounts/user/"):  # fmt: skip
        assert client.get(url).status_code == 200, url


def test_export_writes_every_event_as_csv(event: AuditEvent, tmp_path: Path) -> None:
    out = tmp_path / "audit.csv"
    call_command("audit_export", "--out", str(out), stderr=io.StringIO())
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[-1]["id"] == str(event.id)
    assert rows[-1]["actor_username"] == "auditor"
    assert rows[-1]["client_address"] == "192.0.2.7"
    assert len(rows) == AuditEvent.objects.count()
