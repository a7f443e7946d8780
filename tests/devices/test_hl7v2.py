"""HL7 v2 ORU^R01 from devices: numeric LOINC results taken, the rest reported."""

from __future__ import annotations

import contextlib
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tbib.devices.hl7v2 import DeviceResult, HL7Error, parse_oru

MESSAGE = "\r".join(
    [
        "MSH|^~\\&|MONITOR|VAN-MIDELT-1|TBIB|HUB|20261122103000||ORU^R01^ORU_R01|MSG00001|P|2.6",
        "PID|1||QA765432^^^MA-CIN^NI||Oubaha^Itto||19610402|F",
        "OBR|1|||85354-9^Blood pressure panel^LN|||20261122102900",
        "OBX|1|NM|8480-6^Systolic blood pressure^LN||128|mm[Hg]^mm[Hg]^UCUM|||||F|||20261122102900",
        "OBX|2|NM|8462-4^Diastolic blood pressure^LN||84|mm[Hg]^mm[Hg]^UCUM|||||F",
        "OBX|3|NM|59408-5^SpO2^LN||97|%^%^UCUM|||||P",
        "OBX|4|ST|8867-4^Heart rate^LN||regular||||||F",
        "OBX|5|NM|12345-6^Unknown^LN||1|1^1^UCUM|||||F",
    ]
)


def test_a_blood_pressure_message_from_a_monitor() -> None:
    parsed = parse_oru(MESSAGE)
    assert (parsed.control_id, parsed.sending_application, parsed.sending_facility) == (
        "MSG00001",
        "MONITOR",
        "VAN-MIDELT-1",
    )
    assert parsed.patient_identifier == "QA765432"
    assert parsed.results == (
        DeviceResult("systolic_bp", "8480-6", Decimal(128), "mm[Hg]", "2026-11-22T10:29:00"),
        DeviceResult("diastolic_bp", "8462-4", Decimal(84), "mm[Hg]", None),
    )
    assert parsed.skipped == (
        "OBX 3 (59408-5): result status P, not final.",
        "OBX 4 (8867-4): not numeric (ST).",
        "OBX 5 (12345-6): not a LOINC code Tbib records.",
    )


def test_line_feeds_are_accepted_as_segment_separators() -> None:
    assert parse_oru(MESSAGE.replace("\r", "\n")).control_id == "MSG00001"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("PID|1", "An HL7 v2 message starts with an MSH segment."),
        (MESSAGE.replace("ORU^R01^ORU_R01", "ADT^A01"),
         "Expected an ORU^R01 message, got 'ADT^A01'."),
        (MESSAGE.replace("|MSG00001|", "||"), "MSH-10 (message control id) is empty: the "
         "message cannot be acknowledged."),
        (MESSAGE.replace("||128|", "||12a8|"), "OBX 1 (8480-6): '12a8' is not a number."),
        (MESSAGE.replace("|128|mm[Hg]", "|17|kPa"), "OBX 1 (8480-6): unit 'kPa'; Tbib "
         "records 8480-6 in 'mm[Hg]'."),
    ],
)  # fmt: skip
def test_unreadable_messages_are_typed_errors(text: str, message: str) -> None:
    with pytest.raises(HL7Error) as error:
        parse_oru(text)
    assert str(error.value) == message


@given(st.text(max_size=200))
def test_any_text_parses_or_raises_hl7_error(text: str) -> None:
    with contextlib.suppress(HL7Error):
        parse_oru("MSH|^~\\&|" + text)
