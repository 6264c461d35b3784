"""Helpers for the monitor tests: heartbeats, and reading what an alert wrote to the outbox."""

from __future__ import annotations

import mqtt
from hub.monitor.models import MONITOR_SOURCE
from hub.outbox.models import Delivery

TECH = "shopcrier/announce/ops/tech"


def heartbeat(interval_s: int = 30) -> mqtt.Heartbeat:
    return mqtt.Heartbeat(uptime_s=1.0, queue_depth=0, volume=80, version="test", interval_s=interval_s, free_disk_mb=100)


def alerts_sent() -> list[mqtt.Alert]:
    """Every alert change written for ``alerts``, oldest first."""
    rows = Delivery.objects.filter(topic=mqtt.Alert.topic()).order_by("id").values_list("payload", flat=True)
    return [mqtt.Alert.from_json(bytes(p)) for p in rows]


def spoken_on(topic: str) -> list[mqtt.Announcement]:
    rows = Delivery.objects.filter(topic=topic, message__source__name=MONITOR_SOURCE).order_by("id")
    return [mqtt.Announcement.from_json(bytes(p)) for p in rows.values_list("payload", flat=True)]
