"""A unit's month of tours: which stops on which day, in which order (OR-Tools routing). Pure.

Each working day the unit leaves its base at 08:00 and is back by 18:00 (600 minutes); a stop
(a commune's village or douar) takes 150 minutes of consultations; travel is by road
(great-circle x 1.4, planning.access) at 40 km/h on rural roads. Saturdays and Sundays are rest
days, and so are the fixed public holidays. A stop visited twice a month (every two weeks) is
seen once in each half of the month; one visited once, any day. The solver minimises the
kilometres driven; a visit that cannot fit is left out and reported, never silently dropped.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from tbib.planning.access import CIRCUITY, great_circle_km

DAY_START = datetime.time(8, 0)
WORKING_MINUTES = 600
SERVICE_MINUTES = 150
SPEED_KMH = 40.0
REST_WEEKDAYS = (5, 6)  # Saturday, Sunday
# Morocco's fixed-date public holidays (month, day); the lunar ones (Eids, Mawlid, Hijri new
# year) move every year and are given by the caller (`rest_days`).
PUBLIC_HOLIDAYS = {(1, 1), (1, 11), (1, 14), (5, 1), (7, 30), (8, 14), (8, 20), (8, 21),
                   (11, 6), (11, 18)}  # fmt: skip
DROP_PENALTY = 10_000_000  # metres: leaving a visit out costs more than any detour


@dataclass(frozen=True)
class TourStop:
    code: str
    name: str
    latitude: float
    longitude: float
    visits: int = 2  # per month


@dataclass(frozen=True)
class Visit:
    stop: TourStop
    day: datetime.date
    arrival: datetime.time
    departure: datetime.time


@dataclass
class Month:
    visits: list[Visit]
    kilometres: float
    missed: list[str]  # stop codes of visits that could not fit
    seconds: float


def working_days(
    year: int, month: int, rest_days: Sequence[datetime.date] = ()
) -> list[datetime.date]:
    days = calendar.monthrange(year, month)[1]
    dates = [datetime.date(year, month, d) for d in range(1, days + 1)]
    return [
        d for d in dates
        if d.weekday() not in REST_WEEKDAYS and (d.month, d.day) not in PUBLIC_HOLIDAYS
        and d not in rest_days
    ]  # fmt: skip


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return great_circle_km(a[0], a[1], b[0], b[1]) * CIRCUITY


def plan_month(
    base: tuple[float, float],
    stops: Sequence[TourStop],
    year: int,
    month: int,
    *,
    time_limit_s: float = 20.0,
    rest_days: Sequence[datetime.date] = (),
) -> Month:
    import time

    from ortools.constraint_solver import (  # type: ignore[import-untyped]
        pywrapcp,
        routing_enums_pb2,
    )

    started = time.monotonic()
    days = working_days(year, month, rest_days)
    half = len(days) // 2
    nodes: list[tuple[TourStop | None, int]] = [(None, 0)]  # 0: the base
    for stop in stops:
        for visit in range(max(1, min(stop.visits, 2))):
            nodes.append((stop, visit if stop.visits >= 2 else -1))
    places = [base] + [(s.latitude, s.longitude) for s, _ in nodes[1:] if s is not None]
    metres = [[round(_km(a, b) * 1000) for b in places] for a in places]
    manager = pywrapcp.RoutingIndexManager(len(nodes), len(days), 0)
    routing = pywrapcp.RoutingModel(manager)

    def distance(i: int, j: int) -> int:
        return metres[manager.IndexToNode(i)][manager.IndexToNode(j)]

    def minutes(i: int, j: int) -> int:
        a, b = manager.IndexToNode(i), manager.IndexToNode(j)
        service = SERVICE_MINUTES if a != 0 else 0
        return service + round(metres[a][b] / 1000 / SPEED_KMH * 60)

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(distance))
    routing.AddDimension(routing.RegisterTransitCallback(minutes), 0, WORKING_MINUTES, True,
                         "time")  # fmt: skip
    clock = routing.GetDimensionOrDie("time")
    for node in range(1, len(nodes)):
        index = manager.NodeToIndex(node)
        routing.AddDisjunction([index], DROP_PENALTY)
        _stop, visit = nodes[node]
        # -1: the visit may be left out (and is then reported), never silently.
        if visit == 0:
            routing.VehicleVar(index).SetValues([-1, *range(half)])
        elif visit == 1:
            routing.VehicleVar(index).SetValues([-1, *range(half, len(days))])
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    )
    parameters.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    parameters.time_limit.FromMilliseconds(int(time_limit_s * 1000))
    solution = routing.SolveWithParameters(parameters)
    if solution is None:
        raise RuntimeError("No tour found for this month.")
    visits: list[Visit] = []
    total = 0
    served: set[int] = set()
    for day_index, day in enumerate(days):
        index = routing.Start(day_index)
        while not routing.IsEnd(index):
            following = solution.Value(routing.NextVar(index))
            total += distance(index, following)
            node = manager.IndexToNode(index)
            if node != 0:
                served.add(node)
                start = solution.Value(clock.CumulVar(index))
                stop = nodes[node][0]
                assert stop is not None
                visits.append(Visit(stop, day, _at(start), _at(start + SERVICE_MINUTES)))
            index = following
    missed = [nodes[n][0].code for n in range(1, len(nodes)) if n not in served]  # type: ignore[union-attr]
    return Month(visits, round(total / 1000, 1), missed, time.monotonic() - started)


def _at(minutes: int) -> datetime.time:
    start = DAY_START.hour * 60 + DAY_START.minute + minutes
    return datetime.time(start // 60, start % 60)


def to_ics(unit: str, month: Month) -> str:
    """The month as an iCalendar file (RFC 5545), one event per visit, local times."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Tbib//tours//EN", "CALSCALE:GREGORIAN"]
    for visit in month.visits:
        day = visit.day.strftime("%Y%m%d")
        lines += [
            "BEGIN:VEVENT",
            f"UID:{unit}-{day}-{visit.arrival:%H%M}-{visit.stop.code}@tbib",
            f"DTSTAMP:{day}T000000Z",
            f"DTSTART:{day}T{visit.arrival:%H%M%S}",
            f"DTEND:{day}T{visit.departure:%H%M%S}",
            f"SUMMARY:{unit}: {visit.stop.name}",
            f"LOCATION:{visit.stop.name} ({visit.stop.code})",
            f"GEO:{visit.stop.latitude:.5f};{visit.stop.longitude:.5f}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"
