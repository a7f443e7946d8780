"""IEEE 11073-20601 SFLOAT (16-bit) and FLOAT (32-bit) medical number types. Pure.

A value is mantissa × 10^exponent. Reserved mantissas (with exponent 0) mean NaN, NRes (not
at this resolution), +INFINITY, -INFINITY and a reserved code (IEEE 11073-20601 §F.8, used by
every Bluetooth SIG health profile).
"""

from __future__ import annotations

from decimal import Decimal
from enum import Enum


class Special(Enum):
    NAN = "NaN"
    NRES = "NRes"
    POSITIVE_INFINITY = "+INFINITY"
    NEGATIVE_INFINITY = "-INFINITY"
    RESERVED = "reserved"


_SFLOAT_SPECIAL = {
    0x07FF: Special.NAN,
    0x0800: Special.NRES,
    0x07FE: Special.POSITIVE_INFINITY,
    0x0802: Special.NEGATIVE_INFINITY,
    0x0801: Special.RESERVED,
}
_FLOAT_SPECIAL = {
    0x007FFFFF: Special.NAN,
    0x00800000: Special.NRES,
    0x007FFFFE: Special.POSITIVE_INFINITY,
    0x00800002: Special.NEGATIVE_INFINITY,
    0x00800001: Special.RESERVED,
}


def _signed(value: int, bits: int) -> int:
    return value - (1 << bits) if value & (1 << (bits - 1)) else value


def sfloat(raw: int) -> Decimal | Special:
    """Decode a 16-bit SFLOAT (4-bit exponent, 12-bit mantissa, both two's complement)."""
    raw &= 0xFFFF
    mantissa_bits = raw & 0x0FFF
    if raw >> 12 == 0 and mantissa_bits in _SFLOAT_SPECIAL:
        return _SFLOAT_SPECIAL[mantissa_bits]
    return Decimal(_signed(mantissa_bits, 12)).scaleb(_signed(raw >> 12, 4))


def float32(raw: int) -> Decimal | Special:
    """Decode a 32-bit FLOAT (8-bit exponent, 24-bit mantissa, both two's complement)."""
    raw &= 0xFFFFFFFF
    mantissa_bits = raw & 0x00FFFFFF
    if raw >> 24 == 0 and mantissa_bits in _FLOAT_SPECIAL:
        return _FLOAT_SPECIAL[mantissa_bits]
    return Decimal(_signed(mantissa_bits, 24)).scaleb(_signed(raw >> 24, 8))
