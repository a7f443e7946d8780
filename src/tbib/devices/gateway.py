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

Messages are recorded in batches (one transaction each). The caller's thread also drives
paho's network loop (no background thread): receiving and recording then never compete for
the GIL, which took end-to-end ingest from about 1,900 to over 2,000 readings a second
(benchmarks/device_ingest.py).
"""

from __future__ import annotations

import contextlib
import queue
import time
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

    def wait_subscribed(self, timeout: float = 10) -> bool:
        deadline = time.monotonic() + timeout
        while not self.subscribed and time.monotonic() < deadline:
            self._network(0.05)
        return self.subscribed

    def _network(self, timeout: float) -> None:
        """One turn of the network loop; a lost connection is re-established (backoff 1 s)."""
        if self.client.loop(timeout=timeout) != mqtt.MQTT_ERR_SUCCESS:
            time.sleep(min(timeout, 1.0))
            with contextlib.suppress(OSError):  # the broker is away: the next turn tries again
                self.client.reconnect()

    def stop(self) -> None:
        """A clean stop: the session stays on the broker, unacknowledged messages come back."""
        self.client.disconnect()

    def receive(self, *, timeout: float) -> int:
        """Let deliveries arrive without recording or acknowledging them (for tests: a crash
        then has messages in flight); returns how many wait."""
        deadline = time.monotonic() + timeout
        while self.deliveries.empty() and time.monotonic() < deadline:
            self._network(0.05)
        return self.deliveries.qsize()

    def crash(self) -> None:
        """Drop the connection without a word, as a killed process would (for tests)."""
        sock = self.client.socket()
        if sock is not None:
            sock.close()

    def process(self, *, timeout: float, limit: int = RECEIVE_MAXIMUM) -> list[Ingested]:
        """Record the waiting messages (waiting up to `timeout` s for a first one), then ack."""
        deadline = time.monotonic() + timeout
        while self.deliveries.empty():
            left = deadline - time.monotonic()
            if left <= 0:
                return []
            self._network(min(left, 0.5))
        while self.deliveries.qsize() < limit:
            waiting = self.deliveries.qsize()
            self._network(0)
            if self.deliveries.qsize() == waiting:
                break
        deliveries: list[_Delivery] = []
        while not self.deliveries.empty() and len(deliveries) < limit:
            deliveries.append(self.deliveries.get_nowait())
        readings = ingest_batch([delivery.message for delivery in deliveries])
        for delivery in deliveries:  # only now, after the commit
            self.client.ack(delivery.mid, delivery.qos)
        return readings
