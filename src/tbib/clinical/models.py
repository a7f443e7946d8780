"""The encounter and what it records: measurements, diagnoses, prescriptions and referrals.

A signed encounter is locked: its rows refuse every change (model guards below, besides the
services' checks), so no route, the admin included, can alter what a GP signed. A correction
is a new version that supersedes the old one, which stays as it was.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from tbib.clinical.choices import (
    LOCKED_STATUSES,
    DocumentKind,
    EncounterStatus,
    ObservationSource,
    ReferralUrgency,
    Triage,
)
from tbib.core.errors import Conflict
from tbib.core.models import TimestampedModel
from tbib.network.models import HealthFacility, Hub, MobileUnit
from tbib.patients.models import Patient
from tbib.pharmacy.models import Medicine
from tbib.tours.models import Stop

SIGNED_MESSAGE = "This encounter is signed and cannot be changed; write a correction instead."


class EncounterLocked(Conflict):
    """A change to a signed (or superseded) encounter."""

    def __init__(self, message: str = SIGNED_MESSAGE) -> None:
        super().__init__(message)


class Encounter(TimestampedModel):
    """One patient seen by a unit at a stop, from triage on the waiting list to signature."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="encounters")
    unit = models.ForeignKey(MobileUnit, on_delete=models.PROTECT, related_name="encounters")
    stop = models.ForeignKey(Stop, on_delete=models.PROTECT, related_name="encounters")
    status = models.CharField(
        _("status"), max_length=12, choices=EncounterStatus.choices, default=EncounterStatus.WAITING
    )
    triage = models.PositiveSmallIntegerField(
        _("triage"), choices=Triage.choices, default=Triage.STANDARD
    )
    arrived_at = models.DateTimeField(_("arrived at"))
    reason = models.CharField(_("reason for visit"), max_length=300, blank=True)
    history = models.TextField(_("history"), blank=True)
    examination = models.TextField(_("examination"), blank=True)
    follow_up_date = models.DateField(_("follow-up date"), null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("corrects"),
    )

    class Meta:
        ordering = ["-arrived_at"]
        verbose_name = _("encounter")
        verbose_name_plural = _("encounters")
        indexes = [
            models.Index(fields=["stop", "status", "triage", "arrived_at"]),
            # Supervision and DHIS2 count a period's encounters (supervision/counts.py).
            models.Index(fields=["arrived_at"], name="clinical_encounter_arrived"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status__in=["signed", "superseded"])
                | models.Q(signed_at__isnull=False, signed_by__isnull=False),
                name="signed_encounter_has_signature",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient} {self.arrived_at:%Y-%m-%d} v{self.version}"

    @property
    def is_locked(self) -> bool:
        return self.status in LOCKED_STATUSES

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            stored = Encounter.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            # The one change a signed encounter accepts: being superseded by its correction.
            becoming_superseded = (
                stored == EncounterStatus.SIGNED
                and self.status == EncounterStatus.SUPERSEDED
                and kwargs.get("update_fields") == ["status", "updated_at"]
            )
            if stored in LOCKED_STATUSES and not becoming_superseded:
                raise EncounterLocked()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.is_locked:
            raise EncounterLocked()
        return super().delete(*args, **kwargs)


