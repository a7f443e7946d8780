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
from tbib.patients.choices import GuardianRelationship, PregnancyStatus, Sex
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
    # "About 60": the birth date is then derived from the stated age and flagged as such.
    birth_date_is_estimated = models.BooleanField(_("birth date estimated"), default=False)
    village = models.CharField(_("village or douar"), max_length=120, blank=True)
    guardian = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wards",
        verbose_name=_("guardian"),
    )
    guardian_relationship = models.CharField(
        _("relationship of the guardian"),
        max_length=16,
        choices=GuardianRelationship.choices,
        blank=True,
    )
    pregnancy_status = models.CharField(
        _("pregnancy status"), max_length=16, choices=PregnancyStatus.choices, blank=True
    )
    # A record found to be a duplicate points to the one kept; both histories stay where
    # they are, so that a merge can be undone exactly (patients.services.merge_patients).
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_records",
        verbose_name=_("merged into"),
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
        if self.pregnancy_status == PregnancyStatus.PREGNANT and self.sex == Sex.MALE:
            raise ValidationError({"pregnancy_status": _("A male patient cannot be pregnant.")})
        if self.guardian_id is not None and self.guardian_id == self.pk:
            raise ValidationError({"guardian": _("A patient cannot be their own guardian.")})
        if self.guardian_relationship and self.guardian_id is None:
            raise ValidationError({"guardian": _("Name the guardian this relationship is for.")})
        if self.birth_date and self.birth_date > today:
            raise ValidationError({"birth_date": _("A birth date cannot be in the future.")})
        if self.birth_date and self.birth_date < today - datetime.timedelta(days=125 * 365):
            raise ValidationError(
                {"birth_date": _("A birth date more than 125 years ago is not plausible.")}
            )


class PatientMerge(TimestampedModel):
    """The act of declaring `duplicate` the same person as `survivor`, and its possible undoing.

    Nothing is moved: the duplicate keeps its own history and points to the survivor, whose
    chart shows both. Undoing clears the pointer, so the registry is exactly as before.
    """

    survivor = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="merges_kept")
    duplicate = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="merges_folded")
    merged_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("patient merge")
        verbose_name_plural = _("patient merges")

    def __str__(self) -> str:
        return f"{self.duplicate_id} → {self.survivor_id}"
