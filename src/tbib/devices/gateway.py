"""The unit's MQTT gateway: devices (or their Bluetooth bridge) publish, Tbib records.

Delivery is at least once and storage exactly once:

- the gateway subscribes to `tbib/<unit code>/+/+` with QoS 1 on a persistent MQTT 5 session
  (fixed client id, `clean_start=False`, a week of session expiry), so the broker keeps what
  arrives while the gateway is down and resends what was never acknowledged;
- it acknowledges a message only after the transaction that recorded it has committed
  (manual acks), so a crash between receipt and commit loses nothing;
- `services.ingest_batch` skips a message it already recorded (the bridge's `reading-id` user
  property, else a hash of topic and payload), so a crash between commit and ack, or the
  broker's redelivery, duplicates nothing.

Messages are recorded in batches (one transaction each) in the caller's thread, where the
database work belongs; paho's network thread only queues them.
"""

from __future__ import annotations

import queue
from typing import NamedTuple

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from tbib.devices.services import Incoming, Ingested, ingest_batch

SESSION_EXPIRY_SECONDS = 7 * 24 * 3600
# How many unacknowledged messages the broker may have in flight to us (MQTT 5 Receive
# Maximum): also the largest batch, so one commit covers many readings.
RECEIVE_MAXIMUM = 500


class _Delivery(NamedTuple):
    message: Incoming
    mid: int
    qos: int


def reading_id(message: mqtt.MQTTMessage) -> str:
    """The bridge's id of the reading, sent as MQTT 5 user property `reading-id`."""
    for name, value in getattr(message.properties, "UserProperty", None) or []:
        if name == "reading-id":
            return str(value)[:100]
    return ""


class Gateway:
    def __init__(self, *, host: str, port: int, unit_code: str, client_id: str = "") -> None:
        self.topic = f"tbib/{unit_code}/+/+"
        self.deliveries: queue.Queue[_Delivery] = queue.Queue()
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id or f"tbib-gateway-{unit_code}",
            protocol=mqtt.MQTTv5,
            manual_ack=True,
        )
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe
        self.host, self.port = host, port
        self.subscribed = False

    def _on_connect(self, client: mqtt.Client, userdata: object, flags: object,
                    reason: object, properties: object) -> None:  # fmt: skip
        client.subscribe(self.topic, qos=1)

    def _on_subscribe(self, *args: object) -> None:
        self.subscribed = True

    def _on_message(self, client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        incoming = Incoming(message.topic, bytes(message.payload), reading_id(message))
        self.deliveries.put(_Delivery(incoming, message.mid, message.qos))

    def start(self) -> None:
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = SESSION_EXPIRY_SECONDS
        properties.ReceiveMaximum = RECEIVE_MAXIMUM
        self.client.connect(
            self.host, self.port, keepalive=30, clean_start=False, properties=properties
        )
        self.client.loop_start()

    def wait_subscribed(self, timeout: float = 10) -> bool:
        import time

        deadline = time.monotonic() + timeout
        while not self.subscribed and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.subscribed

    def stop(self) -> None:
        """A clean stop: the session stays on the broker, unacknowledged messages come back."""
        self.client.disconnect()
        self.client.loop_stop()

    def crash(self) -> None:
        """Drop the connection without a word, as a killed process would (for tests)."""
        self.client.loop_stop()
        sock = self.client.socket()
        if sock is not None:
            sock.close()

    def process(self, *, timeout: float, limit: int = RECEIVE_MAXIMUM) -> list[Ingested]:
        """Record the waiting messages (waiting up to `timeout` s for a first one), then ack."""
        try:
            deliveries = [self.deliveries.get(timeout=timeout)]
        except queue.Empty:
            return []
        while len(deliveries) < limit:
            try:
                deliveries.append(self.deliveries.get_nowait())
            except queue.Empty:
                break
        readings = ingest_batch([delivery.message for delivery in deliveries])
        for delivery in deliveries:  # only now, after the commit
            self.client.ack(delivery.mid, delivery.qos)
        return readings
