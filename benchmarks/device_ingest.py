"""End-to-end device ingest: MQTT publish → Mosquitto → gateway → SQLite, readings per second.

Run: .venv/bin/python benchmarks/device_ingest.py [--readings 20000] [--broker-host 127.0.0.1]

An edge's database (a SQLite file with the production settings: WAL, IMMEDIATE transactions)
holds the demo network; a unit's five devices are bound to five patients with open
encounters. A bridge publishes the readings (QoS 1, time-stamped GATT payloads, the five
characteristics in turn) and the gateway records them in batches, acknowledging after each
commit. Timed from the first publish to the last reading committed. The publisher keeps its
backlog under Mosquitto's default per-client queue (1,000 messages), as a bridge would.
Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import datetime
import json
import multiprocessing
import os
import random
import tempfile
import time
import uuid
from typing import Any


def publish(host: str, messages: list[tuple[str, bytes]], recorded: Any) -> None:
    """The unit's bridge, in a process of its own as on the van's hardware."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    publisher = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    publisher.max_queued_messages_set(0)
    publisher.connect(host, 1883)
    publisher.loop_start()
    infos = []
    for sent, (topic, payload) in enumerate(messages):
        while sent - recorded.value > 800:
            time.sleep(0.001)
        infos.append(publisher.publish(topic, payload, qos=1))
    for info in infos:
        info.wait_for_publish(timeout=60)
    publisher.loop_stop()
    publisher.disconnect()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--readings", type=int, default=20_000)
    parser.add_argument("--broker-host", default="127.0.0.1")
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    os.environ.update(
        DATABASE_URL=f"sqlite:///{folder}/edge.sqlite3", TBIB_VAR_DIR=folder, TBIB_MODE="demo"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tbib.settings.base")
    import django

    django.setup()
    import paho.mqtt.client as mqtt
    from django.core.management import call_command
    from django.utils import timezone
    from paho.mqtt.enums import CallbackAPIVersion

    from tbib.access.scope import AccessContext
    from tbib.accounts.models import User
    from tbib.clinical.models import Observation
    from tbib.clinical.services import start_encounter
    from tbib.devices.gateway import Gateway
    from tbib.devices.models import DeviceReading
    from tbib.devices.services import bind_device
    from tbib.devices.simulator import patient_round
    from tbib.geo.importer import import_reference_geography
    from tbib.network.models import Device, MobileUnit
    from tbib.network.services import build_demo_network
    from tbib.patients.models import Patient
    from tbib.tours.models import Stop

    call_command("migrate", verbosity=0)
    import_reference_geography()
    build_demo_network()
    unit = MobileUnit.objects.get(code="midelt-1")
    Stop.objects.create(unit=unit, date=timezone.localdate(), commune=unit.home_commune,
                        status="open", opened_at=timezone.now())  # fmt: skip
    nurse = AccessContext(user=User.objects.create(username="bench-nurse", role="nurse", unit=unit))
    serials = {}
    devices = Device.objects.filter(unit=unit).exclude(kind__in=["ecg", "camera"])
    for number, device in enumerate(devices):
        patient = Patient.objects.create(unit=unit, given_name=f"Itto{number}", family_name="Ouali",
                                         sex="female", birth_date="1980-05-01")  # fmt: skip
        start_encounter(ctx=nurse, patient_id=patient.pk)
        bind_device(ctx=nurse, serial=device.serial, patient_id=patient.pk)
        serials[device.kind] = device.serial
    rng = random.Random(5)
    messages = []
    clock = datetime.datetime(2026, 11, 22, 8, 0)
    while len(messages) < args.readings:
        clock += datetime.timedelta(seconds=1)  # the devices' clocks: one round per second
        for message in patient_round(rng, len(messages) + 1, clock):
            topic = f"tbib/{unit.code}/{serials[message.kind]}/{message.characteristic}"
            messages.append((topic, message.payload))
    messages = messages[: args.readings]

    client_id = f"bench-gateway-{uuid.uuid4().hex[:8]}"
    gateway = Gateway(host=args.broker_host, port=1883, unit_code=unit.code, client_id=client_id)
    gateway.start()
    assert gateway.wait_subscribed(), "the gateway could not subscribe"
    recorded = multiprocessing.get_context("spawn").Value("i", 0)
    started = time.perf_counter()
    publishing = multiprocessing.get_context("spawn").Process(
        target=publish, args=(args.broker_host, messages, recorded)
    )
    publishing.start()
    batches = 0
    while recorded.value < args.readings:
        batch = gateway.process(timeout=10)
        if not batch:
            break
        recorded.value += len(batch)
        batches += 1
    elapsed = time.perf_counter() - started
    publishing.join()
    gateway.stop()
    # Remove the persistent session so that nothing lingers on the broker.
    cleaner = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    cleaner.connect(args.broker_host, 1883, clean_start=True)
    cleaner.disconnect()
    stored = DeviceReading.objects.filter(status="accepted").count()
    result = {
        "database": "SQLite (file, WAL)",
        "readings": args.readings,
        "recorded": stored,
        "observations": Observation.objects.filter(source__in=["device", "computed"]).count(),
        "batches": batches,
        "seconds": round(elapsed, 2),
        "readings_per_second": round(stored / elapsed),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
