"""Classify health facilities from their name and OpenStreetMap tag (pure, no Django)."""

from __future__ import annotations

import re
import unicodedata

from tbib.network.choices import FacilityKind


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


# Checked in order: the first pattern that matches the folded name wins. Moroccan facility
# names are French, Arabic or transliterated, with many abbreviations (CHU, CHR, CHP, CSR).
_NAME_RULES: tuple[tuple[re.Pattern[str], FacilityKind], ...] = (
    (re.compile(r"\bchu\b|universitaire|المستشفى الجامعي|المركز الاستشفائي الجامعي"),
     FacilityKind.UNIVERSITY_HOSPITAL),
    (re.compile(r"\bchr\b|hopital regional|hospital regional|centre hospitalier regional|الجهوي"),
     FacilityKind.REGIONAL_HOSPITAL),
    (re.compile(r"\bchp\b|hopital provincial|centre hospitalier provincial|prefectoral|الإقليمي"),
     FacilityKind.PROVINCIAL_HOSPITAL),
    (re.compile(r"dispensaire|المستوصف|مستوصف"), FacilityKind.DISPENSARY),
    (re.compile(r"\bcs[ru]?\b|centre de sante|centre sante|health cent|المركز الصحي|مركز صحي"),
     FacilityKind.HEALTH_CENTRE),
    (re.compile(r"clinique|clinic|مصحة"), FacilityKind.CLINIC),
    (re.compile(r"hopital|hospital|مستشفى"), FacilityKind.HOSPITAL),
    (re.compile(r"\bdr\b|docteur|cabinet|عيادة"), FacilityKind.DOCTOR),
)  # fmt: skip

_OSM_TAGS = {
    "hospital": FacilityKind.HOSPITAL,
    "clinic": FacilityKind.CLINIC,
    "doctors": FacilityKind.DOCTOR,
    "doctor": FacilityKind.DOCTOR,
    "dentist": FacilityKind.DOCTOR,
    "health_post": FacilityKind.DISPENSARY,
    "centre": FacilityKind.HEALTH_CENTRE,
}


def classify_facility(name: str, osm_kind: str) -> FacilityKind:
    """The facility's class, read from its name first and its OpenStreetMap tag second."""
    folded = _fold(name)
    for pattern, kind in _NAME_RULES:
        if pattern.search(folded) or pattern.search(name):
            return kind
    return _OSM_TAGS.get(osm_kind.strip().lower(), FacilityKind.OTHER)
