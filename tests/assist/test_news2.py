"""NEWS2 against the RCP 2017 charts: every band of every parameter, and worked totals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tbib.assist.news2 import News2Input, news2, parameter_points, spo2_scale_2

D = Decimal
NORMAL = {"respiratory_rate": D(16), "spo2": D(97), "on_oxygen": False, "systolic_bp": D(120),
          "pulse": D(70), "consciousness": "A", "temperature": D("37.0")}  # fmt: skip


def _points(**changes: object) -> dict[str, int]:
    return parameter_points(News2Input(**{**NORMAL, **changes}))  # type: ignore[arg-type]


# Chart 1, each band at both of its edges.
@pytest.mark.parametrize(
    ("value", "points"),
    [(5, 3), (8, 3), (9, 1), (11, 1), (12, 0), (20, 0), (21, 2), (24, 2), (25, 3), (40, 3)],
)
def test_respiration_rate_bands(value: int, points: int) -> None:
    assert _points(respiratory_rate=D(value))["respiratory_rate"] == points


@pytest.mark.parametrize(
    ("value", "points"), [(85, 3), (91, 3), (92, 2), (93, 2), (94, 1), (95, 1), (96, 0), (100, 0)]
)
def test_spo2_scale_1_bands(value: int, points: int) -> None:
    assert _points(spo2=D(value))["spo2"] == points


@pytest.mark.parametrize(
    ("value", "oxygen", "points"),
    [(80, False, 3), (83, False, 3), (84, False, 2), (85, True, 2), (86, False, 1),
     (87, True, 1), (88, False, 0), (92, True, 0), (93, False, 0), (99, False, 0),
     (93, True, 1), (94, True, 1), (95, True, 2), (96, True, 2), (97, True, 3),
     (100, True, 3)],
)  # fmt: skip
def test_spo2_scale_2_bands(value: int, oxygen: bool, points: int) -> None:
    assert spo2_scale_2(D(value), oxygen) == points


def test_supplemental_oxygen_scores_2() -> None:
    assert _points(on_oxygen=True)["air_or_oxygen"] == 2
    assert _points(on_oxygen=False)["air_or_oxygen"] == 0


@pytest.mark.parametrize(
    ("value", "points"),
    [(70, 3), (90, 3), (91, 2), (100, 2), (101, 1), (110, 1), (111, 0), (219, 0), (220, 3)],
)
def test_systolic_bands(value: int, points: int) -> None:
    assert _points(systolic_bp=D(value))["systolic_bp"] == points


@pytest.mark.parametrize(
    ("value", "points"),
    [(35, 3), (40, 3), (41, 1), (50, 1), (51, 0), (90, 0), (91, 1), (110, 1), (111, 2),
     (130, 2), (131, 3), (180, 3)],
)  # fmt: skip
def test_pulse_bands(value: int, points: int) -> None:
    assert _points(pulse=D(value))["pulse"] == points


@pytest.mark.parametrize(("level", "points"), [("A", 0), ("C", 3), ("V", 3), ("P", 3), ("U", 3)])
def test_consciousness(level: str, points: int) -> None:
    assert _points(consciousness=level)["consciousness"] == points


@pytest.mark.parametrize(
    ("value", "points"),
    [("34.0", 3), ("35.0", 3), ("35.1", 1), ("36.0", 1), ("36.1", 0), ("38.0", 0),
     ("38.1", 1), ("39.0", 1), ("39.1", 2), ("41.0", 2)],
)  # fmt: skip
def test_temperature_bands(value: str, points: int) -> None:
    assert _points(temperature=D(value))["temperature"] == points


# Worked cases, totals added up by hand from Chart 1, response read from Chart 2.
# (RR, SpO2, O2, SBP, pulse, ACVPU, temp, scale 2) → (total, severity)
WORKED = [
    ((16, 97, False, 120, 70, "A", "37.0", False), (0, "info")),
    ((20, 96, False, 111, 90, "A", "38.0", False), (0, "info")),
    ((12, 96, False, 219, 51, "A", "36.1", False), (0, "info")),
    ((21, 96, False, 120, 70, "A", "37.0", False), (2, "low")),
    ((18, 95, False, 105, 92, "A", "37.5", False), (3, "low")),  # 1 + 1 + 1
    ((21, 94, False, 110, 70, "A", "37.0", False), (4, "low")),  # 2 + 1 + 1
    ((16, 97, False, 120, 70, "C", "37.0", False), (3, "medium")),  # a single 3: urgent
    ((16, 91, False, 120, 70, "A", "37.0", False), (3, "medium")),
    ((16, 97, False, 89, 70, "A", "37.0", False), (3, "medium")),
    ((16, 97, False, 120, 70, "A", "34.9", False), (3, "medium")),
    ((22, 95, False, 105, 95, "A", "38.5", False), (6, "medium")),  # 2+1+1+1+1
    ((16, 95, False, 120, 115, "A", "39.5", False), (5, "medium")),  # 1+2+2
    ((10, 93, True, 120, 70, "A", "37.0", False), (5, "medium")),  # 1+2+2
    ((25, 93, True, 120, 70, "A", "37.0", False), (7, "high")),  # 3+2+2
    ((24, 92, True, 100, 111, "A", "38.2", False), (11, "high")),  # 2+2+2+2+2+1
    ((26, 90, True, 88, 135, "V", "34.8", False), (20, "high")),  # the maximum
    ((30, 85, False, 95, 120, "U", "39.5", False), (15, "high")),  # 3+3+0+2+2+3+2
    ((16, 90, False, 120, 70, "A", "37.0", True), (0, "info")),  # scale 2: 90 on air is target
    ((16, 86, False, 120, 70, "A", "37.0", True), (1, "low")),
    ((16, 97, True, 120, 70, "A", "37.0", True), (5, "medium")),  # 3 (scale 2, O2) + 2
    ((16, 94, True, 120, 70, "A", "37.0", True), (3, "low")),  # 1 + 2, no single 3
    ((8, 97, False, 220, 40, "A", "37.0", False), (9, "high")),  # 3+3+3
]


@pytest.mark.parametrize(("vitals", "expected"), WORKED)
def test_worked_totals_and_responses(
    vitals: tuple[int, int, bool, int, int, str, str, bool], expected: tuple[int, str]
) -> None:
    rr, spo2, oxygen, sbp, pulse, avpu, temp, scale2 = vitals
    finding = news2(News2Input(D(rr), D(spo2), oxygen, D(sbp), D(pulse), avpu, D(temp), scale2))
    assert (finding.score, finding.severity) == expected
    assert finding.source.startswith("Royal College of Physicians, NEWS2 (2017)")
    assert finding.explanation.startswith(f"NEWS2 {expected[0]}")
