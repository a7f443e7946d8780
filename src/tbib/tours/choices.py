"""Coded values of tour stops."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StopStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")
