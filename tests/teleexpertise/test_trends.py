"""Vital-sign trend lines (pure)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from tbib.teleexpertise.trends import trend

T0 = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def test_a_single_reading_has_no_trend() -> None:
    assert trend("systolic_bp", "mm[Hg]", [(T0, Decimal(150))]) is None


def test_oldest_left_highest_top() -> None:
    later = T0 + datetime.timedelta(days=30)
    line = trend("systolic_bp", "mm[Hg]", [(later, Decimal(130)), (T0, Decimal(170))])
    assert line is not None
    # 170 first (left, top: y = PAD), 130 last (right, bottom: y = HEIGHT - PAD).
    assert line.points == "4.0,4.0 156.0,36.0"
    assert (line.first, line.last, line.count) == (Decimal(170), Decimal(130), 2)


def test_flat_series_and_same_instant_do_not_divide_by_zero() -> None:
    line = trend("spo2", "%", [(T0, Decimal(97)), (T0, Decimal(97))])
    assert line is not None and line.points == "4.0,36.0 4.0,36.0"
