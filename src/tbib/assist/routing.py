"""Which specialty, and how urgently, for a tele-expertise case. Pure, rules only.

From the diagnoses (ICD-10 chapters and blocks), the assistant's findings and the reason for
the visit (French, Darija in Latin script, or English keywords), the rules vote for one of the
platform's seven specialties; children go to paediatrics and pregnancies to obstetrics first.
The urgency follows the most severe finding. No learned ranker ships: the rules are the whole
of it, and every suggestion says which rules made it. The GP decides.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from tbib.assist.findings import Finding, Severity

# ICD-10 code prefix → specialty (the longest matching prefix wins).
ICD10 = {
    "I": "cardiology",
    "E": "endocrinology",
    "L": "dermatology",
    "B35": "dermatology", "B36": "dermatology", "B86": "dermatology",
    "H6": "ent", "H7": "ent", "H8": "ent", "H9": "ent",
    "J0": "ent", "J3": "ent",
    "J": "pulmonology", "A15": "pulmonology", "A16": "pulmonology",
    "O": "gynaecology-obstetrics", "N7": "gynaecology-obstetrics",
    "N8": "gynaecology-obstetrics", "N9": "gynaecology-obstetrics",
    "D50": "gynaecology-obstetrics",
}  # fmt: skip
KEYWORDS = {
    "cardiology": ["hta", "tension", "palpitation", "douleur thoracique", "thorax", "souffle",
                   "oedeme", "chest pain"],
    "endocrinology": ["diabete", "glycemie", "sucre", "thyroide", "goitre", "sukkar"],
    "dermatology": ["peau", "eruption", "plaque", "prurit", "demangeaison", "lesion cutanee",
                    "bouton", "rash", "skin"],
    "ent": ["oreille", "otite", "gorge", "angine", "sinus", "nez", "surdite", "ear", "throat"],
    "pulmonology": ["toux", "dyspnee", "essoufflement", "crachat", "asthme", "cough",
                    "breathless"],
    "gynaecology-obstetrics": ["grossesse", "enceinte", "regles", "saignement vaginal",
                               "pertes", "pregnan", "hamla"],
    "paediatrics": ["nourrisson", "bebe", "enfant", "croissance", "malnutrition"],
}  # fmt: skip
FINDINGS = {
    "blood-pressure": "cardiology",
    "glucose": "endocrinology",
    "hba1c": "endocrinology",
    "pregnancy-hypertension": "gynaecology-obstetrics",
    "pregnancy-anaemia": "gynaecology-obstetrics",
    "pregnancy-danger-signs": "gynaecology-obstetrics",
    "imci-general-danger-signs": "paediatrics",
}
URGENCY = {Severity.HIGH: "emergency", Severity.MEDIUM: "urgent"}


@dataclass(frozen=True)
class Suggestion:
    specialty: str | None
    urgency: str
    reasons: tuple[str, ...]


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _icd10_specialty(code: str) -> str | None:
    code = code.upper().replace(".", "")
    matches = [prefix for prefix in ICD10 if code.startswith(prefix)]
    return ICD10[max(matches, key=len)] if matches else None


def suggest(
    *,
    age_days: int,
    pregnant: bool,
    findings: Sequence[Finding],
    diagnoses: Sequence[str] = (),
    reason: str = "",
) -> Suggestion:
    votes: Counter[str] = Counter()
    reasons: list[str] = []
    for code in diagnoses:
        specialty = _icd10_specialty(code)
        if specialty:
            votes[specialty] += 3
            reason_text = _("diagnosis %(code)s → %(specialty)s")
            reasons.append(reason_text % {"code": code, "specialty": specialty})
    text = _plain(reason)
    for specialty, words in KEYWORDS.items():
        for word in words:
            if re.search(rf"\b{re.escape(word)}", text):
                votes[specialty] += 2
                reasons.append(_("the reason mentions '%(word)s' → %(specialty)s")
                               % {"word": word, "specialty": specialty})  # fmt: skip
                break
    for finding in findings:
        specialty = FINDINGS.get(finding.rule)
        if specialty and finding.severity != Severity.INFO:
            votes[specialty] += 2
            reasons.append(_("finding %(rule)s (%(severity)s) → %(specialty)s")
                           % {"rule": finding.rule, "severity": finding.severity,
                              "specialty": specialty})  # fmt: skip
    if age_days < 15 * 365:
        votes["paediatrics"] += 10  # a child's case goes to the paediatrician first
        reasons.append(_("patient under 15 → paediatrics"))
    if pregnant:
        votes["gynaecology-obstetrics"] += 10
        reasons.append(_("pregnancy → gynaecology-obstetrics"))
    specialty = None
    if votes:
        # Ties break by the platform's list order, so the same input always gives the same.
        order = list(KEYWORDS)
        specialty = max(votes, key=lambda s: (votes[s], -order.index(s) if s in order else 0))
    worst = max((f.severity for f in findings), key=_rank, default=Severity.INFO)
    return Suggestion(specialty, URGENCY.get(worst, "routine"), tuple(reasons))


def _rank(severity: str) -> int:
    return [Severity.INFO, Severity.LOW, Severity.MEDIUM, Severity.HIGH].index(severity)
