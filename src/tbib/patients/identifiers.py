"""Patient identifiers: format checks and normalisation (pure, no Django)."""

from __future__ import annotations

import re

import phonenumbers

# Carte nationale d'identité électronique: one or two letters (the issuing prefecture's
# code) then up to six digits, e.g. "M123456", "JB45678".
CIN_PATTERN = re.compile(r"^[A-Z]{1,2}\d{1,6}$")


class IdentifierError(ValueError):
    """An identifier that cannot be valid, with the reason a person can read."""


def normalise_cin(raw: str) -> str:
    """The CIN in its canonical form (upper case, no spaces), or IdentifierError."""
    cin = re.sub(r"\s+", "", raw).upper()
    if not CIN_PATTERN.match(cin):
        raise IdentifierError(
            f"{raw!r} is not a CIN: one or two letters followed by up to six digits."
        )
    return cin


def normalise_phone(raw: str) -> str:
    """The phone number in E.164 (+212...), read as Moroccan when it has no country code."""
    try:
        number = phonenumbers.parse(raw, "MA")
    except phonenumbers.NumberParseException as error:
        raise IdentifierError(f"{raw!r} is not a phone number.") from error
    if not phonenumbers.is_valid_number(number):
        raise IdentifierError(f"{raw!r} is not a valid phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
