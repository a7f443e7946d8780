"""A month of stops for every demo unit: the communes of its province, remotest first."""

from __future__ import annotations

import datetime

from django.db import transaction

from tbib.geo.choices import CommuneKind
from tbib.geo.models import Commune
from tbib.network.models import MobileUnit
from tbib.sync.capture import record_changes
from tbib.tours.models import Stop

# The demo's units work six days a week and rest on Sunday.
_REST_WEEKDAY = 6
# How many communes one unit rotates through in a month.
_ROTATION = 8


def working_days(start: datetime.date, days: int) -> list[datetime.date]:
    """The `days` calendar days from `start` without Sundays; `start` itself is always kept.

    The demo's "today" must have a stop, whatever day the demo is started on.
    """
    dates = [start]
    for offset in range(1, days):
        day = start + datetime.timedelta(days=offset)
        if day.weekday() != _REST_WEEKDAY:
            dates.append(day)
    return dates


def plan_demo_tours(*, start: datetime.date, days: int = 30) -> int:
    """Plan each unit's month: its home commune today, then the communes the network's plan
    gives it (planning: the adopted scenario), or without a plan the province's remotest."""
    from tbib.planning.selectors import served_by_base

    served = served_by_base()
    stops = []
    units = MobileUnit.objects.select_related("home_commune", "province")
    for unit in units:
        rotation = rotation_of(unit, served)
        for index, date in enumerate(working_days(start, days)):
            stops.append(Stop(unit=unit, date=date, commune=rotation[index % len(rotation)]))
    with transaction.atomic():
        Stop.objects.bulk_create(stops, batch_size=1000)
        # bulk_create bypasses post_save: the change log (replication) is told here.
        record_changes(Stop, [r.pk for r in stops])
    return len(stops)


def rotation_of(unit: MobileUnit, served: dict[str, list[str]]) -> list[Commune]:
    """The communes a unit visits in turn: its home commune, then those the network's plan
    gives it (`served`: planning.selectors.served_by_base()), or the province's remotest."""
    planned = [
        code for code in served.get(unit.home_commune_id, []) if code != unit.home_commune_id
    ]
    if planned:
        found = Commune.objects.in_bulk(planned)
        others = [found[code] for code in planned if code in found]
    else:
        others = list(
            Commune.objects.filter(province_id=unit.province_id, kind=CommuneKind.RURAL)
            .exclude(pk=unit.home_commune_id)
            .order_by("-distance_to_paved_road_km", "code")[: _ROTATION - 1]
        )
    return [unit.home_commune, *others]
