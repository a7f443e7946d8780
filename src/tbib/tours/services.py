"""Writes to the tour calendar: planning a stop, opening and closing the day."""

from __future__ import annotations

import datetime
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

from tbib.access.scope import AccessDenied
from tbib.accounts.choices import UNIT_ROLES, UserRole
from tbib.accounts.models import User
from tbib.core.errors import Conflict
from tbib.geo.models import Commune
from tbib.network.models import MobileUnit
from tbib.tours.choices import StopStatus
from tbib.tours.models import Stop

# Who plans the calendar: the unit itself, and the coordinators and planners above it.
_PLANNING_ROLES = frozenset(
    {UserRole.REGIONAL_COORDINATOR, UserRole.NATIONAL_COORDINATOR, UserRole.PLANNER}
)


def _check_unit_staff(user: User, unit_id: uuid.UUID) -> None:
    if not (user.is_active and user.role in UNIT_ROLES and user.unit_id == unit_id):
        raise AccessDenied("Only the staff of this unit can open or close its stops.")


def _check_planner(user: User, unit: MobileUnit) -> None:
    if not user.is_active:
        raise AccessDenied("This account is inactive.")
    if user.role in UNIT_ROLES and user.unit_id == unit.pk:
        return
    if user.role == UserRole.REGIONAL_COORDINATOR and user.region_id == unit.province.region_id:
        return
    if user.role in (UserRole.NATIONAL_COORDINATOR, UserRole.PLANNER):
        return
    raise AccessDenied("You cannot plan this unit's tour.")


def plan_stop(
    *,
    user: User,
    unit: MobileUnit,
    date: datetime.date,
    commune: Commune,
    village: str = "",
    planned_start: datetime.time = datetime.time(9, 0),
    planned_end: datetime.time = datetime.time(16, 0),
) -> Stop:
    """Add a visit to a unit's calendar."""
    _check_planner(user, unit)
    stop = Stop(
        unit=unit,
        date=date,
        commune=commune,
        village=village.strip(),
        planned_start=planned_start,
        planned_end=planned_end,
    )
    stop.full_clean()
    stop.save(force_insert=True)
    return stop


def open_stop(*, user: User, stop: Stop) -> Stop:
    """Start the unit's day at this stop; the encounters of the day will belong to it."""
    _check_unit_staff(user, stop.unit_id)
    if stop.status == StopStatus.OPEN:
        return stop
    if stop.status != StopStatus.PLANNED:
        raise Conflict("Only a planned stop can be opened.")
    try:
        with transaction.atomic():
            updated = Stop.objects.filter(pk=stop.pk, status=StopStatus.PLANNED).update(
                status=StopStatus.OPEN, opened_at=timezone.now()
            )
    except IntegrityError as error:
        raise Conflict("Another stop of this unit is open: close it first.") from error
    if not updated:
        raise Conflict("This stop changed meanwhile; reload it.")
    stop.refresh_from_db()
    return stop


def close_stop(*, user: User, stop: Stop) -> Stop:
    """End the day at this stop."""
    _check_unit_staff(user, stop.unit_id)
    if stop.status != StopStatus.OPEN:
        raise Conflict("Only an open stop can be closed.")
    Stop.objects.filter(pk=stop.pk).update(status=StopStatus.CLOSED, closed_at=timezone.now())
    stop.refresh_from_db()
    return stop
