"""A clinical document as a PDF: A4, the issuer and a QR code on top, the patient, the sections.

Pure: no Django. Arabic is laid out right to left and shaped by HarfBuzz (fpdf2's text
shaping, through uharfbuzz), so letters join as they must; Latin drug names and digits inside
Arabic lines keep their own direction (Unicode bidirectional algorithm, applied by fpdf2).
The font is DejaVu Sans, shipped with the code (fonts/, its licence beside it), which covers
Latin and Arabic: the same file prints on every node, online or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import qrcode
from fpdf import FPDF

_FONT = "DejaVu"
_MARGIN = 15.0
_QR_SIZE = 28.0  # mm: readable by a phone camera from a printed page


@dataclass(frozen=True)
class Section:
    heading: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class ClinicalDocument:
    """What a document says, already translated into its language."""

    title: str
    number: str
    language: str  # "fr", "en" or "ar"; "ar" lays the page out right to left
    issued_at: str
    issuer_lines: tuple[str, ...]
    patient_lines: tuple[str, ...]
    sections: tuple[Section, ...]
    footer: str
    qr_payload: str


class _Page(FPDF):
    footer_text = ""
    rtl = False

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(_FONT, size=7.5)
        self.set_text_color(90, 100, 110)
        self.multi_cell(
            0, 3.6, f"{self.footer_text}   {self.page_no()}/{{nb}}", align="C", new_x="LMARGIN"
        )


def font_path(name: str) -> str:
    return str(resources.files("tbib.documents").joinpath(f"fonts/{name}"))


def _draw_qr(pdf: FPDF, payload: str, x: float, y: float) -> None:
    """The QR code as filled squares: vector, sharp at any zoom, no image library needed."""
    code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(payload)
    code.make(fit=True)
    matrix = code.get_matrix()
    cell = _QR_SIZE / len(matrix)
    pdf.set_fill_color(0, 0, 0)
    for row, bits in enumerate(matrix):
        for column, dark in enumerate(bits):
            if dark:
                pdf.rect(x + column * cell, y + row * cell, cell, cell, style="F")


def _printable(text: str) -> str:
    # Control characters have no glyph and make no sense on paper.
    return "".join(char for char in text if char.isprintable() or char == " ")


def render_pdf(document: ClinicalDocument) -> bytes:
    """The document as PDF bytes."""
    rtl = document.language == "ar"
    pdf = _Page(format="A4")
    pdf.footer_text = _printable(document.footer)
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_font(_FONT, "", font_path("DejaVuSans.ttf"))
    pdf.add_font(_FONT, "B", font_path("DejaVuSans-Bold.ttf"))
    pdf.set_text_shaping(use_shaping_engine=True, direction="rtl" if rtl else "ltr")
    pdf.set_lang(document.language)
    pdf.set_title(_printable(f"{document.title} {document.number}"))
    pdf.set_creator("Tbib")
    pdf.alias_nb_pages()
    pdf.add_page()
    align = "R" if rtl else "L"
    width = pdf.epw - _QR_SIZE - 5

    # Issuer block beside the QR code (QR on the left in Arabic, on the right otherwise).
    top = pdf.get_y()
    qr_x = _MARGIN if rtl else pdf.w - _MARGIN - _QR_SIZE
    _draw_qr(pdf, document.qr_payload, qr_x, top)
    text_x = _MARGIN + _QR_SIZE + 5 if rtl else _MARGIN
    pdf.set_font(_FONT, "B", 11)
    for index, line in enumerate(document.issuer_lines):
        pdf.set_x(text_x)
        pdf.multi_cell(width, 5.5, _printable(line), align=align, new_x="LMARGIN", new_y="NEXT")
        if index == 0:
            pdf.set_font(_FONT, "", 9.5)
    pdf.set_y(max(pdf.get_y(), top + _QR_SIZE) + 4)

    pdf.set_font(_FONT, "B", 16)
    pdf.multi_cell(0, 9, _printable(document.title), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FONT, "", 9)
    pdf.multi_cell(
        0,
        5,
        _printable(f"{document.number} · {document.issued_at}"),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)

    pdf.set_draw_color(180, 190, 200)
    pdf.set_font(_FONT, "", 11)
    y = pdf.get_y()
    for line in document.patient_lines:
        pdf.multi_cell(0, 6, _printable(line), align=align, new_x="LMARGIN", new_y="NEXT")
    pdf.rect(_MARGIN - 2, y - 2, pdf.epw + 4, pdf.get_y() - y + 4)
    pdf.ln(6)

    for section in document.sections:
        pdf.set_font(_FONT, "B", 11.5)
        pdf.multi_cell(
            0, 7, _printable(section.heading), align=align, new_x="LMARGIN", new_y="NEXT"
        )
        pdf.set_font(_FONT, "", 10.5)
        for line in section.lines:
            pdf.multi_cell(
                0,
                5.8,
                _printable(f"• {line}"),
                align=align,
                new_x="LMARGIN",
                new_y="NEXT",
            )
        pdf.ln(3)
    return bytes(pdf.output())
