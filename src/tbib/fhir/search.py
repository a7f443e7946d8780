"""FHIR search parameters: parsing (pure) and their translation into ORM filters."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.db.models import Q

from tbib.fhir.outcome import FhirError

PREFIXES = ("eq", "ne", "ge", "le", "gt", "lt", "sa", "eb", "ap")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(.+))?)?)?$")
COUNT_DEFAULT, COUNT_MAX = 20, 100
COMMON = {
    "_count",
    "_sort",
    "_lastUpdated",
    "_include",
    "_offset",
    "_format",
    "_pretty",
    "_summary",
    "_total",
    "_id",
}


@dataclass(frozen=True)
class DateRange:
    """The half-open interval [start, end) a FHIR date value stands for, with its prefix."""

    prefix: str
    start: datetime.datetime
    end: datetime.datetime


def parse_date(raw: str) -> DateRange:
    """`ge2026-01`, `2026-03-04`, `lt2026-03-04T10:00:00Z`... into a range (UTC if no zone)."""
    prefix = raw[:2] if raw[:2] in PREFIXES and not raw[:2].isdigit() else ""
    text = raw[len(prefix) :]
    match = _DATE.match(text)
    if not match or prefix in ("ne", "sa", "eb", "ap"):
        raise FhirError(
            400,
            f"Unsupported date search value {raw!r}: use [eq|ge|le|gt|lt]"
            "YYYY[-MM[-DD[Thh:mm:ss+zz:zz]]].",
        )
    year, month, day, time = match.groups()
    try:
        if time:
            start = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
            if start.tzinfo is None:
                start = start.replace(tzinfo=datetime.UTC)
            end = start + datetime.timedelta(seconds=1)
        else:
            first = datetime.date(int(year), int(month or 1), int(day or 1))
            if day:
                last = first + datetime.timedelta(days=1)
            elif month:
                last = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
            else:
                last = first.replace(year=first.year + 1)
            start = datetime.datetime.combine(first, datetime.time(), datetime.UTC)
            end = datetime.datetime.combine(last, datetime.time(), datetime.UTC)
    except (ValueError, OverflowError) as error:
        raise FhirError(400, f"Invalid date search value {raw!r}: {error}.") from error
    return DateRange(prefix or "eq", start, end)


def date_filter(field: str, values: list[str]) -> Q:
    """Repeated parameters must all hold (AND); comma-separated values are alternatives (OR)."""
    query = Q()
    for raw in values:
        alternatives = Q()
        for value in raw.split(","):
            found = parse_date(value)
            alternatives |= {
                "eq": Q(**{f"{field}__gte": found.start, f"{field}__lt": found.end}),
                "ge": Q(**{f"{field}__gte": found.start}),
                "gt": Q(**{f"{field}__gte": found.end}),
                "le": Q(**{f"{field}__lt": found.end}),
                "lt": Q(**{f"{field}__lt": found.start}),
            }[found.prefix]
        query &= alternatives
    return query


def token(raw: str) -> tuple[str | None, str]:
    """`system|code`, `|code` (no system) or `code` (any system)."""
    if "|" in raw:
        system, _, code = raw.partition("|")
        return system, code
    return None, raw


def count_of(values: list[str]) -> int:
    if not values:
        return COUNT_DEFAULT
    try:
        count = int(values[-1])
    except ValueError as error:
        raise FhirError(400, "_count must be a whole number.") from error
    if count < 0:
        raise FhirError(400, "_count must not be negative.")
    return min(count, COUNT_MAX)


def offset_of(values: list[str]) -> int:
    if not values:
        return 0
    try:
        offset = int(values[-1])
    except ValueError as error:
        raise FhirError(400, "_offset must be a whole number.") from error
    if not 0 <= offset <= 10_000_000:
        raise FhirError(400, "_offset is out of range.")
    return offset
