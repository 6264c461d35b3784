"""A test's own MQTT client: subscribe, collect what arrives, wait for a condition."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import mqtt
from mqtt.client import Link


class Watcher:
    """Subscribes to filters and keeps every message it receives, in order."""

    def __init__(self, url: str, *filters: str) -> None:
        client_id = f"watch-{uuid.uuid4().hex[:8]}"
        self.link = Link(mqtt.BrokerSettings.from_url(url), client_id, clean_start=True, session_expiry=0)
        # The link sends all its filters in one SUBSCRIBE on connect; a probe on a
        # private topic in that same packet coming back proves the broker has them all.
        probe = f"test-probe/{client_id}"
        for f in (*filters, probe):
            self.link.subscribe(f, qos=1)
        self.received: list[mqtt.Received] = []
        self.link.start()
        if not self.link.wait_connected(10):
            raise RuntimeError(f"watcher could not connect to {url}")
        deadline = time.monotonic() + 10
        while not any(m.topic == probe for m in self.drain()):
            if time.monotonic() > deadline:
                raise RuntimeError("watcher's subscriptions never took effect")
            self.link.publish(probe, b"probe", qos=1)
            time.sleep(0.05)
        self.received = [m for m in self.received if m.topic != probe]

    def drain(self) -> list[mqtt.Received]:
        while not self.link.inbox.empty():
            event = self.link.inbox.get_nowait()
            if isinstance(event, mqtt.Received):
                self.received.append(event)
        return self.received

    def wait_for(self, condition: Callable[[list[mqtt.Received]], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition(self.drain()):
                return True
            time.sleep(0.05)
        return condition(self.drain())

    def topics(self) -> list[str]:
        return [m.topic for m in self.drain()]

    def close(self) -> None:
        self.link.stop()
