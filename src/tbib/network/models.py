"""The telemedicine network: hubs, the central platform, mobile units and health facilities."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tbib.core.models import TimestampedModel
from tbib.geo.models import Commune, Province, Region
from tbib.network.choices import (
    DeviceKind,
    FacilityKind,
    FacilitySource,
    HubLevel,
    SpecialtySlug,
    UnitStatus,
)


class Specialty(models.Model):
    """A medical specialty answered by the central telemedicine platform."""

    slug = models.CharField(max_length=32, primary_key=True, choices=SpecialtySlug.choices)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("specialty")
        verbose_name_plural = _("specialties")

    def __str__(self) -> str:
        return str(self.get_slug_display())


class HealthFacility(TimestampedModel):
    """A place where care is given: a hospital, a health centre, a dispensary, a practice.

    Facilities imported from OpenStreetMap keep their source and OSM reference; users add
    and correct the ones OpenStreetMap lacks (`source=manual`).
    """

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=24, choices=FacilityKind.choices, db_index=True)
    osm_kind = models.CharField(_("OpenStreetMap tag"), max_length=40, blank=True)
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="facilities"
    )
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=FacilitySource.choices, default=FacilitySource.MANUAL
    )
    osm_ref = models.CharField(
        _("OpenStreetMap reference"), max_length=40, null=True, blank=True, unique=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("health facility")
        verbose_name_plural = _("health facilities")

    def __str__(self) -> str:
        return self.name


class Hub(TimestampedModel):
    """A hospital that coordinates: the national hub (a CHU) or one regional hub per region."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=12, choices=HubLevel.choices)
    region = models.OneToOneField(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="hub"
    )
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["level", "code"]
        verbose_name = _("hub")
        verbose_name_plural = _("hubs")
        constraints = [
            models.CheckConstraint(
                name="hub_regional_has_region",
                condition=models.Q(level=HubLevel.NATIONAL, region__isnull=True)
                | models.Q(level=HubLevel.REGIONAL, region__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["level"],
                condition=models.Q(level=HubLevel.NATIONAL),
                name="hub_single_national",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TelemedicinePlatform(TimestampedModel):
    """The central platform ("plateau central") whose specialists answer the units."""

    name = models.CharField(_("name"), max_length=200)
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="platforms")
    specialties = models.ManyToManyField(Specialty, related_name="platforms")

    class Meta:
        verbose_name = _("telemedicine platform")
        verbose_name_plural = _("telemedicine platforms")

    def __str__(self) -> str:
        return self.name


class MobileUnit(TimestampedModel):
    """A connected mobile medical unit: a van with a GP, two nurses, an assistant and devices.

    It is based in a home commune, tours the communes of its province, and reports to the
    regional hub of its region. Its team is the users whose place is this unit.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="units")
    regional_hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="units")
    home_commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="based_units")
    status = models.CharField(
        _("status"), max_length=12, choices=UnitStatus.choices, default=UnitStatus.ACTIVE
    )
    is_pilot = models.BooleanField(_("pilot unit"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("mobile unit")
        verbose_name_plural = _("mobile units")

    def __str__(self) -> str:
        return self.name


class Device(TimestampedModel):
    """A connected biomedical device on board a unit, identified by its serial number."""

    unit = models.ForeignKey(MobileUnit, on_delete=models.PROTECT, related_name="devices")
    kind = models.CharField(_("kind"), max_length=20, choices=DeviceKind.choices)
    manufacturer = models.CharField(_("manufacturer"), max_length=80, blank=True)
    model = models.CharField(_("model"), max_length=80, blank=True)
    serial = models.CharField(_("serial number"), max_length=64, unique=True)

    class Meta:
        ordering = ["unit", "kind"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.serial}"
