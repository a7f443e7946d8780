"""A mobile unit's visits: where it parks on which day, and the day it spends there."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tbib.core.models import TimestampedModel
from tbib.geo.models import Commune
from tbib.network.models import MobileUnit
from tbib.sync.querysets import LoggedManager
from tbib.tours.choices import StopStatus


class Stop(TimestampedModel):
    """One visit of a unit to a commune (and a village or douar in it) on one day.

    Opening the stop starts the unit's day there; every encounter of that day belongs to it.
    """

    objects = LoggedManager()

    unit = models.ForeignKey(MobileUnit, on_delete=models.PROTECT, related_name="stops")
    date = models.DateField(_("date"), db_index=True)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="stops")
    village = models.CharField(_("village or douar"), max_length=120, blank=True)
    planned_start = models.TimeField(_("planned start"), default=datetime.time(9, 0))
    planned_end = models.TimeField(_("planned end"), default=datetime.time(16, 0))
    status = models.CharField(
        _("status"), max_length=12, choices=StopStatus.choices, default=StopStatus.PLANNED
    )
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["date", "planned_start"]
        verbose_name = _("stop")
        verbose_name_plural = _("stops")
        indexes = [models.Index(fields=["unit", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_end__gt=models.F("planned_start")),
                name="stop_ends_after_it_starts",
            ),
            # One open stop per unit: the day's encounters must know where they happen.
            models.UniqueConstraint(
                fields=["unit"],
                condition=models.Q(status="open"),
                name="one_open_stop_per_unit",
            ),
        ]

    def __str__(self) -> str:
        place = f"{self.village}, {self.commune.name_fr}" if self.village else self.commune.name_fr
        return f"{self.unit.code} {self.date:%Y-%m-%d} {place}"

    @property
    def place(self) -> str:
        return f"{self.village} ({self.commune.name_fr})" if self.village else self.commune.name_fr

    def clean(self) -> None:
        super().clean()
        if self.planned_start and self.planned_end and self.planned_end <= self.planned_start:
            raise ValidationError({"planned_end": _("A stop must end after it starts.")})
