"""Monthly aggregate indicators per mobile unit, counted by the database (one grouped query
per indicator, no Python loop over rows)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from tbib.clinical.choices import EncounterStatus, ObservationSource
from tbib.clinical.models import Encounter, Observation, Referral
from tbib.patients.models import Patient
from tbib.teleexpertise.choices import CaseStatus
from tbib.teleexpertise.models import Case
from tbib.tours.choices import StopStatus
from tbib.tours.models import Stop

# Indicator keys, the names the mapping file gives DHIS2 data elements for.
INDICATORS = {
    "consultations": "Consultations (encounters signed)",
    "unique_patients": "Unique patients seen",
    "new_patients": "Patients registered",
    "stops_made": "Tour stops made (closed)",
    "observations": "Vital signs recorded",
    "observations_from_devices": "Vital signs from connected devices",
    "referrals": "Referrals issued",
    "teleexpertise_requests": "Tele-expertise requests sent",
}


def month_bounds(year: int, month: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The month as [start, end) in the server's time zone (Africa/Casablanca)."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime(year, month, 1, tzinfo=zone)
    following = datetime.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    return start, following


def _counted(query: QuerySet[Any], unit_field: str, distinct: str | None = None) -> dict[str, int]:
    counted = query.values(unit_field).annotate(
        n=Count(distinct, distinct=True) if distinct else Count("pk")
    )
    return {str(row[unit_field]): int(row["n"]) for row in counted}


def monthly(year: int, month: int) -> dict[str, dict[str, int]]:
    """{unit code: {indicator: value}} for the units with any activity in the month."""
    start, end = month_bounds(year, month)
    signed = Encounter.objects.filter(
        status=EncounterStatus.SIGNED, arrived_at__gte=start, arrived_at__lt=end
    )
    observations = Observation.objects.filter(
        effective_at__gte=start,
        effective_at__lt=end,
        encounter__status__in=[EncounterStatus.SIGNED, EncounterStatus.IN_PROGRESS],
    )
    counts = {
        "consultations": _counted(signed, "unit__code"),
        "unique_patients": _counted(signed, "unit__code", distinct="patient_id"),
        "new_patients": _counted(
            Patient.objects.filter(created_at__gte=start, created_at__lt=end), "unit__code"
        ),
        "stops_made": _counted(
            Stop.objects.filter(
                status=StopStatus.CLOSED, date__gte=start.date(), date__lt=end.date()
            ),
            "unit__code",
        ),
        "observations": _counted(observations, "encounter__unit__code"),
        "observations_from_devices": _counted(
            observations.filter(source=ObservationSource.DEVICE), "encounter__unit__code"
        ),
        "referrals": _counted(
            Referral.objects.filter(encounter__in=signed.values("pk")), "encounter__unit__code"
        ),
        "teleexpertise_requests": _counted(
            Case.objects.filter(created_at__gte=start, created_at__lt=end).exclude(
                status=CaseStatus.DRAFT
            ),
            "unit__code",
        ),
    }
    by_unit: dict[str, dict[str, int]] = defaultdict(dict)
    for indicator, per_unit in counts.items():
        for unit, value in per_unit.items():
            by_unit[unit][indicator] = value
    return dict(by_unit)
