"""At least once on the wire, exactly once in the record: the gateway restarted mid-stream.

Against the real Mosquitto on 127.0.0.1:1883. 10,000 thermometer readings are published with
QoS 1 while the gateway is restarted twice: once dropping its connection with messages
received but not recorded, once after committing a batch but before acknowledging it (the
broker then redelivers what is already recorded). The end state is exactly 10,000 readings
and 10,000 observations.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from decimal import Decimal

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from tbib.access.scope import AccessContext
from tbib.accounts.choices import UserRole
from tbib.clinical.models import Observation
from tbib.clinical.services import start_encounter
from tbib.devices.gateway import Gateway
from tbib.devices.models import DeviceReading, ReadingStatus
from tbib.devices.services import ingest_batch
from tbib.devices.simulator import reading_properties, temperature
from tbib.network.models import Device
from tests.factories import PatientFactory, open_stop_today, unit, unit_staff

pytestmark = pytest.mark.django_db
BROKER_HOST = os.environ.get("TEST_MQTT_HOST", "127.0.0.1")
READINGS = 10_000
# Mosquitto's default max_queued_messages is 1,000 per client: the publisher keeps its
# backlog below that, as the unit's bridge buffers on its side (docs/devices.md).
MAX_BACKLOG = 800


def forget_session(client_id: str) -> None:
    """Remove the persistent session from the broker so that no later test inherits it."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = 0
    client.connect(BROKER_HOST, 1883, clean_start=True, properties=properties)
    client.disconnect()


def test_ten_thousand_readings_through_two_gateway_restarts_are_recorded_exactly_once() -> None:
    open_stop_today("midelt-1")
    nurse = AccessContext(user=unit_staff(UserRole.NURSE, "midelt-1"))
    patient = PatientFactory(unit=unit("midelt-1"), sex="F")
    encounter = start_encounter(ctx=nurse, patient_id=patient.pk)
    thermometer = Device.objects.get(unit__code="midelt-1", kind="thermometer")
    from tbib.devices.services import bind_device

    bind_device(ctx=nurse, serial=thermometer.serial, patient_id=patient.pk)
    topic = f"tbib/midelt-1/{thermometer.serial}/2A1C"
    client_id = f"test-gateway-{uuid.uuid4().hex[:8]}"

    recorded = 0  # read by the publisher thread to bound its backlog
    gateway = Gateway(host=BROKER_HOST, port=1883, unit_code="midelt-1", client_id=client_id)
    gateway.start()
    assert gateway.wait_subscribed()

    published = 0
    publish_error: list[BaseException] = []

    def publish_all() -> None:
        nonlocal published
        publisher = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        publisher.max_queued_messages_set(0)
        publisher.connect(BROKER_HOST, 1883)
        publisher.loop_start()
        try:
            pending = []
            for number in range(READINGS):
                while published - recorded > MAX_BACKLOG:
                    time.sleep(0.005)
                value = Decimal(360 + number % 30) / 10
                pending.append(
                    publisher.publish(topic, temperature(value), qos=1,
                                      properties=reading_properties())
                )  # fmt: skip
                published += 1
            for info in pending:
                info.wait_for_publish(timeout=30)
        except BaseException as error:  # reported by the test thread
            publish_error.append(error)
        finally:
            publisher.loop_stop()
            publisher.disconnect()

    publishing = threading.Thread(target=publish_all)
    publishing.start()
    delivered = 0
    restarts = 0
    try:
        deadline = time.monotonic() + 120
        while recorded < READINGS and time.monotonic() < deadline:
            if restarts == 0 and recorded >= READINGS // 3:
                # Restart 1: messages received but not yet recorded die with the process.
                assert gateway.receive(timeout=10) > 0
                gateway.crash()
                restarts += 1
                gateway = Gateway(host=BROKER_HOST, port=1883, unit_code="midelt-1",
                                  client_id=client_id)  # fmt: skip
                gateway.start()
            elif restarts == 1 and recorded >= 2 * READINGS // 3:
                # Restart 2: a batch committed, the process killed before its acks.
                assert gateway.receive(timeout=10) > 0
                waiting = []
                while not gateway.deliveries.empty():
                    waiting.append(gateway.deliveries.get_nowait().message)
                ingest_batch(waiting)
                delivered += len(waiting)
                gateway.crash()
                restarts += 1
                gateway = Gateway(host=BROKER_HOST, port=1883, unit_code="midelt-1",
                                  client_id=client_id)  # fmt: skip
                gateway.start()
            delivered += len(gateway.process(timeout=0.5))
            recorded = DeviceReading.objects.filter(device=thermometer).count()
        # Anything still redelivered after the last reading must change nothing.
        delivered += len(gateway.process(timeout=2))
    finally:
        publishing.join(timeout=60)
        gateway.stop()
        forget_session(client_id)
    assert not publish_error, publish_error
    assert restarts == 2
    readings = DeviceReading.objects.filter(device=thermometer)
    assert readings.count() == READINGS
    assert readings.filter(status=ReadingStatus.ACCEPTED).count() == READINGS
    assert Observation.objects.filter(encounter=encounter, source="device").count() == READINGS
    assert delivered > READINGS, "the broker redelivered nothing: the restarts were not felt"
