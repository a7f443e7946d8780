"""Reads of the tour calendar, bounded by the user's place in the network."""

from __future__ import annotations

import datetime
import uuid

from django.db.models import Q, QuerySet

from tbib.accounts.choices import UNIT_ROLES, UserRole
from tbib.accounts.models import User
from tbib.tours.choices import StopStatus
from tbib.tours.models import Stop


def visible_stops(user: User) -> QuerySet[Stop]:
    """The stops a user may see: their unit's, their region's, or all for national roles."""
    stops = Stop.objects.select_related("unit", "commune")
    if not user.is_active:
        return stops.none()
    if user.role in UNIT_ROLES:
        return stops.filter(unit_id=user.unit_id)
    if user.role == UserRole.REGIONAL_COORDINATOR:
        return stops.filter(unit__province__region_id=user.region_id)
    if user.role in (UserRole.NATIONAL_COORDINATOR, UserRole.PLANNER, UserRole.ADMINISTRATOR):
        return stops
    return stops.none()


def current_stop(unit_id: uuid.UUID, *, today: datetime.date) -> Stop | None:
    """The unit's open stop, else its first stop of today that is still to be made."""
    stops = Stop.objects.select_related("unit", "commune").filter(unit_id=unit_id)
    return (
        stops.filter(status=StopStatus.OPEN).first()
        or stops.filter(date=today)
        .filter(Q(status=StopStatus.PLANNED))
        .order_by("planned_start")
        .first()
    )
