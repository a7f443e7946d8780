"""The patient's QR code (shown on the chart, printable as a card): `TBIB:P:<uuid>`. Pure.

A nurse binds a device by scanning it; hand-held scanners type the content like a keyboard,
so the parser is lenient about case, spaces and a bare UUID.
"""

from __future__ import annotations

import uuid

PREFIX = "TBIB:P:"


class PatientCodeError(ValueError):
    """The scanned text is not a Tbib patient code."""


def patient_code(patient_id: uuid.UUID) -> str:
    return f"{PREFIX}{patient_id}"


def patient_id_from_code(text: str) -> uuid.UUID:
    cleaned = text.strip()
    if cleaned.upper().startswith(PREFIX):
        cleaned = cleaned[len(PREFIX) :]
    try:
        return uuid.UUID(cleaned)
    except ValueError:
        raise PatientCodeError(f"{text.strip()[:60]!r} is not a patient's QR code.") from None


def patient_qr_svg(patient_id: uuid.UUID) -> str:
    """The code as an inline SVG (vector: sharp on any printer)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(patient_code(patient_id), image_factory=qrcode.image.svg.SvgPathImage,
                        box_size=6, border=2)  # fmt: skip
    return image.to_string(encoding="unicode")
