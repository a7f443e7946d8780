"""Factories for test data (factory_boy): the one place tests build records."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from tbib.accounts.choices import UserRole
from tbib.accounts.models import User
from tbib.geo.models import Region
from tbib.network.models import MobileUnit, Specialty
from tbib.patients.choices import Sex
from tbib.patients.models import Patient
from tbib.tours.choices import StopStatus
from tbib.tours.models import Stop

TEST_PASSWORD = "pw-Tbib-2026"


def unit(code: str) -> MobileUnit:
    """A unit of the demo network built once per run (tests/conftest.py)."""
    return MobileUnit.objects.select_related("province").get(code=code)


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Fatima"
    last_name = "Ait Ali"
    role = UserRole.NATIONAL_COORDINATOR
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: object, **kwargs: object) -> None:  # noqa: N805
        if create:
            obj.save()


def unit_staff(role: UserRole, unit_code: str, **kwargs: object) -> User:
    return UserFactory(role=role, unit=unit(unit_code), **kwargs)


def regional_coordinator(region_code: str) -> User:
    return UserFactory(
        role=UserRole.REGIONAL_COORDINATOR, region=Region.objects.get(code=region_code)
    )


def specialist(slug: str) -> User:
    return UserFactory(role=UserRole.SPECIALIST, specialty=Specialty.objects.get(slug=slug))


class PatientFactory(DjangoModelFactory[Patient]):
    class Meta:
        model = Patient

    given_name = factory.Iterator(["Mohamed", "Fadma", "Lahcen", "Itto", "Brahim"])
    family_name = factory.Iterator(["Ouhammou", "Ait Ali", "Amzil", "Oubella"])
    given_name_ar = "محمد"
    family_name_ar = "أوحمو"
    sex = Sex.MALE
    birth_date = datetime.date(1962, 7, 1)
    unit = factory.LazyFunction(lambda: unit("midelt-1"))


def open_stop_today(unit_code: str) -> Stop:
    """A stop of the unit today, opened: the precondition of every encounter."""
    home = unit(unit_code)
    return Stop.objects.create(
        unit=home,
        date=timezone.localdate(),
        commune=home.home_commune,
        village="Agoudal",
        status=StopStatus.OPEN,
        opened_at=timezone.now(),
    )
