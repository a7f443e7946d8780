"""Readings published on the real Mosquitto land in the bound patient's open encounter."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import paho.mqtt.client as mqtt
import pytest
from django.test import Client
from paho.mqtt.enums import CallbackAPIVersion

from tbib.access.scope import AccessContext
from tbib.accounts.choices import UserRole
from tbib.accounts.models import User
from tbib.clinical.models import Observation
from tbib.clinical.services import start_encounter
from tbib.devices.gateway import Gateway
from tbib.devices.mapping import measurements
from tbib.devices.models import LEADS, EcgStrip, ReadingStatus
from tbib.devices.services import bind_device, ingest
from tbib.network.models import Device
from tests.devices.test_gateway_reliability import forget_session
from tests.factories import PatientFactory, open_stop_today, unit, unit_staff

pytestmark = pytest.mark.django_db
BROKER_HOST = os.environ.get("TEST_MQTT_HOST", "127.0.0.1")
BP = bytes.fromhex("04 9F00 6000 7300 5800")  # 159/96 mmHg, mean 115, pulse 88


@pytest.fixture
def gateway_id() -> Iterator[str]:
    """A client id of the test's own: its persistent session is removed afterwards."""
    client_id = f"test-gateway-{uuid.uuid4().hex[:8]}"
    yield client_id
    forget_session(client_id)


@pytest.fixture
def bound() -> dict:
    open_stop_today("midelt-1")
    nurse = AccessContext(user=unit_staff(UserRole.NURSE, "midelt-1"))
    patient = PatientFactory(unit=unit("midelt-1"))
    encounter = start_encounter(ctx=nurse, patient_id=patient.pk)
    cuff = Device.objects.get(unit__code="midelt-1", kind="blood-pressure")
    oximeter = Device.objects.get(unit__code="midelt-1", kind="pulse-oximeter")
    for device in (cuff, oximeter):
        bind_device(ctx=nurse, serial=device.serial, patient_id=patient.pk)
    return {"encounter": encounter, "cuff": cuff, "oximeter": oximeter}


def test_a_reading_published_on_mqtt_is_recorded_as_from_a_device(
    bound: dict, gateway_id: str
) -> None:
    gateway = Gateway(host=BROKER_HOST, port=1883, unit_code="midelt-1", client_id=gateway_id)
    gateway.start()
    publisher = mqtt.Client(CallbackAPIVersion.VERSION2)
    try:
        assert gateway.wait_subscribed()
        publisher.connect(BROKER_HOST, 1883)
        publisher.loop_start()
        topic = f"tbib/midelt-1/{bound['cuff'].serial}/2A35"
        publisher.publish(topic, BP, qos=1).wait_for_publish(timeout=5)
        (reading,) = gateway.process(timeout=10)
    finally:
        publisher.loop_stop()
        publisher.disconnect()
        gateway.stop()
    assert reading is not None and reading.status == ReadingStatus.ACCEPTED, reading
    recorded = {
        o.key: (o.value, o.source) for o in Observation.objects.filter(encounter=bound["encounter"])
    }
    assert recorded == {
        "systolic_bp": (159, "device"),
        "diastolic_bp": (96, "device"),
        "heart_rate": (88, "device"),
    }


def test_impossible_or_unplaceable_readings_are_quarantined_with_the_reason(bound: dict) -> None:
    spot_check = bytes.fromhex("00 8C00 4800")  # SpO2 140 %
    rejected = ingest(f"tbib/midelt-1/{bound['oximeter'].serial}/2A5E", spot_check)
    assert rejected.status == ReadingStatus.REJECTED
    assert rejected.reason.startswith("vitals.spo2: 140 % is not a possible oxygen saturation")
    assert ingest("tbib/midelt-1/NOPE-99/2A35", BP).reason == (
        "Unknown device 'NOPE-99' for unit 'midelt-1'."
    )
    assert ingest(f"tbib/midelt-1/{bound['cuff'].serial}/2A35", b"\x06\x78").reason == (
        "2A35: 2 bytes end before systolic (needs 3)."
    )
    assert not Observation.objects.filter(encounter=bound["encounter"]).exists()


