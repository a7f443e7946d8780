"""Server-drawn charts: the geometry stays inside the frame and follows the figures."""

from __future__ import annotations

import datetime

from hypothesis import given
from hypothesis import strategies as st

from tbib.web import charts


def test_axis_maximum_is_a_nice_number_at_or_above_the_largest_value() -> None:
    assert charts.nice_ceiling(0) == 1
    assert charts.nice_ceiling(7) == 10
    assert charts.nice_ceiling(13) == 20
    assert charts.nice_ceiling(41) == 50
    assert charts.nice_ceiling(100) == 100
    assert charts.nice_ceiling(0.3) == 0.5
    assert charts.nice_ceiling(5e-324) == 1  # found by Hypothesis: a subnormal float


def test_bars_are_proportional_to_their_values() -> None:
    chart = charts.bars([("cardiology", 40), ("dermatology", 10), ("paediatrics", 0)])
    tallest, short, none = chart.bars
    assert tallest.height == round(4 * short.height, 1)
    assert none.height == 0
    assert [t.label for t in chart.x_labels] == ["cardiology", "dermatology", "paediatrics"]
    assert chart.ticks[-1].value == 50 and not chart.empty


def test_no_figures_gives_an_empty_chart_not_an_error() -> None:
    assert charts.bars([]).empty
    assert charts.series([]).empty


def test_a_series_runs_left_to_right_with_higher_values_drawn_higher() -> None:
    start = datetime.date(2026, 11, 1)
    chart = charts.series([(start + datetime.timedelta(days=i), i * 3) for i in range(30)])
    xs = [m.x for m in chart.markers]
    ys = [m.y for m in chart.markers]
    assert xs == sorted(xs) and ys == sorted(ys, reverse=True)
    assert len(chart.x_labels) <= 6 and chart.x_labels[0].label == "11-01"
    assert chart.points.startswith(f"{charts.LEFT}.0,")


@given(st.lists(st.floats(min_value=0, max_value=1e7), max_size=40))
def test_bars_stay_inside_the_frame(values: list[float]) -> None:
    chart = charts.bars([(str(i), v) for i, v in enumerate(values)])
    for bar in chart.bars:
        assert charts.TOP - 0.1 <= bar.y <= chart.height - charts.BOTTOM + 0.1
        assert bar.y + bar.height <= chart.height - charts.BOTTOM + 0.1
        assert bar.x >= charts.LEFT and bar.x + bar.width <= chart.width - charts.RIGHT + 0.1
