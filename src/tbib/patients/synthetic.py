"""Synthetic people drawn like Morocco's rural population (pure, no Django).

Sex and age follow a commune's census structure (HCP RGPH 2024 sex ratio and five-year age
bands); names follow a Zipf-like frequency by rank, as village registers do; identifiers are
as often missing as they are in rural consultations.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from tbib.patients.names_data import FAMILY, FEMALE_GIVEN, MALE_GIVEN, NamePair

# Share of adults with a national identity card number at hand, of adults with a phone, and
# of rural adults over 40 who know only an approximate age (orders of magnitude seen in rural
# primary care; refine with field data).
CIN_SHARE_ADULTS = 0.6
PHONE_SHARE_ADULTS = 0.45
ESTIMATED_AGE_SHARE_OVER_40 = 0.4
CIN_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class Demography:
    """A commune's census structure: share of men (0–1) and % of people in each age band."""

    male_share: float
    age_bands: dict[str, float]


@dataclass(frozen=True)
class SyntheticPerson:
    given_latin: str
    family_latin: str
    given_arabic: str
    family_arabic: str
    sex: str
    birth_date: datetime.date
    age_is_estimated: bool
    phone: str | None
    cin: str | None


def _zipf_weights(count: int, exponent: float = 1.0) -> list[float]:
    return [1.0 / (rank**exponent) for rank in range(1, count + 1)]


_MALE_WEIGHTS = _zipf_weights(len(MALE_GIVEN))
_FEMALE_WEIGHTS = _zipf_weights(len(FEMALE_GIVEN))
_FAMILY_WEIGHTS = _zipf_weights(len(FAMILY), exponent=0.7)


def _band_bounds(band: str) -> tuple[int, int]:
    if band.endswith("_plus"):
        return int(band.split("_")[0]), 95
    low, high = band.split("_")
    return int(low), int(high)


def _age(rng: random.Random, band: str) -> int:
    low, high = _band_bounds(band)
    if band.endswith("_plus"):
        # Few people live past 85: a triangular draw skewed towards the band's start.
        return int(rng.triangular(low, high, low))
    return rng.randint(low, high)


def _birth_date(rng: random.Random, age: int, today: datetime.date) -> datetime.date:
    # A uniform day within the year of life that ends at `age` on `today`.
    latest = (
        today.replace(year=today.year - age)
        if not (today.month == 2 and today.day == 29)
        else today.replace(year=today.year - age, day=28)
    )
    return latest - datetime.timedelta(days=rng.randint(0, 364))


def _pick(rng: random.Random, names: tuple[NamePair, ...], weights: list[float]) -> NamePair:
    return rng.choices(names, weights=weights, k=1)[0]


def _cin(rng: random.Random) -> str:
    letters = rng.choice(CIN_LETTERS) + (rng.choice(CIN_LETTERS) if rng.random() < 0.5 else "")
    return f"{letters}{rng.randint(1000, 999999)}"


def _phone(rng: random.Random) -> str:
    return f"+212{rng.choice('67')}{rng.randint(0, 99_999_999):08d}"


def generate_people(
    *, demography: Demography, count: int, rng: random.Random, today: datetime.date
) -> list[SyntheticPerson]:
    """`count` people of a commune with this demography, reproducible from `rng`'s seed."""
    bands = list(demography.age_bands)
    band_weights = [max(demography.age_bands[band], 0.0) for band in bands]
    if not bands or sum(band_weights) <= 0:
        raise ValueError("The demography has no age band with a positive share.")
    people = []
    for _ in range(count):
        male = rng.random() < demography.male_share
        given = (
            _pick(rng, MALE_GIVEN, _MALE_WEIGHTS)
            if male
            else _pick(rng, FEMALE_GIVEN, _FEMALE_WEIGHTS)
        )
        family = _pick(rng, FAMILY, _FAMILY_WEIGHTS)
        age = _age(rng, rng.choices(bands, weights=band_weights, k=1)[0])
        estimated = age >= 40 and rng.random() < ESTIMATED_AGE_SHARE_OVER_40
        birth = (
            datetime.date(today.year - age - 1, 7, 1) if estimated else _birth_date(rng, age, today)
        )
        adult = age >= 18
        people.append(
            SyntheticPerson(
                given_latin=given[0],
                family_latin=family[0],
                given_arabic=given[1],
                family_arabic=family[1],
                sex="male" if male else "female",
                birth_date=min(birth, today),
                age_is_estimated=estimated,
                phone=_phone(rng) if age >= 15 and rng.random() < PHONE_SHARE_ADULTS else None,
                cin=_cin(rng) if adult and rng.random() < CIN_SHARE_ADULTS else None,
            )
        )
    return people