@pytest.mark.parametrize(
    ("reading", "expected"),
    [
        ({"characteristic": "2A35", "systolic": {"value": "16.0", "unit": "kPa"},
          "diastolic": {"value": "10.0", "unit": "kPa"}},
         {"systolic_bp": "120.009920", "diastolic_bp": "75.006200"}),
        ({"characteristic": "2A1C", "temperature": {"value": "99.5", "unit": "[degF]"}},
         {"temperature": "37.5"}),
        ({"characteristic": "2A18", "concentration": {"value": "0.00126", "unit": "kg/L"}},
         {"glucose": "1.26000"}),
        ({"characteristic": "2A9D", "weight": {"value": "154.00", "unit": "[lb_av]"}},
         {"weight": "69.8532249800"}),
    ],
)  # fmt: skip
def test_units_are_converted_to_the_ones_tbib_records(reading: dict, expected: dict) -> None:
    values, _missing = measurements(reading)
    assert {k: str(v) for k, v in values.items()} == expected


def test_the_nurse_binds_a_device_through_the_api(
    api_client: Client, bearer: Callable[[User], dict[str, str]]
) -> None:
    auth = bearer(unit_staff(UserRole.NURSE, "midelt-1"))
    patient = PatientFactory(unit=unit("midelt-1"))
    cuff = Device.objects.get(unit__code="midelt-1", kind="blood-pressure")
    response = api_client.post(
        "/api/devices/bindings",
        {"serial": cuff.serial, "patient_id": str(patient.pk)},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 201, response.content
    listed = {
        d["serial"]: d["bound_patient_id"] for d in api_client.get("/api/devices", **auth).json()
    }
    assert listed[cuff.serial] == str(patient.pk)
    other_units = Device.objects.get(unit__code="figuig-1", kind="blood-pressure")
    refused = api_client.post(
        "/api/devices/bindings",
        {"serial": other_units.serial, "patient_id": str(patient.pk)},
        content_type="application/json",
        **auth,
    )
    assert refused.status_code == 403
    assert refused.json() == {"detail": f"No device {other_units.serial!r} on board your unit."}


def test_the_simulator_feeds_the_gateway_end_to_end(bound: dict, gateway_id: str) -> None:
    from django.core.management import call_command

    nurse = AccessContext(user=bound["encounter"].created_by)
    for device in Device.objects.filter(unit__code="midelt-1").exclude(kind="camera"):
        bind_device(ctx=nurse, serial=device.serial, patient_id=bound["encounter"].patient_id)
    gateway = Gateway(host=BROKER_HOST, port=1883, unit_code="midelt-1", client_id=gateway_id)
    gateway.start()
    try:
        assert gateway.wait_subscribed()
        call_command("devices_simulate", unit="midelt-1", patients=1, interval=0, seed=3)
        readings: list = []
        while len(readings) < 6 and (batch := gateway.process(timeout=10)):
            readings += batch
    finally:
        gateway.stop()
    assert [r.status for r in readings] == ["accepted"] * 6, [r.reason for r in readings]
    assert readings[-1].topic.endswith("/ECG") and "12 lead(s)" in readings[-1].reason
    strips = EcgStrip.objects.filter(encounter=bound["encounter"])
    assert sorted(strips.values_list("lead", flat=True)) == sorted(LEADS)
    assert len({strip.recording_id for strip in strips}) == 1
    assert strips.get(lead="II").finding["heart_rate_bpm"] > 0
    keys = set(
        Observation.objects.filter(encounter=bound["encounter"], source="device").values_list(
            "key", flat=True
        )
    )
    assert {"systolic_bp", "spo2", "temperature", "weight", "glucose"} <= keys
