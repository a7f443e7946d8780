"""Which patient a device is measuring now, and every reading that came in, kept or not."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tbib.core.models import TimestampedModel, new_id


class DeviceBinding(TimestampedModel):
    """A device bound to a patient by a nurse: its readings go to that patient's encounter."""

    device = models.ForeignKey("network.Device", on_delete=models.PROTECT, related_name="bindings")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="device_bindings"
    )
    bound_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["device"],
                condition=models.Q(released_at__isnull=True),
                name="one_patient_per_device",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.device_id} → {self.patient_id}"


class ReadingStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Recorded")
    REJECTED = "rejected", _("Quarantined")
    DISMISSED = "dismissed", _("Dismissed")


class DeviceReading(TimestampedModel):
    """A message received from a device, with what became of it (data-quality trail).

    `message_key` identifies the reading across redeliveries (MQTT QoS 1 is at least once):
    the bridge's reading id when it sends one, else a hash of topic and payload.
    """

    message_key = models.CharField(max_length=64, unique=True, null=True, editable=False)
    device = models.ForeignKey(
        "network.Device", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    topic = models.CharField(max_length=200)
    payload_hex = models.TextField()
    status = models.CharField(max_length=10, choices=ReadingStatus.choices)
    reason = models.CharField(max_length=300, blank=True)
    encounter = models.ForeignKey(
        "clinical.Encounter", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.CharField(_("resolution"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "device"], name="reading_status_device")]

    def __str__(self) -> str:
        return f"{self.topic} {self.status}"


class EcgStrip(TimestampedModel):
    """An ECG lead recorded during an encounter (FHIR SampledData) and its assistant finding."""

    encounter = models.ForeignKey(
        "clinical.Encounter", on_delete=models.PROTECT, related_name="ecg_strips"
    )
    # The leads recorded together (one for a rhythm strip, twelve for a 12-lead ECG).
    recording_id = models.UUIDField(default=new_id, db_index=True)
    lead = models.CharField(_("lead"), max_length=8)
    sampling_rate = models.PositiveIntegerField(_("samples per second"))
    sampled_data = models.JSONField(_("samples (FHIR SampledData)"))
    finding = models.JSONField(_("assistant finding"), default=dict)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"ECG {self.lead} {self.encounter_id}"

    @property
    def lead_rank(self) -> int:
        """Position in the standard order I, II, III, aVR, aVL, aVF, V1-V6."""
        return LEADS.index(self.lead) if self.lead in LEADS else len(LEADS)


LEADS = ("I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6")
