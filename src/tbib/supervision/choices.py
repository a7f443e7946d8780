"""Coded values of supervision."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """A level of the network at which indicators are added up, from the narrowest."""

    UNIT = "unit", _("Mobile unit")
    PROVINCE = "province", _("Province or prefecture")
    REGION = "region", _("Region")
    NATION = "nation", _("Nation")


# Narrowest first: a scope at one level contains groups of its own level and those below.
LEVEL_ORDER = (Level.UNIT, Level.PROVINCE, Level.REGION, Level.NATION)

# The code of the single national group (ISO 3166-1 alpha-2).
NATION_CODE = "MA"


class Step(models.TextChoices):
    """The width of one bar of a time series."""

    DAY = "day", _("Day")
    WEEK = "week", _("Week")
