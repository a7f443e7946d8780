"""The unit sees what its devices sent that could not be placed, and resolves it."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from tbib.access.models import AuditEvent
from tbib.access.scope import AccessContext
from tbib.accounts.choices import UserRole
from tbib.accounts.models import User
from tbib.clinical.models import Observation
from tbib.clinical.services import start_encounter
from tbib.devices.models import DeviceReading, ReadingStatus
from tbib.devices.services import ingest
from tbib.network.models import Device
from tbib.patients.qr import PatientCodeError, patient_code, patient_id_from_code
from tests.factories import PatientFactory, open_stop_today, unit, unit_staff

BP = bytes.fromhex("04 9F00 6000 7300 5800")  # 159/96 mmHg, mean 115, pulse 88


@pytest.mark.django_db
def test_an_unbound_reading_waits_in_quarantine_until_the_device_is_bound_by_scan() -> None:
    open_stop_today("midelt-1")
    nurse = unit_staff(UserRole.NURSE, "midelt-1")
    patient = PatientFactory(unit=unit("midelt-1"))
    encounter = start_encounter(ctx=AccessContext(user=nurse), patient_id=patient.pk)
    cuff = Device.objects.get(unit__code="midelt-1", kind="blood-pressure")
    stray = ingest(f"tbib/midelt-1/{cuff.serial}/2A35", BP)
    assert stray.status == ReadingStatus.REJECTED
    assert stray.reason == "The device is not bound to a patient."

    client = Client()
    client.force_login(nurse)
    page = client.get("/unit/devices/").content.decode()
    assert 'data-testid="quarantined">1<' in page
    assert "systolic 159 mm[Hg]" in page and "The device is not bound to a patient." in page
    chart = client.get(f"/unit/patients/{patient.pk}/").content.decode()
    assert patient_code(patient.pk) in chart and "<svg" in chart

    # The nurse scans the patient's card (a hand-held scanner types the code), then retries.
    client.post("/unit/devices/", {"action": "bind", "serial": cuff.serial,
                                   "patient_code": f"  tbib:p:{patient.pk}\n"})  # fmt: skip
    client.post("/unit/devices/", {"action": "retry", "reading": str(stray.pk)})
    stray.refresh_from_db()
    assert stray.status == ReadingStatus.ACCEPTED and stray.encounter_id == encounter.pk
    assert stray.resolved_by_id == nurse.pk
    assert {o.key for o in Observation.objects.filter(encounter=encounter, source="device")} == {
        "systolic_bp", "diastolic_bp", "heart_rate",
    }  # fmt: skip
    assert AuditEvent.objects.filter(resource_type="DeviceReading", resource_id=str(stray.pk),
                                     detail__startswith="retry").exists()  # fmt: skip
    assert 'data-testid="quarantined">0<' in client.get("/unit/devices/").content.decode()


@pytest.mark.django_db
def test_a_reading_is_dismissed_only_with_a_reason_and_only_by_its_unit(
    api_client: Client, bearer: Callable[[User], dict[str, str]]
) -> None:
    cuff = Device.objects.get(unit__code="midelt-1", kind="blood-pressure")
    broken = ingest(f"tbib/midelt-1/{cuff.serial}/2A35", b"\x06\x78")
    other = bearer(unit_staff(UserRole.NURSE, "figuig-1"))
    assert api_client.get("/api/devices/quarantine", **other).json() == []
    url = f"/api/devices/readings/{broken.pk}/resolve"
    refused = api_client.post(url, {"action": "dismiss", "note": "x"},
                              content_type="application/json", **other)  # fmt: skip
    assert refused.status_code == 404

    auth = bearer(unit_staff(UserRole.NURSE, "midelt-1"))
    listed = api_client.get("/api/devices/quarantine", **auth).json()
    assert [r["id"] for r in listed] == [str(broken.pk)]
    assert listed[0]["reason"] == "2A35: 2 bytes end before systolic (needs 3)."
    silent = api_client.post(url, {"action": "dismiss"}, content_type="application/json", **auth)
    assert silent.status_code == 422 and "Say why" in silent.content.decode()
    unknown = api_client.post(url, {"action": "delete"}, content_type="application/json", **auth)
    assert unknown.status_code == 422
    done = api_client.post(url, {"action": "dismiss", "note": "Cuff dropped, battery out"},
                           content_type="application/json", **auth)  # fmt: skip
    assert done.status_code == 200 and done.json()["status"] == "dismissed"
    assert api_client.get("/api/devices/quarantine", **auth).json() == []
    assert DeviceReading.objects.get(pk=broken.pk).resolution == "Cuff dropped, battery out"


def test_patient_codes_round_trip_and_anything_else_is_a_typed_error() -> None:
    patient_id = uuid.uuid4()
    assert patient_id_from_code(patient_code(patient_id)) == patient_id
    assert patient_id_from_code(str(patient_id)) == patient_id
    with pytest.raises(PatientCodeError, match="is not a patient's QR code"):
        patient_id_from_code("TBIB:RX-2026-000123")


@given(st.text(max_size=80))
def test_any_scanned_text_is_a_code_or_a_patient_code_error(text: str) -> None:
    with contextlib.suppress(PatientCodeError):
        patient_id_from_code(text)
