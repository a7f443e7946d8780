"""Measurement validation and BMI: pure logic, table-driven, plus a Hypothesis property."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tbib.clinical.codes import MEASURES
from tbib.clinical.vitals import bmi, clean_measurements


@pytest.mark.parametrize(
    ("weight", "height", "expected"),
    [
        # WHO: BMI = kg / m². 70 / 1.75² = 22.857 → 22.9; 50 / 1.60² = 19.53 → 19.5.
        ("70", "175", "22.9"),
        ("50", "160", "19.5"),
        ("12.5", "87", "16.5"),  # a two-year-old: 12.5 / 0.87² = 16.51
    ],
)
def test_bmi(weight: str, height: str, expected: str) -> None:
    assert bmi(Decimal(weight), Decimal(height)) == Decimal(expected)


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        ({"spo2": 140}, "spo2", "140 % is not a possible oxygen saturation by pulse oximetry: "
         "expected between 40 and 100 %."),
        ({"temperature": "60"}, "temperature", "60 Cel is not a possible body temperature: "
         "expected between 30 and 45 Cel."),
        ({"heart_rate": "abc"}, "heart_rate", "Enter a number."),
        ({"heart_rate": "NaN"}, "heart_rate", "Enter a number."),
        ({"systolic_bp": 80, "diastolic_bp": 90}, "diastolic_bp",
         "The diastolic pressure must be lower than the systolic."),
        ({"systolic_bp": 120}, "diastolic_bp",
         "A blood pressure needs both the systolic and the diastolic value."),
        ({"bmi": 22}, "bmi", "Unknown measurement 'bmi'."),
        ({"weight": 70, "height": 30}, "height",
         "Weight 70.00 kg and height 30.0 cm give a BMI of 777.8: one of them is mistyped."),
    ],
)  # fmt: skip
def test_impossible_values_are_field_errors(raw: dict, field: str, message: str) -> None:
    values, errors = clean_measurements(raw)
    assert errors[field] == message


def test_pregnancy_measures_refused_for_a_man_and_commas_accepted() -> None:
    values, errors = clean_measurements({"gestational_age": 20, "temperature": "37,4"}, sex="male")
    assert errors == {
        "gestational_age": "This measurement applies to a pregnancy; the patient is male."
    }
    assert values["temperature"] == Decimal("37.4")


def test_blank_values_are_skipped_and_bmi_added() -> None:
    values, errors = clean_measurements(
        {"weight": "71.5", "height": "158", "spo2": "", "muac": None}
    )
    assert errors == {}
    assert values == {
        "weight": Decimal("71.50"),
        "height": Decimal("158.0"),
        "bmi": Decimal("28.6"),
    }


_ANY = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=12),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
)


@given(st.dictionaries(st.sampled_from([*MEASURES, "other"]), _ANY, max_size=8))
def test_any_input_gives_in_range_values_or_errors_never_an_exception(raw: dict) -> None:
    values, errors = clean_measurements(raw)
    assert not values.keys() & errors.keys() - {"diastolic_bp", "height"}
    for key, value in values.items():
        measure = MEASURES[key]
        assert measure.low <= value <= measure.high
