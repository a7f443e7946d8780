"""Who works in the network, and where."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UserRole(models.TextChoices):
    GP = "gp", _("General practitioner")
    NURSE = "nurse", _("Nurse")
    ASSISTANT = "assistant", _("Administrative assistant")
    SPECIALIST = "specialist", _("Specialist")
    REGIONAL_COORDINATOR = "regional-coordinator", _("Regional coordinator")
    NATIONAL_COORDINATOR = "national-coordinator", _("National coordinator")
    PLANNER = "planner", _("Planner")
    ADMINISTRATOR = "administrator", _("Administrator")


class PlaceLevel(models.TextChoices):
    """The level of the network a user belongs to; it bounds what they may see."""

    UNIT = "unit", _("Mobile unit")
    REGION = "region", _("Region")
    NATIONAL = "national", _("National")


UNIT_ROLES = frozenset({UserRole.GP, UserRole.NURSE, UserRole.ASSISTANT})
# Roles whose login must carry a TOTP second factor in production mode: they reach many
# patients' records or the configuration of the whole network.
SECOND_FACTOR_ROLES = frozenset(
    {
        UserRole.SPECIALIST,
        UserRole.REGIONAL_COORDINATOR,
        UserRole.NATIONAL_COORDINATOR,
        UserRole.ADMINISTRATOR,
    }
)
# Who takes part in a live video consultation about a case: the unit's staff and the
# platform's specialists (coordinators read cases, they do not join consultations).
LIVE_ROLES = UNIT_ROLES | {UserRole.SPECIALIST}
