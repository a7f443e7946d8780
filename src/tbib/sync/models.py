"""The node's change log and what it has applied from others."""

from __future__ import annotations

from django.db import models


class Change(models.Model):
    """One record changed on this node (or received here): the log other nodes pull from.

    `seq` is this node's sequence: a peer's cursor is the last `seq` it acknowledged. Only the
    latest change of a record is kept (a pull sends the record as it is now), so the log
    stays as long as the set of records changed since the oldest cursor.
    """

    seq = models.BigAutoField(primary_key=True)
    model = models.CharField(max_length=40)
    record_id = models.UUIDField()
    hlc = models.CharField(max_length=80)  # sync.hlc.Timestamp.encode()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["model", "record_id"], name="one_change_per_record")
        ]

    def __str__(self) -> str:
        return f"{self.seq} {self.model} {self.record_id}"


class FieldClock(models.Model):
    """The HLC of each field's last write of a mutable record (per-field last writer wins)."""

    model = models.CharField(max_length=40)
    record_id = models.UUIDField()
    clocks = models.JSONField(default=dict)  # field name → encoded HLC
    history = models.JSONField(default=list)  # [field, losing value, its HLC], never dropped

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["model", "record_id"], name="one_clock_per_record")
        ]

    def __str__(self) -> str:
        return f"{self.model} {self.record_id}"


class AppliedBatch(models.Model):
    """A batch applied here: the same batch sent again changes nothing."""

    batch_id = models.UUIDField(primary_key=True)
    origin = models.CharField(max_length=40)
    changes = models.PositiveIntegerField()
    applied_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.batch_id} from {self.origin}"
