"""HL7 v2 ORU^R01 from devices that speak HL7 (monitors, lab analysers), parsed with `hl7`.

Only what Tbib records is taken: numeric results (OBX-2 "NM") coded in LOINC (OBX-3 coding
system "LN"), final or corrected (OBX-11 "F" or "C"), in the UCUM unit Tbib keeps for that
code (clinical.codes). Everything else is reported, not silently dropped.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import hl7

from tbib.clinical.codes import MEASURES

_BY_LOINC = {measure.loinc: measure for measure in MEASURES.values()}
_ACCEPTED_STATUS = frozenset({"F", "C"})


class HL7Error(ValueError):
    """A message that is not an ORU^R01 Tbib can read; the message says what is wrong."""


@dataclass(frozen=True)
class DeviceResult:
    """One numeric result of the message, mapped to Tbib's measurement key."""

    key: str
    loinc: str
    value: Decimal
    unit: str
    observed_at: str | None


@dataclass(frozen=True)
class OruMessage:
    control_id: str
    sending_application: str
    sending_facility: str
    patient_identifier: str | None
    results: tuple[DeviceResult, ...]
    skipped: tuple[str, ...]  # why each OBX that was not taken was left


def _field(segment: hl7.Segment, index: int) -> str:
    try:
        return str(segment[index])
    except IndexError:
        return ""


def _component(segment: hl7.Segment, index: int, component: int) -> str:
    # The first repetition's component, from the field's text: `hl7` nests simple and
    # composite fields to different depths.
    parts = _field(segment, index).split("~")[0].split("^")
    return parts[component] if component < len(parts) else ""


def _timestamp(text: str) -> str | None:
    digits = text.split("+")[0].split("-")[0].split(".")[0]
    for layout in ("%Y%m%d%H%M%S", "%Y%m%d%H%M", "%Y%m%d"):
        try:
            return datetime.datetime.strptime(digits, layout).isoformat()
        except ValueError:
            continue
    return None


def parse_oru(text: str) -> OruMessage:
    """Parse an ORU^R01 message (segments separated by CR, LF or CRLF)."""
    cleaned = "\r".join(line for line in text.replace("\r\n", "\r").replace("\n", "\r").split("\r")
                        if line.strip())  # fmt: skip
    if not cleaned.startswith("MSH"):
        raise HL7Error("An HL7 v2 message starts with an MSH segment.")
    try:
        message = hl7.parse(cleaned)
        header = message.segment("MSH")
    except (KeyError, IndexError, ValueError, hl7.ParseException) as error:
        raise HL7Error(f"Unreadable HL7 v2 message: {error}.") from error
    kind = f"{_component(header, 9, 0)}^{_component(header, 9, 1)}"
    if kind != "ORU^R01":
        raise HL7Error(f"Expected an ORU^R01 message, got {kind!r}.")
    control_id = _field(header, 10)
    if not control_id:
        raise HL7Error("MSH-10 (message control id) is empty: the message cannot be acknowledged.")
    patient = None
    for pid in message.segments("PID") if "PID" in cleaned else ():
        patient = _component(pid, 3, 0) or None
    results, skipped = [], []
    for position, obx in enumerate(message.segments("OBX") if "\rOBX" in cleaned else (), 1):
        code, system = _component(obx, 3, 0), _component(obx, 3, 2)
        label = f"OBX {position} ({code or 'no code'})"
        if _field(obx, 2) != "NM":
            skipped.append(f"{label}: not numeric ({_field(obx, 2) or 'no type'}).")
            continue
        if system != "LN" or code not in _BY_LOINC:
            skipped.append(f"{label}: not a LOINC code Tbib records.")
            continue
        if _field(obx, 11) not in _ACCEPTED_STATUS:
            skipped.append(f"{label}: result status {_field(obx, 11) or 'missing'}, not final.")
            continue
        measure = _BY_LOINC[code]
        unit = _component(obx, 6, 0)
        if unit != measure.ucum:
            raise HL7Error(f"{label}: unit {unit!r}; Tbib records {code} in {measure.ucum!r}.")
        try:
            value = Decimal(_field(obx, 5))
        except InvalidOperation as error:
            raise HL7Error(f"{label}: {_field(obx, 5)!r} is not a number.") from error
        results.append(DeviceResult(measure.key, code, value, unit, _timestamp(_field(obx, 14))))
    return OruMessage(
        control_id=control_id,
        sending_application=_component(header, 3, 0),
        sending_facility=_component(header, 4, 0),
        patient_identifier=patient,
        results=tuple(results),
        skipped=tuple(skipped),
    )
