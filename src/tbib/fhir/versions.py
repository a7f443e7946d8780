"""Resource versions: the change log's sequence number is the versionId; snapshots of the
mutable resources keep their past versions for vread and _history."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db.models import Model
from django.db.models.signals import post_save

from tbib.clinical.models import Encounter
from tbib.patients.models import Patient

LABELS = {
    "Patient": "patients.patient",
    "Encounter": "clinical.encounter",
    "Observation": "clinical.observation",
}


def versions_of(resource_type: str, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Each record's current versionId (records never logged count as version 1)."""
    from tbib.sync.models import Change

    ids = list(ids)
    found = dict(
        Change.objects.filter(model=LABELS[resource_type], record_id__in=ids).values_list(
            "record_id", "seq"
        )
    )
    return {i: found.get(i, 1) for i in ids}


def version_of(resource_type: str, record_id: uuid.UUID) -> int:
    return versions_of(resource_type, [record_id])[record_id]


def extra_identifiers(resource_type: str, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[Any]]:
    from tbib.fhir.models import ExternalIdentifier

    pairs: dict[uuid.UUID, list[Any]] = {}
    rows = ExternalIdentifier.objects.filter(resource_type=resource_type, resource_id__in=list(ids))
    for resource_id, system, value in rows.values_list("resource_id", "system", "value"):
        pairs.setdefault(resource_id, []).append((system, value))
    return pairs


def render(resource_type: str, record: Any, version: int) -> dict[str, Any]:
    from tbib.fhir import mapping

    extras = extra_identifiers(resource_type, [record.pk]).get(record.pk, [])
    if resource_type == "Patient":
        return mapping.patient_resource(record, version, extras)
    return mapping.encounter_resource(record, version, extras)


def _snapshot(sender: type[Model], instance: Any, raw: bool = False, **kwargs: Any) -> None:
    from tbib.fhir.models import Snapshot

    if raw or getattr(instance, "_sync_applying", False):
        # Replication logs the record after saving it, with the peer's clock: the version
        # is not known yet. The current version is always served live; history skips it.
        return
    resource_type = "Patient" if sender is Patient else "Encounter"
    version = version_of(resource_type, instance.pk)
    Snapshot.objects.update_or_create(
        resource_type=resource_type,
        resource_id=instance.pk,
        version_id=version,
        defaults={
            "last_updated": instance.updated_at,
            "body": render(resource_type, instance, version),
        },
    )


def connect() -> None:
    from django.conf import settings

    if settings.TBIB_ROLE != "hub":  # the FHIR interface is served by the hub only
        return
    for model in (Patient, Encounter):
        post_save.connect(_snapshot, sender=model, dispatch_uid=f"fhir-snapshot-{model.__name__}")
