"""`tbib devices simulate --unit CODE [--patients N]`: publish realistic readings on MQTT."""

from __future__ import annotations

import random
import time
from typing import Any
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from django.core.management.base import BaseCommand, CommandError, CommandParser
from paho.mqtt.enums import CallbackAPIVersion

from tbib.devices.simulator import ecg_recording, patient_round, reading_properties
from tbib.network.models import Device


class Command(BaseCommand):
    help = "Publish the measurements of simulated patients from a unit's devices."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True)
        parser.add_argument("--broker", default="mqtt://127.0.0.1:1883")
        parser.add_argument("--patients", type=int, default=1)
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between rounds")
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument(
            "--ecg",
            choices=["none", "rhythm", "12-lead"],
            default="12-lead",
            help="also publish an ECG per patient from the unit's recorder",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        serials = {d.kind: d.serial for d in Device.objects.filter(unit__code=options["unit"])}
        if not serials:
            raise CommandError(f"No unit {options['unit']!r}, or it has no devices.")
        broker = urlparse(options["broker"])
        if broker.scheme != "mqtt" or not broker.hostname:
            raise CommandError("--broker must look like mqtt://host:1883")
        client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        client.connect(broker.hostname, broker.port or 1883)
        client.loop_start()
        rng = random.Random(options["seed"])
        try:
            for number in range(1, options["patients"] + 1):
                for message in patient_round(rng, number):
                    topic = (
                        f"tbib/{options['unit']}/{serials[message.kind]}/{message.characteristic}"
                    )
                    client.publish(
                        topic, message.payload, qos=1, properties=reading_properties()
                    ).wait_for_publish(timeout=10)
                    self.stdout.write(f"{topic} {message.payload.hex()}")
                if options["ecg"] != "none" and "ecg" in serials:
                    payload = ecg_recording(rng, twelve_leads=options["ecg"] == "12-lead")
                    topic = f"tbib/{options['unit']}/{serials['ecg']}/ECG"
                    client.publish(topic, payload, qos=1, properties=reading_properties())
                    self.stdout.write(f"{topic} ECG, {len(payload)} bytes")
                time.sleep(options["interval"])
        finally:
            client.loop_stop()
            client.disconnect()
