"""WHO growth z-scores equal WHO Anthro's own, on WHO's sample survey, to two decimals."""

from __future__ import annotations

import csv
from importlib import resources

import pytest

from tbib.assist.growth import LAST_DAY, Child, classify, zscores

# WHO Anthro's column → ours.
COLUMNS = {"zlen": "lhfa", "zwei": "wfa", "zwfl": "wflh", "zbmi": "bmifa", "zac": "acfa"}


def _number(raw: str) -> float | None:
    return None if raw in ("", "NA") else float(raw)


def _survey() -> list[dict[str, str]]:
    path = resources.files("pygrowup").joinpath("test_datasets/MySurvey_z_st.csv")
    return list(csv.DictReader(path.read_text().splitlines()))


def test_every_z_score_of_who_anthros_survey() -> None:
    compared = mismatched = 0
    problems = []
    for row in _survey():
        days = _number(row["age.days"])
        if days is None or days > LAST_DAY:
            continue  # WHO Anthro goes to 1856 days; the published tables end at 1826
        child = Child(
            sex="male" if row["GENDER"] == "1" else "female",
            age_days=int(days),
            weight_kg=_number(row["WEIGHT"]),
            length_cm=_number(row["HEIGHT"]),
            measured_lying={"l": True, "h": False}.get(row["measure"]),
            muac_cm=_number(row["MUAC"]),
            oedema=row["oedema"] == "y",
        )
        ours = zscores(child)
        for who, name in COLUMNS.items():
            expected = _number(row[who])
            if expected is None:
                assert name not in ours or child.oedema is False, (row["id"], name)
                continue
            compared += 1
            if abs(ours.get(name, 99.0) - expected) > 0.005:
                mismatched += 1
                problems.append((row["id"], name, expected, ours.get(name)))
    assert compared > 2000
    assert not problems, problems[:10]


@pytest.mark.parametrize(
    ("child", "rule", "severity"),
    [(Child("male", 400, weight_kg=7.0, length_cm=76.0), "acute-malnutrition", "high"),
     (Child("female", 900, muac_cm=12.0, weight_kg=11.0, length_cm=86.0), "acute-malnutrition",
      "medium"),
     (Child("female", 900, weight_kg=11.0, length_cm=86.0, oedema=True), "acute-malnutrition",
      "high")],
)  # fmt: skip
def test_acute_malnutrition(child: Child, rule: str, severity: str) -> None:
    findings = {f.rule: f for f in classify(child)}
    assert findings[rule].severity == severity


def test_stunting_and_medians() -> None:
    # At the WHO median the z-score is 0: boys' length at birth 49.8842 cm, weight 3.3464 kg.
    at_median = zscores(Child("male", 0, weight_kg=3.3464, length_cm=49.8842))
    assert (at_median["lhfa"], at_median["wfa"]) == (0.0, 0.0)
    short = {f.rule: f for f in classify(Child("female", 1000, length_cm=80.0))}
    assert "stunting" in short["growth-lhfa"].explanation
