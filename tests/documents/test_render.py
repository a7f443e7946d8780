"""The PDF renderer: French and Arabic documents whose text can be read back."""

from __future__ import annotations

import io
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from tbib.documents.render import ClinicalDocument, Section, render_pdf

NUMBER = "ORD-2026-MIDELT1-7K3M9Q"


def _document(language: str, **changes: object) -> ClinicalDocument:
    fields: dict[str, object] = {
        "title": "Ordonnance" if language != "ar" else "وصفة طبية",
        "number": NUMBER,
        "language": language,
        "issued_at": "2026-11-22 10:42",
        "issuer_lines": ("Unité mobile Imilchil", "Dr Youssef Amzil"),
        "patient_lines": ("Itto Oubaha — إيطو أوباها", "Femme, ~60 ans"),
        "sections": (Section("Médicaments", ("Amlodipine 5 mg (comprimé) × 30 — 1 cp le matin",)),),
        "footer": f"Document n° {NUMBER}",
        "qr_payload": f"TBIB:{NUMBER}",
    }
    fields.update(changes)
    return ClinicalDocument(**fields)  # type: ignore[arg-type]


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_french_prescription_reads_back_with_name_drug_and_number() -> None:
    pdf = render_pdf(_document("fr"))
    text = _text(pdf)
    assert pdf.startswith(b"%PDF")
    for expected in ("Ordonnance", "Itto Oubaha", "Amlodipine 5 mg", NUMBER, "إيطو أوباها"):
        assert expected in text
    assert PdfReader(io.BytesIO(pdf)).metadata.creator == "Tbib"


def test_arabic_prescription_is_shaped_and_its_text_recoverable() -> None:
    document = _document(
        "ar",
        patient_lines=("إيطو أوباها", "امرأة"),
        sections=(Section("الأدوية", ("Amlodipine 5 mg × 30 — قرص واحد صباحا",)),),
    )
    text = _text(render_pdf(document))
    # fpdf2 writes a ToUnicode map for the shaped glyphs: extraction gives back the logical
    # Arabic characters, not presentation forms.
    for expected in ("وصفة طبية", "إيطو أوباها", "الأدوية", "Amlodipine 5 mg", NUMBER):
        assert expected in text
    assert not re.search("[\ufb50-\ufdff\ufe70-\ufeff]", text)


def test_the_qr_code_is_drawn() -> None:
    pdf = render_pdf(_document("fr"))
    content = PdfReader(io.BytesIO(pdf)).pages[0].get_contents()
    assert content is not None
    # Each dark module of the QR code is a filled rectangle ("re f" in the content stream);
    # version 2 at level M has several hundred of them.
    assert content.get_data().count(b" re f") > 200


def test_long_documents_flow_onto_more_pages() -> None:
    lines = tuple(f"Ligne {n} — Paracétamol 500 mg" for n in range(200))
    reader = PdfReader(io.BytesIO(render_pdf(_document("fr", sections=(Section("Long", lines),)))))
    assert len(reader.pages) > 1


_ANY_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)


@settings(max_examples=25, deadline=None)
@given(
    title=_ANY_TEXT,
    line=_ANY_TEXT,
    arabic=st.text(alphabet=st.characters(min_codepoint=0x0600, max_codepoint=0x06FF), max_size=40),
    language=st.sampled_from(["fr", "ar", "en"]),
)
def test_any_text_renders(title: str, line: str, arabic: str, language: str) -> None:
    document = _document(
        language,
        title=title,
        patient_lines=(line, arabic),
        sections=(Section(arabic, (line, f"{line} {arabic}")),),
        footer=line,
        qr_payload=line or "x",
    )
    assert render_pdf(document).startswith(b"%PDF")