class EncounterPart(TimestampedModel):
    """A row belonging to an encounter; refuses change once the encounter is signed."""

    encounter = models.ForeignKey(Encounter, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True

    def _check_open(self) -> None:
        status = Encounter.objects.filter(pk=self.encounter_id).values_list("status", flat=True)
        if status.first() in LOCKED_STATUSES:
            raise EncounterLocked()

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._check_open()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        self._check_open()
        return super().delete(*args, **kwargs)


class Observation(EncounterPart):
    """One measurement, coded with LOINC and valued in UCUM units (clinical.codes)."""

    encounter = models.ForeignKey(Encounter, on_delete=models.PROTECT, related_name="observations")
    key = models.CharField(_("measurement"), max_length=24)
    loinc = models.CharField(_("LOINC code"), max_length=12)
    value = models.DecimalField(_("value"), max_digits=8, decimal_places=2)
    unit = models.CharField(_("UCUM unit"), max_length=12)
    source = models.CharField(
        _("source"),
        max_length=10,
        choices=ObservationSource.choices,
        default=ObservationSource.MANUAL,
    )
    effective_at = models.DateTimeField(_("measured at"))

    class Meta:
        ordering = ["effective_at", "key"]
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        # Supervision counts a period's measurements (supervision/counts.py).
        indexes = [models.Index(fields=["effective_at"], name="clinical_obs_effective")]

    def __str__(self) -> str:
        return f"{self.key} {self.value} {self.unit}"


class Diagnosis(EncounterPart):
    """A diagnosis coded in WHO ICD-10 (clinical.icd10)."""

    encounter = models.ForeignKey(Encounter, on_delete=models.PROTECT, related_name="diagnoses")
    code = models.CharField(_("ICD-10 code"), max_length=8)
    label = models.CharField(_("label"), max_length=300)
    is_primary = models.BooleanField(_("main diagnosis"), default=False)

    class Meta:
        ordering = ["-is_primary", "created_at"]
        verbose_name = _("diagnosis")
        verbose_name_plural = _("diagnoses")
        constraints = [
            models.UniqueConstraint(fields=["encounter", "code"], name="one_diagnosis_per_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class PrescriptionLine(EncounterPart):
    """One medicine prescribed and handed out from the unit's stock (a MedicationRequest)."""

    encounter = models.ForeignKey(Encounter, on_delete=models.PROTECT, related_name="prescriptions")
    medicine = models.ForeignKey(Medicine, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity dispensed"))
    dosage = models.CharField(_("dosage instructions"), max_length=200)
    duration_days = models.PositiveSmallIntegerField(_("duration (days)"), null=True, blank=True)
    # Carried over from the version this correction supersedes: its stock was taken then.
    carried_over = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("prescription line")
        verbose_name_plural = _("prescription lines")
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="prescribes_something"),
        ]

    def __str__(self) -> str:
        return f"{self.medicine} × {self.quantity}"


class Referral(EncounterPart):
    """A referral to a facility: the regional hub hospital or a health centre."""

    encounter = models.ForeignKey(Encounter, on_delete=models.PROTECT, related_name="referrals")
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    facility = models.ForeignKey(
        HealthFacility, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500)
    urgency = models.CharField(
        _("urgency"),
        max_length=12,
        choices=ReferralUrgency.choices,
        default=ReferralUrgency.ROUTINE,
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hub__isnull=False, facility__isnull=True)
                | models.Q(hub__isnull=True, facility__isnull=False),
                name="referral_has_one_destination",
            ),
        ]

    def __str__(self) -> str:
        return f"→ {self.destination}"

    @property
    def destination(self) -> str:
        return self.hub.name if self.hub else self.facility.name if self.facility else ""


class ReferralCompletion(TimestampedModel):
    """A referred patient was seen at the facility (the return slip, or the patient at a later
    visit, says so): the referral's loop is closed. A fact, never changed. A referral counts as
    completed once it has one; two nodes apart may each record one, so none is unique."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="completions")
    reached_on = models.DateField(_("seen at the facility on"))
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["reached_on"]
        verbose_name = _("referral completion")
        verbose_name_plural = _("referral completions")

    def __str__(self) -> str:
        return f"{self.referral} ({self.reached_on.isoformat()})"


class IssuedDocument(TimestampedModel):
    """A printed document's number, issued once per encounter and kind, carried by its QR code."""

    number = models.CharField(_("document number"), max_length=32, unique=True)
    encounter = models.ForeignKey(Encounter, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        constraints = [
            models.UniqueConstraint(fields=["encounter", "kind"], name="one_number_per_document"),
        ]

    def __str__(self) -> str:
        return self.number
