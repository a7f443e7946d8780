"""Coded values of the telemedicine network's registry."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SpecialtySlug(models.TextChoices):
    """The central platform's 7 specialties (programme design, ARCHITECTURE.md)."""

    GYNAECOLOGY_OBSTETRICS = "gynaecology-obstetrics", _("Gynaecology-obstetrics")
    PAEDIATRICS = "paediatrics", _("Paediatrics")
    ENDOCRINOLOGY = "endocrinology", _("Endocrinology")
    DERMATOLOGY = "dermatology", _("Dermatology")
    ENT = "ent", _("Ear, nose and throat")
    CARDIOLOGY = "cardiology", _("Cardiology")
    PULMONOLOGY = "pulmonology", _("Pulmonology")


class HubLevel(models.TextChoices):
    NATIONAL = "national", _("National hub")
    REGIONAL = "regional", _("Regional hub")


class UnitStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    MAINTENANCE = "maintenance", _("In maintenance")
    INACTIVE = "inactive", _("Inactive")


class DeviceKind(models.TextChoices):
    """The connected biomedical devices a unit carries."""

    BLOOD_PRESSURE = "blood-pressure", _("Blood pressure monitor")
    PULSE_OXIMETER = "pulse-oximeter", _("Pulse oximeter")
    THERMOMETER = "thermometer", _("Thermometer")
    GLUCOMETER = "glucometer", _("Glucometer")
    SCALE = "scale", _("Scale")
    ECG = "ecg", _("Electrocardiograph")
    CAMERA = "camera", _("Dermatoscope / otoscope camera")


class FacilityKind(models.TextChoices):
    """Health facility classes, from the most to the least specialised.

    OpenStreetMap tags rural dispensaries as `hospital` as often as not, so the class is
    read from the name first (shared/data/README.md) and from the OSM tag only as a fallback.
    """

    UNIVERSITY_HOSPITAL = "chu", _("University hospital (CHU)")
    REGIONAL_HOSPITAL = "regional-hospital", _("Regional hospital")
    PROVINCIAL_HOSPITAL = "provincial-hospital", _("Provincial hospital")
    HOSPITAL = "hospital", _("Hospital")
    HEALTH_CENTRE = "health-centre", _("Health centre")
    DISPENSARY = "dispensary", _("Dispensary")
    CLINIC = "clinic", _("Private clinic")
    DOCTOR = "doctor", _("Doctor's practice")
    OTHER = "other", _("Other")


class FacilitySource(models.TextChoices):
    OSM_2025 = "osm-2025", _("OpenStreetMap (2025 extract)")
    HEALTHSITES_2020 = "healthsites-2020", _("healthsites.io (2020 snapshot of OpenStreetMap)")
    MANUAL = "manual", _("Entered by a user")
