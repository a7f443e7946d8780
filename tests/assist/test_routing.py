"""Routing: a suggested specialty and urgency, from diagnoses, findings and the reason."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tbib.assist import adult, child, pregnancy
from tbib.assist.routing import suggest

ADULT = 40 * 365


@pytest.mark.parametrize(
    ("diagnoses", "reason", "specialty"),
    [(["I10"], "", "cardiology"), (["E11.9"], "", "endocrinology"), (["L30.9"], "", "dermatology"),
     (["H66.9"], "", "ent"), (["J02.9"], "", "ent"), (["J20.9"], "", "pulmonology"),
     (["O14.1"], "", "gynaecology-obstetrics"), ([], "Toux depuis trois semaines", "pulmonology"),
     ([], "Éruption prurigineuse des coudes", "dermatology"), ([], "Otite à répétition", "ent"),
     ([], "Glycémie élevée, diabète connu", "endocrinology"), ([], "", None)],
)  # fmt: skip
def test_specialty_from_diagnoses_and_reason(diagnoses: list[str], reason: str,
                                             specialty: str | None) -> None:  # fmt: skip
    found = suggest(age_days=ADULT, pregnant=False, findings=[], diagnoses=diagnoses,
                    reason=reason)  # fmt: skip
    assert found.specialty == specialty
    assert found.urgency == "routine"


def test_findings_vote_and_set_the_urgency() -> None:
    grade3 = adult.blood_pressure(Decimal(190), Decimal(115))
    found = suggest(age_days=ADULT, pregnant=False, findings=[grade3], reason="Céphalées")
    assert (found.specialty, found.urgency) == ("cardiology", "emergency")
    assert any("blood-pressure" in reason for reason in found.reasons)


def test_children_and_pregnancies_go_first_to_their_specialists() -> None:
    signs = child.general_danger_signs({"convulsions"})
    assert signs is not None
    found = suggest(age_days=700, pregnant=False, findings=[signs], diagnoses=["J20.9"])
    assert (found.specialty, found.urgency) == ("paediatrics", "emergency")
    anaemia = pregnancy.anaemia(Decimal("9.2"))
    found = suggest(age_days=25 * 365, pregnant=True, findings=[anaemia], diagnoses=["I10"])
    assert (found.specialty, found.urgency) == ("gynaecology-obstetrics", "urgent")
