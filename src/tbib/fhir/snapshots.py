"""Past versions of the resources whose records change, kept for vread and _history.

What a resource's versionId is, each type's renderer decides (and read's ETag shows): the
record's sequence number in the change log for Patient and Encounter (fhir.versions), the
microsecond of the record's last change for what the change log does not number (cases,
answers, live sessions, the network's reference data, staff accounts), and 1 for
the facts that never change (observations, diagnoses, prescriptions, referrals, the audit
trail). After each write of a record that changes, every resource it is served as is rendered
through that type's own renderer and kept under its type, id and version, so a version read
back with vread is exactly what a read returned at that version. Types share ids (a case is
ServiceRequest and Task, an answer Communication and Appointment): snapshots are keyed by
type. The current version is always served live; facts have no snapshot: their one version is
their history.

Versions replicated from an edge are logged after their save, with the peer's clock, and
records created in bulk bypass the signals: both are served live but not kept.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from django.db.models.signals import post_save

from tbib.accounts.models import User
from tbib.clinical.models import Encounter
from tbib.fhir.models import ExternalIdentifier, Snapshot
from tbib.network.models import Device, Hub, MobileUnit, TelemedicinePlatform
from tbib.patients.models import Patient
from tbib.sync.querysets import rows_updated
from tbib.teleexpertise.models import Answer, Case, LiveSession
from tbib.tours.models import Stop

Rows = Callable[[list[uuid.UUID]], QuerySet[Any]]


def _same(model: type[Model]) -> Rows:
    return lambda ids: model._default_manager.filter(pk__in=ids)


def _clinical_staff(ids: list[uuid.UUID]) -> QuerySet[Any]:
    from tbib.fhir.reference_mapping import CLINICAL_ROLES

    return User.objects.filter(pk__in=ids, role__in=CLINICAL_ROLES).select_related("specialty")


def _planned_sessions(ids: list[uuid.UUID]) -> QuerySet[Any]:
    return Answer.objects.filter(pk__in=ids, live_session_at__isnull=False)


def _planned_by_the_cases_of(session_ids: list[uuid.UUID]) -> QuerySet[Any]:
    """A session that starts fulfils the sessions its case's answers planned (a new version of
    those appointments, although their rows did not change)."""
    cases = LiveSession.objects.filter(pk__in=session_ids).values("case_id")
    return Answer.objects.filter(case_id__in=cases, live_session_at__isnull=False)


# The records that change, and the resources each is served as (fhir.resources.TYPES).
SERVED_AS: dict[type[Model], tuple[tuple[str, Rows], ...]] = {
    Patient: (("Patient", _same(Patient)),),
    Encounter: (("Encounter", _same(Encounter)),),
    Case: (("ServiceRequest", _same(Case)), ("Task", _same(Case))),
    Answer: (("Communication", _same(Answer)), ("Appointment", _planned_sessions)),
    LiveSession: (("Appointment", _same(LiveSession)), ("Appointment", _planned_by_the_cases_of)),
    Stop: (("Location", _same(Stop)),),
    MobileUnit: (("Organization", _same(MobileUnit)),),
    Hub: (("Organization", _same(Hub)),),
    TelemedicinePlatform: (("Organization", _same(TelemedicinePlatform)),),
    Device: (("Device", _same(Device)),),
    User: (("Practitioner", _clinical_staff), ("PractitionerRole", _clinical_staff)),
}
# The records that carry identifiers other systems gave (fhir.models.ExternalIdentifier).
_IDENTIFIED = {"Patient": Patient, "Encounter": Encounter}


def keep(model: type[Model], ids: list[uuid.UUID]) -> None:
    """Keep the current version of every resource these rows of `model` are served as."""
    from tbib.fhir.resources import TYPES

    for resource_type, rows in SERVED_AS.get(model, ()):
        records = list(rows(ids))
        if not records:
            continue
        for body in TYPES[resource_type].render_many(records):
            Snapshot.objects.update_or_create(
                resource_type=resource_type,
                resource_id=uuid.UUID(body["id"]),
                version_id=int(body["meta"]["versionId"]),
                defaults={
                    "last_updated": datetime.datetime.fromisoformat(body["meta"]["lastUpdated"]),
                    "body": body,
                },
            )


def past_versions(resource_type: str, record_id: uuid.UUID, current: str) -> list[dict[str, Any]]:
    """The kept versions of a resource other than its current one, newest first."""
    return [
        s.body
        for s in Snapshot.objects.filter(resource_type=resource_type, resource_id=record_id)
        if str(s.version_id) != current
    ]


def _saved(sender: type[Model], instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw or getattr(instance, "_sync_applying", False):
        # Replication logs the record after saving it, with the peer's clock: the version
        # is not known yet. The current version is always served live; history skips it.
        return
    keep(sender, [instance.pk])


def _updated(sender: type[Model], ids: list[uuid.UUID], **kwargs: Any) -> None:
    keep(sender, ids)


def _identified(sender: type[Model], instance: ExternalIdentifier, **kwargs: Any) -> None:
    """An identifier added to a record is part of its resource: its current version is kept
    again with it (it was kept when the record was saved, before the identifier)."""
    model = _IDENTIFIED.get(instance.resource_type)
    if model is not None and not kwargs.get("raw", False):
        keep(model, [instance.resource_id])


def connect() -> None:
    from django.conf import settings

    if settings.TBIB_ROLE != "hub":  # the FHIR interface is served by the hub only
        return
    # After tbib.sync's own receivers (connected first, fhir comes later in INSTALLED_APPS):
    # the change log already holds the version being kept.
    for model in SERVED_AS:
        post_save.connect(_saved, sender=model, dispatch_uid=f"fhir-snapshot-{model.__name__}")
        rows_updated.connect(
            _updated, sender=model, dispatch_uid=f"fhir-snapshot-update-{model.__name__}"
        )
    post_save.connect(_identified, sender=ExternalIdentifier, dispatch_uid="fhir-snapshot-ids")
