"""The patient registry (minimal for now: what the scoped-access layer needs to be proven)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tbib.core.models import TimestampedModel
from tbib.geo.models import Commune
from tbib.network.models import MobileUnit
from tbib.patients.choices import Sex
from tbib.patients.identifiers import CIN_PATTERN
from tbib.patients.matching import search_key


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
        _("national identity card (CIN)"),
        max_length=10,
        null=True,
        blank=True,
        unique=True,
        validators=[RegexValidator(CIN_PATTERN, _("One or two letters then up to six digits."))],
    )
    amo_number = models.CharField(_("AMO insurance number"), max_length=20, blank=True)
    phone = models.CharField(_("phone (E.164)"), max_length=16, blank=True, db_index=True)
    # Consonant skeletons shared by Latin and Arabic spellings (patients.matching.search_key),
    # kept in step with the names on save, so that name search uses an index.
    given_key = models.CharField(max_length=80, blank=True, db_index=True, editable=False)
    family_key = models.CharField(max_length=80, blank=True, db_index=True, editable=False)
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name = _("patient")
        verbose_name_plural = _("patients")

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def refresh_name_keys(self) -> None:
        self.given_key = search_key(self.given_name or self.given_name_ar)
        self.family_key = search_key(self.family_name or self.family_name_ar)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.refresh_name_keys()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        today = timezone.localdate()
        if self.birth_date and self.birth_date > today:
            raise ValidationError({"birth_date": _("A birth date cannot be in the future.")})
        if self.birth_date and self.birth_date < today - datetime.timedelta(days=125 * 365):
            raise ValidationError(
                {"birth_date": _("A birth date more than 125 years ago is not plausible.")}
            )
