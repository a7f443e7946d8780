"""Children under 5: WHO IMCI general danger signs. Pure.

The growth z-scores (WHO Child Growth Standards) are not here yet: they need the WHO LMS tables,
checked against the published tables before use.
"""

from __future__ import annotations

from tbib.assist.findings import Finding, Severity

IMCI_SOURCE = (
    "WHO/UNICEF. Integrated Management of Childhood Illness, Chart Booklet (2014), "
    "'Check for general danger signs' (child aged 2 months up to 5 years)"
)
GENERAL_DANGER_SIGNS = {
    "unable_to_drink_or_breastfeed": "not able to drink or breastfeed",
    "vomits_everything": "vomits everything",
    "convulsions": "has had convulsions",
    "lethargic_or_unconscious": "lethargic or unconscious",
    "convulsing_now": "convulsing now",
}


def general_danger_signs(signs: set[str]) -> Finding | None:
    present = [GENERAL_DANGER_SIGNS[s] for s in sorted(signs) if s in GENERAL_DANGER_SIGNS]
    if not present:
        return None
    return Finding(
        rule="imci-general-danger-signs",
        severity=Severity.HIGH,
        source=IMCI_SOURCE,
        explanation="General danger sign(s): "
        + ", ".join(present)
        + ": urgent pre-referral treatment and referral.",
        values={s: True for s in sorted(signs) if s in GENERAL_DANGER_SIGNS},
    )
