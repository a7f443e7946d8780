"""Children under 5: WHO IMCI general danger signs. Pure.

The growth z-scores (WHO Child Growth Standards) are not here yet: they need the WHO LMS tables,
checked against the published tables before use.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tbib.assist.findings import Finding, Severity

IMCI_SOURCE = (
    "WHO/UNICEF. Integrated Management of Childhood Illness, Chart Booklet (2014), "
    "'Check for general danger signs' (child aged 2 months up to 5 years)"
)
GENERAL_DANGER_SIGNS = {
    "unable_to_drink_or_breastfeed": gettext_noop("not able to drink or breastfeed"),
    "vomits_everything": gettext_noop("vomits everything"),
    "convulsions": gettext_noop("has had convulsions"),
    "lethargic_or_unconscious": gettext_noop("lethargic or unconscious"),
    "convulsing_now": gettext_noop("convulsing now"),
}


def general_danger_signs(signs: set[str]) -> Finding | None:
    present = [_(GENERAL_DANGER_SIGNS[s]) for s in sorted(signs) if s in GENERAL_DANGER_SIGNS]
    if not present:
        return None
    return Finding(
        rule="imci-general-danger-signs",
        severity=Severity.HIGH,
        source=IMCI_SOURCE,
        explanation=_(
            "General danger sign(s): %(signs)s: urgent pre-referral treatment and referral."
        )
        % {"signs": ", ".join(present)},
        values={s: True for s in sorted(signs) if s in GENERAL_DANGER_SIGNS},
    )
