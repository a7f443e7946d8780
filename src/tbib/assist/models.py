"""A clinician's dismissal of a finding, with the reason: part of the encounter's record."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tbib.clinical.models import Encounter
from tbib.core.models import TimestampedModel


class FindingDismissal(TimestampedModel):
    """The finding (rule) as it read when dismissed, who dismissed it and why."""

    encounter = models.ForeignKey(Encounter, on_delete=models.PROTECT, related_name="+")
    rule = models.CharField(_("rule"), max_length=40)
    explanation = models.CharField(_("finding"), max_length=500)
    reason = models.CharField(_("reason"), max_length=300)
    dismissed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("dismissed finding")
        verbose_name_plural = _("dismissed findings")
        constraints = [
            models.UniqueConstraint(fields=["encounter", "rule"], name="one_dismissal_per_rule")
        ]

    def __str__(self) -> str:
        return f"{self.rule} dismissed on {self.encounter_id}"
