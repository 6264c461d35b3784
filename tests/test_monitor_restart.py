"""After the hub could not hear for a while (a monitor restart, its broker link back), speakers
get a period and grace from that moment: no false "stopped sending heartbeats" alert for
every speaker, while one that stays silent is still called down, once."""

from __future__ import annotations

import pytest

import mqtt
from hub.monitor.models import NodeHealth
from hub.monitor.nodes import check_nodes, grant_hearing_grace, ingest_heartbeat, ingest_status
from hub.monitor.worker import Monitor
from tests.attention_helpers import BASE, Clock
from tests.monitor_helpers import alerts_sent, heartbeat

pytestmark = [pytest.mark.django_db, pytest.mark.clock]

SPEAKERS = ("spk-orders-1", "spk-orders-2", "spk-finance-1")


def status(node_id: str) -> str:
    return NodeHealth.objects.get(node_id=node_id).status


def a_monitor(clock: Clock) -> Monitor:
    link = mqtt.Link(mqtt.BrokerSettings(host="127.0.0.1", port=1), "shopcrier-hub-monitor-test")  # never started
    return Monitor(link, BASE, clock=clock)


def test_a_hub_back_after_a_long_outage_calls_no_speaker_down() -> None:
    clock = Clock()
    for node_id in SPEAKERS:
        ingest_heartbeat(node_id, heartbeat(interval_s=30), clock.now)
    check_nodes(clock.now, BASE)

    clock.advance(minutes=10)  # the hub was stopped; the speakers kept beating to nobody
    monitor = a_monitor(clock)
    monitor.handle(mqtt.Connected(session_present=False), clock.now)
    monitor.check(clock.now)
    assert alerts_sent() == []
    assert {status(n) for n in SPEAKERS} == {"up"}

    for beat_at in (10, 30):  # two beat on every period again; one stays silent
        clock.advance(seconds=beat_at)
        for node_id in SPEAKERS[:2]:
            ingest_heartbeat(node_id, heartbeat(interval_s=30), clock.now)
    monitor.check(clock.advance(seconds=21))  # 61 s after the hub could hear: period (30) + grace (30) passed
    [opened] = alerts_sent()
    assert opened.subject == f"speaker {SPEAKERS[2]}" and opened.state == "opened"
    assert status(SPEAKERS[0]) == status(SPEAKERS[1]) == "up"


def test_the_grace_revives_no_down_or_offline_speaker() -> None:
    clock = Clock()
    ingest_heartbeat("spk-dead", heartbeat(interval_s=30), clock.now)
    ingest_heartbeat("spk-unplugged", heartbeat(interval_s=30), clock.now)
    ingest_status("spk-unplugged", False, clock.now)
    check_nodes(clock.advance(seconds=61), BASE)
    assert status("spk-dead") == status("spk-unplugged") == "down"

    assert grant_hearing_grace(clock.now) == 0
    check_nodes(clock.advance(seconds=1), BASE)
    assert status("spk-dead") == status("spk-unplugged") == "down"
    assert len(alerts_sent()) == 2  # each announced once, none resolved


def test_a_live_offline_status_opens_the_alert_at_once_not_at_the_next_tick() -> None:
    from hub.fleet.enrol import enroll
    from tests.attention_helpers import department

    department("orders")
    enroll("spk-frozen", "orders")
    clock = Clock()
    ingest_heartbeat("spk-frozen", heartbeat(interval_s=30), clock.now)
    monitor = a_monitor(clock)
    topic = mqtt.NodeStatus.topic(BASE, node_id="spk-frozen")
    monitor.handle(mqtt.Received(topic, b"offline", retain=False, qos=1), clock.advance(seconds=8))
    [opened] = alerts_sent()  # no check() was called: handling the LWT was enough
    assert opened.subject == "speaker spk-frozen"
