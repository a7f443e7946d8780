"""Demo accounts for every role (demo mode only), all with the password `tbib-demo`.

Usernames: admin, national, planner, coord-<region code>, dr-<specialty slug>, and for each
unit gp-<unit code>, nurse1-<unit code>, nurse2-<unit code>, assistant-<unit code>.
"""

from __future__ import annotations

import random

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from tbib.accounts.choices import UserRole
from tbib.accounts.models import User
from tbib.geo.models import Region
from tbib.network.models import MobileUnit, Specialty
from tbib.patients.names_data import FAMILY, FEMALE_GIVEN, MALE_GIVEN

DEMO_PASSWORD = "tbib-demo"


def create_demo_users(*, seed: int = 2024) -> int:
    """Create (or reset) every demo account; return how many exist."""
    if not settings.DEMO_MODE:
        raise ImproperlyConfigured("Demo accounts exist only in demo mode (TBIB_MODE=demo).")
    rng = random.Random(seed)
    # One hash for all: hashing 230 passwords with Argon2 would cost the demo ten seconds.
    password = make_password(DEMO_PASSWORD)

    def person(female: bool) -> tuple[str, str]:
        given = rng.choice(FEMALE_GIVEN if female else MALE_GIVEN)[0]
        return given, rng.choice(FAMILY)[0]

    def upsert(username: str, role: UserRole, female: bool, **place: object) -> None:
        first, last = person(female)
        User.objects.update_or_create(
            username=username,
            defaults={
                "role": role,
                "first_name": first,
                "last_name": last,
                "password": password,
                "is_staff": role == UserRole.ADMINISTRATOR,
                "is_superuser": role == UserRole.ADMINISTRATOR,
                **place,
            },
        )

    with transaction.atomic():
        upsert("admin", UserRole.ADMINISTRATOR, female=False)
        upsert("national", UserRole.NATIONAL_COORDINATOR, female=True)
        upsert("planner", UserRole.PLANNER, female=False)
        for region in Region.objects.order_by("code"):
            upsert(
                f"coord-{region.code}",
                UserRole.REGIONAL_COORDINATOR,
                rng.random() < 0.5,
                region=region,
            )
        for specialty in Specialty.objects.order_by("slug"):
            upsert(
                f"dr-{specialty.slug}", UserRole.SPECIALIST, rng.random() < 0.5, specialty=specialty
            )
        for unit in MobileUnit.objects.order_by("code"):
            upsert(f"gp-{unit.code}", UserRole.GP, rng.random() < 0.4, unit=unit)
            upsert(f"nurse1-{unit.code}", UserRole.NURSE, rng.random() < 0.6, unit=unit)
            upsert(f"nurse2-{unit.code}", UserRole.NURSE, rng.random() < 0.6, unit=unit)
            upsert(f"assistant-{unit.code}", UserRole.ASSISTANT, rng.random() < 0.5, unit=unit)
    return User.objects.count()
