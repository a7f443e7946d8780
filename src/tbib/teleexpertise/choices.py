"""Coded values of tele-expertise."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    QUEUED = "queued", _("In the queue")
    CLAIMED = "claimed", _("Claimed")
    ANSWERED = "answered", _("Answered")
    MORE_INFO = "more-info", _("More information requested")
    CLOSED = "closed", pgettext_lazy("case", "Closed")
    CANCELLED = "cancelled", pgettext_lazy("case", "Cancelled")


class Urgency(models.TextChoices):
    """How fast a specialist must answer (SLA minutes in settings.TBIB_SLA_MINUTES)."""

    EMERGENCY = "emergency", _("Emergency")
    URGENT = "urgent", _("Urgent")
    ROUTINE = "routine", _("Routine")


# Queue order: most urgent first.
URGENCY_RANK = {Urgency.EMERGENCY: 0, Urgency.URGENT: 1, Urgency.ROUTINE: 2}


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    ECG = "ecg", _("ECG strip")
    DOCUMENT = "document", _("Document (PDF)")
    AUDIO = "audio", _("Sound recording")
