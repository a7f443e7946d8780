"""The unit's MQTT gateway: devices (or their Bluetooth bridge) publish, Tbib records.

Subscribes to `tbib/<unit code>/+/+` with QoS 1 (at least once: a reading the broker
delivered twice is recorded twice only if the device sent it twice) and hands each message to
`services.ingest` in the caller's thread, where the database work belongs.
"""

from __future__ import annotations

import queue
import uuid

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from tbib.devices.models import DeviceReading
from tbib.devices.services import ingest


class Gateway:
    def __init__(self, *, host: str, port: int, unit_code: str) -> None:
        self.topic = f"tbib/{unit_code}/+/+"
        self.messages: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=f"tbib-gateway-{uuid.uuid4().hex[:8]}"
        )
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.host, self.port = host, port
        self.subscribed = False

    def _on_connect(self, client: mqtt.Client, userdata: object, flags: object,
                    reason: object, properties: object) -> None:  # fmt: skip
        client.subscribe(self.topic, qos=1)

    def _on_message(self, client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        self.messages.put((message.topic, bytes(message.payload)))

    def start(self) -> None:
        self.client.on_subscribe = lambda *args: setattr(self, "subscribed", True)
        self.client.connect(self.host, self.port, keepalive=30)
        self.client.loop_start()

    def stop(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()

    def process(self, *, timeout: float) -> DeviceReading | None:
        """Record the next message, waiting up to `timeout` seconds for one."""
        try:
            topic, payload = self.messages.get(timeout=timeout)
        except queue.Empty:
            return None
        return ingest(topic, payload)
