"""Saved planning scenarios: one allocation run, its parameters and its plan, to compare."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tbib.core.models import TimestampedModel


class ScenarioStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Scenario(TimestampedModel):
    """An allocation of the units (planning.allocation) under one set of parameters.

    The plan itself is kept as the document `tbib plan allocate` writes (`plan.json`); the
    figures planners compare side by side are copied into columns.
    """

    name = models.CharField(_("name"), max_length=120)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ScenarioStatus.choices, default=ScenarioStatus.QUEUED
    )
    parameters = models.JSONField(_("parameters"), default=dict)
    document = models.JSONField(_("plan"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    adopted = models.BooleanField(_("adopted"), default=False)
    covered_communes = models.PositiveIntegerField(null=True, blank=True)
    covered_population = models.PositiveIntegerField(null=True, blank=True)
    underserved_reached = models.PositiveIntegerField(null=True, blank=True)
    gap = models.FloatField(null=True, blank=True)
    cost_mad = models.FloatField(null=True, blank=True)
    km_per_year = models.FloatField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("planning scenario")
        verbose_name_plural = _("planning scenarios")
        constraints = [
            models.UniqueConstraint(
                fields=["adopted"], condition=models.Q(adopted=True), name="one_adopted_scenario"
            )
        ]

    def __str__(self) -> str:
        return self.name
