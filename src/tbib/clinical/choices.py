"""Coded values of the encounter."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EncounterStatus(models.TextChoices):
    """Where an encounter is in the day: waiting, seen, signed, or replaced by a correction."""

    WAITING = "waiting", _("Waiting")
    IN_PROGRESS = "in-progress", _("In progress")
    SIGNED = "signed", _("Signed")
    # A signed version replaced by a signed correction; kept, read-only, for the record.
    SUPERSEDED = "superseded", _("Superseded")


LOCKED_STATUSES = frozenset({EncounterStatus.SIGNED, EncounterStatus.SUPERSEDED})


class Triage(models.IntegerChoices):
    """Priority on the waiting list, most urgent first (a three-level scale as in SATS/ETAT)."""

    EMERGENCY = 1, _("Emergency")
    URGENT = 2, _("Urgent")
    STANDARD = 3, _("Standard")


class ObservationSource(models.TextChoices):
    MANUAL = "manual", _("Typed in")
    DEVICE = "device", _("From a connected device")
    COMPUTED = "computed", _("Computed")
    # Sent by another system through the FHIR interface (a transaction Bundle).
    IMPORTED = "imported", _("Imported")


class ReferralUrgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    URGENT = "urgent", _("Urgent")
    EMERGENCY = "emergency", _("Emergency (evacuation)")


class DocumentKind(models.TextChoices):
    PRESCRIPTION = "prescription", _("Prescription")
    REFERRAL = "referral", _("Referral letter")
    SUMMARY = "summary", _("Visit summary")
