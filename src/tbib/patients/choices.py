"""Coded values of the patient registry."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    """Administrative sex, as FHIR's AdministrativeGender.

    hl7.org/fhir/R4/valueset-administrative-gender.html
    """

    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")
