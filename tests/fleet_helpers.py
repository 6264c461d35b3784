"""Fleet tests' MQTT clients: plain paho, so a refused CONNECT and a SUBACK are visible."""

from __future__ import annotations

import queue
import ssl
import threading
import time
import uuid
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

import mqtt

TIMEOUT = 5.0


class Client:
    """One MQTT 5 client with a user name and password; messages land in ``inbox``."""

    def __init__(self, port: int, username: str | None, password: str | None, *, ca: str | None = None) -> None:
        self.client_id = f"test-{username or 'anon'}-{uuid.uuid4().hex[:6]}"
        self.port = port
        self.inbox: queue.Queue[mqtt.Received] = queue.Queue()
        self.connack: ReasonCode | None = None
        self._connack_seen = threading.Event()
        self._subacks: queue.Queue[list[ReasonCode]] = queue.Queue()
        client = paho.Client(CallbackAPIVersion.VERSION2, client_id=self.client_id, protocol=paho.MQTTv5)
        if username is not None:
            client.username_pw_set(username, password)
        if ca is not None:
            client.tls_set(ca_certs=ca, cert_reqs=ssl.CERT_REQUIRED)
        client.on_connect = self._on_connect
        client.on_message = self._on_message
        client.on_subscribe = self._on_subscribe
        self.paho = client

    def connect(self) -> bool:
        """True when the broker accepted the CONNECT; ``connack`` says why not."""
        self.paho.connect("127.0.0.1", self.port, keepalive=10)
        self.paho.loop_start()
        if not self._connack_seen.wait(TIMEOUT):
            raise AssertionError(f"{self.client_id}: no CONNACK in {TIMEOUT}s")
        assert self.connack is not None
        return not self.connack.is_failure

    def subscribe(self, *filters: str) -> list[ReasonCode]:
        """Subscribe at QoS 1 and wait for the SUBACK's reason codes."""
        self.paho.subscribe([(f, 1) for f in filters])
        return self._subacks.get(timeout=TIMEOUT)

    def publish(self, topic: str, payload: bytes = b"x", *, retain: bool = False) -> None:
        """Publish at QoS 1 and wait for the PUBACK: the broker has routed it (or dropped it)."""
        info = self.paho.publish(topic, payload, qos=1, retain=retain)
        info.wait_for_publish(TIMEOUT)
        assert info.is_published(), f"{self.client_id}: no PUBACK for {topic}"

    def topics_until(self, marker: str, timeout: float = TIMEOUT) -> list[str]:
        """Topics received up to and including ``marker`` (which must arrive)."""
        deadline = time.monotonic() + timeout
        seen: list[str] = []
        while time.monotonic() < deadline:
            try:
                message = self.inbox.get(timeout=0.05)
            except queue.Empty:
                continue
            seen.append(message.topic)
            if message.topic == marker:
                return seen
        raise AssertionError(f"{self.client_id}: {marker} never arrived; saw {seen}")

    def close(self) -> None:
        self.paho.disconnect()
        self.paho.loop_stop()

    # paho's thread: hand over only
    def _on_connect(self, client: Any, userdata: Any, flags: Any, reason: ReasonCode, properties: Any) -> None:
        self.connack = reason
        self._connack_seen.set()

    def _on_message(self, client: Any, userdata: Any, message: paho.MQTTMessage) -> None:
        self.inbox.put(mqtt.Received(message.topic, bytes(message.payload), bool(message.retain), message.qos, message.mid))

    def _on_subscribe(self, client: Any, userdata: Any, mid: int, reasons: list[ReasonCode], properties: Any) -> None:
        self._subacks.put(reasons)
