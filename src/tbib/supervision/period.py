"""A period of whole days, [start, end), in the server's time zone (Africa/Casablanca)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True)
class Period:
    """The days from `start` included to `end` excluded (local calendar days)."""

    start: datetime.date
    end: datetime.date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"A period ends after it starts ({self.start} to {self.end}).")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        following = datetime.date(year + month // 12, month % 12 + 1, 1)
        return cls(datetime.date(year, month, 1), following)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """Local midnight of the first day and of the day after the last, time-zone aware."""
        zone = timezone.get_current_timezone()
        return (
            datetime.datetime.combine(self.start, datetime.time(), tzinfo=zone),
            datetime.datetime.combine(self.end, datetime.time(), tzinfo=zone),
        )
