from __future__ import annotations

import datetime
import random
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from tbib.geo.choices import AGE_BANDS
from tbib.patients.names_data import FAMILY, FEMALE_GIVEN, MALE_GIVEN, SPELLING_VARIANTS
from tbib.patients.synthetic import Demography, generate_people

TODAY = datetime.date(2026, 11, 22)
# Imilchil's structure in RGPH 2024 is close to this: a young rural pyramid (% per band).
RURAL = Demography(
    male_share=0.49,
    age_bands=dict(
        zip(AGE_BANDS, [10, 11, 11, 9, 8, 7, 7, 6, 6, 5, 5, 4, 4, 3, 2, 2], strict=True)
    ),
)
ARABIC = re.compile(r"^[\u0600-\u06FF ]+$")


def _people(count: int = 5000, seed: int = 1) -> list:
    return generate_people(demography=RURAL, count=count, rng=random.Random(seed), today=TODAY)


def _age(birth: datetime.date) -> int:
    return TODAY.year - birth.year - ((TODAY.month, TODAY.day) < (birth.month, birth.day))


def test_sex_and_age_follow_the_census_structure() -> None:
    people = _people()
    male = sum(person.sex == "male" for person in people) / len(people)
    assert abs(male - 0.49) < 0.03
    children = sum(_age(person.birth_date) < 15 for person in people) / len(people)
    assert abs(children - 0.32) < 0.03


def test_names_come_in_both_scripts() -> None:
    for person in _people(500):
        assert person.given_latin and person.family_latin
        assert ARABIC.match(person.given_arabic), person.given_arabic
        assert ARABIC.match(person.family_arabic), person.family_arabic


def test_identifiers_look_real_and_children_have_no_cin() -> None:
    for person in _people(2000):
        if person.cin is not None:
            assert re.match(r"^[A-Z]{1,2}\d{1,6}$", person.cin)
            assert _age(person.birth_date) >= 18
        if person.phone is not None:
            assert re.match(r"^\+212[67]\d{8}$", person.phone)
        assert person.birth_date <= TODAY


def test_same_seed_same_people() -> None:
    assert _people(50, seed=9) == _people(50, seed=9)
    assert _people(50, seed=9) != _people(50, seed=10)


def test_name_tables_have_no_duplicates() -> None:
    for table in (MALE_GIVEN, FEMALE_GIVEN, FAMILY):
        latin = [pair[0] for pair in table]
        assert len(latin) == len(set(latin))
    assert SPELLING_VARIANTS["Mohamed"][0] == "Mohammed"


@settings(max_examples=50, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    male=st.floats(0, 1),
    weights=st.lists(st.floats(0, 100), min_size=16, max_size=16).filter(lambda w: sum(w) > 0),
    count=st.integers(0, 50),
)
def test_any_valid_demography_gives_count_people_born_by_today(
    seed: int, male: float, weights: list[float], count: int
) -> None:
    demography = Demography(male_share=male, age_bands=dict(zip(AGE_BANDS, weights, strict=True)))
    people = generate_people(
        demography=demography, count=count, rng=random.Random(seed), today=TODAY
    )
    assert len(people) == count
    assert all(person.birth_date <= TODAY for person in people)
