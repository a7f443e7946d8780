"""Synthetic patients for the demo, drawn like each unit's home commune (HCP RGPH 2024)."""

from __future__ import annotations

import datetime
import random

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from tbib.geo.choices import AGE_BANDS
from tbib.geo.models import Commune
from tbib.network.models import MobileUnit
from tbib.patients.models import Patient
from tbib.patients.synthetic import Demography, SyntheticPerson, generate_people
from tbib.sync.capture import record_changes

_FALLBACK_MALE_SHARE = 0.5


def demography_of(commune: Commune) -> Demography:
    """The commune's sex ratio and age structure from the census, as the generator takes it."""
    bands = {band: float(commune.age_bands_pct.get(band) or 0.0) for band in AGE_BANDS}
    if sum(bands.values()) <= 0:
        raise ImproperlyConfigured(f"Commune {commune.code} has no age structure; run geo import.")
    male = (commune.male_pct / 100) if commune.male_pct is not None else _FALLBACK_MALE_SHARE
    return Demography(male_share=male, age_bands=bands)


def patient_of(person: SyntheticPerson, unit: MobileUnit, *, cin: str | None = None) -> Patient:
    """An unsaved patient of the unit's home commune for a synthetic person (its own CIN
    unless `cin` is given)."""
    return Patient(
        unit=unit,
        given_name=person.given_latin,
        family_name=person.family_latin,
        given_name_ar=person.given_arabic,
        family_name_ar=person.family_arabic,
        sex=person.sex,
        birth_date=person.birth_date,
        cin=person.cin if cin is None else cin,
        phone=person.phone or "",
        commune=unit.home_commune,
    )


def register_demo_patients(*, per_pilot_unit: int = 40, per_unit: int = 12, seed: int = 7) -> int:
    """Register synthetic patients in every unit (more in the pilots); return the total."""
    if not settings.DEMO_MODE:
        raise ImproperlyConfigured("Synthetic patients are created only in demo mode.")
    rng = random.Random(seed)
    today = datetime.date.today()
    patients = []
    for unit in MobileUnit.objects.select_related("home_commune").order_by("code"):
        count = per_pilot_unit if unit.is_pilot else per_unit
        people = generate_people(
            demography=demography_of(unit.home_commune), count=count, rng=rng, today=today
        )
        for person in people:
            patients.append(patient_of(person, unit))
    # CINs are random: drop the rare collision rather than fail the demo on it.
    seen: set[str] = set()
    for patient in patients:
        if patient.cin in seen:
            patient.cin = None
        elif patient.cin:
            seen.add(patient.cin)
    for patient in patients:
        patient.refresh_name_keys()  # bulk_create does not call save()
    with transaction.atomic():
        Patient.objects.bulk_create(patients, batch_size=500)
        # bulk_create bypasses post_save: the change log (replication) is told here.
        record_changes(Patient, [r.pk for r in patients])
    return len(patients)
