"""A DHIS2 `dataValueSet` (JSON, as POSTed to /api/dataValueSets) of the monthly indicators,
through a mapping of indicators to DHIS2 data elements and of units to organisation units.

The mapping file (JSON):

    {"dataElements": {"consultations": "<uid>", ...},
     "orgUnits": {"midelt-1": "<uid>", ...},
     "categoryOptionCombo": "<uid>",          optional
     "attributeOptionCombo": "<uid>"}         optional

UIDs are DHIS2's: 11 characters, a letter then letters or digits. What is not mapped is not
sent, and is reported (`skipped`), never dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tbib.dhis2.indicators import INDICATORS

UID = re.compile(r"^[A-Za-z][A-Za-z0-9]{10}$")


class MappingError(ValueError):
    pass


@dataclass(frozen=True)
class Mapping:
    data_elements: dict[str, str]
    org_units: dict[str, str]
    category_option_combo: str | None = None
    attribute_option_combo: str | None = None


@dataclass
class Export:
    data_value_set: dict[str, Any]
    skipped: list[str] = field(default_factory=list)


def parse_mapping(document: object) -> Mapping:
    if not isinstance(document, dict):
        raise MappingError("The mapping must be a JSON object.")
    elements, units = document.get("dataElements"), document.get("orgUnits")
    if not isinstance(elements, dict) or not isinstance(units, dict):
        raise MappingError("The mapping needs 'dataElements' and 'orgUnits' objects.")
    unknown = sorted(set(elements) - set(INDICATORS))
    if unknown:
        raise MappingError(f"Unknown indicators {unknown}; known: {sorted(INDICATORS)}.")
    combos = {k: document.get(k) for k in ("categoryOptionCombo", "attributeOptionCombo")}
    for where, uid in [*elements.items(), *units.items(), *combos.items()]:
        if uid is not None and (not isinstance(uid, str) or not UID.match(uid)):
            raise MappingError(
                f"{where}: {uid!r} is not a DHIS2 UID (11 characters, a letter "
                "then letters or digits)."
            )
    return Mapping(
        dict(elements), dict(units), combos["categoryOptionCombo"], combos["attributeOptionCombo"]
    )


def data_value_set(
    indicators: dict[str, dict[str, int | float]], mapping: Mapping, year: int, month: int
) -> Export:
    period = f"{year:04d}{month:02d}"  # DHIS2's monthly period
    values, skipped = [], []
    for unit in sorted(indicators):
        org_unit = mapping.org_units.get(unit)
        if org_unit is None:
            skipped.append(f"unit {unit}: no organisation unit in the mapping")
            continue
        for indicator, value in sorted(indicators[unit].items()):
            element = mapping.data_elements.get(indicator)
            if element is None:
                skipped.append(f"{unit} {indicator}: no data element in the mapping")
                continue
            row = {
                "dataElement": element,
                "period": period,
                "orgUnit": org_unit,
                "value": str(value),
            }
            if mapping.category_option_combo:
                row["categoryOptionCombo"] = mapping.category_option_combo
            if mapping.attribute_option_combo:
                row["attributeOptionCombo"] = mapping.attribute_option_combo
            values.append(row)
    return Export({"dataValues": values}, skipped)
