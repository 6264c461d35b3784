"""The monitor's link: two hub processes split heartbeats through the shared subscription,
each reads every retained status, and what they hear lands in the database."""

from __future__ import annotations

import time
import uuid

import pytest
from django.utils import timezone

import mqtt
from hub.monitor.models import NodeHealth
from hub.monitor.worker import Monitor
from mqtt.broker import Mosquitto
from mqtt.client import Link
from tests.hub_helpers import enrolled
from tests.monitor_helpers import heartbeat
from tests.node_helpers import Observer
from tests.processes import wait_until

pytestmark = pytest.mark.django_db

NODES = 60


def monitor(url: str) -> Monitor:
    link = Link(mqtt.BrokerSettings.from_url(url), f"monitor-{uuid.uuid4().hex[:6]}", clean_start=True,
                session_expiry=0, manual_ack=True)
    found = Monitor(link, "shopcrier")
    for topic_filter in found.subscriptions():
        link.subscribe(topic_filter, qos=1)
    link.start()
    assert link.wait_connected(10)
    return found


def heard(m: Monitor) -> list[mqtt.Received]:
    got = []
    while not m.link.inbox.empty():
        event = m.link.inbox.get_nowait()
        if isinstance(event, mqtt.Received):
            got.append(event)
    return got


def test_two_monitors_split_heartbeats_and_each_reads_every_retained_status(broker: Mosquitto) -> None:
    enrolled("spk-gone", *(f"spk-{n}" for n in range(NODES)))
    with Observer(broker.url) as node:
        node.publish(mqtt.NodeStatus.topic(node_id="spk-gone"), b"offline", retain=True)
        first, second = monitor(broker.url), monitor(broker.url)
        time.sleep(0.5)  # both subscriptions in place before the heartbeats
        for n in range(NODES):
            node.publish(mqtt.Heartbeat.topic(node_id=f"spk-{n}"), heartbeat().to_json())
    got: dict[str, list[mqtt.Received]] = {"first": [], "second": []}

    def all_heard() -> bool:
        got["first"] += heard(first)
        got["second"] += heard(second)
        return sum(1 for m in got["first"] + got["second"] if mqtt.Heartbeat.is_topic(m.topic)) >= NODES

    assert wait_until(all_heard, 10)
    try:
        beats = {name: [m.topic for m in events if mqtt.Heartbeat.is_topic(m.topic)] for name, events in got.items()}
        assert beats["first"] and beats["second"], "the shared subscription did not split the load"
        assert sorted(beats["first"] + beats["second"]) == sorted(mqtt.Heartbeat.topic(node_id=f"spk-{n}") for n in range(NODES))
        for events in got.values():
            assert [m.payload for m in events if mqtt.NodeStatus.is_topic(m.topic)] == [b"offline"]

        now = timezone.now()
        for m, events in ((first, got["first"]), (second, got["second"])):
            for event in events:
                m.handle(event, now)
            m.flush(now)
        assert NodeHealth.objects.exclude(last_heartbeat_at=None).count() == NODES
        assert NodeHealth.objects.get(node_id="spk-gone").last_status == "offline"
    finally:
        first.link.stop()
        second.link.stop()
