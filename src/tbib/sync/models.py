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
    # The node that wrote this version: a pull never sends a node its own writes back.
    origin = models.CharField(max_length=40, default="")
    # The unit whose data this is (sync.registry.SCOPE): what a unit's pull may receive.
    # None: nobody pulls it (the hub's own audit trail, say).
    scope = models.UUIDField(null=True)
    # On an edge: the hub acknowledged this version (a later write gets a new row, unpushed).
    pushed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["model", "record_id"], name="one_change_per_record")
        ]
        indexes = [
            models.Index(fields=["scope", "seq"], name="change_scope_seq"),
            models.Index(fields=["pushed", "origin"], name="change_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.seq} {self.model} {self.record_id}"


class FieldClock(models.Model):
    """The HLC of each field's last write of a mutable record (per-field last writer wins)."""

    model = models.CharField(max_length=40)
    record_id = models.UUIDField()
    clocks = models.JSONField(default=dict)  # field name → [encoded HLC, value digest]
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


class EnrolmentCode(models.Model):
    """A one-time code, issued at the hub, with which one unit's edge enrols (hashed here)."""

    code_hash = models.CharField(max_length=64, unique=True)
    unit = models.ForeignKey("network.MobileUnit", on_delete=models.CASCADE, related_name="+")
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"code for {self.unit_id}"


class Peer(models.Model):
    """At the hub: an enrolled edge, its credential (hashed) and how far it has synced."""

    node = models.CharField(max_length=40, unique=True)
    unit = models.ForeignKey("network.MobileUnit", on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    enrolled_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    # The hub's `seq` up to which the edge confirmed it applied the hub's changes.
    acknowledged = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return self.node


class HubLink(models.Model):
    """On an edge (one row): where the hub is, the edge's credential and its sync state."""

    hub_url = models.URLField()
    node = models.CharField(max_length=40)
    unit = models.ForeignKey("network.MobileUnit", on_delete=models.PROTECT, related_name="+",
                             null=True)  # fmt: skip
    token = models.CharField(max_length=80)  # in the encrypted edge database only
    # The last hub `seq` this edge applied (moves in the same transaction as the apply).
    pull_cursor = models.BigIntegerField(default=0)
    reference_tag = models.CharField(max_length=64, blank=True)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    # Mean compressed bytes per change on the last push: to estimate what is pending.
    bytes_per_change = models.FloatField(default=40.0)

    def __str__(self) -> str:
        return f"{self.node} → {self.hub_url}"


class BlobTransfer(models.Model):
    """On an edge: an attachment's content, to be sent to the hub in resumable chunks."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    size = models.PositiveBigIntegerField()
    sent = models.PositiveBigIntegerField(default=0)
    done = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.sha256[:12]} {self.sent}/{self.size}"
