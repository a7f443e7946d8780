"""The patient registry (minimal for now: what the scoped-access layer needs to be proven)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tbib.core.models import TimestampedModel
from tbib.geo.models import Commune
from tbib.network.models import MobileUnit
from tbib.patients.choices import Sex


class Patient(TimestampedModel):
    """A person seen by a mobile unit; registered by one unit, which is their home in the network.

    Read and written only through tbib.access (scoped and audited), never directly by views.
    """

    unit = models.ForeignKey(MobileUnit, on_delete=models.PROTECT, related_name="patients")
    given_name = models.CharField(_("given name"), max_length=80)
    family_name = models.CharField(_("family name"), max_length=80)
    given_name_ar = models.CharField(_("given name (Arabic)"), max_length=80, blank=True)
    family_name_ar = models.CharField(_("family name (Arabic)"), max_length=80, blank=True)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    cin = models.CharField(
        _("national identity card (CIN)"), max_length=10, null=True, blank=True, unique=True
    )
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name = _("patient")
        verbose_name_plural = _("patients")

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def clean(self) -> None:
        super().clean()
        today = timezone.localdate()
        if self.birth_date and self.birth_date > today:
            raise ValidationError({"birth_date": _("A birth date cannot be in the future.")})
        if self.birth_date and self.birth_date < today - datetime.timedelta(days=125 * 365):
            raise ValidationError(
                {"birth_date": _("A birth date more than 125 years ago is not plausible.")}
            )
