"""Charts drawn on the server as SVG geometry: no chart library, no script, readable on 2G.

Pure: figures in, coordinates out. Templates draw the shapes (`web/chart_bars.svg`,
`web/chart_series.svg`); bars grow from the start edge, so right-to-left pages mirror them with
CSS only.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
HEIGHT = 220
# Room for the value axis on the left and the labels at the bottom.
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 10, 28


@dataclass(frozen=True)
class Tick:
    value: float
    position: float  # y for a value axis
    label: str


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    ticks: list[Tick]
    bars: list[Bar]
    points: str  # polyline "x,y x,y" of a series; empty for bars
    markers: list[Bar]  # a series' points, as zero-width bars (x, y, label, value)
    x_labels: list[Tick]  # position = x
    empty: bool


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten at or above `value` (an axis maximum)."""
    # Below a millionth there is nothing to draw (and 10**-324 is zero in floating point).
    if value < 1e-6:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def _label(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ") if value >= 10 or value == int(value) else f"{value:g}"


def _value_axis(maximum: float, height: int) -> tuple[float, list[Tick]]:
    top = nice_ceiling(maximum)
    plot = height - TOP - BOTTOM
    ticks = [
        Tick(value=top * i / 4, position=TOP + plot - plot * i / 4, label=_label(top * i / 4))
        for i in range(5)
    ]
    return top, ticks


def bars(items: Sequence[tuple[str, float]], width: int = WIDTH, height: int = HEIGHT) -> Chart:
    """Vertical bars, one per (label, value), on a value axis rounded up to a nice maximum."""
    top, ticks = _value_axis(max((v for _, v in items), default=0.0), height)
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    slot = plot_w / max(len(items), 1)
    drawn = []
    for index, (label, value) in enumerate(items):
        bar_h = plot_h * max(value, 0.0) / top
        drawn.append(
            Bar(
                label=label,
                value=value,
                x=round(LEFT + slot * index + slot * 0.15, 1),
                y=round(TOP + plot_h - bar_h, 1),
                width=round(slot * 0.7, 1),
                height=round(bar_h, 1),
            )
        )
    labels = [Tick(b.value, round(b.x + b.width / 2, 1), b.label) for b in drawn]
    return Chart(width, height, ticks, drawn, "", [], labels, empty=not items)


def series(
    items: Sequence[tuple[datetime.date, float]],
    width: int = WIDTH,
    height: int = HEIGHT,
    labels: int = 6,
) -> Chart:
    """A time series as a polyline over evenly spaced periods, with about `labels` date labels."""
    top, ticks = _value_axis(max((v for _, v in items), default=0.0), height)
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    step = plot_w / max(len(items) - 1, 1)
    markers = []
    for index, (day, value) in enumerate(items):
        x = round(LEFT + step * index, 1)
        y = round(TOP + plot_h - plot_h * max(value, 0.0) / top, 1)
        markers.append(Bar(day.isoformat(), value, x, y, 0.0, 0.0))
    every = max(1, math.ceil(len(items) / labels))
    x_labels = [Tick(m.value, m.x, m.label[5:]) for m in markers[::every]]
    points = " ".join(f"{m.x},{m.y}" for m in markers)
    return Chart(width, height, ticks, [], points, markers, x_labels, empty=not items)
