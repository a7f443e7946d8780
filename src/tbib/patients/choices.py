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


class PregnancyStatus(models.TextChoices):
    """Whether a woman is pregnant, as last recorded (LOINC 82810-3, answer list LL4129-4)."""

    UNKNOWN = "", _("Not recorded")
    PREGNANT = "pregnant", _("Pregnant")
    NOT_PREGNANT = "not-pregnant", _("Not pregnant")


class GuardianRelationship(models.TextChoices):
    """Who answers for a child (HL7 v3 RoleCode, family members subset)."""

    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    GRANDPARENT = "grandparent", _("Grandparent")
    SIBLING = "sibling", _("Brother or sister")
    OTHER = "other", _("Other relative or carer")
