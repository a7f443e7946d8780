"""Morocco's administrative geography and census figures (HCP, RGPH 2024 and 2014).

Reference data is identical on every node, so it is keyed by HCP's own codes, which are also
the hierarchy: commune `08.363.15.07` lies in province `08.363`, in region `08`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tbib.geo.choices import CommuneKind, ProvinceKind


class _Division(models.Model):
    code = models.CharField(_("HCP code"), max_length=16, primary_key=True)
    name_fr = models.CharField(_("name (French)"), max_length=120)
    name_ar = models.CharField(_("name (Arabic)"), max_length=120)
    population_2024 = models.PositiveIntegerField(_("legal population 2024"))
    households_2024 = models.PositiveIntegerField(_("households 2024"))

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_fr


class Region(_Division):
    """One of Morocco's 12 regions; each has a regional hub hospital in the network."""

    class Meta(_Division.Meta):
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class Province(_Division):
    """One of the 75 provinces and prefectures, the level at which units are allocated."""

    kind = models.CharField(_("kind"), max_length=16, choices=ProvinceKind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="provinces")

    class Meta(_Division.Meta):
        verbose_name = _("province or prefecture")
        verbose_name_plural = _("provinces and prefectures")


class PrefectureOfArrondissements(_Division):
    """One of Casablanca's 8 prefectures of arrondissements, a level below the prefecture."""

    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="prefectures_of_arrondissements"
    )

    class Meta(_Division.Meta):
        verbose_name = _("prefecture of arrondissements")
        verbose_name_plural = _("prefectures of arrondissements")


class Cercle(_Division):
    """An administrative cercle grouping rural communes inside a province."""

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="cercles")

    class Meta(_Division.Meta):
        verbose_name = _("cercle")
        verbose_name_plural = _("cercles")


class Commune(_Division):
    """A rural or urban commune with its census figures, access indicators and position.

    The access indicators are HCP's (RGPH 2024, all households or people of the commune);
    the position is the centroid of its OpenStreetMap boundary (ODbL), absent for one commune.
    """

    slug = models.SlugField(max_length=120)
    kind = models.CharField(_("kind"), max_length=8, choices=CommuneKind.choices, db_index=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="communes")
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="communes")
    cercle = models.ForeignKey(
        Cercle, on_delete=models.PROTECT, related_name="communes", null=True, blank=True
    )
    population_2014 = models.PositiveIntegerField(_("legal population 2014"), null=True)
    households_2014 = models.PositiveIntegerField(_("households 2014"), null=True)
    distance_to_paved_road_km = models.FloatField(
        _("households' average distance to a paved road (km)"), null=True
    )
    running_water_pct = models.FloatField(_("households with running water (%)"), null=True)
    electricity_pct = models.FloatField(_("households with electricity (%)"), null=True)
    illiteracy_pct = models.FloatField(_("illiteracy rate, 10 and over (%)"), null=True)
    male_pct = models.FloatField(_("men (%)"), null=True)
    # Census share (%) of each age band of geo.choices.AGE_BANDS, for realistic synthetic people.
    age_bands_pct = models.JSONField(_("age structure (%)"), default=dict)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta(_Division.Meta):
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        indexes = [models.Index(fields=["province", "kind"])]


class Arrondissement(_Division):
    """An arrondissement of one of the large cities (Casablanca, Rabat, Fès, ...)."""

    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="arrondissements")
    prefecture = models.ForeignKey(
        PrefectureOfArrondissements,
        on_delete=models.PROTECT,
        related_name="arrondissements",
        null=True,
        blank=True,
    )

    class Meta(_Division.Meta):
        verbose_name = _("arrondissement")
        verbose_name_plural = _("arrondissements")
