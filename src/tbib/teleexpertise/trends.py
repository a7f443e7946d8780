"""Vital-sign trends as small SVG polylines (pure: no Django), for the specialist's workspace."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT, PAD = 160, 40, 4


@dataclass(frozen=True)
class Trend:
    key: str
    unit: str
    points: str  # SVG polyline "x,y x,y …"
    first: Decimal
    last: Decimal
    count: int


def trend(key: str, unit: str, series: list[tuple[datetime.datetime, Decimal]]) -> Trend | None:
    """A polyline scaled into WIDTH×HEIGHT, oldest left; None with fewer than two readings."""
    if len(series) < 2:
        return None
    series = sorted(series)
    start, end = series[0][0], series[-1][0]
    span = (end - start).total_seconds() or 1.0
    values = [value for _when, value in series]
    low, high = min(values), max(values)
    height = float(high - low) or 1.0
    coords = []
    for when, value in series:
        x = PAD + (WIDTH - 2 * PAD) * (when - start).total_seconds() / span
        y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * float(value - low) / height
        coords.append(f"{x:.1f},{y:.1f}")
    return Trend(key, unit, " ".join(coords), values[0], values[-1], len(values))
