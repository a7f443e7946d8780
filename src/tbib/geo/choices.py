"""Coded values of Morocco's administrative divisions, as HCP publishes them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProvinceKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    PREFECTURE = "prefecture", _("Prefecture")


class CommuneKind(models.TextChoices):
    RURAL = "rural", _("Rural")
    URBAN = "urban", _("Urban")


# HCP's RGPH 2024 age bands, in the order the census publishes them.
AGE_BANDS = (
    "0_4", "5_9", "10_14", "15_19", "20_24", "25_29", "30_34", "35_39",
    "40_44", "45_49", "50_54", "55_59", "60_64", "65_69", "70_74", "75_plus",
)  # fmt: skip
