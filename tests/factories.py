"""Factories for test data (factory_boy): the one place tests build records."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from tbib.clinical.models import Encounter
    from tbib.teleexpertise import models as teleexpertise

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


def claimed_case(unit_code: str, *, specialty: str = "cardiology") -> teleexpertise.Case:
    """A tele-expertise case of a new patient of the unit, opened by the unit's GP, submitted
    and claimed by a specialist, all through the services (today's stop opened)."""
    from tbib.access.scope import AccessContext
    from tbib.clinical.services import start_encounter
    from tbib.teleexpertise import services
    from tbib.teleexpertise.models import Case

    open_stop_today(unit_code)
    gp = AccessContext(user=unit_staff(UserRole.GP, unit_code))
    patient = PatientFactory(unit=unit(unit_code))
    encounter = start_encounter(
        ctx=gp, patient_id=patient.pk, measurements={"systolic_bp": 168, "diastolic_bp": 98}
    )
    case = services.open_case(
        ctx=gp,
        encounter_id=encounter.pk,
        specialty=specialty,
        question="Hypertension sévère malgré deux traitements: conduite à tenir ?",
        urgency="urgent",
        consent=True,
    )
    services.submit_case(ctx=gp, case_id=case.pk)
    services.claim_case(ctx=AccessContext(user=specialist(specialty)), case_id=case.pk)
    return Case.objects.select_related("encounter", "claimed_by", "created_by").get(pk=case.pk)


def answered_case(
    unit_code: str,
    *,
    specialty: str = "cardiology",
    live_session_at: datetime.datetime | None = None,
) -> teleexpertise.Case:
    """A claimed case (claimed_case) answered by its specialist through the service."""
    from tbib.access.scope import AccessContext
    from tbib.teleexpertise import services

    case = claimed_case(unit_code, specialty=specialty)
    assert case.claimed_by is not None
    services.answer_case(
        ctx=AccessContext(user=case.claimed_by),
        case_id=case.pk,
        advice="Ajouter l'amlodipine 5 mg, contrôle dans 15 jours.",
        diagnoses=["I10"],
        live_session_at=live_session_at,
    )
    case.refresh_from_db()
    return case


def attachment_of(
    case: teleexpertise.Case, content: bytes = b"%PDF-1.7 ecg"
) -> teleexpertise.Attachment:
    """A file of the case as the upload service leaves it (the bytes themselves not stored)."""
    import hashlib

    from tbib.teleexpertise.choices import AttachmentKind
    from tbib.teleexpertise.models import Attachment

    return Attachment.objects.create(
        case=case,
        sha256=hashlib.sha256(content).hexdigest(),
        kind=AttachmentKind.DOCUMENT,
        content_type="application/pdf",
        size=len(content),
        filename="ecg.pdf",
    )


def stop_on(
    unit_code: str,
    day: datetime.date,
    *,
    commune_code: str | None = None,
    status: StopStatus = StopStatus.CLOSED,
) -> Stop:
    """A stop of the unit on a past or future day (its home commune unless told)."""
    from tbib.geo.models import Commune

    home = unit(unit_code)
    commune = Commune.objects.get(code=commune_code) if commune_code else home.home_commune
    return Stop.objects.create(unit=home, date=day, commune=commune, status=status)


def encounter_at(
    stop: Stop,
    patient: Patient,
    at: datetime.datetime,
    *,
    status: str = "signed",
    vitals: dict[str, str] | None = None,
) -> Encounter:
    """An encounter at the stop, with measurements {key: source} (heart rate values), in the
    given status (signed by the unit's GP when signed)."""
    from decimal import Decimal

    from tbib.clinical.models import Encounter, Observation

    gp = UserFactory(role=UserRole.GP, unit=stop.unit, username=f"gp-{stop.unit.code}")
    encounter = Encounter.objects.create(
        patient=patient, unit=stop.unit, stop=stop, arrived_at=at, status="in-progress",
        created_by=gp,
    )  # fmt: skip
    for key, source in (vitals or {}).items():
        Observation.objects.create(
            encounter=encounter, key=key, loinc="8867-4", value=Decimal("72"), unit="/min",
            source=source, effective_at=at,
        )  # fmt: skip
    signature = {"signed_at": at, "signed_by": gp} if status == "signed" else {}
    Encounter.objects.filter(pk=encounter.pk).update(status=status, **signature)
    encounter.refresh_from_db()
    return encounter


def case_about(
    encounter: Encounter,
    specialty: str,
    urgency: str,
    *,
    queued_at: datetime.datetime | None,
    sla_minutes: int,
    status: str = "queued",
    answered_at: datetime.datetime | None = None,
    escalation_level: int = 0,
    created_at: datetime.datetime | None = None,
) -> teleexpertise.Case:
    """A tele-expertise case with its timestamps set as given (not through the workflow)."""
    from tbib.teleexpertise.choices import URGENCY_RANK
    from tbib.teleexpertise.models import Case

    due = queued_at + datetime.timedelta(minutes=sla_minutes) if queued_at else None
    case = Case.objects.create(
        encounter=encounter, patient=encounter.patient, unit=encounter.unit,
        specialty_id=specialty, question="?", urgency=urgency,
        urgency_rank=URGENCY_RANK[urgency], status=status, created_by=encounter.created_by,
        queued_at=queued_at, sla_due_at=due, answered_at=answered_at,
        escalation_level=escalation_level,
    )  # fmt: skip
    Case.objects.filter(pk=case.pk).update(created_at=created_at or queued_at or timezone.now())
    return case
