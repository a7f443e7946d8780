"""What the FHIR interface keeps beside the relational records: past versions, and the
identifiers other systems gave to records they sent us."""

from __future__ import annotations

from django.db import models

from tbib.core.models import UUIDModel


class Snapshot(models.Model):
    """A resource as it was at one version (for vread and _history), as its type rendered it.

    The version id is the one the resource's renderer gives and read's ETag shows: for Patient
    and Encounter the record's sequence number in the change log (sync.Change.seq), which every
    write, whatever its path (screens, API, FHIR, replication), renews, so ETags and If-Match
    see every change; for the types the change log does not number, the microsecond of the
    record's last change. Snapshots are kept for every resource whose record changes
    (fhir.snapshots); facts (Observation, Condition...) never change once written. Keyed by
    resource type: a case is a ServiceRequest and a Task with the same id.
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
