"""What the FHIR interface keeps beside the relational records: past versions, and the
identifiers other systems gave to records they sent us."""

from __future__ import annotations

from django.db import models

from tbib.core.models import UUIDModel


class Snapshot(models.Model):
    """A resource as it was at one version (for vread and _history).

    The version id is the record's sequence number in the change log (sync.Change.seq): every
    write, whatever its path (screens, API, FHIR, replication), gives the record a new one, so
    ETags and If-Match see every change. Snapshots are kept for the mutable resources
    (Patient, Encounter); facts (Observation...) never change once written.
    """

    resource_type = models.CharField(max_length=40)
    resource_id = models.UUIDField()
    version_id = models.BigIntegerField()
    last_updated = models.DateTimeField()
    body = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["resource_type", "resource_id", "version_id"], name="one_snapshot"
            )
        ]
        ordering = ["-version_id"]

    def __str__(self) -> str:
        return f"{self.resource_type}/{self.resource_id}/_history/{self.version_id}"


class ExternalIdentifier(UUIDModel):
    """An identifier another system gave a record it sent us (`system|value`), for
    conditional create and identifier search: importing the same bundle twice creates
    nothing the second time."""

    resource_type = models.CharField(max_length=40)
    system = models.CharField(max_length=255)
    value = models.CharField(max_length=255)
    resource_id = models.UUIDField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["resource_type", "system", "value"], name="one_record_per_identifier"
            )
        ]
        indexes = [models.Index(fields=["resource_type", "resource_id"], name="extid_resource")]

    def __str__(self) -> str:
        return f"{self.system}|{self.value}"
